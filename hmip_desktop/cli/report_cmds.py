"""`hmip report …`: the draft report, its text parts, marking and disclosure terms, the Urgent
Notification letter and the action plan."""

from __future__ import annotations

import argparse
import sys

from hmip_desktop.cli import action_plan_cmds
from hmip_desktop.cli.common import (
    add_file,
    add_json,
    add_text_source,
    key_arg,
    open_store,
    print_json,
    read_text_arg,
)
from hmip_desktop.domain.wording import plural
from hmip_desktop.services.report import (
    NOT_ENCRYPTED,
    REPORT,
    UN_LETTER,
    DisclosureBlocked,
    ExportOptions,
    NotReady,
    ReportService,
)
from hmip_desktop.services.report_writing import ReportWritingService


def register(sub: argparse._SubParsersAction) -> None:
    """Add the report command group."""
    report = sub.add_parser("report", help="the draft report, UN letter and action plan",
                            description="Export the inspection's deliverables and edit the "
                            "report's text parts. Exported files are NOT encrypted.")
    rsub = report.add_subparsers(dest="report_command", metavar="ACTION", required=True)

    for fmt in ("pdf", "docx"):
        p = rsub.add_parser(fmt, help=f"export the draft report as {fmt.upper()}",
                            description=f"Write the draft report as {fmt.upper()}. Before "
                            "writing, every piece of text is checked for prison numbers, subject "
                            "references, e-mail addresses, phone numbers and the team's list of "
                            "names and terms; any hit stops the export (exit 2) unless --redact "
                            "or --allow-disclosure is given. " + NOT_ENCRYPTED)
        _export_args(p, f".{fmt}")
        p.add_argument("--no-evidence-index", action="store_true",
                       help="leave out the evidence index appendix")
        p.add_argument("--require-ready", action="store_true",
                       help="refuse while 'hmip readiness' reports anything that blocks")
        p.set_defaults(func=_export, document=REPORT)

    p = rsub.add_parser("un-letter", help="draft Urgent Notification letter (.pdf or .docx)",
                        description="Write the draft letter for the inspection's Urgent "
                        "Notification (set it first with 'hmip un set'). " + NOT_ENCRYPTED)
    _export_args(p, ".pdf or .docx")
    p.set_defaults(func=_export, document=UN_LETTER, no_evidence_index=False,
                   require_ready=False)

    p = rsub.add_parser("check", help="readiness and disclosure hits, writing nothing")
    add_file(p)
    add_json(p)
    p.set_defaults(func=_check)

    text = rsub.add_parser("text", help="the report's text parts (introduction, fact page…)")
    tsub = text.add_subparsers(dest="text_command", metavar="ACTION", required=True)
    p = tsub.add_parser("set", help="write one part")
    add_file(p)
    p.add_argument("--part", required=True, type=key_arg, metavar="KEY",
                   help="introduction, fact-page, about, summary, progress-intro")
    add_text_source(p)
    p.set_defaults(func=_text_set)
    p = tsub.add_parser("show", help="every part with its text")
    add_file(p)
    add_json(p)
    p.set_defaults(func=_text_show)

    terms = rsub.add_parser("terms", help="names and terms the disclosure check looks for")
    vsub = terms.add_subparsers(dest="terms_command", metavar="ACTION", required=True)
    p = vsub.add_parser("add", help="add names or terms")
    add_file(p)
    p.add_argument("terms", nargs="+", metavar="TERM")
    p.set_defaults(func=_terms_add)
    p = vsub.add_parser("list", help="the list")
    add_file(p)
    add_json(p)
    p.set_defaults(func=_terms_list)
    p = vsub.add_parser("remove", help="remove one name or term")
    add_file(p)
    p.add_argument("term")
    p.set_defaults(func=_terms_remove)

    p = rsub.add_parser("marking", help="show or set the protective marking")
    add_file(p)
    p.add_argument("--set", dest="marking", metavar="TEXT",
                   help="the marking printed on every page ('' restores OFFICIAL-SENSITIVE)")
    p.set_defaults(func=_marking)

    action_plan_cmds.register(rsub)


