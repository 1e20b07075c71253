"""Nothing sensitive reaches the disk in plaintext; the no-keyring path is first-class."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from hmip_desktop.domain.errors import PassphraseRequired, WrongKeyError
from hmip_desktop.services import attachments, search
from hmip_desktop.services.inspections import create_inspection, open_inspection
from hmip_desktop.services.notes import NoteService
from hmip_desktop.storage import keys
from tests.factories import minimal_framework

SECRET_NOTE = "Prisoner Zebediah Quartermaine disclosed threats on C wing"
SECRET_ATTACHMENT = b"CONFIDENTIAL-ACCT-REVIEW-7731 self-harm log for Zebediah"
PASSPHRASE = "correct horse battery staple"


def _all_files(*roots: Path) -> list[Path]:
    out = []
    for root in roots:
        if root.is_file():
            out.append(root)
        elif root.exists():
            out.extend(p for p in root.rglob("*") if p.is_file())
    return out


def _contains(path: Path, needle: bytes) -> bool:
    data = path.read_bytes()
    return needle in data or needle.decode().encode("utf-16-le") in data


def test_no_plaintext_in_file_wal_blobs_temp_or_logs(tmp_path: Path, monkeypatch,
                                                     isolated_home: Path) -> None:
    """After writing a note and an attachment, neither appears anywhere on disk."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    from hmip_desktop.logging_setup import configure_logging

    configure_logging()
    logging.getLogger("hmip_desktop").info("a log line to make sure the log file exists")
    work = tmp_path / "work"
    store = create_inspection(work / "secret.hmip", establishment_name="HMP Quietwater",
                              establishment_type="mens_prison", framework=minimal_framework())
    NoteService(store).add(source_kind="prisoner_interview", title="Interview on C wing",
                           body=SECRET_NOTE)
    src = tmp_path / "outside" / "acct.txt"
    src.parent.mkdir()
    src.write_bytes(SECRET_ATTACHMENT)
    sha, _, _ = attachments.add_file(store, src, "text/plain")
    assert search.search(store, "Quartermaine")  # the text is really in the file
    wal = work / "secret.hmip-wal"
    assert wal.exists() and wal.stat().st_size > 0  # checked while the WAL still holds pages
    files = _all_files(work, scratch, isolated_home)
    assert any(p.suffix == ".age" for p in files)
    for path in files:
        for needle in (b"Zebediah", b"Quartermaine", b"CONFIDENTIAL-ACCT", sha.encode()):
            assert not _contains(path, needle), f"{needle!r} found in {path.name}"
    store.close()
    for path in _all_files(work):
        assert not _contains(path, b"Zebediah"), path.name
    assert list(scratch.iterdir()) == []


def test_no_keyring_falls_back_to_a_passphrase(tmp_path: Path, monkeypatch) -> None:
    """With keyring's fail backend, the key is wrapped with a passphrase; wrong ones fail."""
    keyring.set_keyring(keyring.backends.fail.Keyring())
    assert not keys.secure_keyring_available()
    path = tmp_path / "p.hmip"
    with pytest.raises(PassphraseRequired):
        create_inspection(path, establishment_name="HMP A", establishment_type="mens_prison",
                          framework=minimal_framework(), provider=None)
    assert not path.exists() and not keys.key_record_path(path).exists()
    store = create_inspection(path, establishment_name="HMP A",
                              establishment_type="mens_prison", framework=minimal_framework(),
                              provider=lambda purpose: PASSPHRASE)
    assert store.info.key_source == keys.KEY_SOURCE_PASSPHRASE
    NoteService(store).add(source_kind="observation", title="t", body="kept")
    store.close()
    record = keys.key_record_path(path).read_text()
    assert PASSPHRASE not in record
    before = path.read_bytes()
    with pytest.raises(WrongKeyError):
        open_inspection(path, provider=lambda purpose: "not the passphrase")
    assert path.read_bytes() == before
    reopened = open_inspection(path, provider=lambda purpose: PASSPHRASE)
    assert NoteService(reopened).list()[0].body == "kept"
    reopened.close()


def test_plaintext_keyring_backends_are_never_trusted() -> None:
    """A backend storing secrets in plaintext files counts as no keyring at all."""

    class PlaintextKeyring(keyring.backend.KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def get_password(self, s, u):  # noqa: ANN001, ANN201
            return None

        def set_password(self, s, u, p):  # noqa: ANN001, ANN201
            raise AssertionError("must not be used")

        def delete_password(self, s, u):  # noqa: ANN001, ANN201
            return None

    keyring.set_keyring(PlaintextKeyring())
    assert not keys.secure_keyring_available()


def test_recovery_key_restores_access_after_keyring_loss(tmp_path: Path, memory_keyring) -> None:
    """With an organisation recovery recipient set, a wiped keyring does not lose evidence."""
    import pyrage

    from hmip_desktop.storage import profile

    org = pyrage.x25519.Identity.generate()
    settings = profile.load_settings()
    settings.recovery_recipient = str(org.to_public())
    profile.save_settings(settings)
    store = create_inspection(tmp_path / "r.hmip", establishment_name="HMP B",
                              establishment_type="mens_prison", framework=minimal_framework())
    NoteService(store).add(source_kind="observation", title="t", body="evidence")
    path, file_id = store.path, store.inspection_id
    store.close()
    memory_keyring.store.clear()
    with pytest.raises(keys.KeyUnavailableError):
        open_inspection(path)
    with pytest.raises(WrongKeyError):
        keys.restore_with_recovery(path, str(pyrage.x25519.Identity.generate()), provider=None)
    keys.restore_with_recovery(path, str(org), provider=None)
    reopened = open_inspection(path)
    assert NoteService(reopened).list()[0].body == "evidence"
    reopened.close()
    assert (keys.KEYRING_SERVICE, file_id) in memory_keyring.store
