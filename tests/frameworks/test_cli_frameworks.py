"""`hmip frameworks ...` handlers, called through a fresh argparse parser."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from hmip_desktop.cli import frameworks_cmds
from hmip_desktop.domain.errors import ImportFormatError, NotFoundError, UserError
from hmip_desktop.services.frameworks import FrameworkService
from tests.frameworks.conftest import HEADER, snapshot


@pytest.fixture
def run(hmip_home: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str]]:
    """Parse argv with only the frameworks group registered, run the handler."""
    parser = argparse.ArgumentParser(prog="hmip")
    frameworks_cmds.register(parser.add_subparsers(dest="command", required=True))

    def invoke(*argv: str) -> tuple[int, str]:
        args = parser.parse_args(["frameworks", *argv])
        code = args.func(args)
        return code, capsys.readouterr().out

    return invoke


def test_list_text_and_json(run: Callable[..., tuple[int, str]]) -> None:
    """list prints every framework; --json parses and carries ids and versions."""
    code, out = run("list")
    assert code == 0 and "men-prisons" in out and "police-custody" in out
    code, out = run("list", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 17
    men = next(r for r in rows if r["id"] == "men-prisons")
    assert men["version"] == "6" and men["establishment_types"] == ["mens_prison",
                                                                   "young_adults_yoi"]
    code, out = run("list", "--type", "irc", "--json")
    assert [r["id"] for r in json.loads(out)] == ["immigration-removal-centres"]


def test_list_columns_fit_their_longest_cell(run: Callable[..., tuple[int, str]],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared table formatter sizes every column (cli/table.py, as `hmip team list`): a
    long status or a four-digit count keeps TYPES in line; title and date sit under VERSION."""
    from dataclasses import replace

    from hmip_desktop.cli.table import GAP

    real = FrameworkService.list_frameworks

    def listed(self, etype=None):  # type: ignore[no-untyped-def]
        rows = real(self, etype)
        return [replace(rows[0], status="withdrawn-locally", expectation_count=1234), *rows[1:]]

    monkeypatch.setattr(FrameworkService, "list_frameworks", listed)
    code, out = run("list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["ID", "VERSION", "STATUS", "EXP", "TYPES"]
    rows = [line for line in lines[1:] if not line.startswith(" ")]
    notes = [line for line in lines[1:] if line.startswith(" ")]
    types_at = lines[0].index("TYPES")
    exp_end = lines[0].index("EXP") + len("EXP")
    assert all(line[types_at - len(GAP) - 1] != " " and line[types_at - 1] == " "
               and line[types_at] != " " for line in rows), out
    assert " 1234  " in rows[0] and rows[0].index("1234") + 4 == exp_end, out
    version_at = lines[0].index("VERSION")
    assert notes and all(len(n) - len(n.lstrip()) == version_at for n in notes), out
    assert any("in force from" in n for n in notes) and all(n == n.rstrip() for n in lines)


def test_show_text_and_json(run: Callable[..., tuple[int, str]]) -> None:
    """show prints the outline; --json is the canonical framework dict."""
    code, out = run("show", "children-custody")
    assert code == 0 and "[respect] Care (scored)" in out and "not scored" in out
    code, out = run("show", "men-prisons", "--version", "5", "--json")
    data = json.loads(out)
    assert code == 0 and data["id"] == "men-prisons" and data["scale"]["key"] == "hmip4"
    with pytest.raises(NotFoundError):
        run("show", "men-prisons", "--version", "42")


def test_import_csv_then_export_and_reimport(run: Callable[..., tuple[int, str]],
                                             tmp_path: Path) -> None:
    """import creates a user framework; export then import of the same id gets a new version."""
    src = tmp_path / "local.csv"
    src.write_text(HEADER + "Safety,Arrival,,1,Arrival,,a | b\n", encoding="utf-8")
    code, out = run("import", str(src), "--id", "local-men", "--title", "Local men",
                    "--type", "mens_prison", "young_adults_yoi")
    assert code == 0 and "Imported local-men version 1" in out
    out_csv = tmp_path / "out.csv"
    code, out = run("export", "local-men", "--out", str(out_csv))
    assert code == 0 and out_csv.exists() and "version 1" in out
    code, out = run("import", str(out_csv), "--id", "local-men", "--json")
    assert code == 0 and json.loads(out)["version"] == "1-imported-1"
    shown = json.loads(run("show", "local-men", "--version", "1", "--json")[1])
    again = json.loads(run("show", "local-men", "--json")[1])
    assert again["version"] == "1-imported-1"
    assert again["sections"] == shown["sections"]
    assert shown["establishment_types"] == ["mens_prison", "young_adults_yoi"]


def test_import_json_over_shipped_version_is_renamed(run: Callable[..., tuple[int, str]],
                                                     tmp_path: Path) -> None:
    """Importing a shipped framework's JSON says the import got its own version."""
    out_json = tmp_path / "irc.json"
    run("export", "immigration-removal-centres", "--out", str(out_json))
    code, out = run("import", str(out_json))
    assert code == 0 and "version 4-imported-1" in out and "nothing was overwritten" in out


def test_dry_run_lists_all_problems_and_writes_nothing(
        run: Callable[..., tuple[int, str]], tmp_path: Path, hmip_home: Path) -> None:
    """--dry-run prints every bad row, exits 2, and writes nothing."""
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Safety,A,,1,One,,\nSafety,A,,1,Two,,\nSafety,A,,2,,,\n",
                   encoding="utf-8")
    code, out = run("import", str(bad), "--id", "x-fw", "--title", "X", "--type", "irc",
                    "--dry-run", "--json")
    report = json.loads(out)
    assert code == 2 and report["ok"] is False
    assert [(p["row"], p["column"]) for p in report["problems"]] == [(3, "number"),
                                                                    (4, "title")]
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "Safety,A,,1,One,,\n", encoding="utf-8")
    code, out = run("import", str(good), "--id", "x-fw", "--title", "X", "--type", "irc",
                    "--dry-run")
    assert code == 0 and "Would import x-fw version 1" in out and "added" in out
    assert snapshot(hmip_home / "frameworks") == {}


