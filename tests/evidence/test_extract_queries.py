"""Extract queries for the lazy table model: paging, sorting, filtering, group-by vs Python."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.services.extracts import ExtractService

WINGS = ["A", "B", "C", "Seg", "HCC", None]


def _dataset(tmp_path: Path, n: int = 3000) -> tuple[Path, list[tuple]]:
    """A CSV with blanks in every column and the rows as Python values."""
    rnd = random.Random(11)
    rows = []
    lines = ["id,when,wing,cost,count"]
    for i in range(n):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randrange(500))
        when = None if rnd.random() < 0.05 else day.isoformat()
        wing = rnd.choice(WINGS)
        cost = None if rnd.random() < 0.1 else Decimal(rnd.randrange(-5000, 50000)) / 100
        count = None if rnd.random() < 0.1 else rnd.randrange(0, 20)
        rows.append((i, when, wing, cost, count))
        lines.append(",".join("" if v is None else str(v) for v in (i, when, wing, cost, count)))
    path = tmp_path / "data.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, rows


@pytest.fixture
def loaded(store, tmp_path):  # type: ignore[no-untyped-def]
    """The dataset imported: (service, extract id, python rows)."""
    path, rows = _dataset(tmp_path)
    service = ExtractService(store)
    view = service.import_file(path, column_types={"cost": "decimal", "count": "integer"})
    assert [c.type for c in view.columns] == ["integer", "date", "text", "decimal", "integer"]
    return service, view.id, rows


def _shown(row: tuple) -> tuple:
    """A Python row as the service shows it (decimals as plain text)."""
    i, when, wing, cost, count = row
    text = None if cost is None else format(cost.normalize(), "f") if cost % 1 else str(int(cost))
    return (i, when, wing, text, count)


def test_paging_and_count(loaded) -> None:
    """Pages in file order join up to the whole table."""
    service, xid, rows = loaded
    assert service.row_count(xid) == len(rows)
    pages = [service.rows(xid, offset, 500) for offset in range(0, len(rows), 500)]
    assert [r for page in pages for r in page] == [_shown(r) for r in rows]
    assert service.rows(xid, len(rows), 10) == []


@pytest.mark.parametrize("column", [1, 2, 3, "count"])
@pytest.mark.parametrize("descending", [False, True])
def test_sorting_matches_python(loaded, column, descending) -> None:
    """Blanks first ascending (last descending); ties keep file order (reversed when desc)."""
    service, xid, rows = loaded
    index = 4 if column == "count" else column
    present = sorted((r for r in rows if r[index] is not None),
                     key=lambda r: (r[index], r[0]), reverse=descending)
    blanks = sorted((r for r in rows if r[index] is None), key=lambda r: r[0],
                    reverse=descending)
    expected = present + blanks if descending else blanks + present
    got = service.rows(xid, 100, 50, sort_column=column, descending=descending)
    assert [r[0] for r in got] == [r[0] for r in expected[100:150]]
    service.prepare_sort(xid, column)  # an index changes speed, not the answer
    again = service.rows(xid, 100, 50, sort_column=column, descending=descending)
    assert again == got


def test_filters_match_python(loaded) -> None:
    """Each operator, typed values, blanks and combinations."""
    service, xid, rows = loaded
    cases = [
        ([("wing", "=", "Seg")], lambda r: r[2] == "Seg"),
        ([("wing", "!=", "Seg")], lambda r: r[2] != "Seg"),
        ([("wing", "=", None)], lambda r: r[2] is None),
        ([("wing", "!=", "")], lambda r: r[2] is not None),
        ([("wing", "contains", "s")], lambda r: r[2] is not None and "s" in r[2].lower()),
        ([("cost", ">=", "100.5")], lambda r: r[3] is not None and r[3] >= Decimal("100.5")),
        ([("cost", "<", "1,000")], lambda r: r[3] is not None and r[3] < 1000),
        ([("count", "<=", "3"), ("wing", "=", "A")],
         lambda r: r[4] is not None and r[4] <= 3 and r[2] == "A"),
        ([("when", ">", "31/03/2025")], lambda r: r[1] is not None and r[1] > "2025-03-31"),
        ([("id", "contains", "99")], lambda r: "99" in str(r[0])),
    ]
    for filters, keep in cases:
        expected = [_shown(r) for r in rows if keep(r)]
        assert service.row_count(xid, filters) == len(expected), filters
        assert service.rows(xid, 0, 10_000, filters=filters) == expected, filters


def test_filter_values_are_checked_and_never_sql(loaded) -> None:
    """A value of the wrong type is refused; hostile text is just a value."""
    service, xid, rows = loaded
    with pytest.raises(ValidationError, match="must be a integer"):
        service.rows(xid, filters=[("count", "=", "three")])
    with pytest.raises(ValidationError, match="operator"):
        service.rows(xid, filters=[("count", "LIKE", "1")])
    with pytest.raises(ValidationError, match="no column"):
        service.rows(xid, filters=[("nope", "=", "1")])
    with pytest.raises(ValidationError, match="no column number"):
        service.rows(xid, sort_column=99)
    hostile = "A'; DROP TABLE entity; --"
    assert service.row_count(xid, [("wing", "=", hostile)]) == 0
    assert service.row_count(xid, [("wing", "contains", hostile)]) == 0
    assert service.row_count(xid) == len(rows)


def test_group_by_count_and_sum_match_python(loaded) -> None:
    """Counts, integer and decimal sums, month and year buckets, with filters."""
    service, xid, rows = loaded
    counts: dict = defaultdict(int)
    for r in rows:
        counts[r[2]] += 1
    assert service.group_by(xid, "wing") == sorted(
        counts.items(), key=lambda kv: (kv[0] is not None, kv[0] or ""))
    sums: dict = defaultdict(Decimal)
    for r in rows:
        if r[1] is not None and r[2] == "A":
            sums[r[1][:7]] += r[3] or 0
    got = service.group_by(xid, "when", "sum", "cost", filters=[("wing", "=", "A"),
                                                                ("when", "!=", None)],
                           date_granularity="month")
    assert [k for k, _ in got] == sorted(sums)
    assert all(Decimal(str(v)) == sums[k] for k, v in got)
    years: dict = defaultdict(int)
    for r in rows:
        years[None if r[1] is None else r[1][:4]] += r[4] or 0
    got_years = service.group_by(xid, "when", "sum", "count", date_granularity="year")
    assert dict(got_years) == dict(years) and all(isinstance(v, int) for _, v in got_years)


def test_group_by_refusals(loaded) -> None:
    """Sums need a numeric column; months need a date column."""
    service, xid, _ = loaded
    with pytest.raises(ValidationError, match="no numbers"):
        service.group_by(xid, "wing", "sum", "wing")
    with pytest.raises(ValidationError, match="no dates"):
        service.group_by(xid, "wing", date_granularity="month")
    with pytest.raises(ValidationError, match="count' or 'sum"):
        service.group_by(xid, "wing", "avg")
    with pytest.raises(ValidationError, match="add up"):
        service.group_by(xid, "wing", "sum")
