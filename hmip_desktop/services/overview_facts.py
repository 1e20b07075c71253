"""What the Overview page and `hmip info` show of an inspection, built from the file's overview
as stored (storage/first_screen.FileOverview) in one way, whether the store read it or a GUI
start read it before the store was imported (services/first_screen.py). No SQLAlchemy here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hmip_desktop.domain import lifecycle as L
from hmip_desktop.domain import records as R
from hmip_desktop.domain.errors import NotFoundError
from hmip_desktop.domain.framework_nation import inspection_nation
from hmip_desktop.domain.wording import plural
from hmip_desktop.services.labels import count_text
from hmip_desktop.storage.first_screen import FileOverview

# The counts the Overview shows, by record type (the evidence types first: the report counts
# the same four as its evidence, report/build_outcomes.report_evidence).
COUNTED_TYPES = (R.NOTE, R.DOCUMENT, R.EXTRACT, R.FIGURE, R.LINK, R.SCORE, R.CONCERN, R.NPP,
                 R.TEAM_MEMBER)


@dataclass(frozen=True)
class InspectionFacts:
    """What the Overview page and `hmip info` show."""

    inspection_id: str
    establishment_name: str
    establishment_type: str
    kind: str
    status: str
    start_date: str | None
    end_date: str | None
    framework_id: str
    framework_version: str
    framework_title: str
    counts: Mapping[str, int]
    key_source: str
    schema_revision: str | None
    read_only: bool
    unexported_changes: int
    conflicts: int
    # The pinned framework's sections in order: {"key", "label", "scored"}; scored is True
    # only for a section that receives a score (an ungraded scale scores none). Filled only
    # when asked (`hmip info`): the Overview does not show them, and reading them means
    # parsing the framework.
    sections: tuple[Mapping[str, Any], ...] = ()
    # Life cycle and record facts (domain/lifecycle.py): nation "england" | "wales".
    nation: str = "england"
    announced: bool = False
    publication_date: str | None = None
    action_plan_received_date: str | None = None
    action_plan_submitted_date: str | None = None  # read from the returned workbook
    reopenings: tuple[Mapping[str, Any], ...] = ()
    education_judgement: Mapping[str, Any] | None = None
    # The follow-up scale chosen for the previous report's items (a key of
    # resources/process/follow_up_scales.json); None: the framework's progress scale.
    follow_up_scale: str | None = None
    follow_up_label: str | None = None  # its label and levels in words, when one is chosen
    # Tests (sections) with any score, and with an agreed score: what "scored" means to a
    # person, where counts["score"] adds provisional and agreed records up.
    tests_scored: int = 0
    tests_agreed: int = 0

    @property
    def evidence_text(self) -> str:
        """'13 notes, 1 document, 1 data extract, 2 figures, 20 links'."""
        return ", ".join(count_text(t, self.counts.get(t, 0))
                         for t in (R.NOTE, R.DOCUMENT, R.EXTRACT, R.FIGURE, R.LINK))

    @property
    def scoring_text(self) -> str:
        """'4 tests scored, 4 agreed' ('no tests scored' before any score)."""
        if not self.tests_scored:
            return "no tests scored"
        return f"{plural(self.tests_scored, 'test')} scored, {self.tests_agreed} agreed"


def facts_from(found: FileOverview, *, inspection_id: str, key_source: str,
               schema_revision: str | None, read_only: bool,
               sections: tuple[Mapping[str, Any], ...] = ()) -> InspectionFacts:
    """The facts of a file's overview as stored."""
    if found.inspection is None:
        raise NotFoundError("This file holds no inspection record.")
    summary = found.summary
    counts = {t: summary.live.get(t, 0) for t in COUNTED_TYPES}
    counts["attachments"] = found.attachments
    counts["revisions"] = summary.revisions
    p = found.inspection.payload
    return InspectionFacts(
        inspection_id=inspection_id,
        establishment_name=str(p.get("establishment_name", "")),
        establishment_type=str(p.get("establishment_type", "")),
        kind=str(p.get("kind", "full")), status=str(p.get("status", "fieldwork")),
        start_date=p.get("start_date"), end_date=p.get("end_date"),
        framework_id=str(p.get("framework_id", "")),
        framework_version=str(p.get("framework_version", "")),
        framework_title=found.framework_title,
        counts=counts, key_source=key_source,
        schema_revision=schema_revision, read_only=read_only,
        unexported_changes=summary.revisions_after, conflicts=summary.conflicted,
        sections=sections,
        nation=inspection_nation(p), announced=L.announced_of(p),
        publication_date=p.get("publication_date"),
        action_plan_received_date=p.get("action_plan_received_date"),
        action_plan_submitted_date=p.get("action_plan_submitted_date"),
        reopenings=tuple(dict(r) for r in p.get("reopenings") or [] if isinstance(r, Mapping)),
        education_judgement=L.education_judgement(p),
        follow_up_scale=_chosen_scale(p), follow_up_label=_follow_up_label(_chosen_scale(p)),
        tests_scored=summary.tests_scored, tests_agreed=summary.tests_agreed,
    )


def _chosen_scale(p: Mapping[str, Any]) -> str | None:
    value = p.get("follow_up_scale")
    return value if isinstance(value, str) and value else None


def _follow_up_label(key: str | None) -> str | None:
    """'Recommendations: achieved or not (achieved / partially achieved / not achieved)'
    for a chosen follow-up scale (read from its data only then: most files choose none)."""
    if key is None:
        return None
    from hmip_desktop.services.previous import follow_up_scales

    scale = follow_up_scales()["scales"].get(key)
    if not isinstance(scale, Mapping):
        return key
    levels = " / ".join(str(lv.get("label", "")).lower() for lv in scale.get("levels", []))
    return f"{scale.get('label', key)} ({levels})"
