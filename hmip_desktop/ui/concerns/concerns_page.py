"""Concerns: the key and priority concerns register with its rules shown live, and notable
positive practice."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout

from hmip_desktop.domain import action_plan as AP
from hmip_desktop.domain import concerns as C
from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.wording import plural
from hmip_desktop.services.concerns import ConcernService, NppService
from hmip_desktop.services.concerns_snapshot import ConcernRules, ConcernsScreen, concerns_screen
from hmip_desktop.ui.concerns.register_panel import RegisterPanel
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.page_base import Page, PageKey, heading
from hmip_desktop.ui.widgets.forms import plain_label, status_label
from hmip_desktop.ui.widgets.rows_model import Column

# Concerns, entries, the evidence they cite, the inspection (its status sets the severity).
WATCHED_TYPES = (R.CONCERN, R.NPP, R.NOTE, R.DOCUMENT, R.EXTRACT, R.FIGURE, R.LINK,
                 R.INSPECTION)
# Changes that move the concern rules (counts, limits, the inspection's status and kind).
RULE_TYPES = frozenset({R.CONCERN, R.INSPECTION, R.FRAMEWORK})

TAB_CONCERNS, TAB_NPP = range(2)


def _sections(panel: RegisterPanel, keys: tuple[str, ...]) -> str:
    return ", ".join(panel.section_labels.get(k, k) for k in keys)


CN_ORDER, CN_PRIORITY, CN_TITLE, CN_SECTIONS, CN_ADDRESSEE, CN_EVIDENCE, CN_RESPONSE = range(7)


def action_plan_text(concern: object) -> str:
    """The action plan response in one line (read-only; set by importing the plan)."""
    answer = AP.read(getattr(concern, "action_plan", None))
    if answer is None:
        return ""
    parts = [answer.label]
    if len(answer.steps) == 1:
        step = answer.steps[0]
        parts += [f"owner {step.owner}" if step.owner else "",
                  f"by {step.target_date}" if step.target_date else "", step.status]
    elif answer.steps:
        parts.append(f"{len(answer.steps)} steps")
    if not answer.complete:
        parts.append("incomplete")
    return ", ".join(p for p in parts if p)


def action_plan_tip(concern: object) -> str:
    """The whole response: the part agreed or reasons, each step, and what is missing."""
    answer = AP.read(getattr(concern, "action_plan", None))
    if answer is None:
        return ""
    lines = [answer.label + (f": {answer.explanation}" if answer.explanation else "")]
    for n, step in enumerate(answer.steps, start=1):
        extra = ", ".join(x for x in (step.owner, step.target_date and f"by {step.target_date}",
                                      step.status) if x)
        lines.append(f"{n}. {step.action or '(no action)'}" + (f" ({extra})" if extra else ""))
    lines += [f"Missing: {gap.text()}" for gap in answer.gaps()]
    return "\n".join(lines)


def concern_columns(panel: RegisterPanel) -> list[Column]:
    """Columns of the concerns register."""
    return [
        Column("No.", lambda c: c.ref),  # the report's number (priority concerns first)
        Column("Priority", lambda c: "priority" if c.priority else ""),
        Column("Title", lambda c: c.title, lambda c: c.body),
        Column("Sections", lambda c: _sections(panel, c.sections)),
        Column("Addressed to", lambda c: c.addressee_label),
        Column("Evidence", lambda c: str(len(c.evidence_ids))),
        Column("Action plan response", action_plan_text, action_plan_tip),
    ]


NP_ORDER, NP_TITLE, NP_SECTIONS, NP_EVIDENCE = range(4)


def npp_columns(panel: RegisterPanel) -> list[Column]:
    """Columns of the notable positive practice list."""
    return [
        Column("Order", lambda n: str(n.order)),
        Column("Title", lambda n: n.title, lambda n: n.body),
        Column("Sections", lambda n: _sections(panel, n.sections)),
        Column("Evidence", lambda n: str(len(n.evidence_ids))),
    ]


class ConcernsPage(Page):
    """The concerns register and notable positive practice, in tabs."""

    title = PageKey.CONCERNS

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.title))
        self.warnings = plain_label("")  # the rules' messages name sections
        self.warnings.setAccessibleName("Concern rule warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("background: #ffe8a3; color: black; padding: 6px; "
                                    "border: 1px solid #b08800;")
        self.warnings.hide()
        self.summary = status_label("Concern counts")
        self.concerns = RegisterPanel(ctx, noun="concern", entity_type=R.CONCERN,
                                      service=ConcernService, columns=concern_columns,
                                      concern_fields=True, stretch=CN_TITLE)
        self.npp = RegisterPanel(ctx, noun="entry", nouns="entries", entity_type=R.NPP,
                                 service=NppService,
                                 columns=npp_columns, concern_fields=False,
                                 stretch=NP_TITLE)
        self.concerns.rows_shown.connect(self._update_warnings)
        self.concerns.editor.edited.connect(self._update_warnings)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Concerns views")
        self.tabs.addTab(self.concerns, "Key &concerns")
        self.tabs.addTab(self.npp, "Notable &positive practice")
        layout.addWidget(self.warnings)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        self._rules: ConcernRules | None = None

    def wants(self, changes: ChangeSet) -> bool:
        """Concerns, entries, evidence and the inspection's status."""
        return changes.everything or any(changes.touches(t) for t in WATCHED_TYPES)

    def _on_changes(self, changes: ChangeSet) -> None:
        # An entry of notable positive practice moves neither the concern rules nor the
        # concerns register; evidence changes move only the evidence the editors offer.
        if self.ctx.store is None or not self.wants(changes):
            return
        if changes.everything:
            self.reload()
            return
        registers = (R.NPP,) if changes.types == frozenset({R.NPP}) else (R.CONCERN, R.NPP)
        self.reload(rules=bool(changes.types & RULE_TYPES), registers=registers)

    def reload(self, *, rules: bool = True,
               registers: tuple[str, ...] = (R.CONCERN, R.NPP)) -> None:
        """Read the rules and the registers in one call on the DB lane, then show them."""
        store = self.ctx.store
        if store is None:
            return
        self.ctx.tasks.submit(lambda: concerns_screen(store, rules=rules, registers=registers),
                              self._on_screen_read)

    def _on_screen_read(self, screen: ConcernsScreen) -> None:
        if screen.rules is not None:
            self._rules = screen.rules
        for entity_type, panel in ((R.CONCERN, self.concerns), (R.NPP, self.npp)):
            if entity_type in screen.registers:
                panel.apply(screen.registers[entity_type])
        self._update_warnings()

    def clear(self) -> None:
        """Forget the closed inspection."""
        self._rules = None
        self.concerns.clear()
        self.npp.clear()
        self._update_warnings()

    def flush(self) -> None:
        """Nothing autosaves here: unsaved edits are kept on screen until saved, and the
        window asks about them before it drops them (unsaved, save_unsaved)."""

    def _registers(self) -> tuple[tuple[RegisterPanel, str], ...]:
        return ((self.concerns, "concern"), (self.npp, "notable positive practice entry"))

    def unsaved(self) -> list[str]:
        """A concern or entry drafted or edited and not saved."""
        return [name for panel, what in self._registers()
                if (name := panel.unsaved(what)) is not None]

    def save_unsaved(self) -> str | None:
        """Save each through its editor; stop, on its tab, at the first refused."""
        for panel, what in self._registers():
            if panel.unsaved(what) is not None:
                self.tabs.setCurrentWidget(panel)  # its refused field can take the focus
                refusal = panel.save_unsaved(what)
                if refusal is not None:
                    return refusal
        return None

    # -- rules -------------------------------------------------------------------------------
    def _projected(self) -> list[C.RuleIssue] | None:
        """The rules the concern being drafted would break once saved (None: no draft)."""
        rules, editor = self._rules, self.concerns.editor
        if rules is None or not (editor.drafting or (editor.record is not None
                                                     and editor.dirty)):
            return None
        record = editor.record
        others = [r for r in self.concerns.model.rows() if record is None or r.id != record.id]
        priority = sum(1 for r in others if r.priority) + int(editor.priority.isChecked())
        return C.check_concerns(len(others) + 1, priority, rules.limits, severity=C.WARNING,
                                kind=rules.kind)

    def _update_warnings(self) -> None:
        rules = self._rules
        if rules is None:
            self.warnings.hide()
            self.summary.setText("")
            return
        rows = self.concerns.model.rows()
        priority = sum(1 for r in rows if r.priority)
        limits = rules.limits
        limit_text = (f" (a report has at most {limits.max_key}, of which "
                      f"{limits.priority_min} to {limits.priority_max} priority)"
                      if limits and C.KIND_REPORTS_KEY_CONCERNS.get(rules.kind, True) else "")
        self.summary.setText(f"{plural(len(rows), 'key concern')}, {priority} priority"
                             f"{limit_text}.")
        lines = [("Blocks the draft report: " if i.severity == C.BLOCKING else "Warning: ")
                 + i.message for i in rules.issues]
        projected = self._projected()
        now = {i.message for i in rules.issues}
        if projected is not None and {i.message for i in projected} != now:
            lines.append("If you save this concern: " + (
                " ".join(i.message for i in projected) if projected
                else "the rules will hold."))
        self.warnings.setText("\n".join(lines))
        self.warnings.setVisible(bool(lines))
