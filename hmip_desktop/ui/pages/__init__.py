"""Qt pages of hmip_desktop."""
