"""Issue 11 §3, the merge's overlapped phases: attachments copied on a helper thread while
the revisions are checked keep every refusal and leave nothing behind; payload texts cut
from canonical lines are the texts the encoder makes; flat payloads are checked as before."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import text

from hmip_desktop.domain import payload_rules as P
from hmip_desktop.domain import records as R
from hmip_desktop.domain.errors import BundleError, Cancelled
from hmip_desktop.domain.revision import (
    canonical_json,
    make_revision,
    payload_text_of_line,
    revision_and_form_from_json,
)
from hmip_desktop.services import bundle_candidates

_NASTY = ['"', "\\", ',"payload":', ',"rev_id":"x"', ',"schema":2', "é", "\u2028", "\x00", "}"]


@pytest.mark.parametrize("nasty", _NASTY)
def test_payload_text_cut_from_a_canonical_line_is_the_encoders(nasty: str) -> None:
    payload = {"title": nasty, nasty: [nasty, {"rev_id": nasty, "n": None}], "rev_id": 3}
    rev = make_revision(entity_type=R.NOTE, entity_id=f"n{nasty}", parents=[nasty, "p"],
                        hlc=f"h{nasty}", device_id="d", author_id=nasty, payload=payload)
    for signed in (rev, rev.signed("c2ln/+=="), rev.signed(nasty)):
        line = signed.to_json_line()
        parsed, own = revision_and_form_from_json(line)
        assert own and parsed == signed and parsed.signature == signed.signature
        assert payload_text_of_line(line) == canonical_json(dict(payload)).decode()
        # The same revision written any other way is not taken as canonical.
        data = json.loads(line)
        for other in (json.dumps(data, sort_keys=True).encode(),
                      json.dumps(data, sort_keys=True, separators=(",", ":")).encode(),
                      canonical_json({**data, "sig": ""}), line.decode()):
            if other != line:
                assert revision_and_form_from_json(other)[1] is False


def test_flat_payloads_are_refused_as_the_walk_refused(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(P, "MAX_STRING_CHARS", 5)
    monkeypatch.setattr(P, "MAX_ITEMS", 3)
    cases = [
        ({"title": "x" * 6}, "a text is longer than allowed (limit: 5 characters)"),
        ({"k" * 201: 1}, "a record has an oversized field name"),
        ({"a": 1, "b": 2, "c": 3, "d": "x" * 9}, "a record holds too many items (limit: 3)"),
        ({"k" * 201: "x" * 9}, "a record has an oversized field name"),
        ({"title": 5}, "a note record has a wrongly typed field 'title'"),
        ({"title": None}, "a note record has a wrongly typed field 'title'"),
        ({"interpreter_used": 1}, "a note record has a wrongly typed field 'interpreter_used'"),
        ({"title": ["x" * 6]}, "a text is longer than allowed (limit: 5 characters)"),
    ]
    for payload, message in cases:
        with pytest.raises(P.PayloadProblem) as caught:
            P.check_payload(R.NOTE, 1, payload)
        assert str(caught.value) == message
    P.check_payload(R.NOTE, 1, {"title": "ok", "interpreter_used": False, "x": 1.5})


def _member_with_attachment(kit, tmp_path):  # type: ignore[no-untyped-def]
    from hmip_desktop.services.documents import DocumentService

    lead, member = kit.team("lead", "member")
    for i in range(3):
        doc = tmp_path / f"policy{i}.txt"
        doc.write_text(f"Policy {i}: the segregation unit is reviewed daily.", encoding="utf-8")
        DocumentService(member.store).import_files([doc])
    member.notes.add(source_kind="observation", title="Wing", body="visit")
    return lead, kit.export(member)


def _leftovers(store) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    root = store.blobs.root
    blobs = sorted(p.name for p in root.iterdir()) if root.exists() else []
    debris = sorted(p.name for p in store.path.parent.iterdir()
                    if p.name.startswith(store.path.name)
                    and (".import-" in p.name or ".undo-" in p.name))  # journal, snapshot
    return blobs, debris


def test_a_damaged_attachment_copied_on_the_helper_refuses_and_leaves_nothing(
        kit, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    lead, bundle = _member_with_attachment(kit, tmp_path)
    before, digest = _leftovers(lead.store), kit.digest(lead)
    real = bundle_candidates._stored_copy
    calls = []

    def damaged_second(store, c, member, sha, meter):  # type: ignore[no-untyped-def]
        calls.append(threading.current_thread().name)
        if len(calls) == 2:
            raise BundleError("This bundle is damaged (an attachment does not match).")
        real(store, c, member, sha, meter)

    monkeypatch.setattr(bundle_candidates, "_stored_copy", damaged_second)
    with pytest.raises(BundleError, match="damaged"):
        kit.import_(lead, [bundle])
    assert set(calls) == {"blob-copies"}  # copied on the helper thread
    assert _leftovers(lead.store) == before and kit.digest(lead) == digest
    monkeypatch.undo()
    assert kit.import_(lead, [bundle]).blobs_new == 3


def test_cancel_while_attachments_copy_leaves_nothing(
        kit, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    lead, bundle = _member_with_attachment(kit, tmp_path)
    before, digest = _leftovers(lead.store), kit.digest(lead)
    cancel = threading.Event()
    real = bundle_candidates._stored_copy

    def cancel_after_first(store, c, member, sha, meter):  # type: ignore[no-untyped-def]
        real(store, c, member, sha, meter)
        cancel.set()

    monkeypatch.setattr(bundle_candidates, "_stored_copy", cancel_after_first)
    with pytest.raises(Cancelled):
        kit.import_(lead, [bundle], cancel=cancel)
    assert _leftovers(lead.store) == before and kit.digest(lead) == digest


def test_merged_payload_texts_are_canonical(kit) -> None:  # type: ignore[no-untyped-def]
    lead, member = kit.team("lead", "member")
    for i in range(30):
        member.notes.add(source_kind="observation", title=f"Visit {i} \"é\"", body="b\\ody")
    kit.import_(lead, [kit.export(member)])
    with lead.store.uow() as tx:
        conn = tx._session.connection()
        rows = conn.execute(text("SELECT payload FROM revision")).scalars().all()
        rows += conn.execute(text("SELECT payload FROM entity")).scalars().all()
    assert len(rows) > 60
    assert all(canonical_json(json.loads(p)).decode() == p for p in rows)


def test_the_switch_interval_is_restored_after_a_merge(
        kit, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import sys

    from hmip_desktop.services import import_blob_copies

    lead, bundle = _member_with_attachment(kit, tmp_path)
    before = sys.getswitchinterval()
    seen = []
    real = bundle_candidates._stored_copy

    def watch(store, c, member, sha, meter):  # type: ignore[no-untyped-def]
        seen.append(sys.getswitchinterval())
        if len(seen) == 2 and fail:
            raise BundleError("This bundle is damaged (an attachment does not match).")
        real(store, c, member, sha, meter)

    monkeypatch.setattr(bundle_candidates, "_stored_copy", watch)
    fail = True
    with pytest.raises(BundleError, match="damaged"):
        kit.import_(lead, [bundle])
    assert sys.getswitchinterval() == before
    fail, seen[:] = False, []
    assert kit.import_(lead, [bundle]).blobs_new == 3
    assert sys.getswitchinterval() == before
    assert seen and all(s == pytest.approx(min(before, import_blob_copies._SWITCH_S))
                        for s in seen)
