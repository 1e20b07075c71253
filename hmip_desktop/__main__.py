"""`python -m hmip_desktop` and `hmip-desktop`: start the GUI."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Parse GUI options, then run the app."""
    parser = argparse.ArgumentParser(prog="hmip-desktop", description="HMIP inspection tool")
    parser.add_argument("file", nargs="?", help="an inspection file (.hmip) to open")
    parser.add_argument("--data-dir", help="use this data directory (same as HMIP_HOME)")
    parser.add_argument("--self-check", action="store_true",
                        help="check keyring, SQLCipher, FTS5 and migrations, then exit")
    args = parser.parse_args(argv)
    if args.data_dir:
        os.environ["HMIP_HOME"] = str(Path(args.data_dir).resolve())
    if args.self_check:
        from hmip_desktop.cli.main import main as cli_main

        return cli_main(["self-check"])
    from hmip_desktop.app import run

    return run(Path(args.file) if args.file else None)


if __name__ == "__main__":
    sys.exit(main())