def test_user_mistakes_raise_user_errors(run: Callable[..., tuple[int, str]],
                                         tmp_path: Path) -> None:
    """Bad rows and bad options raise the errors main.py turns into exit code 2."""
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"test,area\n")
    with pytest.raises(ImportFormatError, match="row 1"):
        run("import", str(bad), "--id", "x-fw", "--title", "X", "--type", "irc")
    with pytest.raises(UserError, match="--id"):
        run("import", str(bad))
    with pytest.raises(UserError, match=r"\.json or \.csv"):
        run("export", "men-prisons", "--out", str(tmp_path / "x.pdf"))


def test_service_preview_and_resolve_for_new(hmip_home: Path, tmp_path: Path) -> None:
    """The service previews additions and resolves the framework for a new inspection."""
    service = FrameworkService()
    src = tmp_path / "p.csv"
    src.write_text(HEADER + "Safety,Early days in custody,,1,Changed title,,\n"
                   "Safety,Early days in custody,,3,Brand new,,\n", encoding="utf-8")
    preview = service.import_preview(src, framework_id="men-prisons")
    assert preview.ok and preview.renamed and preview.base is not None
    changes = {(line.number, line.change) for line in preview.lines if line.number}
    assert ("1", "changed") in changes and ("3", "added") in changes
    assert ("80", "unchanged") in changes
    assert [line.number for line in preview.additions if line.number] == ["3"]
    assert snapshot(hmip_home / "frameworks") == {}
    pinned = service.resolve_for_new("young_adults_yoi", start_date="2019-03-04")
    assert (pinned["id"], pinned["version"]) == ("men-prisons", "5")  # in force in 2019
    assert ("irc", "Immigration removal centre") in service.establishment_types()
    with pytest.raises(UserError, match="does not apply"):
        service.resolve_for_new("irc", "men-prisons")


def test_a_text_over_its_limit_is_refused_naming_field_and_limit(
        run: Callable[..., tuple[int, str]], tmp_path: Path, hmip_home: Path) -> None:
    """A 5 MB title is refused (the schema bounds every text), not quoted back."""
    path = tmp_path / "irc.json"
    run("export", "immigration-removal-centres", "--out", str(path))
    data = json.loads(path.read_text(encoding="utf-8"))
    data["title"] = "x" * 5_000_000
    data["sections"][0]["label"] = "y" * 501
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(UserError) as refused:
        run("import", str(path))
    message = str(refused.value)
    assert "$.sections[0].label" in message or "$.title" in message
    assert "longer than the limit of 500" in message and "xxxxxxxxxx" not in message
    assert len(message) < 300
    assert snapshot(hmip_home / "frameworks") == {}
