"""The parts of a framework (sections, areas, expectations, scales, report model) and the
path-naming JSON reader they parse with. Standard library only; see framework.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.framework_nation import NATIONS

ADOPTED_FROM = ("Ofsted", "Estyn")
_MISSING: Any = object()


class ObjectReader:
    """Reads one JSON object; every error names the JSON path, e.g. $.sections[2].key."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, Mapping):
            raise ValidationError(f"{path}: expected an object")
        self._data = data
        self.path = path

    def _get(self, key: str, default: Any) -> Any:
        if key in self._data:
            return self._data[key]
        if default is _MISSING:
            raise ValidationError(f"{self.path}: missing required property {key!r}")
        return default

    def text(self, key: str, default: Any = _MISSING) -> str:
        """A required (or defaulted) string."""
        value = self._get(key, default)
        if not isinstance(value, str):
            raise ValidationError(f"{self.path}.{key}: expected text")
        return value

    def optional_text(self, key: str, *, required: bool = False) -> str | None:
        """A string or null; `required` means the property must be present (possibly null)."""
        value = self._get(key, _MISSING if required else None)
        if value is not None and not isinstance(value, str):
            raise ValidationError(f"{self.path}.{key}: expected text or null")
        return value

    def flag(self, key: str, default: Any = _MISSING) -> bool:
        """A boolean."""
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise ValidationError(f"{self.path}.{key}: expected true or false")
        return value

    def integer(self, key: str, default: Any = _MISSING, *, nullable: bool = False) -> Any:
        """An integer (or null when `nullable`)."""
        value = self._get(key, default)
        if value is None and nullable:
            return None
        # bool is an int in Python; JSON true is not a number.
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValidationError(f"{self.path}.{key}: expected a whole number")
        return value

    def texts(self, key: str, default: Any = _MISSING) -> tuple[str, ...]:
        """A list of strings."""
        value = self._get(key, default)
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValidationError(f"{self.path}.{key}: expected a list of text")
        return tuple(value)

    def child(self, key: str, *, nullable: bool = False) -> ObjectReader | None:
        """A nested object (None when null and `nullable`)."""
        value = self._get(key, None if nullable else _MISSING)
        if value is None and nullable:
            return None
        return ObjectReader(value, f"{self.path}.{key}")

    def children(self, key: str, default: Any = _MISSING) -> list[ObjectReader]:
        """A list of nested objects."""
        value = self._get(key, default)
        if not isinstance(value, list | tuple):
            raise ValidationError(f"{self.path}.{key}: expected a list")
        return [ObjectReader(v, f"{self.path}.{key}[{i}]") for i, v in enumerate(value)]


def read_nations(r: ObjectReader) -> tuple[str, ...]:
    """The optional "nations" list of an area or expectation, checked."""
    nations = r.texts("nations", ())
    for nation in nations:
        if nation not in NATIONS:
            raise ValidationError(f"{r.path}.nations: {nation!r} is not one of "
                                  f"{', '.join(NATIONS)}")
    return tuple(dict.fromkeys(nations))


@dataclass(frozen=True)
class Source:
    """A public address the framework's content was taken from, with what it confirms."""

    url: str
    note: str = ""

    @classmethod
    def from_reader(cls, r: ObjectReader) -> Source:
        """Parse from a JSON object."""
        return cls(r.text("url"), r.text("note", ""))

    def to_dict(self) -> dict[str, Any]:
        """Serialise."""
        return {"url": self.url, "note": self.note}


@dataclass(frozen=True)
class SubArea:
    """An optional heading inside an area (e.g. "Adjudications")."""

    key: str
    label: str

    @classmethod
    def from_reader(cls, r: ObjectReader) -> SubArea:
        """Parse from a JSON object."""
        return cls(r.text("key"), r.text("label"))

    def to_dict(self) -> dict[str, Any]:
        """Serialise."""
        return {"key": self.key, "label": self.label}


@dataclass(frozen=True)
class Expectation:
    """One numbered expectation; its number is text ("72.1") and unique in the framework."""

    number: str
    title: str
    outcome: str = ""
    indicators: tuple[str, ...] = ()
    sub_area: str | None = None
    verified: bool = True
    outcome_paraphrased: bool = False
    notes: str = ""
    nations: tuple[str, ...] = ()  # empty: applies everywhere

    @classmethod
    def from_reader(cls, r: ObjectReader) -> Expectation:
        """Parse from a JSON object."""
        return cls(
            number=r.text("number"), title=r.text("title"), outcome=r.text("outcome", ""),
            indicators=r.texts("indicators", ()), sub_area=r.optional_text("sub_area"),
            verified=r.flag("verified", True),
            outcome_paraphrased=r.flag("outcome_paraphrased", False),
            notes=r.text("notes", ""), nations=read_nations(r),
        )

    def to_dict(self) -> dict[str, Any]:
        """Serialise (`nations` only when set, so older files round-trip unchanged)."""
        out: dict[str, Any] = {
            "number": self.number, "title": self.title, "outcome": self.outcome,
            "indicators": list(self.indicators), "sub_area": self.sub_area,
            "verified": self.verified, "outcome_paraphrased": self.outcome_paraphrased,
            "notes": self.notes,
        }
        if self.nations:
            out["nations"] = list(self.nations)
        return out

    def applies_in(self, nation: str) -> bool:
        """True when the expectation counts in an inspection in `nation`."""
        return not self.nations or nation in self.nations


