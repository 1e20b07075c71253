"""The typed model of a framework pinned in an inspection file, read tolerantly.

A pinned framework is whatever was copied into the file when it was created (or arrived in a
merge): older files and test data may lack fields the strict parser (Framework.from_dict)
requires. Screens and services still work on such a file, so this reader fills the gaps with
the documented defaults and never refuses: no "scale" key means the four-level healthy prison
scale; a top-level "leadership" object is listed (unscored) after the sections. The strict
parse stays the judge of validity (see services/evidence_snapshot.py). Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hmip_desktop.domain.default_scales import DEFAULT_SCALE
from hmip_desktop.domain.framework import SCHEMA_VERSION, Framework, FrameworkRef
from hmip_desktop.domain.framework_elements import (
    Addressee,
    Area,
    ConcernLimits,
    Expectation,
    ReportModel,
    Scale,
    ScaleLevel,
    Section,
    Source,
    SubArea,
)


def _text(data: Mapping[str, Any], key: str, default: str = "") -> str:
    value = data.get(key)
    return default if value is None else str(value)


def _opt(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


def _maps(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list | tuple) else []


def read_scale(data: Any) -> Scale:
    """A scale from data (null or malformed: an ungraded scale with no levels)."""
    if not isinstance(data, Mapping):
        return Scale("", "", ())
    levels = []
    for raw in _maps(data.get("levels")):
        value = raw.get("value")
        levels.append(ScaleLevel(
            key=_text(raw, "key"), label=_text(raw, "label"), short=_text(raw, "short"),
            value=value if isinstance(value, int) and not isinstance(value, bool) else None,
            descriptor=_text(raw, "descriptor"), verified=raw.get("verified", True) is not False,
            descriptor_verified=raw.get("descriptor_verified") is True))
    return Scale(_text(data, "key"), _text(data, "label"), tuple(levels),
                 verified=data.get("verified", True) is not False, notes=_text(data, "notes"))


def _expectation(e: Mapping[str, Any]) -> Expectation:
    return Expectation(
        number=_text(e, "number"), title=_text(e, "title"), outcome=_text(e, "outcome"),
        indicators=_texts(e.get("indicators")), sub_area=_opt(e.get("sub_area")),
        verified=e.get("verified", True) is not False,
        outcome_paraphrased=e.get("outcome_paraphrased") is True, notes=_text(e, "notes"),
        nations=tuple(dict.fromkeys(_texts(e.get("nations")))))


def _area(a: Mapping[str, Any]) -> Area:
    key = _text(a, "key")
    return Area(
        key=key, label=_text(a, "label", key),
        expectations=tuple(_expectation(e) for e in _maps(a.get("expectations"))),
        outcome=_text(a, "outcome"), outcome_paraphrased=a.get("outcome_paraphrased") is True,
        sub_areas=tuple(SubArea(_text(s, "key"), _text(s, "label"))
                        for s in _maps(a.get("sub_areas"))),
        adopted_from=_opt(a.get("adopted_from")), incomplete=a.get("incomplete") is True,
        verified=a.get("verified", True) is not False, notes=_text(a, "notes"),
        human_rights_standards=_texts(a.get("human_rights_standards")),
        nations=tuple(dict.fromkeys(_texts(a.get("nations")))))


def _section(s: Mapping[str, Any], *, key: str | None = None, label: str | None = None,
             scored: bool | None = None) -> Section:
    skey = key if key is not None else _text(s, "key")
    return Section(
        key=skey, label=label if label is not None else _text(s, "label", skey),
        scored=bool(s.get("scored")) if scored is None else scored,
        areas=tuple(_area(a) for a in _maps(s.get("areas"))),
        outcome=_text(s, "outcome"), outcome_paraphrased=s.get("outcome_paraphrased") is True,
        verified=s.get("verified", True) is not False, incomplete=s.get("incomplete") is True,
        notes=_text(s, "notes"), human_rights_standards=_texts(s.get("human_rights_standards")))


def _sections(data: Mapping[str, Any]) -> tuple[Section, ...]:
    out = [_section(s) for s in _maps(data.get("sections"))]
    extra = data.get("leadership")
    if isinstance(extra, Mapping) and extra.get("areas") is not None:
        key = str(extra.get("key") or "leadership")
        if key not in {s.key for s in out}:
            out.append(_section(extra, key=key, label=str(extra.get("label") or "Leadership"),
                                scored=False))
    return tuple(out)


def _report_model(data: Any) -> ReportModel:
    if not isinstance(data, Mapping):
        return ReportModel("", None)
    c = data.get("concerns")
    limits = None
    if isinstance(c, Mapping):
        try:
            limits = ConcernLimits(int(c["max_key"]), int(c["priority_min"]),
                                   int(c["priority_max"]))
        except (KeyError, TypeError, ValueError):
            limits = None
    return ReportModel(
        key=_text(data, "key"), concerns=limits,
        addressees=tuple(Addressee(_text(a, "key"), _text(a, "label"),
                                   a.get("verified", True) is not False)
                         for a in _maps(data.get("addressees"))),
        action_plan_owner=_opt(data.get("action_plan_owner")),
        verified=data.get("verified", True) is not False, notes=_text(data, "notes"))


def read_pinned(data: Mapping[str, Any]) -> Framework:
    """The typed framework from pinned data, whatever its gaps (never raises)."""
    based = data.get("based_on")
    progress = data.get("progress_scale")
    return Framework(
        id=_text(data, "id"), version=_text(data, "version"), title=_text(data, "title"),
        effective_date=_opt(data.get("effective_date")),
        source_url=_text(data, "source_url"),
        establishment_types=_texts(data.get("establishment_types")),
        status=_text(data, "status"), verified=data.get("verified") is True,
        scale=read_scale(data["scale"]) if "scale" in data else DEFAULT_SCALE,
        report_model=_report_model(data.get("report_model")),
        sections=_sections(data),
        progress_scale=read_scale(progress) if isinstance(progress, Mapping) and progress
        else None,
        edition=_text(data, "edition"), published=_opt(data.get("published")),
        edition_verified=data.get("edition_verified", True) is not False,
        edition_note=_text(data, "edition_note"),
        unverified_establishment_types=_texts(data.get("unverified_establishment_types")),
        incomplete=data.get("incomplete") is True,
        numbering=_text(data, "numbering", "continuous"), notes=_text(data, "notes"),
        based_on=FrameworkRef(_text(based, "id"), _text(based, "version"))
        if isinstance(based, Mapping) else None,
        imported_at=_opt(data.get("imported_at")),
        sources=tuple(Source(_text(x, "url"), _text(x, "note"))
                      for x in _maps(data.get("sources"))),
        effective_date_verified=data.get("effective_date_verified", True) is not False,
        schema_version=v if isinstance(v := data.get("schema_version"), int) else SCHEMA_VERSION)
