"""The PySide6 user interface. Calls services only."""

import PySide6  # noqa: F401 - loads shiboken's import hook, which pyside_scan makes cheaper

from hmip_desktop.ui import pyside_scan

pyside_scan.install()
