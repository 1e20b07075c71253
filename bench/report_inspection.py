"""A full men's prison inspection large enough for a ~150-page draft report, written through
the app's own services, for the end-to-end report benchmark."""

from __future__ import annotations

import random
from pathlib import Path

from bench.common import sentence


def _prose(rng: random.Random, paragraphs: int, words: int) -> str:
    return "\n\n".join(sentence(rng, words).capitalize() + "." for _ in range(paragraphs))


def make_inspection(path: Path, scale: float = 1.0):  # type: ignore[no-untyped-def]
    """Create and fill the inspection; returns the open store."""
    from hmip_desktop.domain import records as R
    from hmip_desktop.services.concerns import ConcernService, NppService
    from hmip_desktop.services.frameworks import FrameworkService
    from hmip_desktop.services.inspections import create_inspection
    from hmip_desktop.services.report_writing import ReportWritingService
    from hmip_desktop.services.scoring import ScoringService

    rng = random.Random(3)
    fw = FrameworkService().resolve_for_new("mens_prison", None, None)
    store = create_inspection(path, establishment_name="HMP Ŵrexham",
                              establishment_type="mens_prison", framework=fw,
                              start_date="2026-11-16", end_date="2026-11-27")
    scoring = ScoringService(store)
    sections = scoring.framework().sections
    paragraphs = max(int(9 * scale), 1)
    refs = [e.number for s in sections for a in s.areas for e in a.expectations]
    from hmip_desktop.domain.ids import new_id

    kinds = list(R.SOURCE_KINDS)
    with store.uow(write=True) as tx:   # evidence in one transaction: fast to set up
        for i in range(int(600 * scale) + 5):
            note = new_id()
            store.put(tx, R.NOTE, note, {"source_kind": kinds[i % len(kinds)],
                                         "title": sentence(rng, 6).capitalize(),
                                         "body": _prose(rng, 1, 60)})
            if refs:
                store.put(tx, R.LINK, new_id(), {"evidence_id": note,
                                                 "expectation_ref": refs[i % len(refs)]})
    for sec in sections:
        for ar in sec.areas:
            scoring.set_findings(sec.key, ar.key, _prose(rng, paragraphs, 110))
    for n, (key, _label) in enumerate(scoring.judged_sections()):
        scoring.set_agreed(key, 1 + n % 4, sentence(rng, 20))
    concerns = ConcernService(store)
    judged = [k for k, _ in scoring.judged_sections()]
    for n in range(15):
        concerns.add(title=sentence(rng, 8).capitalize(), body=_prose(rng, 2, 70),
                     sections=[judged[n % len(judged)]], priority=n < 5, addressee="hmpps")
    for _ in range(4):
        NppService(store).add(title=sentence(rng, 6).capitalize(), body=_prose(rng, 1, 60))
    parts = ReportWritingService(store)
    for key in ("introduction", "fact_page", "about", "summary"):
        parts.set_text(key, _prose(rng, 4, 90))
    return store
