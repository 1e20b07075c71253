"""`hmip settings recovery-key` and `hmip recover`."""

from __future__ import annotations

import argparse
from pathlib import Path

from hmip_desktop.cli.common import add_file, passphrase_provider
from hmip_desktop.services import settings


def register(sub: argparse._SubParsersAction) -> None:
    """Add the settings and recovery commands."""
    p = sub.add_parser("settings", help="show or change settings",
                       description="Settings of this installation.")
    ssub = p.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    r = ssub.add_parser("recovery-key", help="set, clear or show the organisation recovery key",
                        description="The organisation's recovery recipient (an age X25519 "
                        "public key, 'age1…'). Every NEW inspection file's key is also "
                        "wrapped to it, so a lost keyring does not mean lost evidence.")
    group = r.add_mutually_exclusive_group()
    group.add_argument("recipient", nargs="?", help="the age1… recipient to set")
    group.add_argument("--clear", action="store_true", help="stop wrapping new keys to it")
    r.set_defaults(func=_recovery_key)

    p = sub.add_parser("recover", help="restore a file's key with the recovery identity",
                       description="Put an inspection file's key on this computer again "
                       "(keyring, or passphrase file) using the organisation's recovery "
                       "identity. Only works for files created while a recovery key was set.")
    add_file(p)
    p.add_argument("--identity-file", required=True,
                   help="file holding the AGE-SECRET-KEY-… recovery identity")
    p.set_defaults(func=_recover)


def _recovery_key(args: argparse.Namespace) -> int:
    if args.clear:
        settings.set_recovery_recipient(None)
        print("recovery key cleared (existing files keep their recovery wrap)")
    elif args.recipient:
        settings.set_recovery_recipient(args.recipient)
        print("recovery key set: new inspection files will also be wrapped to it")
    else:
        print(settings.recovery_recipient() or "no recovery key set")
    return 0


def _recover(args: argparse.Namespace) -> int:
    source = settings.restore_access(Path(args.file), Path(args.identity_file),
                                     passphrase_provider)
    print(f"key restored ({source}); the file can be opened on this computer")
    return 0
