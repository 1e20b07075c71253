"""`hmip frameworks list | show | import | export`: expectation frameworks as versioned data."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from hmip_desktop.cli.common import add_json, key_arg, print_json
from hmip_desktop.cli.table import print_table
from hmip_desktop.domain.framework import Framework, in_force_from
from hmip_desktop.domain.framework_nation import NATION_LABELS, NOT_LOADED
from hmip_desktop.services.frameworks import FrameworkService
from hmip_desktop.services.labels import establishment_type_label, establishment_type_labels

EXIT_OK = 0
EXIT_PROBLEMS = 2  # same code main.py uses for user mistakes


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `frameworks` command group."""
    group = sub.add_parser(
        "frameworks", help="list, show, import and export expectation frameworks",
        description="Expectation frameworks are versioned data: shipped ones are read-only; "
        "imports are stored in your data folder and never overwrite an existing version.")
    fsub = group.add_subparsers(dest="frameworks_command", metavar="ACTION", required=True)

    p = fsub.add_parser("list", help="list frameworks",
                        description="Every framework, newest version first for each id; with "
                        "--type, only those for one establishment type, newest first.")
    p.add_argument("--type", dest="etype", type=key_arg, metavar="TYPE",
                   help="establishment type key, e.g. mens_prison or mens-prison")
    add_json(p)
    p.set_defaults(func=_list)

    p = fsub.add_parser("show", help="show one framework's sections, areas and expectations")
    p.add_argument("framework_id", metavar="ID")
    p.add_argument("--version", help="framework version (default: newest)")
    add_json(p, "print the whole framework as JSON")
    p.set_defaults(func=_show)

    p = fsub.add_parser(
        "import", help="import a framework from a CSV or JSON file",
        description="Import a framework. A CSV has the columns test, area, sub-area, number, "
        "title, outcome, indicators (indicators separated by ' | '); its id, title and "
        "establishment types come from the options. Importing under an existing id merges the "
        "CSV into the newest version (or --version). If the id and version exist, the import "
        "gets the version '<version>-imported-<n>'. Nothing is written if any row is bad.")
    p.add_argument("path", metavar="PATH", help="a .csv or .json file")
    p.add_argument("--id", dest="framework_id", help="framework id (required for CSV)")
    p.add_argument("--title", help="title (required for a new CSV framework)")
    p.add_argument("--version", help="version (CSV default: the existing version, or 1)")
    p.add_argument("--type", dest="types", type=key_arg, metavar="TYPE", action="extend",
                   nargs="+",
                   help="one or more establishment type keys the framework applies to")
    p.add_argument("--dry-run", action="store_true",
                   help="show what would be imported and every bad row; write nothing")
    add_json(p)
    p.set_defaults(func=_import)

    p = fsub.add_parser("export", help="export a framework to .json or .csv")
    p.add_argument("framework_id", metavar="ID")
    p.add_argument("--version", help="framework version (default: newest)")
    p.add_argument("--out", required=True, metavar="PATH",
                   help="output file; the extension (.json or .csv) chooses the format")
    p.set_defaults(func=_export)


def _flags(verified: bool, incomplete: bool) -> str:
    marks = [] if verified else ["not verified"]
    if incomplete:
        marks.append("to be completed")
    return f"  [{'; '.join(marks)}]" if marks else ""


def _type_keys(keys: Iterable[str]) -> str:
    """'mens_prison: Men's prison': the key `hmip new --type` takes, with its label (a label
    may hold commas, so types are separated by semicolons)."""
    return "; ".join(f"{k}: {establishment_type_label(k)}" for k in keys)


def _list(args: argparse.Namespace) -> int:
    service = FrameworkService()
    rows = service.list_frameworks(args.etype)
    for problem in service.load_problems():
        print(f"hmip: warning: {problem}", file=sys.stderr)
    if args.json:
        print_json(rows, sort_keys=False)
        return EXIT_OK
    if not rows:
        print("No frameworks.")
        return EXIT_OK
    table = [("ID", "VERSION", "STATUS", "EXP", "TYPES")]
    for r in rows:
        table.append((r.id, r.version, r.status, str(r.expectation_count),
                      _type_keys(r.establishment_types)))
        table.append(("", f"{r.title}{_flags(r.verified, r.incomplete)}"))  # notes under it
        if r.in_force_from:
            table.append(("", f"in force from {r.in_force_from}"
                          + ("" if r.in_force_from_verified else " (date not verified)")))
    print_table(table, right=frozenset({3}))
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    fw = FrameworkService().show(args.framework_id, args.version)
    if args.json:
        print_json(fw.to_dict(), sort_keys=False)  # the framework file format
        return EXIT_OK
    for line in describe(fw):
        print(line)
    return EXIT_OK


