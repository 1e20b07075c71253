"""Entry point of `hmip`: builds the argument parser from the command-group modules and turns
errors into one clear line on stderr (no tracebacks for user mistakes)."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from types import ModuleType

from hmip_desktop import __version__
from hmip_desktop.domain.errors import Cancelled, UserError

# Each module exposes register(subparsers); its handlers are set with set_defaults(func=...).
COMMAND_MODULES = (
    "hmip_desktop.cli.inspection_cmds",
    "hmip_desktop.cli.note_cmds",
    "hmip_desktop.cli.frameworks_cmds",
    "hmip_desktop.cli.selfcheck_cmds",
    "hmip_desktop.cli.settings_cmds",
    "hmip_desktop.cli.scoring_cmds",
    "hmip_desktop.cli.concern_cmds",
    "hmip_desktop.cli.review_cmds",
    "hmip_desktop.cli.identity_cmds",
    "hmip_desktop.cli.team_cmds",
    "hmip_desktop.cli.bundle_cmds",
    "hmip_desktop.cli.doc_cmds",
    "hmip_desktop.cli.extract_cmds",
    "hmip_desktop.cli.link_cmds",
    "hmip_desktop.cli.coverage_cmds",
    "hmip_desktop.cli.finding_cmds",
    "hmip_desktop.cli.report_cmds",
    "hmip_desktop.cli.status_cmds",
)


def load_command_module(name: str) -> ModuleType:
    """Import one command module of COMMAND_MODULES by name. The imports are plain statements,
    one per module (so import-linter and grimp see them), made only when the command needs
    them: `hmip --version` imports none, `hmip note …` only note_cmds."""
    match name:
        case "hmip_desktop.cli.inspection_cmds":
            from hmip_desktop.cli import inspection_cmds as module
        case "hmip_desktop.cli.note_cmds":
            from hmip_desktop.cli import note_cmds as module
        case "hmip_desktop.cli.frameworks_cmds":
            from hmip_desktop.cli import frameworks_cmds as module
        case "hmip_desktop.cli.selfcheck_cmds":
            from hmip_desktop.cli import selfcheck_cmds as module
        case "hmip_desktop.cli.settings_cmds":
            from hmip_desktop.cli import settings_cmds as module
        case "hmip_desktop.cli.scoring_cmds":
            from hmip_desktop.cli import scoring_cmds as module
        case "hmip_desktop.cli.concern_cmds":
            from hmip_desktop.cli import concern_cmds as module
        case "hmip_desktop.cli.review_cmds":
            from hmip_desktop.cli import review_cmds as module
        case "hmip_desktop.cli.identity_cmds":
            from hmip_desktop.cli import identity_cmds as module
        case "hmip_desktop.cli.team_cmds":
            from hmip_desktop.cli import team_cmds as module
        case "hmip_desktop.cli.bundle_cmds":
            from hmip_desktop.cli import bundle_cmds as module
        case "hmip_desktop.cli.doc_cmds":
            from hmip_desktop.cli import doc_cmds as module
        case "hmip_desktop.cli.extract_cmds":
            from hmip_desktop.cli import extract_cmds as module
        case "hmip_desktop.cli.link_cmds":
            from hmip_desktop.cli import link_cmds as module
        case "hmip_desktop.cli.coverage_cmds":
            from hmip_desktop.cli import coverage_cmds as module
        case "hmip_desktop.cli.finding_cmds":
            from hmip_desktop.cli import finding_cmds as module
        case "hmip_desktop.cli.report_cmds":
            from hmip_desktop.cli import report_cmds as module
        case "hmip_desktop.cli.status_cmds":
            from hmip_desktop.cli import status_cmds as module
        case _:
            raise KeyError(name)
    return module


# Which module registers each top-level command, so `hmip <command> …` imports only that module
# (and `hmip --version` none). A command missing here still works: the full parser is built.
# tests/cli/test_lazy_parser.py checks this table against COMMAND_MODULES.
COMMAND_GROUPS = {
    "new": "inspection_cmds", "info": "inspection_cmds", "history": "inspection_cmds",
    "search": "inspection_cmds", "note": "note_cmds", "frameworks": "frameworks_cmds",
    "self-check": "selfcheck_cmds", "settings": "settings_cmds", "recover": "settings_cmds",
    "score": "scoring_cmds", "concern": "concern_cmds", "npp": "concern_cmds",
    "previous": "review_cmds", "progress": "review_cmds", "un": "review_cmds",
    "readiness": "review_cmds", "identity": "identity_cmds", "team": "team_cmds",
    "join": "team_cmds", "bundle": "bundle_cmds", "conflicts": "bundle_cmds",
    "resolve": "bundle_cmds", "doc": "doc_cmds", "extract": "extract_cmds",
    "figure": "extract_cmds", "link": "link_cmds", "coverage": "coverage_cmds",
    "finding": "finding_cmds", "report": "report_cmds", "status": "status_cmds",
    "education": "status_cmds",
}

EXIT_USER_ERROR = 2
EXIT_BUG = 70
# The reader closed stdout (`hmip … | head`): 128 + SIGPIPE, what the shell reports for a C tool
# that SIGPIPE ended, so a script can still tell the output was cut short; without pipefail
# the pipeline's status is head's anyway.
EXIT_BROKEN_PIPE = 141


def _modules_for(argv: Sequence[str] | None) -> tuple[str, ...]:
    """The command modules `argv` needs: none for a bare --version, the chosen command's
    module, or every module (no argv, --help before the command, an unknown command)."""
    if argv is None:
        return COMMAND_MODULES
    command = next((a for a in argv if not a.startswith("-")), None)
    head = list(argv if command is None else argv[: list(argv).index(command)])
    if any(a in ("-h", "--help") for a in head):
        return COMMAND_MODULES
    if command is None:
        return () if any(a == "--version" for a in head) else COMMAND_MODULES
    module = COMMAND_GROUPS.get(command)
    full = f"hmip_desktop.cli.{module}"
    return (full,) if module is not None and full in COMMAND_MODULES else COMMAND_MODULES


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The `hmip` parser. Without argv, every subcommand (what --help lists); with argv, only
    the module of the command it names, so a command does not import all the others."""
    modules = _modules_for(argv)
    parser = argparse.ArgumentParser(
        prog="hmip",
        description="HMIP inspection files from the command line: create, record evidence, "
        "search, inspect history, check the installation.",
    )
    parser.add_argument("--version", action="version", version=f"hmip {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in modules:
        load_command_module(name).register(sub)
    if not modules:  # a bare --version: answer before main() sets up the device
        parser.parse_args(argv)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the process exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    if words == ["--version"]:  # answered before logging and the device exist: it needs neither
        print(f"hmip {__version__}")
        return 0
    # Run as the `hmip` program (argv None), as the GUI's entry point does: no cyclic
    # collection while the modules load, and what they made frozen before the command runs,
    # so neither the command's collections nor the interpreter's at exit walk it again
    # (measured on `hmip note list`: about 180 ms of a 1.1 s run went to collections that
    # found nothing to free). A caller in the same process (tests) keeps its collector as is.
    program = argv is None
    if program:
        gc.disable()
    try:
        return _run(argv, words, program=program)
    finally:
        if program:
            gc.enable()


def _run(argv: Sequence[str] | None, words: list[str], *, program: bool) -> int:
    """main() after --version: logging, the command's parser, the device, then the command."""
    if program:  # the key of the file it names is found in a child meanwhile
        from hmip_desktop.services import startup

        startup.begin_unlock_for_command(words)
    from hmip_desktop.logging_setup import configure_logging

    try:
        configure_logging()
    except OSError as exc:  # an unusable data directory: one plain line, never a traceback
        from hmip_desktop.failed_start import data_dir_problem

        print(f"hmip: {data_dir_problem(exc)}", file=sys.stderr)
        return EXIT_USER_ERROR
    parser = build_parser(words)
    from hmip_desktop.services.inspections import ensure_device

    try:
        ensure_device()
    except UserError as exc:  # a damaged device.json: one line with advice, before any command
        print(f"hmip: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    from hmip_desktop.cli.common import install_lock_notice

    install_lock_notice()
    args = parser.parse_args(argv)
    if program:  # the modules are loaded: start-up is over (see main)
        gc.freeze()
        gc.enable()
    try:
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except UserError as exc:
        print(f"hmip: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except Cancelled:
        print("hmip: cancelled; nothing was changed", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("hmip: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a full disk or a permission problem, else a bug
        import logging  # here, not at the top: `hmip --version` needs no logging (issue 11)

        from hmip_desktop.cli.common import explain_environment_error

        where = getattr(args, "out", None) or getattr(args, "file", None)
        line = explain_environment_error(exc, where if isinstance(where, str) else None)
        if line is not None:
            logging.getLogger(__name__).warning("hmip %s: %s", args.command, type(exc).__name__)
            print(f"hmip: {args.command} could not finish: {line}", file=sys.stderr)
            return EXIT_USER_ERROR
        logging.getLogger(__name__).exception("unexpected error in hmip %s", args.command)
        print(
            "hmip: unexpected internal error; details are in the log file "
            "(run 'hmip self-check' to see where)",
            file=sys.stderr,
        )
        return EXIT_BUG
    return int(code or 0)


def _silence_stdout() -> None:
    """Point stdout at devnull, so nothing more (nor Python's exit flush) writes to the
    closed pipe and no 'Exception ignored … BrokenPipeError' reaches stderr."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout is not a file (tests capture it)
        pass


if __name__ == "__main__":
    sys.exit(main())
