"""Scoring rules: judged sections, scales as data, score ids and validation, disagreement.

Everything about a judgement comes from the inspection's pinned framework (its sections, its
scale, its progress scale) and the inspection kind. The defaults below are used only when a
framework omits the key entirely; they are the scales documented in hmip-method.md §4 and §11.
Standard library only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hmip_desktop.domain.errors import NotFoundError, ValidationError
from hmip_desktop.domain.ids import deterministic_id

PROVISIONAL = "provisional"
AGREED = "agreed"
SCORE_KINDS = (PROVISIONAL, AGREED)

# hmip-method.md §4.1: the four-level healthy prison scale (labels confirmed, values 4..1 a
# third-party convention). Only used when a framework has no "scale" key at all.
DEFAULT_SCALE: dict[str, Any] = {"key": "hmip4", "label": "Healthy prison assessment", "levels": [
    {"key": "good", "label": "Good", "short": "G", "value": 4},
    {"key": "reasonably_good", "label": "Reasonably good", "short": "RG", "value": 3},
    {"key": "not_sufficiently_good", "label": "Not sufficiently good", "short": "NSG",
     "value": 2},
    {"key": "poor", "label": "Poor", "short": "P", "value": 1},
]}

# hmip-method.md §11: progress on each followed-up item. Used when "progress_scale" is absent
# or null (null says IRPs do not apply to the type, but a full inspection still follows up).
DEFAULT_PROGRESS_SCALE: dict[str, Any] = {"key": "irp_progress", "label": "Progress", "levels": [
    {"key": "good_progress", "label": "Good progress", "short": "GP", "value": 4},
    {"key": "reasonable_progress", "label": "Reasonable progress", "short": "RP", "value": 3},
    {"key": "insufficient_progress", "label": "Insufficient progress", "short": "IP",
     "value": 2},
    {"key": "no_meaningful_progress", "label": "No meaningful progress", "short": "NMP",
     "value": 1},
]}

# What each inspection kind judges (hmip-method.md §11: an IRP gives no new test scores; it
# judges progress on each followed-up item instead).
KIND_GIVES_SECTION_SCORES: dict[str, bool] = {"full": True, "irp": False}
KIND_REQUIRES_PROGRESS: dict[str, bool] = {"full": False, "irp": True}


@dataclass(frozen=True)
class Level:
    """One grade of a scale."""

    key: str
    label: str
    value: int | None
    short: str = ""
    descriptor: str = ""

    def to_json(self) -> dict[str, Any]:
        """Plain data for --json output."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class Scale:
    """A judgement scale, best level first; no levels means 'not graded'."""

    key: str
    label: str
    levels: tuple[Level, ...]

    @property
    def graded(self) -> bool:
        """True when the scale has at least one level."""
        return bool(self.levels)

    def resolve(self, given: str | int) -> Level:
        """The level named by its key, label, short form or numeric value; else an error."""
        text = str(given).strip()
        folded = text.casefold()
        for level in self.levels:
            if folded in (level.key.casefold(), level.label.casefold()) or \
                    folded.replace("-", "_") == level.key.casefold():  # kebab-case keys too
                return level
            if level.short and folded == level.short.casefold():
                return level
        if text.lstrip("-").isdigit():
            for level in self.levels:
                if level.value is not None and level.value == int(text):
                    return level
        allowed = ", ".join(
            f"{lv.key}" + (f" ({lv.value})" if lv.value is not None else "") for lv in self.levels)
        raise ValidationError(f"Not a level of the scale '{self.key}'; use one of: {allowed}")


def parse_scale(data: Mapping[str, Any] | None) -> Scale:
    """A Scale from framework data (tolerant of missing optional fields)."""
    data = data or {}
    levels = []
    for raw in data.get("levels") or []:
        value = raw.get("value")
        levels.append(Level(key=str(raw.get("key", "")), label=str(raw.get("label", "")),
                            value=value if isinstance(value, int) else None,
                            short=str(raw.get("short") or ""),
                            descriptor=str(raw.get("descriptor") or "")))
    return Scale(str(data.get("key", "")), str(data.get("label", "")), tuple(levels))


def framework_scale(framework: Mapping[str, Any]) -> Scale:
    """The scale for section scores; the documented default only when the key is absent."""
    return parse_scale(framework["scale"] if "scale" in framework else DEFAULT_SCALE)


def progress_scale(framework: Mapping[str, Any]) -> Scale:
    """The scale for progress on previous items (default when absent or null)."""
    data = framework.get("progress_scale")
    return parse_scale(data if data else DEFAULT_PROGRESS_SCALE)


# -- framework structure ---------------------------------------------------------------------
def sections(framework: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """All sections in document order, including an unscored leadership section.

    A framework may also carry leadership as a top-level "leadership" object; it is listed
    (unscored) after the sections when no section already has its key.
    """
    out = [s for s in framework.get("sections") or [] if isinstance(s, Mapping)]
    extra = framework.get("leadership")
    if isinstance(extra, Mapping) and extra.get("areas") is not None:
        key = str(extra.get("key") or "leadership")
        if key not in {str(s.get("key")) for s in out}:
            out.append({**extra, "key": key, "label": extra.get("label") or "Leadership",
                        "scored": False})
    return out


def section(framework: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """One section by key; NotFoundError names the valid keys."""
    for s in sections(framework):
        if s.get("key") == key:
            return s
    valid = ", ".join(str(s.get("key")) for s in sections(framework))
    raise NotFoundError(f"The framework has no section '{key}'; sections are: {valid}")


def is_judged(framework: Mapping[str, Any], sec: Mapping[str, Any]) -> bool:
    """True when a section receives a score (scored, on a graded scale)."""
    return bool(sec.get("scored")) and framework_scale(framework).graded


def judged_sections(framework: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The sections that receive scores at a full inspection."""
    return [s for s in sections(framework) if is_judged(framework, s)]


def areas(sec: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The areas of a section in document order."""
    return [a for a in sec.get("areas") or [] if isinstance(a, Mapping)]


def area(sec: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """One area of a section by key."""
    for a in areas(sec):
        if a.get("key") == key:
            return a
    raise NotFoundError(f"Section '{sec.get('key')}' has no area '{key}'.")


def expectations(ar: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The numbered expectations of an area in document order."""
    return [e for e in ar.get("expectations") or [] if isinstance(e, Mapping)]


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


def validate_score(framework: Mapping[str, Any], kind: str, section_key: str,
                   given: str | int, rationale: str | None) -> Level:
    """Check a score against the inspection kind, the section and the scale; return its level."""
    if not KIND_GIVES_SECTION_SCORES.get(kind, True):
        raise ValidationError("An independent review of progress gives no section scores; "
                              "record a progress judgement on each followed-up item instead.")
    sec = section(framework, section_key)
    if not sec.get("scored"):
        raise ValidationError(f"Section '{section_key}' is not scored; record findings only.")
    scale = framework_scale(framework)
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
