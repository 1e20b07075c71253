"""Sync growth over a two-week inspection: a team leader and 5 inspectors, 10 working days,
one exchange of bundles every evening, through the real services (those `hmip` calls), each
person with their own data dir (HMIP_HOME) and keys.

Each inspector's day: 15-30 notes of 200-2,000 words, most linked to 1-3 of their
expectations; 2-4 edits of earlier notes; 1-3 findings edits (the whole, growing text each
time); 1-3 documents of 100 KB-2 MB (PDFs with a scanned-looking, incompressible payload, or
JPEG photos), linked to an expectation; on about a third of the days one or two CSV data
extracts; provisional scores on the last two days. The leader writes a few notes a day. Each
evening every inspector exports a bundle, the leader merges the five and exports the merged
bundle, and next morning every inspector imports it.

Measured per day: each member's bundle, the merged bundle, the day's new content (the
baseline: a bundle that the same writer writes holding only that day's new revisions and
attachments, per member and for the team), the leader's merge time against hashlib SHA-256 of
the same bundle files, and each member's import time of the merged bundle against SHA-256 of
it. No goal is set by an issue: every figure is "(reported)".

Not scaled down: extracts have 5,000-50,000 rows, notes and documents the sizes above (note
text is generated at about 6 bytes a word, as English is). The whole run took about two
minutes on the 2-core machine. --quick: 2 inspectors, 2 days, small notes and files (a few
seconds), for a smoke run.

Usage: python -m bench.sync_growth [--days 10] [--inspectors 5] [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import math
import os
import random
import shutil
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import emit, figure, isolated_environment, sentence  # noqa: E402
from bench.extract_import import generate as generate_csv  # noqa: E402

PASSPHRASE = "benchmark passphrase 2026"
MB = 1e6
KIND_CSV = ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@dataclass(frozen=True)
class Sizes:
    """How much one person does in a day (ranges are inclusive)."""

    notes: tuple[int, int] = (15, 30)
    words: tuple[int, int, int] = (200, 2000, 500)  # low, high, mode (triangular)
    edits: tuple[int, int] = (2, 4)
    findings: tuple[int, int] = (1, 3)
    finding_words: tuple[int, int] = (60, 250)
    docs: tuple[int, int] = (1, 3)
    doc_bytes: tuple[int, int] = (100_000, 2_000_000)
    extract_chance: float = 0.35
    extract_rows: tuple[int, int] = (5_000, 50_000)
    lead_notes: tuple[int, int] = (3, 6)


QUICK = Sizes(notes=(3, 5), words=(50, 200, 80), edits=(1, 2), findings=(1, 1),
              finding_words=(20, 40), docs=(1, 1), doc_bytes=(20_000, 50_000),
              extract_chance=1.0, extract_rows=(300, 600), lead_notes=(1, 2))


def _provider(_purpose: str) -> str:
    return PASSPHRASE


ENGLISH_BYTES_PER_WORD = 6.0  # about 4.7 letters, a space and some punctuation
_SYNTHETIC: list[float] = []


def words(rng: random.Random, n: int) -> str:
    """About as many bytes as n English words: the shared vocabulary's made-up words are
    longer than English ones (about 10.6 bytes with the space), so fewer are drawn."""
    if not _SYNTHETIC:
        _SYNTHETIC.append(len(sentence(random.Random(0), 20_000)) / 20_000)
    return sentence(rng, max(1, round(n * ENGLISH_BYTES_PER_WORD / _SYNTHETIC[0])))


@dataclass
class Person:
    """One installation: data dir, keys, open inspection file and what they work on."""

    name: str
    home: Path
    rng: random.Random
    keys: Any = None
    store: Any = None
    refs: list[str] = field(default_factory=list)
    areas: list[tuple[str, str]] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    findings: dict[tuple[str, str], str] = field(default_factory=dict)


@contextlib.contextmanager
def acting(p: Person) -> Iterator[Person]:
    """Run as this person's installation (profile, keys and settings from their data dir)."""
    old = os.environ["HMIP_HOME"]
    os.environ["HMIP_HOME"] = str(p.home)
    try:
        yield p
    finally:
        os.environ["HMIP_HOME"] = old


