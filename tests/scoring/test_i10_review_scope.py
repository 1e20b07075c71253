"""Independent reviews of progress (issue 10): only where the framework data says reviews
apply (prisons and YOIs), and the pre-2022 follow-up scale for older recommendation reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.services.frameworks import FrameworkService
from hmip_desktop.services.inspections import create_inspection, open_inspection
from hmip_desktop.services.previous import PreviousService
from tests.report.support import cli_runner


def test_a_review_for_an_irc_is_refused_naming_the_type(tmp_path: Path, capsys) -> None:
    fw = FrameworkService().resolve_for_new("irc", None, None)
    with pytest.raises(ValidationError, match="prisons and young offender institutions only"):
        create_inspection(tmp_path / "irc.hmip", establishment_name="IRC Test",
                          establishment_type="irc", framework=fw, kind="irp")
    assert not (tmp_path / "irc.hmip").exists()
    run = cli_runner(capsys)
    out = run("new", tmp_path / "irc2.hmip", "--establishment", "IRC Test", "--type", "irc",
              "--kind", "irp")
    assert out.code == 2 and "Immigration removal centre" in out.err, out.err
    assert "only" in out.err and "\n" == out.err[-1] and out.err.count("\n") == 1


def test_a_review_of_an_older_report_follows_recommendations(tmp_path: Path, capsys) -> None:
    """--follows a 2019 inspection picks achieved / partially achieved / not achieved; a
    2024 one keeps the framework's progress scale; --follow-up-scale chooses explicitly."""
    run = cli_runner(capsys)
    for year in ("2019", "2024"):
        assert run("new", tmp_path / f"full{year}.hmip", "--establishment", "HMP Wandsworth",
                   "--type", "mens-prison", "--start", f"{year}-04-08", "--end",
                   f"{year}-04-19", "--nation", "england").code == 0
        assert run("concern", "add", tmp_path / f"full{year}.hmip", "--title", "Violence",
                   "--body", "Too high.", "--test", "safety").code == 0
        out = run("new", tmp_path / f"irp{year}.hmip", "--kind", "irp", "--follows",
                  tmp_path / f"full{year}.hmip")
        assert out.code == 0, out.err
    with open_inspection(tmp_path / "irp2019.hmip") as old, \
            open_inspection(tmp_path / "irp2024.hmip") as new:
        old_levels = [lv.key for lv in PreviousService(old).progress_scale().levels]
        new_levels = [lv.key for lv in PreviousService(new).progress_scale().levels]
    assert old_levels == ["achieved", "partially_achieved", "not_achieved"]
    assert new_levels[0] == "good_progress"
    item = run("previous", "list", tmp_path / "irp2019.hmip", "--json")
    assert item.code == 0, item.err
    judged = run("progress", "set", tmp_path / "irp2019.hmip", "--previous", "1",
                 "--judgement", "partially-achieved", "--rationale", "Some steps taken.")
    assert judged.code == 0, judged.err
    explicit = run("new", tmp_path / "irp-x.hmip", "--kind", "irp", "--follows",
                   tmp_path / "full2024.hmip", "--follow-up-scale", "recommendations")
    assert explicit.code == 0, explicit.err
    with open_inspection(tmp_path / "irp-x.hmip") as review:
        assert PreviousService(review).progress_scale().levels[0].key == "achieved"
    bad = run("new", tmp_path / "irp-y.hmip", "--kind", "irp", "--follows",
              tmp_path / "full2024.hmip", "--follow-up-scale", "stars")
    assert bad.code == 2 and "follow-up scale must be one of" in bad.err


def test_a_full_inspection_after_an_older_report_follows_recommendations(
        tmp_path: Path, capsys) -> None:
    """A full inspection whose last report (before May 2022) made recommendations judges
    them achieved / partially achieved / not achieved (hmip-method.md §6.1, appendix II); the
    default stays the framework's progress scale."""
    run = cli_runner(capsys)
    base = ("--establishment", "HMP Lewes", "--type", "mens_prison", "--start", "2023-03-06",
            "--end", "2023-03-17")
    assert run("new", tmp_path / "older.hmip", *base, "--follow-up-scale",
               "recommendations").code == 0
    assert run("new", tmp_path / "newer.hmip", *base).code == 0
    with open_inspection(tmp_path / "older.hmip") as older, \
            open_inspection(tmp_path / "newer.hmip") as newer:
        assert PreviousService(older).progress_scale().levels[0].key == "achieved"
        assert PreviousService(newer).progress_scale().levels[0].key == "good_progress"
    assert "Follow-up:       Recommendations" in run("info", tmp_path / "older.hmip").out
    assert "Follow-up:" not in run("info", tmp_path / "newer.hmip").out
    for name in ("older.hmip", "newer.hmip"):
        added = run("previous", "add", tmp_path / name, "--ref", "S47", "--title",
                    "Violence reduction", "--text", "A strategy should be in place.")
        assert added.code == 0, added.err
    judged = run("progress", "set", tmp_path / "older.hmip", "--previous", "S47",
                 "--judgement", "not-achieved", "--rationale", "No strategy yet.")
    assert judged.code == 0, judged.err
    refused = run("progress", "set", tmp_path / "newer.hmip", "--previous", "S47",
                  "--judgement", "achieved", "--rationale", "x")
    assert refused.code == 2 and "Not a level of the scale" in refused.err, refused.err


def test_a_new_inspection_name_is_one_line_within_the_limit(tmp_path: Path, capsys) -> None:
    """The establishment name heads every page: over 200 characters, or with a line break,
    it is refused naming the limit, and no file is made."""
    run = cli_runner(capsys)
    for name, words in (("H" * 201, "the limit is 200"), ("HMP\nLewes", "one line"),
                        ("   ", "required")):
        out = run("new", tmp_path / "x.hmip", "--establishment", name, "--type",
                  "mens-prison")
        assert out.code == 2 and words in out.err, out.err
        assert not (tmp_path / "x.hmip").exists()
    assert run("new", tmp_path / "ok.hmip", "--establishment", " HMP/YOI Chelmsford ",
               "--type", "mens-prison").code == 0
