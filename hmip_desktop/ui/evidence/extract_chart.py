"""A bar or line chart of a grouping (key → count or sum), drawn with QtCharts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainter

BLANK_KEY = "(blank)"
MAX_LABELS = 40  # beyond this, category labels overlap: show every n-th one


def key_text(key: Any) -> str:
    """A group key as a category label."""
    return BLANK_KEY if key is None or key == "" else str(key)


class ExtractChart(QChartView):
    """One series at a time; `show_rows([])` empties it."""

    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName("Chart")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)
        self.chart().legend().hide()
        self.kind = "bar"

    def show_rows(self, rows: Sequence[tuple[Any, Any]], *, kind: str = "bar",
                  title: str = "", key_label: str = "", value_label: str = "") -> None:
        """Draw (key, number) rows as bars or a line."""
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
            axis.deleteLater()
        chart.setTitle(title)
        self.kind = kind
        if not rows:
            return
        keys = [key_text(k) for k, _ in rows]
        values = [float(v) for _, v in rows]
        categories = QBarCategoryAxis()
        step = max(1, len(keys) // MAX_LABELS + (1 if len(keys) % MAX_LABELS else 0))
        # Category labels must be unique; thinned-out ones become distinct blank strings.
        categories.append([k if i % step == 0 else " " * (i + 1) for i, k in enumerate(keys)]
                          if step > 1 else keys)
        categories.setTitleText(key_label)
        categories.setTruncateLabels(False)  # "2024-01", not "20…"
        if len(keys) > 8:
            categories.setLabelsAngle(-90)
        axis_y = QValueAxis()
        axis_y.setTitleText(value_label)
        low, high = min(values + [0.0]), max(values + [0.0])
        axis_y.setRange(low, high if high > low else low + 1)
        axis_y.applyNiceNumbers()
        series: QLineSeries | QBarSeries
        if kind == "line":
            line = QLineSeries()
            line.setName(value_label)
            for i, v in enumerate(values):
                line.append(QPointF(i, v))
            line.setPointsVisible(True)
            series = line
        else:
            bar_set = QBarSet(value_label or "Value")
            bar_set.append(values)
            series = QBarSeries()
            series.append(bar_set)
        chart.addSeries(series)
        chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(categories)
        series.attachAxis(axis_y)

    def series_values(self) -> list[float]:
        """The numbers drawn (tests and accessibility)."""
        series = self.chart().series()
        if not series:
            return []
        first = series[0]
        if isinstance(first, QBarSeries):
            bar_set = first.barSets()[0]
            return [bar_set.at(i) for i in range(bar_set.count())]
        return [p.y() for p in first.points()]  # type: ignore[attr-defined]
