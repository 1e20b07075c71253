"""This device's sync keys for signing and decrypting, unlocked before long work starts.

With a secure keyring the keys load silently. Without one they sit in a passphrase-wrapped
file: a quick probe on the DB lane says whether a passphrase is needed (and whether to create
or unlock), the passphrase is asked for on the GUI thread, and only then does the real work
start. The identity service caches the keys for the process, so people are asked once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from hmip_desktop.domain.errors import PassphraseRequired, WrongKeyError
from hmip_desktop.services import identity
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import present_error
from hmip_desktop.ui.opening.passphrase_dialog import PassphraseDialog

if TYPE_CHECKING:
    from hmip_desktop.services.identity_keys import DeviceKeys

# Asked with creating=True when no keys exist yet; returns None when the person cancels.
Asker = Callable[[bool], "str | None"]


class KeyGate:
    """Runs a continuation with this device's keys, asking for the passphrase when needed."""

    def __init__(self, parent: QWidget, ctx: UiContext) -> None:
        self.parent = parent
        self.ctx = ctx
        self.ask: Asker = self._ask_with_dialog  # tests replace it

    def _ask_with_dialog(self, creating: bool) -> str | None:
        dialog = PassphraseDialog(self.parent, creating=creating, file_label="your sync keys")
        if dialog.exec() != PassphraseDialog.DialogCode.Accepted:
            return None
        return dialog.passphrase()

    def with_keys(self, then: Callable[[DeviceKeys], None],
                  on_error: Callable[[BaseException], None] | None = None) -> None:
        """Load the keys on the DB lane, then call `then(keys)` on the GUI thread."""
        self._attempt(then, on_error, None)

    def _attempt(self, then: Callable[[DeviceKeys], None],
                 on_error: Callable[[BaseException], None] | None,
                 passphrase: str | None) -> None:
        asked: list[str] = []

        def provider(purpose: str) -> str | None:
            asked.append(purpose)  # "create" or "unlock": which dialog to show
            return passphrase

        def failed(exc: BaseException) -> None:
            if isinstance(exc, WrongKeyError):
                present_error(self.parent, exc)
            elif not isinstance(exc, PassphraseRequired) or passphrase:
                (on_error or (lambda e: present_error(self.parent, e)))(exc)
                return
            typed = self.ask("create" in asked)
            if typed:
                self._attempt(then, on_error, typed)

        self.ctx.tasks.submit(lambda: identity.load_keys(provider), then, failed)