@dataclass(frozen=True)
class Area:
    """An expectation area inside a section (e.g. "Early days in custody")."""

    key: str
    label: str
    expectations: tuple[Expectation, ...] = ()
    outcome: str = ""
    outcome_paraphrased: bool = False
    sub_areas: tuple[SubArea, ...] = ()
    adopted_from: str | None = None
    incomplete: bool = False
    verified: bool = True
    notes: str = ""
    human_rights_standards: tuple[str, ...] = ()
    nations: tuple[str, ...] = ()  # empty: applies everywhere

    @classmethod
    def from_reader(cls, r: ObjectReader) -> Area:
        """Parse from a JSON object."""
        adopted = r.optional_text("adopted_from")
        if adopted is not None and adopted not in ADOPTED_FROM:
            raise ValidationError(f"{r.path}.adopted_from: must be null, Ofsted or Estyn")
        return cls(
            key=r.text("key"), label=r.text("label"),
            expectations=tuple(Expectation.from_reader(c) for c in r.children("expectations")),
            outcome=r.text("outcome", ""),
            outcome_paraphrased=r.flag("outcome_paraphrased", False),
            sub_areas=tuple(SubArea.from_reader(c) for c in r.children("sub_areas", ())),
            adopted_from=adopted, incomplete=r.flag("incomplete"),
            verified=r.flag("verified", True), notes=r.text("notes", ""),
            human_rights_standards=r.texts("human_rights_standards", ()),
            nations=read_nations(r),
        )

    def to_dict(self) -> dict[str, Any]:
        """Serialise (`nations` only when set, so older files round-trip unchanged)."""
        out: dict[str, Any] = {
            "key": self.key, "label": self.label, "outcome": self.outcome,
            "outcome_paraphrased": self.outcome_paraphrased,
            "sub_areas": [s.to_dict() for s in self.sub_areas],
            "adopted_from": self.adopted_from,
        }
        if self.nations:
            out["nations"] = list(self.nations)
        out.update({
            "incomplete": self.incomplete, "verified": self.verified, "notes": self.notes,
            "human_rights_standards": list(self.human_rights_standards),
            "expectations": [e.to_dict() for e in self.expectations],
        })
        return out

    def applies_in(self, nation: str) -> bool:
        """True when the area counts in an inspection in `nation`."""
        return not self.nations or nation in self.nations

    @property
    def expectations_loaded(self) -> bool:
        """False when the area lists no numbered expectations ("expectations not loaded")."""
        return bool(self.expectations)

    def sub_area_label(self, key: str | None) -> str:
        """The label of sub-area `key` ("" for none)."""
        return next((s.label for s in self.sub_areas if s.key == key), "")


@dataclass(frozen=True)
class Section:
    """A healthy prison test or, for some types, a top-level area; `key` is stable across
    versions ("respect" also for children's "Care"), `label` is this version's wording."""

    key: str
    label: str
    scored: bool
    areas: tuple[Area, ...] = ()
    outcome: str = ""
    outcome_paraphrased: bool = False
    verified: bool = True
    incomplete: bool = False
    notes: str = ""
    human_rights_standards: tuple[str, ...] = ()

    @classmethod
    def from_reader(cls, r: ObjectReader) -> Section:
        """Parse from a JSON object."""
        return cls(
            key=r.text("key"), label=r.text("label"), scored=r.flag("scored"),
            areas=tuple(Area.from_reader(c) for c in r.children("areas")),
            outcome=r.text("outcome", ""),
            outcome_paraphrased=r.flag("outcome_paraphrased", False),
            verified=r.flag("verified", True), incomplete=r.flag("incomplete", False),
            notes=r.text("notes", ""),
            human_rights_standards=r.texts("human_rights_standards", ()),
        )

    def to_dict(self) -> dict[str, Any]:
        """Serialise."""
        return {
            "key": self.key, "label": self.label, "scored": self.scored,
            "outcome": self.outcome, "outcome_paraphrased": self.outcome_paraphrased,
            "verified": self.verified, "incomplete": self.incomplete, "notes": self.notes,
            "human_rights_standards": list(self.human_rights_standards),
            "areas": [a.to_dict() for a in self.areas],
        }


