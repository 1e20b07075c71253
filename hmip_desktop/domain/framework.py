"""Expectation frameworks as versioned data: frozen dataclasses, parsing, serialising, lookup.

A framework is one Expectations document for one or more establishment types. Nothing here
knows about a particular establishment type: every difference between types lives in the JSON
data (resources/frameworks/shipped). Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from hmip_desktop.domain.default_scales import DEFAULT_PROGRESS_SCALE
from hmip_desktop.domain.errors import NotFoundError, ValidationError
from hmip_desktop.domain.framework_elements import (
    Area,
    Expectation,
    ObjectReader,
    ReportModel,
    Scale,
    Section,
    Source,
    SubArea,
)
from hmip_desktop.domain.people_words import DEFAULT_PEOPLE, PeopleWords, parse_people

__all__ = [
    "Area", "EstablishmentType", "Expectation", "Framework", "FrameworkRef", "ReportModel",
    "Scale", "Section", "Source", "SubArea", "expectation_sort_key", "natural_key",
    "in_force", "in_force_from", "recency_key", "slugify", "validate_framework",
]

SCHEMA_VERSION = 1
STATUSES = ("shipped", "imported")
NUMBERINGS = ("continuous", "section_decimal")
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
NUMBER_RE = re.compile(r"^[0-9]+(\.[0-9]+)*$")
PUBLISHED_RE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")


def expectation_sort_key(number: str) -> tuple[int, ...]:
    """Natural order of expectation numbers: "2" < "10" < "72" < "72.1" < "73"."""
    if NUMBER_RE.match(number):
        return tuple(int(part) for part in number.split("."))
    # Not a valid number: sort it after every valid one rather than fail a display.
    return (1 << 30,)


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order of version texts: "5" < "5-imported-1" < "6" < "10"."""
    parts = re.findall(r"\d+|\D+", text)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def slugify(label: str) -> str:
    """A stable key from a label: "Early days in custody" -> "early_days_in_custody"."""
    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    if not slug:
        return "untitled"
    return slug if slug[0].isalpha() else f"k_{slug}"


@dataclass(frozen=True)
class FrameworkRef:
    """The identity of one framework version: (id, version)."""

    id: str
    version: str

    def __str__(self) -> str:
        return f"{self.id} version {self.version}"


@dataclass(frozen=True)
class EstablishmentType:
    """A kind of establishment HMIP inspects (men's prison, IRC, police custody...)."""

    key: str
    label: str
    notes: str = ""
    verified: bool = True
    people: PeopleWords = DEFAULT_PEOPLE  # "prisoners", "children", "detainees"

    @classmethod
    def from_dict(cls, data: Any, path: str = "$") -> EstablishmentType:
        """Parse one entry of establishment_types.json."""
        r = ObjectReader(data, path)
        return cls(r.text("key"), r.text("label"), r.text("notes", ""), r.flag("verified", True),
                   parse_people(data.get("people"), f"{path}.people"))

    def to_dict(self) -> dict[str, Any]:
        """Serialise to the JSON shape of establishment_types.json."""
        return {"key": self.key, "label": self.label, "notes": self.notes,
                "verified": self.verified, "people": self.people.to_dict()}


