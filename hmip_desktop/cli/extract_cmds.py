"""`hmip extract import | list | query` and `hmip figure pin | list`: data extracts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hmip_desktop.cli.common import add_file, add_json, open_store, print_json, tty_progress
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.services.extracts import ExtractService, same_content_text
from hmip_desktop.services.figures import FigureService


def register(sub: argparse._SubParsersAction) -> None:
    """Add the extract and figure command groups."""
    ext = sub.add_parser("extract", help="import and query data extracts (CSV, XLSX)",
                         description="Data extracts: an immutable, hashed snapshot of a CSV or "
                         "XLSX file and its rows, kept inside the encrypted inspection file.")
    esub = ext.add_subparsers(dest="extract_command", metavar="ACTION", required=True)

    p = esub.add_parser("import", help="import a CSV/XLSX file; prints the extract id")
    add_file(p)
    p.add_argument("path")
    p.add_argument("--name", help="name of the extract (default: the file name)")
    p.add_argument("--sheet", metavar="NAME",
                   help="the XLSX sheet holding the data (default: the first)")
    p.add_argument("--type", action="append", default=[], metavar="COLUMN=TYPE",
                   help="correct a column's type: integer, decimal, date or text (repeatable)")
    p.set_defaults(func=_import)

    p = esub.add_parser("list", help="list extracts")
    add_file(p)
    add_json(p)
    p.set_defaults(func=_list)

    p = esub.add_parser("query", help="rows, or counts/sums grouped by a column")
    add_file(p)
    p.add_argument("extract_id")
    _grouping(p, required=False)
    p.add_argument("--limit", type=int, default=20, help="rows to show (default 20)")
    add_json(p)
    p.set_defaults(func=_query)

    fig = sub.add_parser("figure", help="pin and list figures from extracts",
                         description="A figure is a saved grouping of an extract with its "
                         "result and a caption; it is evidence that can be linked.")
    fsub = fig.add_subparsers(dest="figure_command", metavar="ACTION", required=True)
    p = fsub.add_parser("pin", help="pin a figure; prints its id")
    add_file(p)
    p.add_argument("extract_id")
    p.add_argument("--caption", required=True)
    p.add_argument("--chart", choices=("bar", "line"), default="bar")
    _grouping(p, required=True)
    p.set_defaults(func=_pin)

    p = fsub.add_parser("list", help="list pinned figures")
    add_file(p)
    add_json(p)
    p.set_defaults(func=_figures)


def _grouping(p: argparse.ArgumentParser, *, required: bool) -> None:
    p.add_argument("--group-by", metavar="COL", required=required, help="column to group by")
    p.add_argument("--sum", metavar="COL", help="add up this column (default: count rows)")
    period = p.add_mutually_exclusive_group()
    period.add_argument("--month", action="store_true", help="group a date column by month")
    period.add_argument("--year", action="store_true", help="group a date column by year")
    p.add_argument("--where", nargs=3, action="append", default=[],
                   metavar=("COL", "OP", "VALUE"),
                   help="filter rows (OP: = != < <= > >= contains); repeatable")


def _spec(args: argparse.Namespace) -> dict[str, Any]:
    return {"group_by": args.group_by, "agg": "sum" if args.sum else "count",
            "value_column": args.sum,
            "granularity": "month" if args.month else "year" if args.year else None,
            "filters": [tuple(w) for w in args.where]}


def _types(pairs: list[str]) -> dict[str | int, str]:
    out: dict[str | int, str] = {}
    for pair in pairs:
        column, sep, kind = pair.rpartition("=")
        if not sep or not column:
            raise ValidationError("Write column types as COLUMN=TYPE, e.g. --type Age=text.")
        out[column] = kind.strip()
    return out


def _import(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        service = ExtractService(store)
        # Only a chosen sheet needs a look first; otherwise import_file finds the first.
        found = service.preview(Path(args.path), sheet=args.sheet) if args.sheet else None
        if found is not None and found.kind != "xlsx":
            raise ValidationError("--sheet picks a sheet of an XLSX workbook; "
                                  f"'{Path(args.path).name}' is a CSV file.")
        view = service.import_file(Path(args.path), name=args.name,
                                   column_types=_types(args.type), sniff=found,
                                   progress=tty_progress("importing"))
        earlier = service.same_content(view.sha256)
    if earlier is not None and earlier.id != view.id:
        # Allowed (a re-import may be wanted), but said: documents are reused instead.
        print(f"hmip: note: {same_content_text(earlier)}; imported again as "
              f"'{view.name}' ({view.id})", file=sys.stderr)
    print(view.id)
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        views = ExtractService(store).list()
    if args.json:
        print_json(views)
        return 0
    for v in views:
        cols = ", ".join(f"{c.name}:{c.type}" for c in v.columns)
        print(f"{v.id}  {v.row_count:>9} rows  {v.name}  [{cols}]")
    if not views:
        print("no extracts")
    return 0


def _query(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        service = ExtractService(store)
        view = service.get(args.extract_id)
        spec = _spec(args)
        if args.group_by:
            groups = service.group_by(view.id, spec["group_by"], spec["agg"],
                                      spec["value_column"], spec["filters"],
                                      spec["granularity"])
        else:
            count = service.row_count(view.id, spec["filters"])
            rows = service.rows(view.id, 0, max(args.limit, 0), filters=spec["filters"])
    if args.group_by:
        if args.json:
            print_json([{"key": k, "value": v} for k, v in groups])
        else:
            for k, v in groups:
                print(f"{'' if k is None else k}\t{v}")
        return 0
    names = [c.name for c in view.columns]
    if args.json:
        print_json({"columns": names, "row_count": count,
                    "rows": [list(r) for r in rows]})
        return 0
    print("\t".join(names))
    for r in rows:
        print("\t".join("" if v is None else str(v) for v in r))
    print(f"({count} rows)")
    return 0


def _pin(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        spec = {**_spec(args), "chart": args.chart}
        fig = FigureService(store).pin(args.extract_id, caption=args.caption, spec=spec)
    print(fig.id)
    return 0


def _figures(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        figs = FigureService(store).list()
    if args.json:
        print_json(figs)
        return 0
    for f in figs:
        print(f"{f.id}  {f.chart:<4} {len(f.rows):>4} groups  {f.caption}")
    if not figs:
        print("no figures")
    return 0
