"""The one way `--json` output is made: views (dataclasses) to plain data, generically.

A dataclass becomes a dict of its fields (dataclasses.fields, recursively); tuples, lists and
sets become lists, mappings dicts, dates ISO text, enums their value, paths text, bytes hex.
What the walk cannot know — a computed property the output also carries, a field it leaves
out or reshapes — is written once below in SHAPES, per class name, so the output stays what
scripts already read. Nothing here imports a service: `hmip <command>` stays as cheap as it
was, and a class that moves module keeps its shape.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Callable, Mapping
from pathlib import PurePath
from typing import Any

# Fields a class's output adds (read from properties or computed), per class __qualname__.
# Each function gets the object and returns {name: value}; the values are walked too.
_Extra = Callable[[Any], Mapping[str, Any]]


def _props(*names: str) -> _Extra:
    """Add these properties under their own names."""
    return lambda obj: {n: getattr(obj, n) for n in names}


def _not_loaded_status(obj: Any) -> str | None:
    from hmip_desktop.domain.framework_nation import NOT_LOADED

    return None if obj.expectations_loaded else NOT_LOADED


def _action_plan(value: Any) -> Any:
    from hmip_desktop.domain.action_plan import plain

    return plain(value)


# class name -> (fields left out, what is added or replaced). Keep it small: most views need
# nothing here.
SHAPES: dict[str, tuple[tuple[str, ...], _Extra | None]] = {
    # A scale level as scores have always shown it: what was verified is the framework's
    # business (`hmip frameworks show`), not the score's.
    "ScaleLevel": (("verified", "descriptor_verified"), None),
    # Coverage: the heat map's totals are properties; `status` names an area without numbers.
    "ExpectationCoverage": ((), _props("source_kinds", "triangulated", "status")),
    "AreaCoverage": ((), lambda a: {
        "total": a.total, "covered": a.covered, "triangulated": a.triangulated,
        "counts": a.counts, "gaps": a.gaps, "expectations_loaded": a.expectations_loaded,
        "status": _not_loaded_status(a), "area_evidence": a.area_evidence}),
    "SectionCoverage": ((), lambda s: {
        "total": s.total, "covered": s.covered, "triangulated": s.triangulated,
        "expectations_loaded": s.expectations_loaded, "status": _not_loaded_status(s),
        "counts": s.counts}),
    "CoverageReport": ((), lambda r: {
        "source_kinds": [{"key": k, "label": v} for k, v in r.source_kinds]}),
    # Readiness: the items are split into blockers and warnings.
    "ReadinessReport": (("items",), _props("ready", "verdict", "to_complete", "blockers",
                                           "warnings")),
    "SectionReadiness": ((), _props("findings_drafted", "findings_summary")),
    "ConflictView": ((), _props("auto_mergeable")),
    # An import's ChangeSet is for the GUI's broadcast, not for scripts.
    "ImportReport": (("changes",), _props("imported", "changed")),
    # Criteria carry their tick; the separate list of ticked keys is not repeated.
    "UnStatus": (("ticked",), lambda u: {
        "criteria": [{"key": c.key, "label": c.label, "ticked": c.key in u.ticked}
                     for c in u.criteria]}),
    # An empty response reads as none, as the register shows it.
    # The action plan in its current shape, with what the method finds missing.
    "ConcernView": ((), lambda c: {"action_plan": _action_plan(c.action_plan)}),
    "PreviousItemView": ((), lambda i: {"action_plan": _action_plan(i.action_plan)}),
}


def to_plain(obj: Any) -> Any:
    """JSON-ready data for `obj` (see the module docstring)."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        omit, extra = SHAPES.get(type(obj).__qualname__, ((), None))
        out = {f.name: to_plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)
               if f.name not in omit}
        if extra is not None:
            out.update((k, to_plain(v)) for k, v in extra(obj).items())
        return out
    if isinstance(obj, enum.Enum):
        return to_plain(obj.value)
    if isinstance(obj, Mapping):
        return {k: to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = sorted(obj, key=str) if isinstance(obj, (set, frozenset)) else obj
        return [to_plain(v) for v in items]
    if isinstance(obj, (dt.date, dt.time)):  # datetime is a date
        return obj.isoformat()
    if isinstance(obj, PurePath):
        return str(obj)
    if isinstance(obj, (bytes, bytearray)):
        return bytes(obj).hex()
    return str(obj)

