"""Qt models of hmip_desktop."""
