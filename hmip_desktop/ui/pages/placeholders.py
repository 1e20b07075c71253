"""Pages whose content later work fills. None is left: Reports is `reports_page.ReportsPage`;
`base.TitleOnlyPage` remains for the next page that starts as a title only."""

from __future__ import annotations
