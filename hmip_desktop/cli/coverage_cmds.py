"""`hmip coverage`: evidence per expectation by source kind, and triangulation."""

from __future__ import annotations

import argparse

from hmip_desktop.cli.common import add_file, add_json, open_store, print_json
from hmip_desktop.domain.framework_nation import NATION_LABELS
from hmip_desktop.services.coverage import coverage
from hmip_desktop.services.labels import coverage_status_label


def register(sub: argparse._SubParsersAction) -> None:
    """Add the coverage command."""
    p = sub.add_parser("coverage", help="evidence coverage and triangulation per expectation",
                       description="For each expectation: linked evidence counted by source "
                       "kind, and whether it is triangulated (three or more kinds). An area "
                       "without expectation numbers reads 'expectations not loaded'. Only "
                       "the education expectations of the inspection's nation count (Ofsted "
                       "in England, Estyn in Wales).")
    add_file(p)
    add_json(p)
    p.set_defaults(func=_coverage)


def _coverage(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        report = coverage(store)
    if args.json:
        print_json(report)
        return 0
    for sec in report.sections:
        print(f"{sec.label}: {sec.summary()}")
        for area in sec.areas:
            print(f"  {area.label}: {area.summary()}")
            for row in area.expectations:
                kinds = (", ".join(f"{report.kind_label(k)} {n}" for k, n in row.counts.items())
                         or "no evidence")
                print(f"    {row.ref:<8} {coverage_status_label(row.status):<21} {kinds}")
    if report.unknown_refs:
        print("Links to expectations not in the framework: " + ", ".join(report.unknown_refs))
    if report.not_applicable_refs:
        print(f"Links not counted in {NATION_LABELS.get(report.nation, report.nation)} (the "
              "other nation's education inspectorate): " + ", ".join(report.not_applicable_refs))
    return 0
