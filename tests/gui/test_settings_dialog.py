"""Settings dialog: the recovery key is validated and saved."""

from __future__ import annotations

import pyrage

from hmip_desktop.services import settings
from hmip_desktop.ui.settings.settings_dialog import SettingsDialog


def test_recovery_key_is_validated_then_saved(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A bad recipient is explained and not saved; a good one is saved."""
    dialog = SettingsDialog(None)
    qtbot.addWidget(dialog)
    dialog.recipient.setText("not a key")
    dialog._on_save()
    assert "age1" in dialog.problem.text() and settings.recovery_recipient() is None
    good = str(pyrage.x25519.Identity.generate().to_public())
    dialog.recipient.setText(good)
    dialog._on_save()
    assert settings.recovery_recipient() == good
