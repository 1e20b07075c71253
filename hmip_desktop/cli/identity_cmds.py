"""`hmip identity show | export | set`: this installation's sync identity card."""

from __future__ import annotations

import argparse
from pathlib import Path

from hmip_desktop.cli.common import add_json, key_arg, passphrase_provider, print_json
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.roster import ROLES
from hmip_desktop.services import identity


def register(sub: argparse._SubParsersAction) -> None:
    """Add the identity command group."""
    ident = sub.add_parser("identity", help="this device's sync identity card",
                           description="The public identity card (name, role, keys and a "
                           "fingerprint to read aloud) that the team leader adds to the team.")
    isub = ident.add_subparsers(dest="identity_command", metavar="ACTION", required=True)

    p = isub.add_parser("show", help="show the identity card (keys are made on first use)")
    add_json(p)
    p.set_defaults(func=_show)

    p = isub.add_parser("export", help="write the identity card to a file for the team leader")
    p.add_argument("--out", required=True, help="card file to write (e.g. me.hmipcard)")
    p.set_defaults(func=_export)

    p = isub.add_parser("set", help="change the name or role shown on the card")
    p.add_argument("--name", help="your name as the team should see it")
    p.add_argument("--role", type=key_arg, choices=sorted(ROLES), help="your role in inspections")
    p.set_defaults(func=_set)


def _print_card(card: identity.IdentityCard) -> None:
    print(f"Name:        {card.name}")
    print(f"Role:        {ROLES.get(card.role, card.role)}")
    print(f"Device:      {card.device_id}")
    print(f"Fingerprint: {card.fingerprint}")


def _show(args: argparse.Namespace) -> int:
    card = identity.my_card(passphrase_provider)
    if args.json:
        print_json(card.to_json())  # the card exactly as `identity export` writes it
    else:
        _print_card(card)
    return 0


def _export(args: argparse.Namespace) -> int:
    card = identity.export_card(Path(args.out), passphrase_provider)
    print(f"identity card written to {args.out}")
    print(f"Fingerprint: {card.fingerprint} (read it aloud to the team leader)")
    return 0


def _set(args: argparse.Namespace) -> int:
    if args.name is None and args.role is None:
        raise ValidationError("Nothing to change: give --name and/or --role.")
    identity.set_profile(name=args.name, role=args.role)
    _print_card(identity.my_card(passphrase_provider))
    return 0
