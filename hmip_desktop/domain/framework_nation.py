"""Which parts of a framework count in an inspection's nation, and evidence linked to an area.

Education in prisons is inspected by Ofsted in England and by Estyn in Wales; the framework
data marks those areas (or single expectations) with "nations". An inspection records its
nation in its payload ("england" or "wales"; absent means England). Only the parts that
apply in the inspection's nation count in coverage, readiness, the walkthrough and the
report. Evidence can also be linked to an area as a whole (ref "area:<section>/<area>"),
which is how an area without expectation numbers gets evidence. Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Here, not in framework_elements (whose parser reads it): asking an inspection's nation
# must not load the framework's dataclasses (every command opening a file asks it).
NATIONS = ("england", "wales")
ENGLAND, WALES = NATIONS
DEFAULT_NATION = ENGLAND
NATION_LABELS = {ENGLAND: "England", WALES: "Wales"}
AREA_REF_PREFIX = "area:"
# What an area without expectation numbers reads in coverage and the walkthrough, instead
# of "0 of 0" (which looks finished).
NOT_LOADED = "expectations not loaded"


def inspection_nation(payload: Mapping[str, Any] | None) -> str:
    """The nation of an inspection record's payload: "england" (also when absent or not a
    known nation) or "wales"."""
    value = (payload or {}).get("nation")
    if isinstance(value, str) and value.strip().casefold() in NATIONS:
        return value.strip().casefold()
    return DEFAULT_NATION


def area_ref(section_key: str, area_key: str) -> str:
    """The link ref of an area as a whole: "area:<section>/<area>"."""
    return f"{AREA_REF_PREFIX}{section_key}/{area_key}"


def parse_area_ref(ref: str) -> tuple[str, str] | None:
    """(section_key, area_key) of an area ref, or None when `ref` is not one."""
    if not ref.startswith(AREA_REF_PREFIX):
        return None
    section_key, sep, area_key = ref[len(AREA_REF_PREFIX):].partition("/")
    if not sep or not section_key or not area_key:
        return None
    return section_key, area_key
