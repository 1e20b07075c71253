"""Builds a framework from parsed CSV rows. Standard library only.

A CSV carries content only, so every build has a *reference* framework:

- merge (the CSV is imported under the id of an existing framework): the reference is that
  framework. Every test must be one of its sections. Areas named in the CSV get exactly the
  CSV's expectations; sections and areas the CSV does not name are kept unchanged; new areas
  are appended. Scales, report model, dates and sources are kept.
- new (a new id): the reference is a template (the newest framework for the first
  establishment type). Only what the CSV names is built; sections and areas that match the
  template by key or label take its keys, scoring flags and outcomes; the scales and report
  model are copied from it.

An expectation identical to the reference's expectation of the same number is kept as it was
(with its `verified` flag and notes); any other expectation from a CSV is the importer's own
text and is marked verified. An area stays "incomplete" while it has no expectations or holds
an unverified one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from hmip_desktop.domain.framework import Framework, validate_framework
from hmip_desktop.domain.framework_csv import CsvLabel, CsvRow, ImportProblem
from hmip_desktop.domain.framework_elements import Area, Expectation, Section, SubArea

T = TypeVar("T")


@dataclass(frozen=True)
class CsvImportTarget:
    """Metadata a CSV cannot carry: id, version, title, establishment types, import time."""

    framework_id: str
    version: str
    title: str
    establishment_types: tuple[str, ...]
    imported_at: str | None = None


@dataclass
class _AreaAcc:
    label: str
    ref: Area | None
    subs: dict[str, str] = field(default_factory=dict)
    exps: list[Expectation] = field(default_factory=list)


@dataclass
class _SectionAcc:
    label: str
    ref: Section | None
    areas: dict[str, _AreaAcc] = field(default_factory=dict)


def _match(cell: CsvLabel, items: Sequence[T], key: Callable[[T], str],
           label: Callable[[T], str]) -> T | None:
    """The item a label cell names: by explicit key, by label, or by a key typed as label."""
    if cell.key:
        return next((i for i in items if key(i) == cell.key), None)
    folded = cell.label.casefold()
    return next((i for i in items if label(i).casefold() == folded or key(i) == cell.label), None)


def _label(cell: CsvLabel, ref_label: str | None, key: str) -> str:
    """Keep the reference's label when the cell only repeats it (any case) or its key."""
    if ref_label is not None and cell.label.casefold() in (ref_label.casefold(), key, ""):
        return ref_label
    return cell.label or key


def build_framework(
    rows: Sequence[CsvRow], target: CsvImportTarget, reference: Framework, *, merge: bool
) -> tuple[Framework | None, list[ImportProblem]]:
    """Build the framework the rows describe; returns (framework or None, every problem)."""
    problems: list[ImportProblem] = []
    ref_exps = {e.number: e for _, _, e in reference.iter_expectations()}
    sections: dict[str, _SectionAcc] = {}
    csv_numbers: dict[str, int] = {}
    for row in rows:
        ref_sec = _match(row.test, reference.sections, lambda s: s.key, lambda s: s.label)
        if merge and ref_sec is None:
            known = ", ".join(s.label for s in reference.sections)
            problems.append(ImportProblem(row.row, "test", f"unknown test '{row.test.label}' for "
                                          f"{reference.ref}; its tests are: {known}"))
            continue
        sec_key = ref_sec.key if ref_sec else row.test.resolved_key
        sec = sections.setdefault(sec_key, _SectionAcc(
            _label(row.test, ref_sec.label if ref_sec else None, sec_key), ref_sec))
        if row.area is None:
            continue
        ref_areas = sec.ref.areas if sec.ref else ()
        ref_area = _match(row.area, ref_areas, lambda a: a.key, lambda a: a.label)
        area_key = ref_area.key if ref_area else row.area.resolved_key
        area = sec.areas.setdefault(area_key, _AreaAcc(
            _label(row.area, ref_area.label if ref_area else None, area_key), ref_area))
        sub_key: str | None = None
        if row.sub_area is not None:
            ref_subs = area.ref.sub_areas if area.ref else ()
            ref_sub = _match(row.sub_area, ref_subs, lambda s: s.key, lambda s: s.label)
            sub_key = ref_sub.key if ref_sub else row.sub_area.resolved_key
            area.subs.setdefault(sub_key, _label(row.sub_area, ref_sub.label if ref_sub else None,
                                                 sub_key))
        if not row.number:
            continue
        csv_numbers[row.number] = row.row
        mine = Expectation(row.number, row.title, row.outcome, row.indicators, sub_key)
        theirs = ref_exps.get(row.number)
        same = theirs is not None and (theirs.title, theirs.outcome, theirs.indicators,
                                       theirs.sub_area) == (mine.title, mine.outcome,
                                                            mine.indicators, mine.sub_area)
        area.exps.append(theirs if same and theirs is not None else mine)
    if merge:
        problems.extend(_kept_number_clashes(reference, sections, csv_numbers))
    if problems:
        return None, problems
    built = _assemble(sections, target, reference, merge=merge)
    problems.extend(ImportProblem(None, path, message)
                    for path, message in validate_framework(built))
    return (None, problems) if problems else (built, problems)


