"""File ▸ New: the facts asked in the New inspection dialog (and a passphrase where the
keyring cannot hold the key), then the file made on the DB lane and opened in the window; a
review that follows an inspection file goes to ui/opening/new_review.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hmip_desktop.ui.errors import present_error

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore


def create_new_inspection(window: Any, NewInspectionDialog: Any,  # noqa: N803 - classes
                          PassphraseDialog: Any) -> None:
    """Ask, then create and open the new file in `window` (the main window: named by duck
    type, not imported, to keep ui free of cycles; it passes the dialog classes, which tests
    replace on it)."""
    from hmip_desktop.services import inspections
    from hmip_desktop.services.frameworks import FrameworkService  # jsonschema: lazy

    frameworks = FrameworkService()
    dialog = NewInspectionDialog(window, frameworks, inspections.default_folder(),
                                 tasks=window.ctx.tasks)
    try:
        if dialog.exec() != NewInspectionDialog.DialogCode.Accepted:
            return
        v = dialog.values()
        # Kept by the work below only, not by the dialog.
        followed_passphrase = dialog.follows.passphrase if v.get("follows") else None
    finally:  # accepted or not, the dialog and any passphrase typed in it go now
        dialog.follows.forget()
        dialog.deleteLater()
    passphrase = None
    if inspections.needs_passphrase_to_create():
        ask = PassphraseDialog(window, creating=True)
        if ask.exec() != PassphraseDialog.DialogCode.Accepted:
            return
        passphrase = ask.passphrase()
    if v.get("follows"):
        from hmip_desktop.ui.opening.new_review import create_review_following

        create_review_following(window, v, followed_passphrase, passphrase)
        return

    def work() -> InspectionStore:
        fw = frameworks.resolve_for_new(v["establishment_type"], v["framework_id"],
                                        v["framework_version"],
                                        start_date=v["start_date"])
        return inspections.create_inspection(
            v["path"], establishment_name=v["establishment_name"],
            establishment_type=v["establishment_type"], framework=fw, kind=v["kind"],
            start_date=v["start_date"], end_date=v["end_date"],
            provider=lambda _purpose: passphrase, nation=v.get("nation", "england"),
            announced=bool(v.get("announced", False)),
            follow_up_scale=v.get("follow_up_scale"))

    window.ctx.tasks.submit(work, window._set_store, lambda e: present_error(window, e))
