"""Keyboard access in the app's own dialogs (the main window's pages: test_accessibility).

Each dialog is opened as a person sees it (records made through services, the dialog shown,
and in each state that shows other widgets) and its visible texts are walked: no Alt+letter
has two owners, a label that marks a letter has a buddy (otherwise Qt answers no key and
shows the '&'), and every button the app wrote has a letter (Qt's standard ones take the
desktop theme's). File dialogs are Qt's own and not walked.

DIALOGS and PROMPTS are the registry: a QDialog subclass under hmip_desktop/ui, or a function
there that builds a message box or an input dialog, that neither lists fails the last tests.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

import hmip_desktop.ui
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.tasks import SyncExecutor, TaskRunner
from tests.gui.keyboard import (
    buddyless_mnemonics,
    make_store,
    mnemonics,
    unkeyed_form_rows,
    unmarked_buttons,
)

UI = Path(hmip_desktop.ui.__file__).parent

# -- what a walk finds ---------------------------------------------------------------------------


def problems(dialog: QWidget) -> list[str]:
    """What is wrong with the keyboard access of a shown dialog (nothing when all is well)."""
    found = [f"Alt+{letter.upper()} is {' and '.join(owners)}"
             for letter, owners in mnemonics(dialog).items() if len(owners) > 1]
    found += [f"{label} marks a letter but has no buddy"
              for label in buddyless_mnemonics(dialog)]
    found += [f"{button} has no Alt+letter" for button in unmarked_buttons(dialog)]
    found += [f"{label} has no Alt+letter, unlike the other fields of its form"
              for label in unkeyed_form_rows(dialog)]
    return found


class Bench:
    """What building a dialog needs: qtbot, monkeypatch, a folder, a synchronous DB lane and
    an inspection."""

    def __init__(self, qtbot: Any, monkeypatch: Any, tmp_path: Path) -> None:
        self.qtbot = qtbot
        self.monkeypatch = monkeypatch
        self.tmp_path = tmp_path
        self.ctx = UiContext(tasks=TaskRunner(SyncExecutor()))
        self._store: Any = None

    @property
    def store(self) -> Any:
        """A scored inspection, opened on first use."""
        if self._store is None:
            self._store = make_store(self.tmp_path)
            self.ctx.store = self._store
        return self._store

    def shown(self, dialog: QDialog) -> QDialog:
        """Show a dialog without blocking (as open() does, without the modality)."""
        self.qtbot.addWidget(dialog)
        dialog.show()
        QApplication.processEvents()
        return dialog

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def modal_problems(trigger: Callable[[], object], count: int = 1) -> list[list[str]]:
    """Run `trigger`, which shows `count` modal dialogs one after another; walk each while
    it shows, then close it (accepted while more are to come, so the next one shows)."""
    walked: list[list[str]] = []
    tries = [0]

    def walk() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            tries[0] += 1
            assert tries[0] < 500, "no modal dialog showed"
            QTimer.singleShot(10, walk)
            return
        walked.append(problems(dialog))
        more = len(walked) < count
        assert isinstance(dialog, QDialog)
        dialog.done(QDialog.DialogCode.Accepted if more else QDialog.DialogCode.Rejected)
        if more:
            QTimer.singleShot(0, walk)

    QTimer.singleShot(0, walk)
    trigger()
    assert len(walked) == count, walked
    return walked


# -- the app's dialog classes, each in the states that show other widgets --------------------

States = Iterator[tuple[str, QDialog]]


def _history(b: Bench) -> States:
    from hmip_desktop.services import history
    from hmip_desktop.services.notes import NoteService
    from hmip_desktop.ui.history_dialog import HistoryDialog

    notes = NoteService(b.store)
    note = notes.add(source_kind="observation", title="Night visit", body="Seen.")
    notes.edit(note, body="Seen twice.")
    yield "two revisions", b.shown(HistoryDialog(None, history.history(b.store, note),
                                                 b.store.device.author_id))


def _search(b: Bench) -> States:
    from hmip_desktop.services.notes import NoteService
    from hmip_desktop.ui.evidence.search_dialog import SearchDialog

    NoteService(b.store).add(source_kind="observation", title="Night visit", body="Seen.")
    dialog = b.shown(SearchDialog(None, b.ctx))
    yield "empty", dialog
    dialog.query.setText("night")
    dialog.run_query()
    assert dialog.results.count() == 1
    yield "a result", dialog


def _expectation_picker(b: Bench) -> States:
    from hmip_desktop.services import inspections
    from hmip_desktop.ui.expectations.expectation_picker_dialog import (
        ExpectationPickerDialog,
        expectation_choices,
    )

    framework = inspections.pinned_framework(b.store)
    yield "expectations", b.shown(ExpectationPickerDialog(None, expectation_choices(framework)))
    yield "none yet", b.shown(ExpectationPickerDialog(None, []))


def _passphrase(b: Bench) -> States:
    from hmip_desktop.ui.opening.passphrase_dialog import PassphraseDialog

    yield "unlock", b.shown(PassphraseDialog(None, creating=False, file_label="insp.hmip"))
    yield "create", b.shown(PassphraseDialog(None, creating=True))


def _welcome(b: Bench) -> States:
    from hmip_desktop.ui.opening.welcome_dialog import WelcomeDialog

    yield "first run", b.shown(WelcomeDialog(None))


def _new_inspection(b: Bench) -> States:
    from hmip_desktop.services.frameworks import FrameworkService
    from hmip_desktop.ui.opening.new_inspection_dialog import NewInspectionDialog

    dialog = b.shown(NewInspectionDialog(None, FrameworkService(), b.tmp_path,
                                         tasks=b.ctx.tasks))
    yield "full inspection", dialog
    dialog.kind.setCurrentIndex(dialog.kind.findData("irp"))
    yield "review of progress", dialog


def _previous_item(b: Bench) -> States:
    from hmip_desktop.ui.scoring.previous_item_dialog import PreviousItemDialog

    yield "new item", b.shown(PreviousItemDialog(None, [("safety", "Safety")]))


def _about(b: Bench) -> States:
    from hmip_desktop.ui.settings.about_dialog import AboutDialog

    yield "no inspection", b.shown(AboutDialog(None))
    yield "inspection open", b.shown(AboutDialog(None, b.store))


def _settings(b: Bench) -> States:
    from hmip_desktop.ui.settings.settings_dialog import SettingsDialog

    yield "recovery key", b.shown(SettingsDialog(None))


def _framework_import(b: Bench) -> States:
    from hmip_desktop.ui.settings.framework_import_dialog import FrameworkImportDialog

    dialog = b.shown(FrameworkImportDialog(None, b.ctx.tasks))
    yield "no file", dialog
    bad = b.tmp_path / "framework.csv"
    bad.write_text("not,a,framework\n", encoding="utf-8")
    dialog.path.setText(str(bad))
    dialog.preview_button.click()
    yield "previewed", dialog


def _extract_import(b: Bench) -> States:
    import openpyxl

    from hmip_desktop.ui.evidence.extract_import_dialog import ExtractImportDialog

    book = openpyxl.Workbook()
    book.active.title = "Cover"
    book.active.append(["Use of force data request"])
    data = book.create_sheet("Data")
    data.append(["Cell", "Wing"])
    data.append([101, "A"])
    path = b.tmp_path / "request.xlsx"
    book.save(path)
    b.store  # noqa: B018 - the dialog reads files for the open inspection only
    dialog = b.shown(ExtractImportDialog(None, b.ctx))
    yield "no file", dialog
    dialog.load(path, sheet="Data")
    assert dialog.sheet.isVisibleTo(dialog) and dialog.import_button.isEnabled()
    yield "a workbook of two sheets", dialog


def _join(b: Bench) -> States:
    from hmip_desktop.ui.team.join_dialog import JoinDialog

    dialog = b.shown(JoinDialog(None, b.ctx, lambda _store: None))
    yield "idle", dialog
    dialog.progress.show()  # as while a join runs: its Cancel beside the dialog's own
    yield "joining", dialog


def _team(b: Bench) -> Iterator[tuple[str, QDialog, str]]:
    """The bundle preview and the combine editor, on a clash merged through the Team & sync
    page (lead, Alice and Bob change the same note's text and place)."""
    from tests.gui.sync_pages import GuiKit, merge_via_page, page_for
    from tests.sync.conftest import acting

    kit = GuiKit(b.tmp_path / "team")
    try:
        lead, alice, bob = kit.team("lead", "alice", "bob")
        note = alice.notes.add(source_kind="observation", title="Wing visit", body="first",
                               location="A wing")
        kit.import_(bob, [kit.export(alice)])
        alice.notes.edit(note, body="alice says", location="B wing")
        bob.notes.edit(note, body="bob says", location="C wing")
        paths = [kit.export(alice), kit.export(bob)]
        page = page_for(b.qtbot, lead)
        with acting(lead):
            page.import_paths(paths)
        yield "BundlePreviewDialog", page.preview_dialog, "two bundles"
        page.preview_dialog.reject()
        merge_via_page(page, lead, paths)
        combine = page.queue.open_combine()
        assert combine is not None and combine.editors and combine.choices
        yield "CombineDialog", combine, "text and place differ"
        combine.reject()
    finally:
        kit.close()


def _bundle_preview(b: Bench) -> States:
    team = _team(b)
    try:
        for name, dialog, state in team:
            if name == "BundlePreviewDialog":
                yield state, dialog
                return  # the conflict is not needed
    finally:
        team.close()


def _combine(b: Bench) -> States:
    for name, dialog, state in _team(b):
        if name == "CombineDialog":
            yield state, dialog


DIALOGS: dict[str, Callable[[Bench], States]] = {
    "HistoryDialog": _history,
    "SearchDialog": _search,
    "ExpectationPickerDialog": _expectation_picker,
    "PassphraseDialog": _passphrase,
    "WelcomeDialog": _welcome,
    "NewInspectionDialog": _new_inspection,
    "PreviousItemDialog": _previous_item,
    "AboutDialog": _about,
    "SettingsDialog": _settings,
    "FrameworkImportDialog": _framework_import,
    "ExtractImportDialog": _extract_import,
    "JoinDialog": _join,
    "BundlePreviewDialog": _bundle_preview,
    "CombineDialog": _combine,
}


@pytest.fixture
def bench(qtbot, monkeypatch, tmp_path: Path) -> Iterator[Bench]:  # type: ignore[no-untyped-def]
    b = Bench(qtbot, monkeypatch, tmp_path)
    yield b
    b.close()


@pytest.mark.parametrize("name", sorted(DIALOGS))
def test_dialog_keys(bench: Bench, name: str) -> None:
    """Each Alt+letter has one owner, each label marking one has a buddy, each button the
    app wrote has one: in every state of the dialog."""
    found = []
    states = 0
    for state, dialog in DIALOGS[name](bench):
        assert type(dialog).__name__ == name and dialog.isVisible()
        states += 1
        found += [f"{name} ({state}): {p}" for p in problems(dialog)]
    assert states, f"{name} was never shown"
    assert not found, "\n".join(found)


# -- the message boxes and input dialogs the app builds ------------------------------------------


def _message_box(_b: Bench) -> list[list[str]]:
    from hmip_desktop.ui import errors

    return modal_problems(lambda: errors._message_box(None, "The file is not an inspection."))


def _ask_yes_no(_b: Bench) -> list[list[str]]:
    from hmip_desktop.ui.errors import ask_yes_no

    return modal_problems(lambda: ask_yes_no(None, "Delete the note?"))


def _failed_start(b: Bench) -> list[list[str]]:
    from hmip_desktop.ui import launch

    b.monkeypatch.setattr(launch.QApplication, "platformName", staticmethod(lambda: "xcb"))
    return modal_problems(lambda: launch.show_failed_start("Qt could not start."))


def _disclosure(_b: Bench) -> list[list[str]]:
    from hmip_desktop.domain.disclosure import Hit
    from hmip_desktop.ui.reports import report_dialogs

    hits = [Hit("prison_number", "A1234BC", "Safety › Early days")]
    return modal_problems(lambda: report_dialogs.ask_disclosure_choice(None, hits))


def _plaintext_export(_b: Bench) -> list[list[str]]:
    from hmip_desktop.ui.evidence import evidence_prompts
    from hmip_desktop.ui.reports.report_dialogs import exported_pdf_view

    view = exported_pdf_view(Path("policy.pdf"), b"")
    return modal_problems(lambda: evidence_prompts.confirm_plaintext_export(None, view))


def _caption(_b: Bench) -> list[list[str]]:
    from hmip_desktop.ui.evidence import evidence_prompts

    return modal_problems(lambda: evidence_prompts.ask_caption(None, "Use of force by month"))


def _reopen(_b: Bench) -> list[list[str]]:
    from hmip_desktop.domain import lifecycle as L
    from hmip_desktop.ui.overview.lifecycle_panel import LifecyclePanel

    # The two questions (the status, then the reason) need only a parent and the statuses
    # to go back to; the first is answered OK so that the second shows.
    view = SimpleNamespace(reopen_targets=L.reopen_targets(L.PUBLISHED))
    parent = QWidget()
    return modal_problems(lambda: LifecyclePanel._ask_reason(parent, view), count=2)


def _choose_evidence(_b: Bench) -> list[list[str]]:
    from hmip_desktop.services.links import EvidenceItem
    from hmip_desktop.ui.expectations.expectations_page import choose_evidence_dialog

    items = [EvidenceItem("n1", "note", "Night visit")]
    return modal_problems(lambda: choose_evidence_dialog(None, items, "Early days"))


def _unsaved(_b: Bench) -> list[list[str]]:
    from hmip_desktop.ui import unsaved

    return modal_problems(lambda: unsaved._save_discard_cancel_box(
        None, unsaved.QUIT.question, ["the new concern “Keys”", "the Urgent Notification"]))


PROMPTS: dict[str, Callable[[Bench], list[list[str]]]] = {
    "errors:_message_box": _message_box,
    "errors:ask_yes_no": _ask_yes_no,
    "launch:show_failed_start": _failed_start,
    "evidence.evidence_prompts:confirm_plaintext_export": _plaintext_export,
    "evidence.evidence_prompts:ask_caption": _caption,
    "overview.lifecycle_panel:LifecyclePanel._ask_reason": _reopen,
    "expectations.expectations_page:choose_evidence_dialog": _choose_evidence,
    # The two-answers-and-Cancel box, as each of its callers fills it.
    "widgets.choice_box:ask_choice": lambda b: _disclosure(b) + _unsaved(b),
}


@pytest.mark.parametrize("name", sorted(PROMPTS))
def test_prompt_keys(bench: Bench, name: str) -> None:
    """The same checks on each modal message box and input dialog, while it shows."""
    found = [f"{name} (#{i + 1}): {p}" for i, walked in enumerate(PROMPTS[name](bench))
             for p in walked]
    assert not found, "\n".join(found)


# -- the registry covers every dialog ------------------------------------------------------------


def _ui_modules() -> Iterator[Any]:
    for info in pkgutil.walk_packages([str(UI)], "hmip_desktop.ui."):
        yield importlib.import_module(info.name)


def test_every_dialog_class_is_walked() -> None:
    """A new QDialog subclass fails here until DIALOGS opens it."""
    found = {cls.__name__ for module in _ui_modules()
             for _name, cls in inspect.getmembers(module, inspect.isclass)
             if issubclass(cls, QDialog) and cls.__module__.startswith("hmip_desktop.")}
    assert found == set(DIALOGS), (
        f"not walked: {sorted(found - set(DIALOGS))}; gone: {sorted(set(DIALOGS) - found)}")


_PROMPT_CALLS = {"QMessageBox", "QInputDialog", "QProgressDialog", "QErrorMessage"}


def _builds_prompt(node: ast.AST) -> bool:
    """Whether a function body calls QMessageBox(...), QInputDialog.getText(...) and such."""
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            func = func.value
        if isinstance(func, ast.Name) and func.id in _PROMPT_CALLS:
            return True
    return False


def _prompt_functions() -> set[str]:
    """'module:qualname' (module under hmip_desktop.ui) of each function building a prompt."""
    found = set()
    for path in sorted(UI.rglob("*.py")):
        module = ".".join(path.relative_to(UI).with_suffix("").parts)

        def visit(node: ast.AST, prefix: str, module: str = module) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.ClassDef):
                    visit(child, f"{prefix}{child.name}.")
                elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                        and _builds_prompt(child):
                    found.add(f"{module}:{prefix}{child.name}")

        visit(ast.parse(path.read_text(encoding="utf-8")), "")
    return found


def test_every_prompt_is_walked() -> None:
    """A new function showing a message box or an input dialog fails here until PROMPTS
    opens it."""
    found = _prompt_functions()
    assert found == set(PROMPTS), (
        f"not walked: {sorted(found - set(PROMPTS))}; gone: {sorted(set(PROMPTS) - found)}")