@dataclass(frozen=True)
class ScaleLevel:
    """One grade of a judgement scale, e.g. Reasonably good (RG, 3)."""

    key: str
    label: str
    short: str
    value: int | None
    descriptor: str = ""
    verified: bool = True
    descriptor_verified: bool = False

    @classmethod
    def from_reader(cls, r: ObjectReader) -> ScaleLevel:
        """Parse from a JSON object."""
        return cls(
            key=r.text("key"), label=r.text("label"), short=r.text("short", ""),
            value=r.integer("value", None, nullable=True), descriptor=r.text("descriptor", ""),
            verified=r.flag("verified", True),
            descriptor_verified=r.flag("descriptor_verified", False),
        )

    def to_dict(self) -> dict[str, Any]:
        """Serialise."""
        return {
            "key": self.key, "label": self.label, "short": self.short, "value": self.value,
            "descriptor": self.descriptor, "verified": self.verified,
            "descriptor_verified": self.descriptor_verified,
        }


@dataclass(frozen=True)
class Scale:
    """A judgement scale as data; levels run from best to worst; none means "not graded"."""

    key: str
    label: str
    levels: tuple[ScaleLevel, ...] = ()
    verified: bool = True
    notes: str = ""

    @classmethod
    def from_reader(cls, r: ObjectReader | None) -> Scale:
        """Parse from a JSON object."""
        if r is None:  # only reachable through a programming error; keep mypy honest
            raise ValidationError("scale missing")
        return cls(
            key=r.text("key"), label=r.text("label"),
            levels=tuple(ScaleLevel.from_reader(c) for c in r.children("levels")),
            verified=r.flag("verified", True), notes=r.text("notes", ""),
        )

    def to_dict(self) -> dict[str, Any]:
        """Serialise."""
        return {"key": self.key, "label": self.label, "verified": self.verified,
                "notes": self.notes, "levels": [lv.to_dict() for lv in self.levels]}

    def level(self, key: str) -> ScaleLevel | None:
        """The level with this key, or None."""
        return next((lv for lv in self.levels if lv.key == key), None)

    @property
    def graded(self) -> bool:
        """True when the scale has at least one level."""
        return bool(self.levels)

    def resolve(self, given: str | int) -> ScaleLevel:
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


@dataclass(frozen=True)
class Addressee:
    """Who a report's concerns or an action plan are for (e.g. HMPPS, the Home Office)."""

    key: str
    label: str
    verified: bool = True

    @classmethod
    def from_reader(cls, r: ObjectReader) -> Addressee:
        """Parse from a JSON object."""
        return cls(r.text("key"), r.text("label"), r.flag("verified", True))

    def to_dict(self) -> dict[str, Any]:
        """Serialise."""
        return {"key": self.key, "label": self.label, "verified": self.verified}


@dataclass(frozen=True)
class ConcernLimits:
    """Limits on concerns in one report: at most `max_key`, of which priority_min..max."""

    max_key: int
    priority_min: int
    priority_max: int

    def to_dict(self) -> dict[str, Any]:
        """Serialise."""
        return {"max_key": self.max_key, "priority_min": self.priority_min,
                "priority_max": self.priority_max}


@dataclass(frozen=True)
class ReportModel:
    """How findings are reported: the concern model (limits shown as warnings) or another."""

    key: str
    concerns: ConcernLimits | None
    addressees: tuple[Addressee, ...] = ()
    action_plan_owner: str | None = None
    verified: bool = True
    notes: str = ""

    @classmethod
    def from_reader(cls, r: ObjectReader | None) -> ReportModel:
        """Parse from a JSON object."""
        if r is None:
            raise ValidationError("report_model missing")
        c = r.child("concerns", nullable=True)
        limits = (ConcernLimits(c.integer("max_key"), c.integer("priority_min"),
                                c.integer("priority_max")) if c else None)
        return cls(
            key=r.text("key"), concerns=limits,
            addressees=tuple(Addressee.from_reader(a) for a in r.children("addressees")),
            action_plan_owner=r.optional_text("action_plan_owner"),
            verified=r.flag("verified", True), notes=r.text("notes", ""),
        )

    def to_dict(self) -> dict[str, Any]:
        """Serialise."""
        return {
            "key": self.key, "verified": self.verified, "notes": self.notes,
            "concerns": self.concerns.to_dict() if self.concerns else None,
            "addressees": [a.to_dict() for a in self.addressees],
            "action_plan_owner": self.action_plan_owner,
        }
