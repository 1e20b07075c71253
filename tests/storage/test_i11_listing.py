"""Issue 11, listing a type: one statement on the session's own connection, sorted by when
each record was first created (not by its last save), deleted records only when asked, and
each row read into the same view `get` gives."""

from __future__ import annotations

from hmip_desktop.domain import records as R
from hmip_desktop.services.notes import NoteService


def test_list_is_oldest_first_and_matches_get(store) -> None:
    notes = NoteService(store)
    ids = [str(notes.add(source_kind="observation", title=f"n{i}")) for i in range(6)]
    notes.edit(ids[0], title="edited last")  # saved last, still listed first
    notes.delete(ids[2])
    with store.uow() as tx:
        live = tx.records.list(R.NOTE)
        every = tx.records.list(R.NOTE, include_deleted=True)
        assert [e.id for e in live] == [i for i in ids if i != ids[2]]
        assert [e.id for e in every] == ids
        assert [e.created_hlc for e in every] == sorted(e.created_hlc for e in every)
        assert every == [tx.records.get(i) for i in ids]
        assert every[2].deleted and not live[0].deleted
        assert live[0].payload["title"] == "edited last"
        assert tx.records.list("no_such_type") == []
    assert [n.title for n in notes.list()] == ["edited last", "n1", "n3", "n4", "n5"]


def test_list_sees_what_its_own_transaction_wrote(store) -> None:
    """The listing reads on the transaction's connection: rows written before it in the same
    unit of work are listed (the entity table is written through that connection too)."""
    with store.uow(write=True) as tx:
        store.put(tx, R.NOTE, "n-1", {"source_kind": "observation", "title": "in tx",
                                      "body": "", "interpreter_used": False})
        assert [e.id for e in tx.records.list(R.NOTE)] == ["n-1"]