def _export_args(p: argparse.ArgumentParser, suffix: str) -> None:
    add_file(p)
    p.add_argument("--out", required=True, metavar="PATH", help=f"the file to write ({suffix})")
    p.add_argument("--marking", metavar="TEXT", help="protective marking for this export only")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--redact", action="store_true",
                     help="replace every disclosure hit with [redacted]")
    how.add_argument("--allow-disclosure", action="store_true",
                     help="export the hits as they are (you have checked them)")
    p.add_argument("--invariant", action="store_true", help=argparse.SUPPRESS)


def _export(args: argparse.Namespace) -> int:
    options = ExportOptions(document=args.document, marking=args.marking,
                            evidence_index=not args.no_evidence_index, redact=args.redact,
                            allow_disclosure=args.allow_disclosure,
                            require_ready=args.require_ready, invariant=args.invariant)
    with open_store(args.file) as store:
        try:
            result = ReportService(store).export(args.out, options)
        except DisclosureBlocked as exc:
            for hit in exc.hits:
                print(f"hmip: disclosure: {hit.describe()}", file=sys.stderr)
            raise
        except NotReady as exc:
            for blocker in exc.blockers:
                print(f"hmip: blocks: {blocker}", file=sys.stderr)
            raise
    print(f"wrote {result.path}")
    if result.redacted:
        print(f"{plural(len(result.hits), 'disclosure hit')} replaced with [redacted]")
    elif result.hits:
        print(f"{plural(len(result.hits), 'disclosure hit')} exported as they are "
              "(--allow-disclosure)")
    if result.gaps and args.document == REPORT:
        print(f"draft: {plural(result.gaps, 'part')} still marked '[to be completed]'")
    if result.not_as_written:
        print("hmip: the PDF cannot show some text as written in "
              f"{plural(len(result.not_as_written), 'place')}: characters its fonts lack are "
              "printed as [U+…] codes and right-to-left script reads left to right; the .docx "
              "export keeps the text as written.",
              file=sys.stderr)
        for where in result.not_as_written:
            print(f"hmip: not as written: {where}", file=sys.stderr)
    print(NOT_ENCRYPTED, file=sys.stderr)
    return 0


def _check(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        preview = ReportService(store).preview()
    if args.json:
        print_json({"ready": preview.readiness.ready, "marking": preview.marking,
                    "verdict": preview.readiness.verdict,
                    "to_complete": preview.readiness.to_complete,
                    "blockers": [i.message for i in preview.readiness.blockers],
                    "disclosure": preview.hits})
        return 0
    print(f"marking: {preview.marking}")
    print(preview.readiness.verdict)
    for i in preview.readiness.blockers:
        print(f"  blocks: {i.message}")
    print(f"disclosure hits: {len(preview.hits)}")
    for h in preview.hits:
        print(f"  {h.describe()}")
    return 0


def _text_set(args: argparse.Namespace) -> int:
    text = read_text_arg(args.text, args.text_file)
    with open_store(args.file) as store:
        changes = ReportWritingService(store).set_text(args.part, text)
    print("saved" if changes.ids else "unchanged")
    return 0


def _text_show(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        parts = ReportWritingService(store).text_parts()
    if args.json:
        print_json([{"key": p.key, "label": p.label, "text": p.text,
                     "conflicted": p.conflicted} for p in parts])
        return 0
    for p in parts:
        state = " (conflict)" if p.conflicted else ""
        print(f"== {p.label}{state}")
        print(p.text or "(empty)")
    return 0


def _terms_add(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        changes = ReportWritingService(store).add_terms(args.terms)
    print(f"{plural(len(changes.ids), 'term')} added")
    return 0


def _terms_list(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        terms = ReportWritingService(store).terms()
    if args.json:
        print_json(terms)
    else:
        for t in terms:
            print(t)
    return 0


def _terms_remove(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        ReportWritingService(store).remove_term(args.term)
    print("removed")
    return 0


def _marking(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        service = ReportWritingService(store)
        if args.marking is not None:
            service.set_marking(args.marking)
        print(service.marking())
    return 0
