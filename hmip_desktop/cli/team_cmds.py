"""`hmip team add | list | remove | invite` and `hmip join`."""

from __future__ import annotations

import argparse
from pathlib import Path

from hmip_desktop.cli.common import (
    add_file,
    add_json,
    device_keys,
    key_arg,
    open_store,
    passphrase_provider,
    print_json,
)
from hmip_desktop.cli.table import print_table
from hmip_desktop.domain.errors import plain_text
from hmip_desktop.domain.roster import ROLES
from hmip_desktop.domain.wording import plural
from hmip_desktop.services import identity, join, team


def register(sub: argparse._SubParsersAction) -> None:
    """Add the team commands and `join`."""
    t = sub.add_parser("team", help="set up and manage the inspection team",
                       description="The team roster: members added from identity cards, "
                       "removals, and the invite that lets members join.")
    tsub = t.add_subparsers(dest="team_command", metavar="ACTION", required=True)

    p = tsub.add_parser("add", help="add members from their identity cards (team leader)")
    add_file(p)
    p.add_argument("cards", nargs="+", metavar="CARD")
    p.add_argument("--role", type=key_arg, choices=sorted(ROLES), help="role for these members "
                   "(default: the role on each card)")
    p.set_defaults(func=_add)

    p = tsub.add_parser("list", help="list the team",
                        description="Each member's id (for 'team remove'), fingerprint, role "
                        "and name. With --json each member also carries author_id: the "
                        "author_id (inspector_id for scores) that note, finding and score "
                        "--json output names, so a script can join them.")
    add_file(p)
    add_json(p, help="print JSON (members[].author_id joins the author_id of 'note list "
             "--json')")
    p.set_defaults(func=_list)

    p = tsub.add_parser("remove", help="remove a member (team leader)",
                        description="Later bundles are not encrypted to them, attachments "
                        "added afterwards use a new team key, and any change of theirs this "
                        "file had not received by the removal is refused, whatever its date.")
    add_file(p)
    p.add_argument("member", help="member id, device id, fingerprint or exact name")
    p.set_defaults(func=_remove)

    p = tsub.add_parser("invite", help="write the invite for the team (team leader)")
    add_file(p)
    p.add_argument("--out", required=True, help="invite file to write")
    p.set_defaults(func=_invite)

    p = sub.add_parser("join", help="create your inspection file from the leader's invite",
                       description="Creates a new encrypted inspection file from an invite. "
                       "Compare the leader's fingerprint it prints with the team leader.")
    p.add_argument("invite")
    p.add_argument("--out", required=True, help="path of the new .hmip file")
    p.add_argument("--leader-fingerprint", help="refuse unless the leader's fingerprint is this")
    add_json(p)
    p.set_defaults(func=_join)


def _add(args: argparse.Namespace) -> int:
    cards = [identity.read_card(Path(c)) for c in args.cards]
    keys = device_keys()
    with open_store(args.file) as store:
        changes = team.add_members(store, cards, keys=keys, role=args.role)
    print(f"team updated ({plural(len(changes.ids), 'roster entry', 'roster entries')} "
          "written)")
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        view = team.roster_view(store)
    if args.json:
        print_json(view)
        return 0
    rows = []
    for m in view.members:
        flags = " (you)" if m.is_me else ""
        status = "" if m.status == "active" else f"  REMOVED {m.removed_at}"
        name = plain_text(m.name)  # another laptop's text, on a terminal
        rows.append((m.member_id, m.fingerprint, m.role_label, f"{name}{flags}{status}"))
    print_table(rows)
    if not view.members:
        print("no team yet: add members with 'hmip team add FILE CARD...'")
    return 0


def _remove(args: argparse.Namespace) -> int:
    keys = device_keys()
    with open_store(args.file) as store:
        changes = team.remove_member(store, args.member, keys=keys)
    print("member removed" if changes.ids else "member was already removed")
    return 0


def _invite(args: argparse.Namespace) -> int:
    keys = device_keys()
    with open_store(args.file) as store:
        report = team.write_invite(store, Path(args.out), keys=keys)
    print(f"invite written to {args.out} for {plural(report.recipients, 'recipient')}")
    print(f"Your fingerprint: {report.fingerprint} (members compare it when they join)")
    return 0


def _join(args: argparse.Namespace) -> int:
    keys = device_keys()
    result = join.join(Path(args.invite), Path(args.out), keys=keys,
                       provider=passphrase_provider, expect_fingerprint=args.leader_fingerprint)
    if args.json:
        print_json(result)
        return 0
    print(f"joined: created {result.path} (inspection {result.inspection_id}, "
          f"{plural(result.members, 'team member')})")
    print(f"Team leader fingerprint: {result.leader_fingerprint} (check it with the leader)")
    return 0