@dataclass(frozen=True)
class Framework:
    """One version of an Expectations framework, with its scales and report model."""

    id: str
    version: str
    title: str
    effective_date: str | None
    source_url: str
    establishment_types: tuple[str, ...]
    status: str
    verified: bool
    scale: Scale
    report_model: ReportModel
    sections: tuple[Section, ...]
    progress_scale: Scale | None = None
    edition: str = ""
    published: str | None = None
    sources: tuple[Source, ...] = ()
    unverified_establishment_types: tuple[str, ...] = ()
    incomplete: bool = False
    numbering: str = "continuous"
    notes: str = ""
    based_on: FrameworkRef | None = None
    imported_at: str | None = None
    schema_version: int = SCHEMA_VERSION
    effective_date_verified: bool = True
    edition_verified: bool = True
    edition_note: str = ""  # for the team only: never printed in a report or letter

    @property
    def published_name(self) -> str:
        """The Expectations as a published document names them: title and edition only."""
        return f"{self.title} ({self.edition})" if self.edition else self.title

    # ---- parsing and serialising -------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Any) -> Framework:
        """Parse and check a framework dict; ValidationError names the JSON path of a fault."""
        r = ObjectReader(data, "$")
        progress = r.child("progress_scale", nullable=True)
        based = r.child("based_on", nullable=True)
        framework = cls(
            schema_version=r.integer("schema_version"),
            id=r.text("id"),
            version=r.text("version"),
            title=r.text("title"),
            edition=r.text("edition", ""),
            edition_verified=r.flag("edition_verified", True),
            edition_note=r.text("edition_note", ""),
            published=r.optional_text("published"),
            effective_date=r.optional_text("effective_date", required=True),
            effective_date_verified=r.flag("effective_date_verified", True),
            source_url=r.text("source_url"),
            sources=tuple(Source.from_reader(c) for c in r.children("sources", ())),
            establishment_types=r.texts("establishment_types"),
            unverified_establishment_types=r.texts("unverified_establishment_types", ()),
            status=r.text("status"),
            verified=r.flag("verified"),
            incomplete=r.flag("incomplete", False),
            numbering=r.text("numbering", "continuous"),
            notes=r.text("notes", ""),
            scale=Scale.from_reader(r.child("scale")),
            progress_scale=Scale.from_reader(progress) if progress else None,
            report_model=ReportModel.from_reader(r.child("report_model")),
            sections=tuple(Section.from_reader(c) for c in r.children("sections")),
            based_on=FrameworkRef(based.text("id"), based.text("version")) if based else None,
            imported_at=r.optional_text("imported_at"),
        )
        problems = validate_framework(framework)
        if problems:
            path, message = problems[0]
            raise ValidationError(f"framework {framework.id!r}: {path}: {message}")
        return framework

    def to_dict(self) -> dict[str, Any]:
        """Serialise to the canonical JSON shape (every field present, document order)."""
        return {
            "schema_version": self.schema_version,
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "edition": self.edition,
            "edition_verified": self.edition_verified,
            "edition_note": self.edition_note,
            "published": self.published,
            "effective_date": self.effective_date,
            "effective_date_verified": self.effective_date_verified,
            "source_url": self.source_url,
            "sources": [s.to_dict() for s in self.sources],
            "establishment_types": list(self.establishment_types),
            "unverified_establishment_types": list(self.unverified_establishment_types),
            "status": self.status,
            "verified": self.verified,
            "incomplete": self.incomplete,
            "numbering": self.numbering,
            "notes": self.notes,
            "scale": self.scale.to_dict(),
            "progress_scale": self.progress_scale.to_dict() if self.progress_scale else None,
            "report_model": self.report_model.to_dict(),
            "sections": [s.to_dict() for s in self.sections],
            "based_on": (
                {"id": self.based_on.id, "version": self.based_on.version}
                if self.based_on else None
            ),
            "imported_at": self.imported_at,
        }

    def replace(self, **changes: Any) -> Framework:
        """A copy with some fields changed (frameworks are immutable)."""
        return replace(self, **changes)

    # ---- lookup ------------------------------------------------------------------------

    @property
    def ref(self) -> FrameworkRef:
        """The (id, version) identity."""
        return FrameworkRef(self.id, self.version)

    @property
    def scored_sections(self) -> tuple[Section, ...]:
        """Sections that get a judgement on the scale (leadership, for one, does not)."""
        return tuple(s for s in self.sections if s.scored)

    @property
    def expectation_count(self) -> int:
        """How many numbered expectations the framework holds."""
        return sum(len(a.expectations) for s in self.sections for a in s.areas)

    @property
    def judged_sections(self) -> tuple[Section, ...]:
        """The sections that receive a score: scored, on a graded scale (an ungraded scale,
        e.g. police custody's, judges none)."""
        return self.scored_sections if self.scale.graded else ()

    def is_judged(self, section: Section) -> bool:
        """True when `section` receives a score (scored, on a graded scale)."""
        return section.scored and self.scale.graded

    @property
    def follow_up_scale(self) -> Scale:
        """The scale for progress on previous items: the documented one when the framework
        has none (null says IRPs do not apply, but a full inspection still follows up)."""
        return self.progress_scale or DEFAULT_PROGRESS_SCALE

    def section(self, key: str) -> Section:
        """The section with this stable key; NotFoundError names the valid keys."""
        for section in self.sections:
            if section.key == key:
                return section
        valid = ", ".join(s.key for s in self.sections)
        raise NotFoundError(f"The framework has no section '{key}'; sections are: {valid}")

    def area(self, section_key: str, area_key: str) -> Area:
        """The area `area_key` of section `section_key`; NotFoundError names the section's
        area keys (as `section` names the sections: the text of `hmip frameworks show` gives
        area labels only, so a refusal is where a user learns the keys)."""
        section = self.section(section_key)
        for area in section.areas:
            if area.key == area_key:
                return area
        valid = ", ".join(a.key for a in section.areas) or "none"
        raise NotFoundError(f"Section '{section_key}' has no area '{area_key}'; "
                            f"its areas are: {valid}")

    def iter_expectations(self) -> Iterator[tuple[Section, Area, Expectation]]:
        """Every expectation with its section and area, in document order."""
        for section in self.sections:
            for area in section.areas:
                for expectation in area.expectations:
                    yield section, area, expectation

    def locate(self, number: str) -> tuple[Section, Area, Expectation]:
        """The section, area and expectation numbered `number`; NotFoundError if absent."""
        for found in self.iter_expectations():
            if found[2].number == number:
                return found
        raise NotFoundError(f"{self.ref} has no expectation {number}")

    def expectation(self, number: str) -> Expectation:
        """The expectation numbered `number` (text, e.g. "72.1"); NotFoundError if absent."""
        return self.locate(number)[2]

    def for_nation(self, nation: str) -> Framework:
        """The framework as it counts in `nation`: areas and expectations marked for another
        nation (Estyn's education in England, Ofsted's in Wales) are left out. The same
        object when everything applies."""
        if all(area.applies_in(nation) and all(e.applies_in(nation) for e in area.expectations)
               for section in self.sections for area in section.areas):
            return self
        sections = tuple(
            replace(section, areas=tuple(
                replace(area, expectations=tuple(e for e in area.expectations
                                                 if e.applies_in(nation)))
                for area in section.areas if area.applies_in(nation)))
            for section in self.sections)
        return replace(self, sections=sections)

    def excluded_numbers(self, nation: str) -> set[str]:
        """Expectation numbers that do not count in `nation` (in an area or marked for the
        other nation)."""
        return {e.number for _, area, e in self.iter_expectations()
                if not (area.applies_in(nation) and e.applies_in(nation))}

    def expectation_numbers(self) -> list[str]:
        """Every expectation number in natural order."""
        return sorted((e.number for _, _, e in self.iter_expectations()),
                      key=expectation_sort_key)


