"""Overview: the inspection's facts at a glance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.framework_nation import NATION_LABELS
from hmip_desktop.domain.wording import plural
from hmip_desktop.services import labels
from hmip_desktop.ui.page_base import Page, PageKey, heading
from hmip_desktop.ui.widgets.forms import plain_label, scrolled

if TYPE_CHECKING:
    from hmip_desktop.services.first_screen import FirstScreen
    from hmip_desktop.services.overview_facts import InspectionFacts
    from hmip_desktop.ui.overview.lifecycle_panel import EducationPanel, LifecyclePanel
    from hmip_desktop.ui.overview.urgent_notification_panel import UrgentNotificationPanel

FIELDS = (
    ("establishment", "Establishment"),
    ("type", "Establishment type"),
    ("kind", "Kind"),
    ("nation", "Nation"),
    ("notice", "Notice"),
    ("status", "Status"),
    ("dates", "On site"),
    ("framework", "Framework"),
    ("evidence", "Evidence"),
    ("scoring", "Scores and concerns"),
    ("sync", "Sync"),
    ("security", "Encryption"),
)


class OverviewPage(Page):
    """Establishment, framework, dates, counts and sync state."""

    title = PageKey.OVERVIEW
    # The panels' modules: loaded off the GUI thread with the page once a file is open
    # (ui/page_prebuild.py); at a start the page's first screen does without them.
    preload_modules = ("hmip_desktop.ui.overview.lifecycle_panel",
                       "hmip_desktop.ui.overview.urgent_notification_panel")

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        outer = QVBoxLayout(self)
        outer.addWidget(heading(self.title))
        body = QWidget()  # the facts and the Urgent Notification scroll together
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        self.empty = QLabel("No inspection is open. Use File ▸ New inspection or "
                            "File ▸ Open inspection.")
        layout.addWidget(self.empty)
        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for key, label in FIELDS:
            value = plain_label("")  # the establishment name, the framework title
            value.setObjectName(f"overview_{key}")
            value.setTextInteractionFlags(value.textInteractionFlags()
                                          | value.textInteractionFlags().TextSelectableByMouse)
            value.setWordWrap(True)
            value.setAccessibleName(label)
            form.addRow(label + ":", value)
            self.values[key] = value
        layout.addLayout(form)
        self._body = layout
        # Life cycle, education and Urgent Notification panels: made by _panels() once a
        # file's store is open (they have nothing to show before), so a start's first screen
        # waits neither for their modules nor for their widgets (~15 ms).
        self.lifecycle: LifecyclePanel | None = None
        self.education: EducationPanel | None = None
        self.urgent: UrgentNotificationPanel | None = None
        layout.addStretch(1)
        outer.addWidget(scrolled(body), 1)
        self.clear()

    def wants(self, changes: ChangeSet) -> bool:
        """Any change may move a count."""
        return True

    def reload(self) -> None:
        """Read the facts on the DB lane and show them."""
        store = self.ctx.store
        if store is None:
            return

        def read() -> InspectionFacts:
            from hmip_desktop.services import inspections  # the store is open: loaded

            return inspections.facts(store)

        self.ctx.tasks.submit(read, self._show)

    def show_first_screen(self, screen: FirstScreen) -> None:
        """The facts read before the store opened; the panels read once it is open."""
        self._show(screen.facts, panels=False)

    def _show(self, f: InspectionFacts, *, panels: bool = True) -> None:
        self.empty.hide()
        c = f.counts
        values = {
            "establishment": f.establishment_name,
            "type": labels.establishment_type_label(f.establishment_type),
            "kind": labels.inspection_kind_label(f.kind)
                    + (f"; follow-up: {f.follow_up_label}" if f.follow_up_label else ""),
            "nation": NATION_LABELS.get(f.nation, f.nation),
            "notice": labels.notice_label(f.announced),
            "status": labels.inspection_status_label(f.status)
                      + (f" (published on {f.publication_date})" if f.publication_date else ""),
            "dates": f"{f.start_date or 'not set'} to {f.end_date or 'not set'}",
            "framework": f"{f.framework_title} (version {f.framework_version})",
            "evidence": f.evidence_text,
            "scoring": f"{f.scoring_text}, {plural(c.get('concern', 0), 'concern')}, "
                       f"{c.get('npp', 0)} notable positive practice",
            "sync": f"{plural(f.unexported_changes, 'change')} not yet exported; "
                    f"{plural(f.conflicts, 'conflict')}",
            # In words a person uses; the file format's number is for `hmip info`.
            "security": labels.key_source_text(f.key_source)
                        + ("; READ-ONLY (written by a newer version)" if f.read_only else ""),
        }
        for key, text in values.items():
            self.values[key].setText(text)
        if panels and not self._panels_read:
            self._panels_read = True
            for panel in self._panels():
                panel.reload()

    def _panels(self) -> tuple[LifecyclePanel, EducationPanel, UrgentNotificationPanel]:
        """The panels, made on first use, placed under the facts. They listen to the app's
        changes themselves, but read an opened file only once its facts are shown (_show):
        their reads (the roster's signatures, the bundle format) are not part of a start's
        first screen."""
        if self.lifecycle is None or self.education is None or self.urgent is None:
            from hmip_desktop.ui.overview.lifecycle_panel import EducationPanel, LifecyclePanel
            from hmip_desktop.ui.overview.urgent_notification_panel import (
                UrgentNotificationPanel,
            )

            self.lifecycle = LifecyclePanel(self.ctx, read_on_open=False)  # status, nation
            self.education = EducationPanel(self.ctx, read_on_open=False)  # Ofsted's, Estyn's
            self.urgent = UrgentNotificationPanel(self.ctx, read_on_open=False)
            self.urgent.letter_requested.connect(self.un_letter_requested)  # window: Reports
            at = self._body.count() - 1  # above the stretch
            for offset, panel in enumerate((self.lifecycle, self.education, self.urgent)):
                self._body.insertWidget(at + offset, panel)
                panel.show()  # now, not at the layout's next turn: it is read at once
        return self.lifecycle, self.education, self.urgent

    def _forms(self) -> list[tuple[str, Any, Any]]:
        """(name, dirty?, save_now) of the forms on this page with a Save button."""
        forms = []
        if self.urgent is not None:
            forms.append(("the Urgent Notification", lambda: self.urgent.dirty,
                          self.urgent.save_now))
        if self.lifecycle is not None:
            forms.append(("the nation and notice", lambda: self.lifecycle.facts_dirty,
                          self.lifecycle.save_facts_now))
        if self.education is not None:
            forms.append(("the education judgement", lambda: self.education.dirty,
                          self.education.save_now))
        return forms

    def unsaved(self) -> list[str]:
        """The forms changed and not saved (Urgent Notification, nation and notice,
        education judgement)."""
        return [name for name, dirty, _save in self._forms() if dirty()]

    def save_unsaved(self) -> str | None:
        """Save each through its own Save; stop at the first refused."""
        from hmip_desktop.ui.unsaved import refused  # only when asked (issue 11)

        for name, dirty, save_now in self._forms():
            if dirty():
                refusal = save_now()
                if refusal is not None:
                    return refused(name, refusal)
        return None

    def first_data_shown(self) -> bool:
        """The open inspection's facts are on screen."""
        return self.empty.isHidden()

    def clear(self) -> None:
        """Show the empty state."""
        self._panels_read = False  # the next file's panels read after its facts
        self.empty.show()
        for value in self.values.values():
            value.setText("")
