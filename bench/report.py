"""Draft report export on a ~150-page synthetic document: the app's PDF renderer against a
bare ReportLab build of the same flowables, in the same run; the DOCX renderer when present.

Goals (report issue): render_pdf <= 1.3x a bare `SimpleDocTemplate.build` of the same
`pdf_flowables(doc)`, and < 5 s. What the ratio measures is the renderer's own cost: page
furniture, outline, contents page numbers, progress/cancel and the atomic write (the bare
build leaves the contents without numbers). Each side runs in a fresh process, so the peak
memory figure is that side's own.

    python -m bench.report            # full size (~150 pages)
    python -m bench.report --quick    # a small document, for a smoke run
"""

from __future__ import annotations

import importlib.util
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import emit, figure, sentence  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TESTS = ("Safety", "Respect", "Purposeful activity", "Preparation for release",
         "Rehabilitation")
AREAS = ("Early days in custody", "Managing behaviour", "Security", "Safeguarding",
         "Living conditions", "Health, well-being and social care")
LEVELS = ((4, "Good"), (3, "Reasonably good"), (2, "Not sufficiently good"), (1, "Poor"))


def _text(rng: random.Random, paragraphs: int, words: int) -> str:
    return "\n\n".join(sentence(rng, words).capitalize() + "." for _ in range(paragraphs))


def synthetic_document(scale: float = 1.0):  # type: ignore[no-untyped-def]
    """A report of about 150 pages at scale 1: 5 tests x 6 areas of findings, 15 concerns,
    charts, and a big evidence index table."""
    from hmip_desktop.domain import report_doc as rd

    rng = random.Random(5)
    paras = max(int(7 * scale), 1)
    blocks: list = [rd.Contents(), rd.Heading(1, "Introduction", "intro"),
                    rd.Paragraph(_text(rng, 3, 80), "lead"),
                    rd.ScoreChart("Healthy prison outcomes", LEVELS,
                                  tuple((t, rng.randint(1, 4), rng.choice([None, 2, 3]))
                                        for t in TESTS), "2026", "2023"),
                    rd.Heading(1, "Key concerns and recommendations", "concerns")]
    for n in range(1, 16):
        blocks.append(rd.Concern(str(n), sentence(rng, 9).capitalize(), _text(rng, 2, 70),
                                 "Priority concern" if n <= 5 else "Key concern",
                                 rng.choice(TESTS), "The governor" if n % 2 else ""))
    for t_i, test in enumerate(TESTS):
        blocks.append(rd.Heading(1, test, f"t{t_i}"))
        for a_i, area in enumerate(AREAS):
            blocks.append(rd.Heading(2, area, f"t{t_i}a{a_i}"))
            blocks.append(rd.Paragraph("Expected outcomes: " + sentence(rng, 40), "meta"))
            blocks.append(rd.Paragraph(_text(rng, paras, 110)))
            blocks.append(rd.ItemList(tuple(sentence(rng, 14) for _ in range(4))))
            blocks.append(rd.Heading(3, "Notable practice", f"t{t_i}a{a_i}n"))
            blocks.append(rd.Paragraph(_text(rng, 1, 90), "quote"))
            blocks.append(rd.Paragraph("[to be completed: data from the prisoner survey]",
                                       "marker"))
            if a_i % 2 == 0:
                labels = tuple(f"Month {m}" for m in range(1, 13))
                blocks.append(rd.FigureChart(f"{area}: incidents", labels,
                                             tuple(float(rng.randint(0, 60)) for _ in labels),
                                             "Incidents", caption="Source: extract"))
    rows = tuple((f"E{i:04d}", rng.choice(("Observation", "Interview", "Document")),
                  sentence(rng, 6), sentence(rng, 18)) for i in range(int(600 * scale) + 5))
    blocks += [rd.Heading(1, "Appendix: evidence index", "evidence"),
               rd.Table(("Ref", "Source", "Title", "Summary"), rows, (1, 1.4, 2.5, 5),
                        caption="Evidence index")]
    cover = rd.Cover("Report on an unannounced inspection of HMP Ŵrexham", "HMP Ŵrexham",
                     "Adult male prison", "16–27 November 2026", "Full inspection")
    return rd.ReportDocument("Draft report", "HM Inspectorate of Prisons", "Inspection",
                             "en-GB", "OFFICIAL-SENSITIVE", "HMP Ŵrexham", "2026-11-30",
                             cover, tuple(blocks), invariant=True)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _bare_build(doc) -> int:  # type: ignore[no-untyped-def]
    """The baseline: a plain SimpleDocTemplate building the app's own flowables; pages."""
    from reportlab.platypus import SimpleDocTemplate

    from hmip_desktop.report import pdf
    from hmip_desktop.report.pdf_styles import (
        BOTTOM_MARGIN,
        LEFT_MARGIN,
        PAGE_SIZE,
        RIGHT_MARGIN,
        TOP_MARGIN,
    )

    bare = SimpleDocTemplate(io.BytesIO(), pagesize=PAGE_SIZE, leftMargin=LEFT_MARGIN,
                             rightMargin=RIGHT_MARGIN, topMargin=TOP_MARGIN,
                             bottomMargin=BOTTOM_MARGIN, invariant=1)
    bare.build(pdf.pdf_flowables(doc))
    return int(bare.page)


