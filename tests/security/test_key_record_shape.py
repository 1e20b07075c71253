"""A damaged or hand-edited key record (NAME.hmip.key) is one clear refusal naming what is
wrong, never an internal error, and its Argon2id parameters cannot make the app allocate or
compute without bound; the file and its record are left as they were."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.security.helpers import runner


@pytest.fixture(scope="module")
def made(tmp_path_factory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("keyrec")
    run = runner(root, "inspector")
    run("new", "insp.hmip", "--establishment", "HMP Lewes", "--type", "mens-prison")
    record = json.loads((root / "insp.hmip.key").read_text(encoding="utf-8"))
    return root, run, record


def _variants(record: dict) -> dict[str, tuple[str, str]]:
    w = record["wrapped"]
    as_text = {
        "wrapped as text": dict(record, wrapped="abc"),
        "no salt": dict(record, wrapped={k: v for k, v in w.items() if k != "salt"}),
        "salt not base64": dict(record, wrapped=dict(w, salt="!!!")),
        "iterations as text": dict(record, wrapped=dict(w, iterations="3")),
        "2 TiB of memory": dict(record, wrapped=dict(w, memory_kib=2 ** 31)),
        "a billion passes": dict(record, wrapped=dict(w, iterations=10 ** 9)),
        "file id a list": dict(record, file_id=["x"]),
        "unknown source": dict(record, source="cloud"),
        "no wrapped key": dict(record, wrapped=None),
    }
    out = {name: (json.dumps(v), "damaged") for name, v in as_text.items()}
    out["not JSON"] = ("{", "not JSON")
    out["nested 30,000 deep"] = ("[" * 30_000 + "]" * 30_000, "not a key record")
    out["70 KiB"] = (" " * 70_000, "limit: 64 KiB")
    out["not UTF-8"] = ("\udcff", "not JSON")
    return out


def test_a_damaged_key_record_is_a_clear_refusal(made) -> None:  # type: ignore[no-untyped-def]
    root, run, record = made
    key_path: Path = root / "insp.hmip.key"
    good = key_path.read_bytes()
    before = (root / "insp.hmip").read_bytes()
    try:
        for name, (text, words) in _variants(record).items():
            key_path.write_bytes(text.encode("utf-8", "surrogateescape"))
            out = run("info", "insp.hmip", check=False)
            assert out.returncode == 2, (name, out.stderr)
            assert "key record 'insp.hmip.key'" in out.stderr and words in out.stderr, \
                (name, out.stderr)
            assert out.stderr.count("\n") == 1, (name, out.stderr)
            assert key_path.read_bytes() == text.encode("utf-8", "surrogateescape"), name
    finally:
        key_path.write_bytes(good)
    assert (root / "insp.hmip").read_bytes() == before
    assert run("info", "insp.hmip").returncode == 0
