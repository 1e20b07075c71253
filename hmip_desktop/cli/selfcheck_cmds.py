"""`hmip self-check`."""

from __future__ import annotations

import argparse
from pathlib import Path

from hmip_desktop.cli.common import add_json, passphrase_provider, print_json
from hmip_desktop.services.selfcheck import check_file, run_checks


def register(sub: argparse._SubParsersAction) -> None:
    """Add the self-check command."""
    p = sub.add_parser("self-check", help="check keyring, SQLCipher, FTS5 and migrations",
                       description="Check that this installation can keep evidence safe. "
                       "Exit 0 when all is well.")
    p.add_argument("file", nargs="?", help="also check this inspection file: leftovers of an "
                   "interrupted import are removed and pending rebuilds done")
    add_json(p)
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    checks = run_checks()
    if args.file:
        checks += check_file(Path(args.file), provider=passphrase_provider)
    if args.json:
        print_json(checks)
    else:
        for c in checks:
            print(f"[{'ok' if c.ok else 'FAIL'}] {c.name}: {c.detail}")
    return 0 if all(c.ok for c in checks) else 1
