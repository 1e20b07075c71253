"""Qt dialogs of hmip_desktop."""
