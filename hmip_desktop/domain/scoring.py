"""Scoring rules: score ids, validation by kind and section, disagreement.

Everything about a judgement comes from the inspection's pinned framework, read into the one
typed model (domain.framework.Framework: its sections, its scale, its follow-up scale; the
documented defaults live in domain.default_scales) and the inspection kind. Standard library
only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.framework import Framework
from hmip_desktop.domain.framework_elements import ScaleLevel
from hmip_desktop.domain.ids import deterministic_id

PROVISIONAL = "provisional"
AGREED = "agreed"
SCORE_KINDS = (PROVISIONAL, AGREED)

# What each inspection kind judges (hmip-method.md §11: an IRP gives no new test scores; it
# judges progress on each followed-up item instead).
KIND_GIVES_SECTION_SCORES: dict[str, bool] = {"full": True, "irp": False}
KIND_REQUIRES_PROGRESS: dict[str, bool] = {"full": False, "irp": True}


# -- ids -------------------------------------------------------------------------------------
def provisional_score_id(inspection_id: str, section_key: str, inspector_id: str) -> str:
    """One provisional score per inspector and section, identical on every laptop."""
    return deterministic_id("score", inspection_id, section_key, inspector_id)


def agreed_score_id(inspection_id: str, section_key: str) -> str:
    """The one agreed score of a section: concurrent edits collide into a conflict."""
    return deterministic_id("score", inspection_id, section_key, AGREED)


def findings_id(inspection_id: str, section_key: str, area_key: str | None,
                author_id: str) -> str:
    """One findings text per author, section and area ('' for the section as a whole)."""
    return deterministic_id("findings", inspection_id, section_key, area_key or "", author_id)


# -- validation ------------------------------------------------------------------------------
def require_rationale(rationale: str | None) -> str:
    """The stripped rationale; a judgement without one is refused."""
    text = (rationale or "").strip()
    if not text:
        raise ValidationError("A rationale is required for every judgement.")
    return text


def validate_score(framework: Framework, kind: str, section_key: str,
                   given: str | int, rationale: str | None) -> ScaleLevel:
    """Check a score against the inspection kind, the section and the scale; return its level."""
    if not KIND_GIVES_SECTION_SCORES.get(kind, True):
        raise ValidationError("An independent review of progress gives no section scores; "
                              "record a progress judgement on each followed-up item instead.")
    sec = framework.section(section_key)
    if not sec.scored:
        raise ValidationError(f"Section '{section_key}' is not scored; record findings only.")
    scale = framework.scale
    if not scale.graded:
        raise ValidationError("This framework's scale has no grades; sections are not scored.")
    level = scale.resolve(given)
    require_rationale(rationale)
    return level


# -- team view -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Disagreement:
    """How far the provisional scores of a section differ, and whose to highlight."""

    disagree: bool
    levels: tuple[str, ...]
    spread: int | None
    highlighted: tuple[str, ...]


def disagreement(provisional: Sequence[tuple[str, str, int | None]],
                 agreed_level: str | None = None) -> Disagreement:
    """Disagreement among (inspector_id, level_key, value) rows.

    Inspectors disagree when they chose different levels; the spread is the distance in scale
    values (None when a level has no value). Highlighted are the inspectors whose level differs
    from the agreed one or, before agreement, from the single most common level (everyone in
    the disagreement when there is no single most common level).
    """
    keys = tuple(sorted({level for _, level, _ in provisional}))
    values = [v for _, _, v in provisional if v is not None]
    spread = (max(values) - min(values)) if values and len(values) == len(provisional) else None
    if agreed_level is not None:
        highlighted = tuple(who for who, level, _ in provisional if level != agreed_level)
    elif len(keys) > 1:
        counts = Counter(level for _, level, _ in provisional)
        top = max(counts.values())
        modal = [k for k, n in counts.items() if n == top]
        reference = modal[0] if len(modal) == 1 else None
        highlighted = tuple(who for who, level, _ in provisional if level != reference)
    else:
        highlighted = ()
    return Disagreement(len(keys) > 1, keys, spread, highlighted)


def distinct_ids(ids: Iterable[str] | None) -> list[str]:
    """Evidence ids stripped, blank ones dropped, first occurrence order kept."""
    seen: dict[str, None] = {}
    for raw in ids or []:
        text = str(raw).strip()
        if text:
            seen.setdefault(text, None)
    return list(seen)
