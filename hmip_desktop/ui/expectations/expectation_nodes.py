"""The rows of the Expectations tree, built from a framework: sections, areas, sub-areas,
expectations and indicators, each with a stable key and its flags in words. No Qt."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from hmip_desktop.domain.framework import Area, Expectation, Framework, Section
from hmip_desktop.domain.records import SOURCE_KINDS
from hmip_desktop.services.labels import source_kind_label
from hmip_desktop.services.scoring import ExpectationEvidence

SECTION, AREA, SUB_AREA, EXPECTATION, INDICATOR = (
    "section", "area", "sub_area", "expectation", "indicator")

INCOMPLETE_TEXT = "Expectations to be completed from the official document"


def adopted_text(source: str) -> str:
    """The flag of an area whose text comes from another inspectorate."""
    return f"Adopted from {source}: not HMIP text"


def kinds_text(kinds: tuple[str, ...], establishment_type: str | None) -> str:
    """Source kinds as the labels people know, in the words of the inspection's type."""
    return ", ".join(source_kind_label(k, establishment_type) for k in kinds)


@dataclass(eq=False)
class Node:
    """One row of the tree; `key` is stable across reloads (used to restore selection)."""

    kind: str
    key: str
    name: str
    item: Section | Area | Expectation | str | None = None
    section: Section | None = None
    area: Area | None = None
    parent: Node | None = None
    row: int = 0
    children: list[Node] = field(default_factory=list)
    flags: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()  # the expectations this row covers (itself or below)
    search: str = ""

    def add(self, child: Node) -> Node:
        """Append a child and return it."""
        child.parent, child.row = self, len(self.children)
        self.children.append(child)
        return child

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


def _section_flags(section: Section) -> tuple[str, ...]:
    flags = []
    if section.incomplete:
        flags.append(INCOMPLETE_TEXT)
    if not section.scored:
        flags.append("Not scored")
    if not section.verified:
        flags.append("Not verified")
    if section.outcome and section.outcome_paraphrased:
        flags.append("Outcome paraphrased")
    return tuple(flags)


def _area_flags(area: Area) -> tuple[str, ...]:
    flags = []
    if area.incomplete:
        flags.append(INCOMPLETE_TEXT)
    if area.adopted_from:
        flags.append(adopted_text(area.adopted_from))
    if not area.verified:
        flags.append("Not verified")
    if area.outcome and area.outcome_paraphrased:
        flags.append("Outcome paraphrased")
    return tuple(flags)


def _expectation_flags(exp: Expectation, area: Area) -> tuple[str, ...]:
    flags = []
    if not exp.verified:
        flags.append("Wording not verified")
    if exp.outcome_paraphrased:
        flags.append("Outcome paraphrased")
    if area.adopted_from:  # each row says so, since rows are read out of context
        flags.append(adopted_text(area.adopted_from))
    return tuple(flags)


def build_tree(framework: Framework) -> Node:
    """The framework's rows: sub-areas only where the area declares them."""
    root = Node("root", "", "")
    for section in framework.sections:
        s = root.add(Node(SECTION, f"s:{section.key}", section.label, section, section,
                          flags=_section_flags(section), search=section.label))
        for area in section.areas:
            a = s.add(Node(AREA, f"a:{section.key}/{area.key}", area.label, area, section, area,
                           flags=_area_flags(area), search=f"{section.label} {area.label}"))
            subs = {sub.key: sub.label for sub in area.sub_areas}
            holders = {None: a}
            for exp in area.expectations:  # expectations without a sub-area come first
                if exp.sub_area is None:
                    _add_expectation(a, exp, section, area)
            for sub_key, sub_label in subs.items():
                holders[sub_key] = a.add(Node(SUB_AREA, f"u:{section.key}/{area.key}/{sub_key}",
                                              sub_label, sub_key, section, area,
                                              search=f"{a.search} {sub_label}"))
            for exp in area.expectations:
                if exp.sub_area is not None:
                    _add_expectation(holders.get(exp.sub_area, a), exp, section, area)
    _gather_numbers(root)  # aggregates know which expectations they cover
    return root


def _gather_numbers(node: Node) -> tuple[str, ...]:
    """Set `numbers` on a node and every node below it, in one pass from the leaves up (in
    walk order: the node's own number, then its children's)."""
    own = (node.item.number,) if node.kind == EXPECTATION else ()  # type: ignore[union-attr]
    node.numbers = own + tuple(n for child in node.children for n in _gather_numbers(child))
    return node.numbers


def _add_expectation(holder: Node, exp: Expectation, section: Section, area: Area) -> None:
    e = holder.add(Node(EXPECTATION, f"e:{exp.number}", f"{exp.number}  {exp.title}", exp,
                        section, area, flags=_expectation_flags(exp, area),
                        search=f"{holder.search} {exp.number} {exp.title} {exp.outcome}"))
    for i, text in enumerate(exp.indicators):
        e.add(Node(INDICATOR, f"i:{exp.number}/{i}", text, text, section, area,
                   search=f"{e.search} {text}"))


def item_count(ev: ExpectationEvidence | None) -> int:
    """Distinct evidence items (three passages of one note count once, as `hmip coverage`)."""
    return len({r.evidence_id for r in ev.evidence}) if ev is not None else 0


def kind_counts_text(ev: ExpectationEvidence | None, establishment_type: str | None) -> str:
    """Distinct evidence items per source kind, e.g. "Observation 2, Data 1"."""
    if ev is None:
        return ""
    per: dict[str, set[str]] = {}
    for ref in ev.evidence:
        per.setdefault(ref.source_kind or "", set()).add(ref.evidence_id)
    order = [*SOURCE_KINDS, ""]  # the method's order; unknown kinds last
    return ", ".join(f"{source_kind_label(k, establishment_type)} {len(per[k])}"
                     for k in sorted(per, key=lambda k: order.index(k) if k in order else 99))
