"""The data folder's own files (device.json, settings.json, device-keys.json) can be damaged
by a crash or a hand edit: each damage is one clear refusal naming the file and what to do,
never an internal error, and the file is left as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hmip_desktop.services import identity
from tests.security.helpers import runner


@pytest.fixture(scope="module")
def made(tmp_path_factory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("datafolder")
    run = runner(root, "inspector")
    run("new", "insp.hmip", "--establishment", "HMP Lewes", "--type", "mens-prison")
    run("identity", "show")  # makes device-keys.json (no keyring here)
    return root, run, root / "homes" / "inspector"


def _common(good: dict) -> dict[str, bytes | None]:
    """Damage any JSON file can suffer (None: a folder in its place)."""
    return {
        "empty": b"",
        "cut short": json.dumps(good).encode()[:20],
        "not UTF-8": b"\xff\xfe{}",
        "a list": b"[]",
        "nested 30,000 deep": b"[" * 30_000 + b"]" * 30_000,
        "nested within the size": b"[" * 100 + b"]" * 100,
        "70 KiB": b" " * 70_000 + b"{}",
        "a folder": None,
    }


def _check(run, home: Path, name: str, variants: dict[str, bytes | None],  # type: ignore[no-untyped-def]
           command: tuple[str, ...], words: str, works: tuple[str, ...] = ()) -> None:
    path = home / name
    good = path.read_bytes()
    try:
        for label, data in variants.items():
            path.unlink()
            if data is None:
                path.mkdir()
            else:
                path.write_bytes(data)
            identity.forget_cached_keys()  # each run reads the file, as a new process does
            out = run(*command, check=False)
            assert out.returncode == 2, (label, out.stderr)
            assert f"'{name}'" in out.stderr and words in out.stderr, (label, out.stderr)
            assert out.stderr.count("\n") == 1, (label, out.stderr)
            if data is None:
                assert path.is_dir(), label
                path.rmdir()
                path.touch()
            else:
                assert path.read_bytes() == data, label
    finally:
        if path.is_dir():
            path.rmdir()
        path.write_bytes(good)
    assert run(*(works or command)).returncode == 0
    assert sorted(p.name for p in home.glob("*.json")) == \
        ["device-keys.json", "device.json", "settings.json"]  # none set aside or made anew


def test_a_damaged_device_profile_is_a_clear_refusal(made) -> None:  # type: ignore[no-untyped-def]
    root, run, home = made
    good = json.loads((home / "device.json").read_text(encoding="utf-8"))
    variants = _common(good)
    variants.update({
        "device id a list": json.dumps(dict(good, device_id=["x"])).encode(),
        "no author id": json.dumps({k: v for k, v in good.items() if k != "author_id"}).encode(),
        "role a number": json.dumps(dict(good, role=7)).encode(),
    })
    before = (root / "insp.hmip").read_bytes()
    _check(run, home, "device.json", variants, ("info", "insp.hmip"), "backup")
    assert (root / "insp.hmip").read_bytes() == before


def test_a_damaged_settings_file_is_a_clear_refusal(made) -> None:  # type: ignore[no-untyped-def]
    root, run, home = made
    good = json.loads((home / "settings.json").read_text(encoding="utf-8"))
    variants = _common(good)
    variants.update({
        "recovery key a number": json.dumps(dict(good, recovery_recipient=7)).encode(),
        "recent files a number": json.dumps(dict(good, recent_files=7)).encode(),
        "recent files null": json.dumps(dict(good, recent_files=None)).encode(),
    })
    _check(run, home, "settings.json", variants, ("info", "insp.hmip"), "backup")


def test_a_damaged_sync_keys_file_is_a_clear_refusal(made) -> None:  # type: ignore[no-untyped-def]
    root, run, home = made
    good = json.loads((home / "device-keys.json").read_text(encoding="utf-8"))
    w = good["wrapped"]
    variants = _common(good)
    variants.update({
        name: json.dumps(dict(good, **change)).encode() for name, change in {
            "iterations as text": {"wrapped": dict(w, iterations="3")},
            "2 TiB of memory": {"wrapped": dict(w, memory_kib=2 ** 31)},
            "a billion passes": {"wrapped": dict(w, iterations=10 ** 9)},
            "salt not base64": {"wrapped": dict(w, salt="!!!")},
            "no nonce": {"wrapped": {k: v for k, v in w.items() if k != "nonce"}},
            "device id a list": {"device_id": [good["device_id"]]},
        }.items()})
    # Exporting a bundle unlocks the keys; the file is this device's own, not the roster's.
    _check(run, home, "device-keys.json", variants,
           ("bundle", "export", "insp.hmip", "--out", "x.bundle"), "backup",
           works=("identity", "show"))
    bad_public = json.dumps(dict(good, public=dict(good["public"], signer="x"))).encode()
    _check(run, home, "device-keys.json", {"public key malformed": bad_public},
           ("identity", "show"), "its public keys are malformed")
    assert not (root / "x.bundle").exists()


def test_a_hostile_identity_card_is_a_clear_refusal(made) -> None:  # type: ignore[no-untyped-def]
    root, run, _home = made
    run("identity", "export", "--out", "me.hmipcard")
    good = json.loads((root / "me.hmipcard").read_text(encoding="utf-8"))
    card = root / "card.hmipcard"
    variants = {
        "nested 30,000 deep (60 KiB)": (b"[" * 30_000 + b"]" * 30_000, "limit: depth 32"),
        "70 KiB": (b" " * 70_000, "limit: 64 KiB"),
        "not UTF-8": (b"\xff{}", "not JSON text"),
        "format as text": (json.dumps(dict(good, format="1")).encode(), "damaged"),
    }
    for label, (data, words) in variants.items():
        card.write_bytes(data)
        out = run("team", "add", "insp.hmip", card.name, check=False)
        assert out.returncode == 2 and words in out.stderr, (label, out.stderr)
        assert out.stderr.count("\n") == 1 and "newer version" not in out.stderr, label
    card.unlink()
    card.mkdir()
    out = run("team", "add", "insp.hmip", card.name, check=False)
    assert out.returncode == 2 and "a folder" in out.stderr, out.stderr


def test_a_damaged_imported_framework_is_skipped_with_a_note(made) -> None:  # type: ignore[no-untyped-def]
    _root, run, home = made
    folder = home / "frameworks"
    (folder / "deep.json").write_bytes(b"[" * 30_000 + b"]" * 30_000)
    (folder / "folder.json").mkdir()
    try:
        out = run("frameworks", "list", check=False)
        assert out.returncode == 0, out.stderr
        assert "skipped deep.json: it is nested too deeply (limit: depth 32)" in out.stderr
        assert "skipped folder.json: it is a folder" in out.stderr
        assert "men-prisons" in out.stdout  # the others are still listed
    finally:
        (folder / "deep.json").unlink()
        (folder / "folder.json").rmdir()
