"""Entry point of `hmip`: builds the argument parser from the command-group modules and turns
errors into one clear line on stderr (no tracebacks for user mistakes)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

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
)

EXIT_USER_ERROR = 2
EXIT_BUG = 70


def build_parser() -> argparse.ArgumentParser:
    """The full `hmip` parser, every subcommand documented by --help."""
    import importlib

    parser = argparse.ArgumentParser(
        prog="hmip",
        description="HMIP inspection files from the command line: create, record evidence, "
        "search, inspect history, check the installation.",
    )
    parser.add_argument("--version", action="version", version=f"hmip {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the process exit code."""
    from hmip_desktop.logging_setup import configure_logging

    try:
        configure_logging()
    except OSError as exc:  # an unusable data directory: one plain line, never a traceback
        from hmip_desktop.failed_start import data_dir_problem

        print(f"hmip: {data_dir_problem(exc)}", file=sys.stderr)
        return EXIT_USER_ERROR
    parser = build_parser()
    from hmip_desktop.services.inspections import ensure_device

    ensure_device()
    from hmip_desktop.cli.common import install_lock_notice

    install_lock_notice()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
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


if __name__ == "__main__":
    sys.exit(main())
