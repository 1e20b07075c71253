"""Data extracts: import, types, all-or-nothing error paths, cancel, queries, materialise."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from hmip_desktop.domain import records as R
from hmip_desktop.domain.errors import (
    Cancelled,
    ImportFormatError,
    NotFoundError,
    ReadOnlyError,
    ValidationError,
)
from hmip_desktop.ingest.tabular import sha256_file
from hmip_desktop.services.extracts import ExtractService, materialise_missing_extracts
from hmip_desktop.services.search import search
from hmip_desktop.storage import extract_tables as T
from tests.evidence.conftest import extract_tables, make_xlsx

INCIDENTS = (
    "Incident,Date,Wing,Cost,Notes\n"
    "1,2024-01-05,A,12.50,first\n"
    "2,20/01/2024,B,3,\n"
    "3,2024-02-01,A,,second one\n"
    "\n"
    "4,05/02/2024,C,1.25,\"quoted, with comma\"\n"
    ",,,,\n"
    "5,2025-03-09,A,-4.75,x\n"
)


def test_import_types_values_snapshot_and_record(store, write_csv) -> None:
    """Types are inferred, values converted, blank rows skipped, the file snapshotted."""
    path = write_csv("incidents.csv", INCIDENTS)
    service = ExtractService(store)
    view = service.import_file(path)
    assert view.name == "incidents" and view.filename == "incidents.csv"
    assert [(c.name, c.type) for c in view.columns] == [
        ("Incident", "integer"), ("Date", "date"), ("Wing", "text"), ("Cost", "decimal"),
        ("Notes", "text")]
    assert view.row_count == 5 and view.available and view.source_kind == "data"
    assert view.sha256 == sha256_file(path)
    assert store.blobs.read_bytes(view.sha256) == path.read_bytes()
    assert service.rows(view.id) == [
        (1, "2024-01-05", "A", "12.5", "first"),
        (2, "2024-01-20", "B", "3", None),
        (3, "2024-02-01", "A", None, "second one"),
        (4, "2024-02-05", "C", "1.25", "quoted, with comma"),
        (5, "2025-03-09", "A", "-4.75", "x"),
    ]
    with store.uow() as tx:
        payload = tx.records.get(view.id).payload
        assert tx.records.get(view.id).type == R.EXTRACT
        assert tx.blobs.get(view.sha256) is not None
    assert payload["columns"][3] == {"name": "Cost", "type": "decimal"}
    assert payload["format"]["kind"] == "csv" and payload["row_count"] == 5
    assert [h.entity_id for h in search(store, "incidents")] == [view.id]
    assert service.list() == [view]


def test_column_type_overrides_by_name_and_index(store, write_csv) -> None:
    """The user can correct types; an unknown column or type is refused up front."""
    path = write_csv("codes.csv", "Code,Age\n007,31\n012,45\n")
    service = ExtractService(store)
    view = service.import_file(path, name="Codes", column_types={"Age": "text", 0: "text"})
    assert [c.type for c in view.columns] == ["text", "text"]
    assert service.rows(view.id) == [("007", "31"), ("012", "45")]
    with pytest.raises(ValidationError, match="no column 'Height'"):
        service.import_file(path, column_types={"Height": "integer"})
    with pytest.raises(ValidationError, match="Column type"):
        service.import_file(path, column_types={"Age": "number"})


def _bad_files(tmp_path: Path, write_csv) -> list[tuple[Path, dict, str, int | None]]:
    """(file, column type overrides, message fragment, row) for each malformed input."""
    rows = "".join(f"{i},{i * 2}\n" for i in range(1, 15_000))
    real_xlsx = make_xlsx(tmp_path / "real.xlsx", {"S": [["a", "b"], [1, 2]]})
    lying = tmp_path / "lying.csv"
    lying.write_bytes(real_xlsx.read_bytes())
    merged = make_xlsx(tmp_path / "merged.xlsx",
                       {"S": [["Wing", None, "Count"], ["A", "x", 1]]}, merges=("A1:B1",))
    return [
        (write_csv("ragged.csv", "a,b\n1,2\n3,4,5\n"), {}, "columns", 3),
        (write_csv("latin.csv", "a,b\n1,caf\xe9\n", encoding="latin-1")
         .with_name("latin.csv"), {}, "", None),
        (write_csv("empty.csv", ""), {}, "empty", None),
        (write_csv("header_only.csv", "a,b\n"), {}, "no data rows", None),
        (write_csv("late_bad.csv", "n,m\n" + rows + "x,1\n"), {}, "integer", 15_001),
        (write_csv("bad_cell.csv", "n,d\n1,2024-01-01\n2,2024-02-30\n"), {"d": "date"}, "date", 3),
        (write_csv("exponent.csv", "n,v\n1,1.5\n2,1e5\n"), {"v": "decimal"}, "decimal", 3),
        (write_csv("override.csv", "n,w\n1,A\n2,B\n"), {"w": "integer"}, "integer", 2),
        (lying, {}, "really", None),
        (merged, {}, "merged", 1),
    ]


def test_every_error_path_leaves_no_table_no_record_no_blob(store, tmp_path, write_csv,
                                                           snapshot) -> None:
    """Malformed input names the row and column; nothing at all is written."""
    service = ExtractService(store)
    before = snapshot()
    for path, types, fragment, row in _bad_files(tmp_path, write_csv):
        if path.name == "latin.csv":
            # Undecodable bytes for the encoding chosen (as checked on a clean copy).
            sniffed = service.preview(write_csv("clean.csv", "a,b\n1,cafe\n"))
            with pytest.raises(ImportFormatError) as err:
                service.import_file(path, sniff=sniffed)
            assert err.value.row == 2
        else:
            with pytest.raises(ImportFormatError) as err:
                service.import_file(path, column_types=types)
            assert fragment in str(err.value), (path.name, str(err.value))
            assert err.value.row == row, (path.name, err.value.row)
        assert snapshot() == before, path.name
    assert service.list() == []


def test_cancel_mid_import_leaves_nothing(store, write_csv, snapshot) -> None:
    """Cancel while rows are being loaded: no table, record, blob row or blob file remain."""
    path = write_csv("big.csv", "n,w\n" + "".join(f"{i},W{i % 7}\n" for i in range(60_000)))
    before = snapshot()
    cancel = threading.Event()
    calls: list[int] = []

    def progress(done: int, total: int) -> None:
        calls.append(done)
        if done > total // 2:
            cancel.set()

    with pytest.raises(Cancelled):
        ExtractService(store).import_file(path, progress=progress, cancel=cancel)
    assert calls and max(calls) < 1000
    assert snapshot() == before
    # Cancel during the snapshot phase too.
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        ExtractService(store).import_file(path, cancel=cancel)
    assert snapshot() == before


def test_progress_reaches_the_end(store, write_csv) -> None:
    """Progress is monotonic and ends at total."""
    path = write_csv("p.csv", "n\n" + "".join(f"{i}\n" for i in range(25_000)))
    seen: list[tuple[int, int]] = []
    ExtractService(store).import_file(path, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_xlsx_import(store, tmp_path) -> None:
    """An XLSX sheet imports through the ingest reader with typed values."""
    path = make_xlsx(tmp_path / "roll.xlsx", {"Roll": [["Wing", "Count", "Rate"],
                                                        ["A", 112, 0.25], ["B", 98, 1.5]]})
    service = ExtractService(store)
    view = service.import_file(path)
    assert [c.type for c in view.columns] == ["text", "integer", "decimal"]
    assert service.rows(view.id) == [("A", 112, "0.25"), ("B", 98, "1.5")]
    assert service.group_by(view.id, "Wing", "sum", "Count") == [("A", 112), ("B", 98)]


def test_read_only_file_refuses_before_work(store, write_csv) -> None:
    """A read-only file refuses an import and nothing is encrypted."""
    path = write_csv("a.csv", "n\n1\n")
    store.read_only = True
    with pytest.raises(ReadOnlyError):
        ExtractService(store).import_file(path)
    assert not store.blobs.root.exists() or not any(store.blobs.root.iterdir())


def test_materialise_after_local_table_lost(store, tmp_path, write_csv) -> None:
    """Rows rebuilt from the snapshot blob equal the imported rows (CSV fast and careful
    paths, XLSX); a missing blob waits; deleted extracts' tables are dropped."""
    service = ExtractService(store)
    csv_fast = service.import_file(write_csv("a.csv", INCIDENTS))
    csv_careful = service.import_file(write_csv("b.csv", "n,amount\n1,\"1,234.50\"\n2, 7\n"))
    xlsx = service.import_file(make_xlsx(tmp_path / "c.xlsx", {"S": [["k", "v"], ["a", 1]]}))
    gone = service.import_file(write_csv("d.csv", "n\n1\n"))
    before = {v.id: service.rows(v.id) for v in (csv_fast, csv_careful, xlsx)}
    assert before[csv_careful.id] == [(1, "1234.5"), (2, "7")]
    with store.uow(write=True) as tx:
        for v in (csv_fast, csv_careful, xlsx, gone):
            tx.extract_tables.drop(T.table_name(v.id))
    store.blobs.path_of(gone.sha256).unlink()
    assert service.get(csv_fast.id).available is False
    with pytest.raises(NotFoundError, match="not on this computer"):
        service.rows(csv_fast.id)
    report = materialise_missing_extracts(store)
    assert set(report.rebuilt) == {csv_fast.id, csv_careful.id, xlsx.id}
    assert report.waiting_for_snapshot == (gone.id,) and report.failed == ()
    assert {i: service.rows(i) for i in before} == before
    service.delete(xlsx.id)
    assert T.table_name(xlsx.id) not in extract_tables(store)
    with store.uow(write=True) as tx:  # as if a merge brought the tombstone
        T.create(tx.extract_tables.cursor(), T.table_name(xlsx.id), ["text", "integer"])
    assert materialise_missing_extracts(store).dropped == 1
    service.restore(xlsx.id)
    assert service.rows(xlsx.id) == before[xlsx.id]


