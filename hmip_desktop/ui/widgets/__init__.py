"""Qt widgets of hmip_desktop."""
