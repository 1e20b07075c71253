"""Pages whose content later work fills: they show their title and what they will hold."""

from __future__ import annotations

from hmip_desktop.ui.pages.base import TitleOnlyPage


class ReportsPage(TitleOnlyPage):
    """Draft report export (PDF to read, DOCX to edit)."""

    title = "Reports"
    purpose = "Exporting the draft report (PDF to read, DOCX to edit) arrives in a later release."