def describe(fw: Framework) -> list[str]:
    """The text outline `hmip frameworks show` prints."""
    lines = [f"{fw.title}{_flags(fw.verified, fw.incomplete)}",
             f"  id {fw.id}, version {fw.version} ({fw.status})"
             + (f"; {fw.edition}" if fw.edition else "")
             + ("" if fw.edition_verified else "  [edition not verified]"),
             f"  applies to: {establishment_type_labels(fw.establishment_types)}"
             + (" (not verified: "
                f"{establishment_type_labels(fw.unverified_establishment_types)})"
                if fw.unverified_establishment_types else "")]
    if fw.edition_note:  # the team's note on the edition; reports never print it
        lines.insert(2, f"  edition note: {fw.edition_note}")
    levels = ", ".join(f"{lv.label}" + (f" {lv.value}" if lv.value is not None else "")
                       for lv in fw.scale.levels) or "no grades"
    lines.append(f"  scale: {fw.scale.label} ({levels}){_flags(fw.scale.verified, False)}")
    for lv in fw.scale.levels:
        if lv.descriptor:
            lines.append(f"    {lv.label}: {lv.descriptor}"
                         + ("" if lv.descriptor_verified else "  [descriptor not verified]"))
    since = in_force_from(fw)
    if since:
        lines.append(f"  in force from: {since}"
                     + ("" if fw.effective_date and fw.effective_date_verified
                        else "  [date not verified]"))
    if fw.progress_scale:
        lines.append(f"  progress scale: {', '.join(lv.label for lv in fw.progress_scale.levels)}")
    if fw.source_url:
        lines.append(f"  source: {fw.source_url}")
    for section in fw.sections:
        scored = "scored" if section.scored else "not scored"
        lines.append(f"[{section.key}] {section.label} ({scored})"
                     f"{_flags(section.verified, section.incomplete)}")
        for area in section.areas:
            adopted = f" (adopted from {area.adopted_from})" if area.adopted_from else ""
            where = (f" ({', '.join(NATION_LABELS.get(n, n) for n in area.nations)} only)"
                     if area.nations else "")
            unloaded = "" if area.expectations else f"  ({NOT_LOADED})"
            lines.append(f"  - {area.label}{adopted}{where}"
                         f"{_flags(area.verified, area.incomplete)}{unloaded}")
            for exp in area.expectations:
                sub = f" ({area.sub_area_label(exp.sub_area)})" if exp.sub_area else ""
                lines.append(f"      {exp.number:>6}  {exp.title}{sub}"
                             f"{_flags(exp.verified, False)}")
    return lines


def _import(args: argparse.Namespace) -> int:
    service = FrameworkService()
    options = {"framework_id": args.framework_id, "title": args.title,
               "version": args.version, "establishment_types": args.types}
    if args.dry_run:
        preview = service.import_preview(Path(args.path), **options)
        if args.json:
            print_json({
                "ok": preview.ok,
                "id": preview.framework.id if preview.framework else None,
                "version": preview.framework.version if preview.framework else None,
                "base": f"{preview.base.id}@{preview.base.version}" if preview.base else None,
                "changes": [line for line in preview.lines if line.change != "unchanged"],
                "problems": [{"row": r, "column": c, "message": m}
                             for r, c, m in preview.bad_rows],
            }, sort_keys=False)
        elif preview.framework is not None:
            fw = preview.framework
            print(f"Would import {fw.id} version {fw.version}: {len(fw.sections)} sections, "
                  f"{fw.expectation_count} expectations.")
            for line in preview.lines:
                if line.change != "unchanged":
                    where = " / ".join(p for p in (line.test, line.area) if p and p != line.title)
                    label = f"{line.number} {line.title}" if line.number else line.title
                    print(f"  {line.change:<7} {line.kind:<11} {label}"
                          + (f"  ({where})" if where else ""))
        if not args.json:
            for row, column, message in preview.bad_rows:
                where = ", ".join(x for x in (f"row {row}" if row else "",
                                              f"column '{column}'" if column else "") if x)
                print(f"  problem: {message}" + (f" ({where})" if where else ""))
            print("Nothing was written (dry run).")
        return EXIT_OK if preview.ok else EXIT_PROBLEMS
    fw = service.import_file(Path(args.path), **options)
    if args.json:
        print_json({"id": fw.id, "version": fw.version, "status": fw.status,
                    "sections": len(fw.sections), "expectation_count": fw.expectation_count},
                   sort_keys=False)
        return EXIT_OK
    print(f"Imported {fw.id} version {fw.version}: {len(fw.sections)} sections, "
          f"{fw.expectation_count} expectations.")
    if "-imported-" in fw.version:
        print("That id and version already existed, so the import got its own version; "
              "nothing was overwritten.")
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    service = FrameworkService()
    fw = service.show(args.framework_id, args.version)
    out = service.export(fw.id, fw.version, Path(args.out))
    print(f"Exported {fw.id} version {fw.version} to {out}")
    return EXIT_OK