def set_up(root: Path, inspectors: int) -> tuple[Person, list[Person]]:
    """The leader creates the inspection and invites the inspectors, who join from it."""
    from hmip_desktop.domain.framework_nation import area_ref, inspection_nation
    from hmip_desktop.services import identity, join, team
    from hmip_desktop.services.frameworks import FrameworkService
    from hmip_desktop.services.inspections import (
        create_inspection,
        inspection_payload,
        pinned_framework,
    )
    from hmip_desktop.storage import profile

    people = [Person("lead" if i == 0 else f"inspector{i}", root / f"home{i}",
                     random.Random(100 + i)) for i in range(inspectors + 1)]
    for p in people:
        p.home.mkdir(parents=True)
        with acting(p):
            prof = profile.load_device()
            prof.author_name = p.name.title()
            prof.role = "team_leader" if p.name == "lead" else "inspector"
            profile.save_device(prof)
            p.keys = identity.load_keys(_provider)
    lead, members = people[0], people[1:]
    cards = []
    for p in members:
        with acting(p):
            cards.append(identity.card_for(p.keys, profile.load_device()))
    with acting(lead):
        fw = FrameworkService().resolve_for_new("mens_prison", None, None)
        lead.store = create_inspection(root / "lead.hmip", establishment_name="HMP Growth",
                                       establishment_type="mens_prison", framework=fw,
                                       provider=_provider)
        team.add_members(lead.store, cards, keys=lead.keys)
        team.write_invite(lead.store, root / "invite.hmipbundle", keys=lead.keys)
    for p in members:
        with acting(p):
            p.store, _ = join.join_open(root / "invite.hmipbundle", root / f"{p.name}.hmip",
                                        keys=p.keys, provider=_provider)
    # Areas and judged sections shared out as a leader would; evidence links to an area's
    # expectations, or to the area itself when it lists none (services.links).
    framework = pinned_framework(lead.store)
    nation = inspection_nation(inspection_payload(lead.store))
    areas = [(s, a) for s in framework.sections for a in s.areas if a.applies_in(nation)]
    for i, (s, a) in enumerate(areas):
        owner = people[i % len(people)]
        owner.areas.append((s.key, a.key))
        numbers = [e.number for e in a.expectations if e.applies_in(nation)]
        owner.refs.extend(numbers or [area_ref(s.key, a.key)])
    for i, s in enumerate(framework.judged_sections):
        members[i % len(members)].sections.append(s.key)
    return lead, members


# -- the day's work ------------------------------------------------------------------------
def _document(path: Path, rng: random.Random, size: int) -> Path:
    """A PDF of 1-3 text pages carrying a scanned-looking payload, or a JPEG photo: both
    incompressible, like real scans and photos."""
    if path.suffix == ".jpg":
        path.write_bytes(b"\xff\xd8\xff\xe0" + rng.randbytes(size - 4))
        return path
    from pypdf import PdfReader, PdfWriter
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    text = io.BytesIO()
    pdf = canvas.Canvas(text, pagesize=A4)
    for _ in range(rng.randint(1, 3)):
        for line in range(30):
            pdf.drawString(60, 780 - 22 * line, words(rng, 12))
        pdf.showPage()
    pdf.save()
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(text.getvalue())).pages:
        writer.add_page(page)
    writer.add_attachment("scan.bin", rng.randbytes(max(size - len(text.getvalue()), 1)))
    with open(path, "wb") as f:
        writer.write(f)
    return path


def work(p: Person, day: int, last_day: int, sizes: Sizes, files: Path) -> None:
    """One inspector's day, each step a service call as the GUI or `hmip` makes it."""
    from hmip_desktop.domain import records as R
    from hmip_desktop.services.documents import DocumentService
    from hmip_desktop.services.extracts import ExtractService
    from hmip_desktop.services.notes import NoteService
    from hmip_desktop.services.scoring import ScoringService

    rng, notes = p.rng, NoteService(p.store)
    kinds = sorted(R.SOURCE_KINDS)
    for _ in range(rng.randint(*sizes.notes)):
        length = int(rng.triangular(*sizes.words))
        refs = rng.sample(p.refs, k=min(len(p.refs), rng.choice((0, 1, 1, 2, 2, 3))))
        p.notes.append(notes.add(source_kind=rng.choice(kinds), title=words(rng, 6),
                                 body=words(rng, length), expectations=refs))
    for nid in rng.sample(p.notes, k=min(len(p.notes), rng.randint(*sizes.edits))):
        notes.edit(nid, body=notes.get(nid).body + " " + words(rng, rng.randint(20, 80)))
    scoring = ScoringService(p.store)
    for area in rng.sample(p.areas, k=min(len(p.areas), rng.randint(*sizes.findings))):
        text = p.findings.get(area, "") + words(rng, rng.randint(*sizes.finding_words))
        p.findings[area] = text + "\n\n"
        scoring.set_findings(area[0], area[1], p.findings[area])
    docs = []
    lo, hi = sizes.doc_bytes
    for i in range(rng.randint(*sizes.docs)):
        size = int(math.exp(rng.uniform(math.log(lo), math.log(hi))))
        docs.append(_document(files / f"{p.name}-{day}-{i}{rng.choice(('.pdf', '.jpg'))}",
                              rng, size))
    DocumentService(p.store).import_files(docs, expectations=rng.sample(p.refs, 1))
    extracts = ExtractService(p.store)
    if rng.random() < sizes.extract_chance:
        for i in range(rng.choice((1, 1, 2))):
            csv = files / f"{p.name}-{day}-{i}.csv"
            generate_csv(csv, rng.randint(*sizes.extract_rows), seed=rng.randrange(1 << 30))
            extracts.import_file(csv, name=f"{p.name} day {day} extract {i + 1}")
            csv.unlink()
    for path in docs:
        path.unlink()
    if day >= last_day - 1:
        levels = [lv.key for lv in scoring.scale().levels if lv.value is not None]
        for section in p.sections:
            scoring.set_provisional(section, rng.choice(levels), words(rng, 120))


