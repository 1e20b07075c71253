"""The PySide6 user interface. Calls services only."""