def _kept_number_clashes(reference: Framework, sections: dict[str, _SectionAcc],
                         csv_numbers: dict[str, int]) -> list[ImportProblem]:
    """Numbers the CSV reuses from areas it does not name (those areas are kept)."""
    clashes = []
    for sec in reference.sections:
        named = sections.get(sec.key)
        for area in sec.areas:
            if named is not None and area.key in named.areas:
                continue
            for exp in area.expectations:
                if exp.number in csv_numbers:
                    clashes.append(ImportProblem(
                        csv_numbers[exp.number], "number",
                        f"expectation number {exp.number} is already used in "
                        f"'{area.label}', which this file does not list"))
    return clashes


def _build_area(key: str, acc: _AreaAcc, merge: bool) -> Area:
    """One area from its accumulated rows (see the module docstring for the rules)."""
    exps = tuple(acc.exps)
    ref = acc.ref
    new_subs = [SubArea(k, label) for k, label in acc.subs.items()]
    if ref is not None and merge:
        # Keep the reference's order; relabel the sub-areas the file names; append new ones.
        subs = [SubArea(s.key, acc.subs.get(s.key, s.label)) for s in ref.sub_areas]
        subs += [s for s in new_subs if s.key not in {r.key for r in ref.sub_areas}]
    else:
        subs = new_subs
    if ref is not None and exps == ref.expectations:
        incomplete = ref.incomplete
    else:
        incomplete = not exps or any(not e.verified for e in exps)
    if ref is None:
        return Area(key, acc.label, exps, sub_areas=tuple(subs), incomplete=incomplete)
    return replace(ref, label=acc.label, sub_areas=tuple(subs), expectations=exps,
                   incomplete=incomplete)


def _build_section(key: str, acc: _SectionAcc, reference: Framework, merge: bool) -> Section:
    """One section: named areas rebuilt, unnamed reference areas kept when merging."""
    built = {k: _build_area(k, a, merge) for k, a in acc.areas.items()}
    if acc.ref is not None and merge:
        areas = [built.pop(a.key, a) for a in acc.ref.areas] + list(built.values())
    else:
        areas = list(built.values())
    if acc.ref is None:
        return Section(key, acc.label, scored=bool(reference.scale.levels), areas=tuple(areas))
    return replace(acc.ref, label=acc.label, areas=tuple(areas))


def _assemble(sections: dict[str, _SectionAcc], target: CsvImportTarget, reference: Framework,
              *, merge: bool) -> Framework:
    """The framework from its built sections plus the target's metadata."""
    built = {k: _build_section(k, s, reference, merge) for k, s in sections.items()}
    types = tuple(target.establishment_types)
    unverified = tuple(t for t in reference.unverified_establishment_types if t in types)
    if merge:
        ordered = [built.pop(s.key, s) for s in reference.sections] + list(built.values())
        return reference.replace(
            id=target.framework_id, version=target.version, title=target.title,
            establishment_types=types, unverified_establishment_types=unverified,
            status="imported", verified=False, sections=tuple(ordered),
            based_on=reference.ref, imported_at=target.imported_at,
        )
    return Framework(
        id=target.framework_id, version=target.version, title=target.title,
        effective_date=None, source_url="", establishment_types=types,
        unverified_establishment_types=unverified, status="imported", verified=False,
        scale=reference.scale, progress_scale=reference.progress_scale,
        report_model=reference.report_model, numbering=reference.numbering,
        sections=tuple(built.values()), imported_at=target.imported_at,
        notes=f"Imported from a CSV file; scales and report model copied from {reference.ref}.",
    )