def lead_work(p: Person, sizes: Sizes) -> None:
    """The leader inspects too: a few notes a day."""
    from hmip_desktop.services.notes import NoteService

    notes = NoteService(p.store)
    for _ in range(p.rng.randint(*sizes.lead_notes)):
        notes.add(source_kind="observation", title=words(p.rng, 6),
                  body=words(p.rng, int(p.rng.triangular(*sizes.words))),
                  expectations=p.rng.sample(p.refs, k=min(1, len(p.refs))))


# -- measuring ------------------------------------------------------------------------------
@dataclass
class Content:
    """One bundle: its size and what it holds, split into new that day and sent before."""

    size: int
    manifest: dict[str, Any]
    revisions: int = 0
    rev_bytes: dict[str, int] = field(default_factory=dict)  # all lines, by record type
    new_lines: list[bytes] = field(default_factory=list)
    rev_ids: set[str] = field(default_factory=set)
    blob_bytes: dict[str, int] = field(default_factory=dict)  # "new document", "sent extract"…
    new_blobs: list[dict[str, Any]] = field(default_factory=list)
    delta: int = 0  # bytes of a bundle of only the new revisions and attachments


def read_bundle(path: Path, identity: str, seen_revs: set[str],
                seen_blobs: set[str]) -> Content:
    """Open a bundle as a recipient and sort its revision lines and attachments."""
    from hmip_desktop.bundle.reader import BundleReader

    with BundleReader(path, [identity]) as reader:
        c = Content(path.stat().st_size, reader.manifest)
        for line in reader.iter_revision_lines():
            rev = json.loads(line)
            c.revisions += 1
            c.rev_ids.add(rev["rev_id"])
            kind = rev["entity_type"]
            c.rev_bytes[kind] = c.rev_bytes.get(kind, 0) + len(line) + 1
            if rev["rev_id"] not in seen_revs:
                c.new_lines.append(line)
    for b in c.manifest["blobs"]:
        new = b["sha256"] not in seen_blobs
        key = ("new " if new else "sent ") + ("extract" if b["mime"] in KIND_CSV else "document")
        c.blob_bytes[key] = c.blob_bytes.get(key, 0) + (b.get("stored") or b)["size"]
        if new:
            c.new_blobs.append(b)
    return c


def delta_bundle(p: Person, c: Content, out: Path) -> int:
    """The baseline: the bundle writer's output for only the new revisions and attachments,
    with the same manifest fields and recipients; its size in bytes (then removed)."""
    from hmip_desktop.bundle.format import CALLER_OPTIONAL, CALLER_REQUIRED
    from hmip_desktop.bundle.writer import StoredBlobSource, write_bundle
    from hmip_desktop.domain.ids import new_id
    from hmip_desktop.services.bundle_export import export_recipients

    m = c.manifest
    fields = {k: m[k] for k in CALLER_REQUIRED + CALLER_OPTIONAL if k in m and k != "created_at"}
    fields["bundle_id"] = new_id()
    blobs = p.store.blobs
    sources = [StoredBlobSource(b["sha256"], b["size"], b["mime"], blobs.stored_size(b["sha256"]),
                                lambda sha=b["sha256"]: blobs.open_stored(sha))
               for b in c.new_blobs]
    with acting(p):
        with p.store.uow() as tx:
            recipients = export_recipients(tx, p.store, p.keys)
        write_bundle(out, manifest_fields=fields, revision_lines=c.new_lines, blobs=sources,
                     recipients=recipients, signing_key=p.keys.signing_key)
    size = out.stat().st_size
    out.unlink()
    return size


