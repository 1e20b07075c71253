"""`hmip <command>` imports only the module of that command; `hmip --version` imports none."""

from __future__ import annotations

import argparse
import importlib
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
        importlib.import_module(name).register(sub)
        for action in sub._choices_actions:
            registered[action.dest] = name.rsplit(".", 1)[1]
    assert registered == cli.COMMAND_GROUPS


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