@pytest.mark.parametrize("read", ["row_count", "rows", "group_by"])
def test_reads_see_the_record_and_its_rows_in_one_transaction(store, write_csv, monkeypatch,
                                                              read) -> None:
    """Another writer (the command line beside the app) deleting the extract between the
    record's read and the rows' read: the read answers from one consistent state instead of
    failing on a table that has just gone."""
    from hmip_desktop.services import extracts as X

    service = ExtractService(store)
    view = service.import_file(write_csv("uof.csv", "n,wing\n1,A\n2,B\n3,A\n"))
    real_ready = X._ready_in

    def ready_then_deleted(tx, extract_id):  # type: ignore[no-untyped-def]
        found = real_ready(tx, extract_id)
        other = threading.Thread(target=lambda: ExtractService(store).delete(extract_id))
        other.start()
        other.join(10)
        assert not other.is_alive()
        return found

    monkeypatch.setattr(X, "_ready_in", ready_then_deleted)
    answers = {"row_count": lambda: service.row_count(view.id),
               "rows": lambda: len(service.rows(view.id)),
               "group_by": lambda: sum(n for _k, n in service.group_by(view.id, "wing"))}
    assert answers[read]() == 3
    monkeypatch.setattr(X, "_ready_in", real_ready)
    with pytest.raises(NotFoundError):
        service.row_count(view.id)
