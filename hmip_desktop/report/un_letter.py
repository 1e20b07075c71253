"""The draft Urgent Notification letter, as a document both renderers can write.

Wording lives in resources/reports/outlines.json ("un_letter"); the addressee comes from the
framework's report model ("un_addressee") when it names one, else from the Urgent Notification
data for the establishment type (resources/process/urgent_notification.json), else from
outlines.json. The letter
names the establishment, the inspection dates, the healthy prison scores, the reasons and the
criteria considered, and the date the public response is due: the response period
(urgent_notification.json) after the date printed on the letter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hmip_desktop.domain import report_doc as D
from hmip_desktop.domain.date_words import date_range, long_date
from hmip_desktop.domain.errors import UserError
from hmip_desktop.domain.report_snapshot import InspectionSnapshot
from hmip_desktop.domain.urgent_notification import response_due_after
from hmip_desktop.report.build import BuildOptions
from hmip_desktop.report.build_outcomes import agreed_values
from hmip_desktop.report.prose import marker

NO_UN = ("This inspection has no Urgent Notification. Set one on the Overview page (or with "
         "'hmip un set') before writing the letter.")


def build_un_letter(snap: InspectionSnapshot, layouts: Mapping[str, Any], options: BuildOptions,
                    *, response_days: int) -> D.ReportDocument:
    """The letter for the inspection's Urgent Notification; UserError when none is set."""
    un = snap.urgent_notification
    if un is None:
        raise UserError(NO_UN)
    words = layouts["un_letter"]
    insp = snap.inspection
    establishment = str(insp.get("establishment_name", ""))
    dates = date_range(insp.get("start_date"), insp.get("end_date"))
    model = snap.framework_data.get("report_model") or {}
    addressee = str(model.get("un_addressee") or un.addressee or words["addressee_default"])
    # The due date follows the date printed on the letter (the recorded date, else the
    # draft's), so the letter never contradicts its own "within N days": counted from the
    # letter's deadline it read 34 days for a letter drafted the day after the inspection.
    printed = un.letter_date or options.created
    letter_date = long_date(printed)
    fill = {"establishment": establishment, "dates": dates or "[dates to be added]",
            "protocol": words["protocol"], "response_days": response_days,
            "response_due": long_date(response_due_after(printed, response_days))
            or "[to be completed]"}
    title = str(words["title"]).format(**fill)
    blocks: list[D.Block] = [
        D.Paragraph(f"Date: {letter_date}", style="meta"),
        D.Paragraph(f"To: {addressee}", style="meta"),
        D.Heading(1, title, "un-letter"),
        D.Paragraph(str(words["opening"]).format(**fill)),
    ]
    blocks += _scores(snap)
    blocks.append(D.Heading(2, "Reasons for this Urgent Notification", "un-reasons"))
    blocks.append(D.ItemList(un.reasons, ordered=True, where="Reasons") if un.reasons
                  else marker("reasons"))
    if un.criteria:
        blocks += [D.Heading(2, "Criteria considered", "un-criteria"),
                   D.ItemList(un.criteria, where="Criteria")]
    blocks += [D.Paragraph(str(words["duty"]).format(**fill)),
               D.Paragraph(str(words["closing"])),
               D.Paragraph(str(words["signature"]), style="lead")]
    cover = D.Cover(title=title, establishment=establishment,
                    establishment_type=snap.establishment_type_label, dates=dates,
                    kind_label="Urgent Notification letter", status_line="DRAFT")
    return D.ReportDocument(
        title=title, author=options.author, subject=f"Draft Urgent Notification: {establishment}",
        language=str(layouts.get("language", "en-GB")), marking=options.marking,
        running_header=establishment, created=options.created, cover=cover,
        blocks=tuple(blocks), invariant=options.invariant, letter=True)


def _scores(snap: InspectionSnapshot) -> list[D.Block]:
    fw = snap.framework
    if not fw.scale.graded:
        return []
    agreed = agreed_values(snap)
    rows = [(sec.label, str(agreed[sec.key].payload.get("level_label", ""))
             if sec.key in agreed else "[to be completed]")
            for sec in fw.judged_sections]
    # The letter gives context from previous inspections (the method: a failure to address
    # earlier concerns is one of the criteria): the previous scores, when recorded.
    previous = snap.inspection.get("previous_scores")
    labels = {lv.value: lv.label for lv in fw.scale.levels if lv.value is not None}
    earlier = [labels.get(previous.get(sec.key)) if isinstance(previous, Mapping) else None
               for sec in fw.judged_sections]
    if not any(earlier):
        return [D.Heading(2, "Healthy prison scores", "un-scores"),
                D.Table(("Healthy prison test", "Score"), tuple(rows), (3, 2), where="Scores")]
    year = str(snap.inspection.get("previous_year") or "").strip()
    start = long_date(snap.inspection.get("start_date"))[-4:]
    return [D.Heading(2, "Healthy prison scores", "un-scores"),
            D.Table(("Healthy prison test", f"This inspection {start}".strip(),
                     f"Previous inspection {year}".strip()),
                    tuple((*row, label or "Not recorded")
                          for row, label in zip(rows, earlier, strict=True)),
                    (3, 2, 2), where="Scores")]