def recency_key(framework: Framework) -> tuple[Any, ...]:
    """Sort key putting the newest framework last (reverse it for newest first).

    Dated frameworks order by date; within a date (or with none) the version orders
    naturally, so an import "5-imported-1" sits above the "5" it came from.
    """
    when = framework.effective_date or framework.published or ""
    return (when, natural_key(framework.version), framework.imported_at or "")


def in_force_from(framework: Framework) -> str | None:
    """The ISO date the framework came into force: its effective date, else the first day of
    its publication period ("2017" -> "2017-01-01"), else None (not known)."""
    if framework.effective_date:
        return framework.effective_date
    published = framework.published
    if not published or not PUBLISHED_RE.match(published):
        return None
    parts = published.split("-") + ["01", "01"]
    return "-".join(parts[:3])


def in_force(frameworks: list[Framework], on: date) -> Framework | None:
    """The framework version in force on `on`: the latest to come into force on or before
    that day (a version whose date is not known counts as in force from the start). When
    every version came into force later, the earliest is used. None for an empty list."""
    if not frameworks:
        return None

    def order(fw: Framework) -> tuple[Any, ...]:
        return (in_force_from(fw) or "", natural_key(fw.version), fw.imported_at or "")

    day = on.isoformat()
    started = [fw for fw in frameworks if (in_force_from(fw) or "") <= day]
    if started:
        return max(started, key=order)
    return min(frameworks, key=order)


