"""`hmip score set | list | withdraw`."""

from __future__ import annotations

import argparse

from hmip_desktop.cli.common import add_file, add_json, key_arg, open_store, print_json
from hmip_desktop.domain.ids import short_id
from hmip_desktop.services.scoring import ScoreView, ScoringService


def register(sub: argparse._SubParsersAction) -> None:
    """Add the score command group."""
    score = sub.add_parser("score", help="record and list section scores",
                           description="Provisional scores per inspector and the team's "
                           "agreed score for each judged section, on the framework's scale.")
    ssub = score.add_subparsers(dest="score_command", metavar="ACTION", required=True)

    p = ssub.add_parser("set", help="record this inspector's provisional score (or the agreed "
                        "score with --agreed)")
    add_file(p)
    p.add_argument("--test", required=True, type=key_arg, metavar="KEY",
                   help="section key of the healthy prison test, e.g. safety")
    p.add_argument("--score", required=True, metavar="N|LEVEL_KEY",
                   help="a level of the framework's scale: its value (e.g. 3) or its key "
                   "(e.g. reasonably_good)")
    p.add_argument("--rationale", required=True, help="why this score (required)")
    p.add_argument("--agreed", action="store_true",
                   help="record the team's agreed score (team leader)")
    p.add_argument("--evidence", action="extend", nargs="+", default=[], metavar="ID",
                   help="ids of notes, documents, extracts or figures the score rests on")
    p.set_defaults(func=_set)

    p = ssub.add_parser("withdraw", help="withdraw this inspector's provisional score",
                        description="Withdraw your provisional score of a section: it leaves "
                        "the team view (its history stays); 'hmip score set' records one again.")
    add_file(p)
    p.add_argument("--test", required=True, type=key_arg, metavar="KEY",
                   help="section key of the healthy prison test, e.g. safety")
    p.set_defaults(func=_withdraw)

    p = ssub.add_parser("list", help="every inspector's scores and the agreed ones")
    add_file(p)
    add_json(p)
    p.set_defaults(func=_list)


def _describe(v: ScoreView) -> str:
    value = f" ({v.value})" if v.value is not None else ""
    return f"{v.level_label}{value}"


def _set(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        service = ScoringService(store)
        setter = service.set_agreed if args.agreed else service.set_provisional
        view = setter(args.test, args.score, args.rationale, args.evidence)
        names = dict(service.judged_sections())
    kind = "agreed" if args.agreed else "provisional"
    print(f"{names.get(view.section_key, view.section_key)}: {kind} score {_describe(view)}")
    if view.conflicted:
        print("note: the agreed score has conflicting edits; resolve them in the team view")
    return 0


def _withdraw(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        service = ScoringService(store)
        service.withdraw_provisional(args.test)
        names = dict(service.judged_sections())
    print(f"{names.get(args.test, args.test)}: provisional score withdrawn")
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        service = ScoringService(store)
        judged = service.judged_sections()
        scores = service.list_scores()
        keys = [k for k, _ in judged] + sorted({s.section_key for s in scores}
                                                - {k for k, _ in judged})
        teams = [service.team_view(k) for k in keys]
    if args.json:
        print_json({"scores": scores, "sections": teams})
        return 0
    if not judged:
        print("this inspection gives no section scores")
    for team in teams:
        flag = "  ! inspectors disagree" if team.disagreement else ""
        print(f"{team.section_label} [{team.section_key}]{flag}")
        for row in team.rows:
            mark = "*" if row.inspector_id in team.highlighted else " "
            who = row.inspector_name or short_id(row.inspector_id)
            print(f"  {mark} provisional  {who:<24} {_describe(row)}"
                  + ("  (conflict)" if row.conflicted else ""))
        if team.agreed:
            print(f"    agreed       {'':<24} {_describe(team.agreed)}"
                  + ("  (conflict)" if team.agreed.conflicted else ""))
        elif not team.rows:
            print("    no scores yet")
        if team.highlighted:
            # The legend the Team view's "Differs" column gives in words.
            against = "the agreed score" if team.agreed else "the most common score"
            print(f"    * differs from {against}")
    return 0