def sha_seconds(paths: list[Path]) -> float:
    """hashlib SHA-256 over the files, best of two (both reads come from the page cache, as
    the merge's do: the bundles were just written)."""
    best = math.inf
    for _ in range(2):
        start = time.perf_counter()
        for path in paths:
            with open(path, "rb") as f:
                hashlib.file_digest(f, "sha256")
        best = min(best, time.perf_counter() - start)
    return best


def timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def one_day(root: Path, day: int, days: int, lead: Person, members: list[Person],
            sizes: Sizes, seen_revs: set[str], seen_blobs: set[str]) -> dict[str, Any]:
    """Work, evening exports, the leader's merge and merged export, the morning imports."""
    from hmip_desktop.services import bundles

    files = root / "files"
    t0 = time.perf_counter()
    for p in members:
        with acting(p):
            work(p, day, days, sizes, files)
    with acting(lead):
        lead_work(lead, sizes)
    work_s = time.perf_counter() - t0
    paths, own = [], []
    for p in members:
        out = root / f"{p.name}-day{day}.hmipbundle"
        with acting(p):
            bundles.export_bundle(p.store, out, keys=p.keys)
        c = read_bundle(out, lead.keys.age_identity, seen_revs, seen_blobs)
        c.delta = delta_bundle(p, c, root / "delta.hmipbundle")
        paths.append(out)
        own.append(c)
    merge_sha = sha_seconds(paths)
    with acting(lead):
        merge_s = timed(lambda: bundles.import_bundles(lead.store, paths, keys=lead.keys))
    merged = root / f"merged-day{day}.hmipbundle"
    with acting(lead):
        export_s = timed(lambda: bundles.export_bundle(lead.store, merged, keys=lead.keys))
    team = read_bundle(merged, lead.keys.age_identity, seen_revs, seen_blobs)
    team.delta = delta_bundle(lead, team, root / "delta.hmipbundle")
    import_sha = sha_seconds([merged])
    imports = []
    for p in members:  # next morning
        with acting(p):
            imports.append(timed(lambda p=p: bundles.import_bundles(p.store, [merged],
                                                                     keys=p.keys)))
    seen_revs |= team.rev_ids
    seen_blobs.update(b["sha256"] for b in team.manifest["blobs"])
    for path in [*paths, merged]:
        path.unlink()
    for c in [*own, team]:
        c.new_lines.clear()
        c.rev_ids.clear()
    return {"day": day, "own": own, "team": team, "merge_s": merge_s, "merge_sha_s": merge_sha,
            "merge_bytes": sum(c.size for c in own), "export_s": export_s, "imports": imports,
            "import_sha_s": import_sha, "work_s": work_s,
            "seconds": time.perf_counter() - t0}


