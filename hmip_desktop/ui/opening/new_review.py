"""File ▸ New for a review that follows an inspection file (`hmip new --kind irp --follows`):
the creation on the DB lane, then its timing warnings shown once the file exists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hmip_desktop.ui import errors
from hmip_desktop.ui.errors import present_error

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore


def create_review_following(window: Any, v: dict[str, Any],
                            followed_passphrase: str | None, passphrase: str | None) -> None:
    """The followed file opened with its own passphrase, the new one made with the new-file
    passphrase (the provider is asked "unlock" or "create"); the new file then opens in
    `window` (the main window: named by duck type, not imported, to keep ui free of cycles)."""
    warnings: list[str] = []

    def provider(purpose: str) -> str | None:
        return passphrase if purpose == "create" else followed_passphrase

    def work() -> InspectionStore:
        from hmip_desktop.services.review_follow import create_review_following as create

        return create(v["path"], v["follows"], start_date=v["start_date"],
                      end_date=v["end_date"], provider=provider,
                      follow_up_scale=v.get("follow_up_scale") or "progress",
                      announced=bool(v.get("announced", False)), warn=warnings.append)

    def created(store: InspectionStore) -> None:
        window._set_store(store)
        if warnings:
            errors.show_message(window, "The review was created. Out of the usual for a "
                                "review of progress:\n\n" + "\n\n".join(warnings))

    window.ctx.tasks.submit(work, created, lambda e: present_error(window, e))