def child(side: str, scale: float, out: Path) -> None:
    """One side in this fresh process; prints seconds, pages and peak RSS as JSON."""
    from hmip_desktop.report import pdf
    from hmip_desktop.report.pdf_styles import styles

    if side == "inspection":
        _inspection_child(scale, out)
        return
    doc = synthetic_document(scale)
    styles()  # font loading is a once-per-process cost, not the export's
    before = _peak_mb()
    cpu = time.process_time()
    start = time.perf_counter()
    pages = 0
    if side == "app":
        pdf.render_pdf(doc, out)
    elif side == "docx":
        from hmip_desktop.report.docx_writer import render_docx

        render_docx(doc, out)
    else:
        pages = _bare_build(doc)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    if side == "app":
        from pypdf import PdfReader

        pages = len(PdfReader(out).pages)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "pages": pages, "peak_mb": _peak_mb(),
                      "before_mb": before}))


def _inspection_child(scale: float, out: Path) -> None:
    """End to end from a real inspection file (snapshot, build, disclosure check, render)
    against a bare build of the same document's flowables, in this one process."""
    from bench.common import isolated_environment
    from bench.report_inspection import make_inspection
    from hmip_desktop.report.pdf_styles import styles
    from hmip_desktop.services.report import ExportOptions, ReportService

    home = isolated_environment()
    store = make_inspection(home / "bench.hmip", scale)
    styles()
    options = ExportOptions(allow_disclosure=True, invariant=True)
    doc = ReportService(store).build(options)
    start = time.perf_counter()
    _bare_build(doc)
    bare_seconds = time.perf_counter() - start
    before = _peak_mb()
    cpu = time.process_time()
    start = time.perf_counter()
    out = out.with_suffix(".pdf")
    ReportService(store).export(out, options)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    from pypdf import PdfReader

    print(json.dumps({"seconds": seconds, "cpu": cpu, "pages": len(PdfReader(out).pages),
                      "peak_mb": _peak_mb(), "before_mb": before,
                      "bare_seconds": bare_seconds}))


def _run(side: str, scale: float, work: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "bench.report", "--child", side, str(scale),
                           str(work / f"{side}.out")], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{side} failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    """Run the sides interleaved, each in a fresh process, and keep each side's best: other
    work on the machine only ever makes a run slower."""
    if argv[:1] == ["--child"]:
        child(argv[1], float(argv[2]), Path(argv[3]))
        return 0
    scale = 0.1 if "--quick" in argv else 1.0
    repeats = 1 if "--quick" in argv else 3
    sides = ["bare", "app", "inspection"]
    has_docx = importlib.util.find_spec("hmip_desktop.report.docx_writer") is not None
    if has_docx:
        from hmip_desktop.report import docx_writer

        has_docx = hasattr(docx_writer, "render_docx")
    if has_docx:
        sides.append("docx")
    with tempfile.TemporaryDirectory(prefix="hmip-bench-report-") as tmp:
        work = Path(tmp)
        runs: dict[str, list[dict]] = {s: [] for s in sides}
        for _ in range(repeats):
            for s in sides:
                runs[s].append(_run(s, scale, work))
    best = {s: min(r, key=lambda x: x["seconds"]) for s, r in runs.items()}
    cpu = {s: min(x["cpu"] for x in r) for s, r in runs.items()}
    app, bare = best["app"], best["bare"]
    print(f"document: {app['pages']} pages (scale {scale}); bare SimpleDocTemplate.build of "
          f"the same flowables {bare['seconds']:.2f} s ({bare['pages']} pages)")
    print(f"RATIO report pdf app/bare = {app['seconds'] / bare['seconds']:.2f}x "
          f"(goal <= 1.3x); app render_pdf {app['seconds']:.2f} s (goal < 5 s)")
    print(f"      (CPU time: app {cpu['app']:.2f} s, bare {cpu['bare']:.2f} s, ratio "
          f"{cpu['app'] / cpu['bare']:.2f}x; best of {repeats}, interleaved)")
    print(f"PEAK report pdf process = {app['peak_mb']:.0f} MB (bare build "
          f"{bare['peak_mb']:.0f} MB; {app['before_mb']:.0f} MB before the export)")
    if has_docx:
        docx = best["docx"]
        print(f"report docx: render_docx {docx['seconds']:.2f} s, peak "
              f"{docx['peak_mb']:.0f} MB (ratio to the PDF app: "
              f"{docx['seconds'] / app['seconds']:.2f}x)")
    else:
        print("report docx: hmip_desktop.report.docx_writer.render_docx not present; skipped")
    e2e = best["inspection"]
    print(f"RATIO report from an inspection file (snapshot, build, disclosure check, render) / "
          f"bare build of its flowables = {e2e['seconds'] / e2e['bare_seconds']:.2f}x "
          f"(goal <= 1.3x); {e2e['seconds']:.2f} s for {e2e['pages']} pages (goal < 5 s); "
          f"peak {e2e['peak_mb']:.0f} MB")
    figure(f"report pdf app/bare build ({app['pages']} pages)", app["seconds"], "s",
           baseline=bare["seconds"], goal="<= 1.3x",
           met=app["seconds"] / bare["seconds"] <= 1.3)
    figure("report pdf app render_pdf", app["seconds"], "s", goal="< 5 s",
           met=app["seconds"] < 5)
    figure("report pdf peak RSS", app["peak_mb"], "MB", goal="(reported)", met=None)
    figure(f"report from an inspection file/bare build ({e2e['pages']} pages)",
           e2e["seconds"], "s", baseline=e2e["bare_seconds"], goal="<= 1.3x",
           met=e2e["seconds"] / e2e["bare_seconds"] <= 1.3)
    figure("report from an inspection file", e2e["seconds"], "s", goal="< 5 s",
           met=e2e["seconds"] < 5)
    if has_docx:
        figure("report docx render_docx", best["docx"]["seconds"], "s", goal="(reported)",
               met=None)
    emit("report", "--quick" in argv, scale=scale)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
