"""`--json` output is made one way: cli/json_out.to_plain, generically from dataclass fields."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from pathlib import Path

from hmip_desktop.cli.common import print_json
from hmip_desktop.cli.json_out import SHAPES, to_plain


class Colour(enum.Enum):
    RED = "red"


@dataclasses.dataclass(frozen=True)
class Inner:
    when: dt.date
    path: Path
    raw: bytes


@dataclasses.dataclass(frozen=True)
class Outer:
    name: str
    tags: tuple[str, ...]
    pairs: tuple[tuple[str, int], ...]
    inner: Inner | None
    extra: dict[str, object]
    colour: Colour = Colour.RED

    @property
    def shouted(self) -> str:
        return self.name.upper()


def test_dataclasses_become_plain_data_recursively() -> None:
    obj = Outer("a", ("x", "y"), (("k", 1),), Inner(dt.date(2026, 1, 2), Path("/t/f"), b"\x01"),
                {"n": (1, 2), "d": dt.datetime(2026, 1, 2, 3, 4, 5)})
    assert to_plain(obj) == {
        "name": "a", "tags": ["x", "y"], "pairs": [["k", 1]],
        "inner": {"when": "2026-01-02", "path": "/t/f", "raw": "01"},
        "extra": {"n": [1, 2], "d": "2026-01-02T03:04:05"}, "colour": "red"}
    assert to_plain([obj, None])[1] is None
    assert to_plain({"k": frozenset({"b", "a"})}) == {"k": ["a", "b"]}


def test_properties_are_not_output_unless_a_shape_says_so() -> None:
    obj = Outer("a", (), (), None, {})
    assert "shouted" not in to_plain(obj)
    SHAPES["Outer"] = (("tags",), lambda o: {"shouted": o.shouted})
    try:
        plain = to_plain(obj)
    finally:
        del SHAPES["Outer"]
    assert plain["shouted"] == "A" and "tags" not in plain


def test_print_json_is_sorted_unless_asked_and_accepts_views(capsys) -> None:  # type: ignore[no-untyped-def]
    print_json(Outer("é", (), (), None, {}))
    out = capsys.readouterr().out
    assert json.loads(out)["name"] == "é" and "é" in out  # UTF-8, not \\u escapes
    assert list(json.loads(out)) == sorted(json.loads(out))


def test_unsorted_output_keeps_field_order(capsys) -> None:  # type: ignore[no-untyped-def]
    print_json(Outer("a", (), (), None, {}), sort_keys=False)
    assert list(json.loads(capsys.readouterr().out)) == [
        "name", "tags", "pairs", "inner", "extra", "colour"]


def test_every_shape_names_a_class_that_exists() -> None:
    """A shape for a class that moved or was renamed would silently stop applying."""
    import gc

    import hmip_desktop.domain.concerns  # noqa: F401
    import hmip_desktop.domain.readiness  # noqa: F401
    import hmip_desktop.services.bundle_candidates  # noqa: F401
    import hmip_desktop.services.concerns  # noqa: F401
    import hmip_desktop.services.conflicts  # noqa: F401
    import hmip_desktop.services.coverage  # noqa: F401
    import hmip_desktop.services.urgent_notification  # noqa: F401

    names = {c.__qualname__ for c in gc.get_objects()
             if isinstance(c, type) and dataclasses.is_dataclass(c)
             and c.__module__.startswith("hmip_desktop.")}
    assert set(SHAPES) <= names


def test_shapes_keep_the_output_scripts_read() -> None:
    """The few reshaped views print what their hand-written to_json printed."""
    from hmip_desktop.domain.changes import ChangeSet
    from hmip_desktop.domain.readiness import Item, ReadinessReport
    from hmip_desktop.domain.urgent_notification import Criterion, UnDates
    from hmip_desktop.services.bundle_candidates import ImportReport
    from hmip_desktop.services.urgent_notification import UnStatus

    dates = UnDates(dt.date(2026, 1, 2), None, 3, dt.date(2026, 2, 1), "letter", 30)
    un = to_plain(UnStatus(True, ("r",), (Criterion("a", "A"), Criterion("b", "B")), ("b",),
                           "2026-01-01", dates, False, "Letter", "Response"))
    assert "ticked" not in un
    assert un["criteria"] == [{"key": "a", "label": "A", "ticked": False},
                              {"key": "b", "label": "B", "ticked": True}]
    assert un["dates"]["letter_due"] == "2026-01-02" and un["dates"]["letter_date"] is None

    report = to_plain(ImportReport((), 0, 0, ("x",), 1, "d1", "d2", None, ChangeSet()))
    assert "changes" not in report
    assert report["imported"] == 0 and report["changed"] is True
    assert report["new_conflicts"] == ["x"]

    blocker, warning = Item("c1", "blocking", "m1"), Item("c2", "warning", "m2")
    ready = to_plain(ReadinessReport("full", (), 0, 0, 0, 0, (blocker, warning)))
    assert "items" not in ready and ready["ready"] is False
    assert [i["code"] for i in ready["blockers"]] == ["c1"]
    assert [i["code"] for i in ready["warnings"]] == ["c2"]
