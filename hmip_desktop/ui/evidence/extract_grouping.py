"""Group an extract by a column (count or sum; dates by month or year), chart it, pin it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.services.extracts import ExtractService, ExtractView, FilterSpec
from hmip_desktop.services.figures import MAX_FIGURE_GROUPS, FigureService
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import present_error
from hmip_desktop.ui.evidence import evidence_prompts as prompts
from hmip_desktop.ui.evidence.extract_chart import ExtractChart, key_text
from hmip_desktop.ui.widgets.forms import buddy_label, plain_label

NUMERIC = ("integer", "decimal")


class ExtractGrouping(QWidget):
    """Controls, the result table and the chart; grouping runs on the DB lane."""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._view: ExtractView | None = None
        self._filters: list[FilterSpec] = []
        self.rows: list[tuple[Any, Any]] = []
        self.column = QComboBox()
        self.column.setAccessibleName("Group by column")
        self.granularity = QComboBox()
        self.granularity.setAccessibleName("Group dates by")
        for label, key in (("each value", None), ("month", "month"), ("year", "year")):
            self.granularity.addItem(label, key)
        self.agg = QComboBox()
        self.agg.setAccessibleName("Summary")
        self.agg.addItem("Count rows", "count")
        self.agg.addItem("Sum of", "sum")
        self.value_column = QComboBox()
        self.value_column.setAccessibleName("Column to add up")
        self.chart_kind = QComboBox()
        self.chart_kind.setAccessibleName("Chart kind")
        self.chart_kind.addItem("Bar chart", "bar")
        self.chart_kind.addItem("Line chart", "line")
        self.group_button = QPushButton("Calcula&te")
        self.pin_button = QPushButton("&Pin figure…")
        self.pin_button.setAccessibleName("Pin this figure as evidence")
        # Column names can be long: the boxes show a dozen characters (their lists the whole
        # name), and the controls take two rows, so the tab fits a 1024-pixel window (in one
        # row they made the Evidence page, and with it every page, 1017 pixels wide).
        for box in (self.column, self.value_column):
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(12)
        what = QHBoxLayout()
        what.addWidget(buddy_label("Group &by", self.column))
        what.addWidget(self.column)
        what.addWidget(buddy_label("d&ates by", self.granularity))
        what.addWidget(self.granularity)
        what.addWidget(buddy_label("showing", self.agg))
        what.addWidget(self.agg)
        what.addWidget(self.value_column)
        what.addStretch(1)
        how = QHBoxLayout()
        how.addWidget(self.chart_kind)
        how.addWidget(self.group_button)
        how.addWidget(self.pin_button)
        how.addStretch(1)
        controls = QVBoxLayout()
        controls.addLayout(what)
        controls.addLayout(how)
        self.note = plain_label("")  # it quotes a pinned caption
        self.note.setAccessibleName("Grouping status")
        self.result = QTableWidget(0, 2)
        self.result.setAccessibleName("Grouping result")
        self.result.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.result.verticalHeader().hide()
        self.chart = ExtractChart()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.result)
        split.addWidget(self.chart)
        split.setSizes([260, 640])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(self.note)
        layout.addWidget(split, 1)
        self.column.currentIndexChanged.connect(self._on_column_index_changed)
        self.agg.currentIndexChanged.connect(self._on_agg_index_changed)
        self.chart_kind.currentIndexChanged.connect(self._on_chart_kind_index_changed)
        self.group_button.clicked.connect(self._on_group_button_clicked)
        self.pin_button.clicked.connect(self._on_pin_button_clicked)
        self.set_extract(None)

    # -- set-up ------------------------------------------------------------------------------
    def set_extract(self, view: ExtractView | None) -> None:
        """Offer the columns of another extract (the previous result goes)."""
        self._view, self._filters = view, []
        for combo in (self.column, self.value_column):
            combo.blockSignals(True)
            combo.clear()
        for col in view.columns if view else ():
            self.column.addItem(col.name, col.index)
            if col.type in NUMERIC:
                self.value_column.addItem(col.name, col.index)
        for combo in (self.column, self.value_column):
            combo.blockSignals(False)
        self._show([])
        self._on_column_index_changed()
        self._on_agg_index_changed()
        self.group_button.setEnabled(view is not None and view.available)

    def set_filters(self, filters: list[FilterSpec]) -> None:
        """Group only the filtered rows (a shown result is recomputed)."""
        self._filters = list(filters)
        if self.rows:
            self.run()

    def spec(self) -> dict[str, Any]:
        """The grouping as a figure spec (filter values as text, as figures store them)."""
        agg = self.agg.currentData()
        return {"group_by": self.column.currentData(), "agg": agg,
                "value_column": self.value_column.currentData() if agg == "sum" else None,
                "granularity": self.granularity.currentData()
                if self.granularity.isEnabled() else None,
                "chart": self.chart_kind.currentData(),
                "filters": [[c, op, None if v is None else str(v)]
                            for c, op, v in self._filters]}

    def describe(self) -> str:
        """A suggested caption for the current grouping."""
        what = ("Rows" if self.agg.currentData() == "count"
                else f"Total {self.value_column.currentText()}")
        by = self.column.currentText()
        if self.granularity.isEnabled() and self.granularity.currentData():
            by = f"{self.granularity.currentData()}"
        view = self._view.name if self._view else ""
        filtered = ", filtered" if self._filters else ""
        return f"{what} per {by} ({view}{filtered})"

    # -- running -----------------------------------------------------------------------------
    def run(self) -> None:
        """Compute the grouping on the DB lane and show it."""
        store, view = self.ctx.store, self._view
        if store is None or view is None or self.column.currentData() is None:
            return
        spec = self.spec()
        filters = list(self._filters)
        self.note.setText("Grouping…")

        def work() -> list[tuple[Any, Any]]:
            # One more than a figure may hold tells "too many" without reading them all.
            return ExtractService(store).group_by(view.id, spec["group_by"], spec["agg"],
                                                  spec["value_column"], filters,
                                                  spec["granularity"],
                                                  limit=MAX_FIGURE_GROUPS + 1)

        def failed(exc: BaseException) -> None:
            self.note.setText("")
            present_error(self, exc)

        self.ctx.tasks.submit(work, self._show, failed)

    def _show(self, rows: list[tuple[Any, Any]]) -> None:
        too_many = len(rows) > MAX_FIGURE_GROUPS
        rows = rows[:MAX_FIGURE_GROUPS]
        self.rows = list(rows)
        key_label = self.column.currentText()
        value_label = ("Count" if self.agg.currentData() == "count"
                       else f"Sum of {self.value_column.currentText()}")
        self.result.clearContents()
        self.result.setRowCount(len(rows))
        self.result.setHorizontalHeaderLabels([key_label or "Group", value_label])
        for r, (key, value) in enumerate(rows):
            self.result.setItem(r, 0, QTableWidgetItem(key_text(key)))
            item = QTableWidgetItem(str(value))
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.result.setItem(r, 1, item)
        self.chart.show_rows([] if too_many else rows, kind=self.chart_kind.currentData(),
                             title="", key_label=key_label, value_label=value_label)
        if too_many:
            self.note.setText(f"More than {MAX_FIGURE_GROUPS} groups: the first "
                              f"{MAX_FIGURE_GROUPS} are listed, with no chart. Filter the rows "
                              "or group dates by month or year.")
        else:
            self.note.setText(f"{len(rows)} group{'s' if len(rows) != 1 else ''}." if rows
                              else "")
        self.pin_button.setEnabled(bool(rows) and not too_many)

    def _on_group_button_clicked(self) -> None:
        self.run()

    def _on_pin_button_clicked(self) -> None:
        store, view = self.ctx.store, self._view
        if store is None or view is None or not self.rows:
            return
        caption = prompts.ask_caption(self, self.describe())
        if not caption:
            return
        spec = self.spec()

        def pinned(figure: Any) -> None:
            self.note.setText(f"Pinned '{figure.caption}': it is listed under Figures.")

        self.ctx.write(lambda: FigureService(store).pin(view.id, caption=caption, spec=spec),
                       on_error=lambda e: present_error(self, e), before_broadcast=pinned)

    def _on_column_index_changed(self, _index: int = 0) -> None:
        index = self.column.currentData()
        is_date = (self._view is not None and index is not None
                   and self._view.columns[index].type == "date")
        self.granularity.setEnabled(is_date)
        if is_date and self.granularity.currentData() is None:
            self.granularity.setCurrentIndex(1)  # incidents per month is the usual question

    def _on_agg_index_changed(self, _index: int = 0) -> None:
        self.value_column.setEnabled(self.agg.currentData() == "sum"
                                     and self.value_column.count() > 0)

    def _on_chart_kind_index_changed(self, _index: int = 0) -> None:
        if self.rows and self.pin_button.isEnabled():  # redraw; too many groups get no chart
            self._show(self.rows)