def validate_framework(fw: Framework) -> list[tuple[str, str]]:
    """Rules the JSON Schema cannot express; returns (JSON path, message) for each fault."""
    problems: list[tuple[str, str]] = []

    def check(ok: bool, path: str, message: str) -> None:
        if not ok:
            problems.append((path, message))

    check(fw.schema_version == SCHEMA_VERSION, "$.schema_version",
          f"unsupported schema version {fw.schema_version} (this app reads {SCHEMA_VERSION})")
    check(bool(ID_RE.match(fw.id)), "$.id", "id must be lower-case words joined by '-'")
    check(bool(VERSION_RE.match(fw.version)), "$.version",
          "version must start with a letter or digit and use only letters, digits, '.', '-', '_'")
    check(fw.status in STATUSES, "$.status", f"status must be one of {', '.join(STATUSES)}")
    check(fw.numbering in NUMBERINGS, "$.numbering",
          f"numbering must be one of {', '.join(NUMBERINGS)}")
    check(bool(fw.establishment_types), "$.establishment_types",
          "at least one establishment type is needed")
    for i, key in enumerate(fw.unverified_establishment_types):
        check(key in fw.establishment_types, f"$.unverified_establishment_types[{i}]",
              f"{key!r} is not one of the framework's establishment types")
    if fw.effective_date is not None:
        try:
            date.fromisoformat(fw.effective_date)
        except ValueError:
            problems.append(("$.effective_date", "effective_date must be an ISO date or null"))
    check(fw.published is None or bool(PUBLISHED_RE.match(fw.published)), "$.published",
          "published must be YYYY, YYYY-MM or YYYY-MM-DD")
    limits = fw.report_model.concerns
    check(limits is None or 0 <= limits.priority_min <= limits.priority_max <= limits.max_key,
          "$.report_model.concerns", "need 0 <= priority_min <= priority_max <= max_key")
    owner = fw.report_model.action_plan_owner
    check(owner is None or owner in {a.key for a in fw.report_model.addressees},
          "$.report_model.action_plan_owner", "must be the key of one of the addressees")
    seen_numbers: dict[str, str] = {}
    seen_sections: set[str] = set()
    for si, section in enumerate(fw.sections):
        spath = f"$.sections[{si}]"
        check(bool(KEY_RE.match(section.key)), f"{spath}.key", "key must be snake_case")
        check(section.key not in seen_sections, f"{spath}.key",
              f"section key {section.key!r} is used twice")
        seen_sections.add(section.key)
        check(not section.scored or bool(fw.scale.levels), f"{spath}.scored",
              f"a scored section needs a scale with levels; {fw.scale.key!r} has none")
        seen_areas: set[str] = set()
        for ai, area in enumerate(section.areas):
            apath = f"{spath}.areas[{ai}]"
            check(bool(KEY_RE.match(area.key)), f"{apath}.key", "key must be snake_case")
            check(area.key not in seen_areas, f"{apath}.key",
                  f"area key {area.key!r} is used twice in section {section.key!r}")
            seen_areas.add(area.key)
            sub_keys = [s.key for s in area.sub_areas]
            check(len(sub_keys) == len(set(sub_keys)), f"{apath}.sub_areas",
                  "sub-area keys must be unique within the area")
            for ei, exp in enumerate(area.expectations):
                epath = f"{apath}.expectations[{ei}]"
                check(bool(NUMBER_RE.match(exp.number)), f"{epath}.number",
                      "number must look like 12 or 72.1")
                check(exp.number not in seen_numbers, f"{epath}.number",
                      f"expectation number {exp.number} is used twice "
                      f"(first at {seen_numbers.get(exp.number)})")
                seen_numbers.setdefault(exp.number, epath)
                check(exp.sub_area is None or exp.sub_area in sub_keys, f"{epath}.sub_area",
                      f"sub-area {exp.sub_area!r} is not declared in the area's sub_areas")
    return problems