# -- reporting ------------------------------------------------------------------------------
def _median_index(values: list[float]) -> int:
    order = sorted(range(len(values)), key=values.__getitem__)
    return order[(len(order) - 1) // 2]


def print_table(rows: list[dict[str, Any]]) -> None:
    """One line a day: sizes in MB (10^6 bytes), times in seconds. "revisions" is the
    revision list every bundle carries whole; "re-sent" the attachments a member's bundle
    carries that the team had already (median member)."""
    print("day  team new  merged  revisions (lines)  member bundles  member new  re-sent  "
          "merge  sha256  export  import(med)  sha256   wall")
    for r in rows:
        team, own = r["team"], r["own"]
        sizes = [c.size / MB for c in own]
        resent = [sum(v for k, v in c.blob_bytes.items() if k.startswith("sent")) / MB
                  for c in own]
        revs = sum(team.rev_bytes.values()) / MB
        print(f"{r['day']:>3}  {team.delta / MB:>8.1f}  {team.size / MB:>6.1f}  "
              f"{revs:>9.1f} ({team.revisions:>5})  {min(sizes):>6.1f} -{max(sizes):>5.1f}  "
              f"{statistics.median(c.delta / MB for c in own):>10.1f}  "
              f"{statistics.median(resent):>7.1f}  {r['merge_s']:>5.2f}  "
              f"{r['merge_sha_s']:>6.3f}  {r['export_s']:>6.2f}  "
              f"{statistics.median(r['imports']):>11.2f}  {r['import_sha_s']:>6.3f}  "
              f"{r['seconds']:>5.1f}")


def print_parts(label: str, c: Content) -> None:
    """Where a bundle's bytes go: revision lines by record type, attachments new or sent
    before (documents, extract snapshots), and the rest (manifest, containers)."""
    revs = sum(c.rev_bytes.values())
    top = sorted(c.rev_bytes.items(), key=lambda kv: -kv[1])
    shown = ", ".join(f"{k} {v / MB:.2f}" for k, v in top[:4])
    rest = c.size - revs - sum(c.blob_bytes.values())
    blobs = ", ".join(f"{k} {v / MB:.2f}" for k, v in sorted(c.blob_bytes.items()))
    print(f"{label}: {c.size / MB:.2f} MB = revisions {revs / MB:.2f} ({c.revisions} lines: "
          f"{shown}{', other' if len(top) > 4 else ''}) + attachments [{blobs or 'none'}] + "
          f"manifest and containers {rest / MB:.2f}; new content {c.delta / MB:.2f} MB")


def report(rows: list[dict[str, Any]]) -> None:
    """The day table, the last day's breakdown and the figures."""
    print_table(rows)
    last, first = rows[-1], rows[0]
    n = last["day"]
    own = last["own"]
    mid = _median_index([c.size / max(c.delta, 1) for c in own])
    print_parts(f"day {n} member bundle (median member, inspector{mid + 1})", own[mid])
    print_parts(f"day {n} merged bundle", last["team"])
    sent = sum(c.size for r in rows for c in r["own"])
    new = sum(c.delta for r in rows for c in r["own"])
    print(f"{n} days: members exported {sent / MB:.1f} MB holding {new / MB:.1f} MB of new "
          f"content; the leader exported {sum(r['team'].size for r in rows) / MB:.1f} MB "
          f"(each received by {len(own)} members)")
    goal = "(reported)"
    figure(f"day {n} member bundle/its new content that day (median member)",
           own[mid].size / MB, "MB", baseline=own[mid].delta / MB, goal=goal, met=None)
    figure(f"day {n} merged bundle/day-{n} team new content", last["team"].size / MB, "MB",
           baseline=last["team"].delta / MB, goal=goal, met=None)
    figure(f"day {n} member bundle/day-1 bundle of the same member", own[mid].size / MB, "MB",
           baseline=first["own"][mid].size / MB, goal=goal, met=None)
    figure(f"{n}-day member bundle bytes/their new content", sent / MB, "MB",
           baseline=new / MB, goal=goal, met=None)
    figure(f"day {n} leader merge/sha256 of the same {last['merge_bytes'] / MB:.1f} MB",
           last["merge_s"], "s", baseline=last["merge_sha_s"], goal=goal, met=None)
    imid = _median_index(last["imports"])
    figure(f"day {n} member import of merged bundle/sha256 of it (median member)",
           last["imports"][imid], "s", baseline=last["import_sha_s"], goal=goal, met=None)


def main() -> None:
    """Set up the team, run the days, print the table and figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--days", type=int, default=10)
    p.add_argument("--inspectors", type=int, default=5)
    p.add_argument("--quick", action="store_true",
                   help="2 inspectors, 2 days, small notes and files, for a smoke run")
    args = p.parse_args()
    sizes = Sizes()
    if args.quick:
        args.days, args.inspectors, sizes = 2, 2, QUICK
    base = isolated_environment()
    os.environ["HMIP_KEY_SOURCE"] = "passphrase"
    os.environ["HMIP_PASSPHRASE"] = PASSPHRASE
    root = base / "team"
    (root / "files").mkdir(parents=True)
    t0 = time.perf_counter()
    lead, members = set_up(root, args.inspectors)
    print(f"setup: a leader and {args.inspectors} inspectors joined by invite in "
          f"{time.perf_counter() - t0:.1f} s")
    from hmip_desktop.bundle.reader import BundleReader

    seen_revs: set[str] = set()
    with BundleReader(root / "invite.hmipbundle", [lead.keys.age_identity]) as reader:
        seen_revs.update(json.loads(line)["rev_id"] for line in reader.iter_revision_lines())
    seen_blobs: set[str] = set()
    rows = []
    for day in range(1, args.days + 1):
        rows.append(one_day(root, day, args.days, lead, members, sizes, seen_revs, seen_blobs))
    for person in [lead, *members]:
        person.store.close()
    report(rows)
    print(f"whole run {time.perf_counter() - t0:.0f} s")
    emit("sync_growth", args.quick, days=args.days, inspectors=args.inspectors)
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
