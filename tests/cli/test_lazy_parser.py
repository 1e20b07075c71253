"""`hmip <command>` imports only the module of that command; `hmip --version` imports none."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

from hmip_desktop.cli import main as cli


def test_command_table_matches_the_modules() -> None:
    """Every command a module registers is in COMMAND_GROUPS, pointing at that module."""
    registered = {}
    for name in cli.COMMAND_MODULES:
        sub = argparse.ArgumentParser().add_subparsers()
        cli.load_command_module(name).register(sub)
        for action in sub._choices_actions:
            registered[action.dest] = name.rsplit(".", 1)[1]
    assert registered == cli.COMMAND_GROUPS


def test_every_command_module_is_loaded_by_its_own_import() -> None:
    """load_command_module gives the module of that name, for every module of the table, and
    every *_cmds module of the package is in the table (action_plan_cmds: report_cmds adds it)."""
    from pathlib import Path

    for name in cli.COMMAND_MODULES:
        assert cli.load_command_module(name).__name__ == name
    with pytest.raises(KeyError):
        cli.load_command_module("hmip_desktop.cli.not_a_module")
    here = Path(cli.__file__).parent
    modules = {f"hmip_desktop.cli.{p.stem}" for p in here.glob("*_cmds.py")}
    assert modules - set(cli.COMMAND_MODULES) == {"hmip_desktop.cli.action_plan_cmds"}


def test_the_imports_are_visible_to_import_linter() -> None:
    """grimp (import-linter's graph) sees cli.main import every command module: the contracts
    and the layer cycle test cover them."""
    import grimp

    graph = grimp.build_graph("hmip_desktop")
    imported = graph.find_modules_directly_imported_by("hmip_desktop.cli.main")
    assert set(cli.COMMAND_MODULES) <= imported


def test_help_lists_every_command() -> None:
    parser = cli.build_parser(["--help"])
    text = parser.format_help()
    for command in cli.COMMAND_GROUPS:
        assert command in text


@pytest.mark.parametrize("argv,expected", [
    (["note", "list", "x.hmip"], ("hmip_desktop.cli.note_cmds",)),
    (["--version"], ()),
    (["-h"], None),
    (["not-a-command"], None),
    ([], None),
])
def test_modules_for(argv: list[str], expected: tuple[str, ...] | None) -> None:
    assert cli._modules_for(argv) == (cli.COMMAND_MODULES if expected is None else expected)


def test_version_imports_no_command_module(tmp_path) -> None:  # type: ignore[no-untyped-def]
    code = ("import sys\nfrom hmip_desktop.cli.main import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('hmip_desktop.cli.')))\n"
            "print('sqlalchemy' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "HMIP_HOME": str(tmp_path)}).stdout
    assert out.startswith("hmip ")
    assert "note_cmds" not in out and "inspection_cmds" not in out
    assert out.strip().splitlines()[-1] == "False"


def test_note_imports_only_note_cmds(tmp_path) -> None:  # type: ignore[no-untyped-def]
    code = ("import sys\nfrom hmip_desktop.cli.main import main\n"
            "try:\n    main(['note', '--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.endswith('_cmds')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "HMIP_HOME": str(tmp_path)}).stdout
    assert out.strip().splitlines()[-1] == "['hmip_desktop.cli.note_cmds']"
