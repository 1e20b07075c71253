"""`hmip self-check`: is this installation able to keep evidence safe?"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3

from hmip_desktop import __version__, paths
from hmip_desktop.domain.wording import plural
from hmip_desktop.storage import db, fts, keys, migrate


@dataclass(frozen=True)
class Check:
    """One line of the self-check."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class CountedCheck(Check):
    """A self-check line that also gives its number (for --json)."""

    count: int | None = None


def run_checks() -> list[Check]:
    """Keyring backend, SQLCipher, FTS5, migrations on a scratch file; never raises."""
    checks = [Check("app version", True, __version__),
              Check("data directory", True, str(paths.data_dir()))]
    backend = keys.keyring_backend_name()
    secure = keys.secure_keyring_available()
    where = ("secure: keys kept in the OS keyring" if secure else
             "not secure: a passphrase-wrapped key file is used instead")
    checks.append(Check("keyring", True, f"{backend} ({where})"))
    with tempfile.TemporaryDirectory(prefix="hmip-selfcheck-") as tmp:
        path = Path(tmp) / "check.hmip"
        key = os.urandom(32)
        try:
            engine = db.make_engine(path, key)
            with engine.connect() as conn:
                version = conn.exec_driver_sql("PRAGMA cipher_version").scalar()
            checks.append(Check("SQLCipher", bool(version),
                                f"{version} on SQLite {sqlcipher3.sqlite_version}"))
            outcome = migrate.upgrade(engine, path, key)
            checks.append(Check("migrations", outcome.revision == migrate.head_revision(),
                                f"head {migrate.head_revision()}"))
            with engine.begin() as conn:
                conn.exec_driver_sql(
                    "INSERT INTO search_item(key, entity_id, kind, title, body) "
                    "VALUES ('k', 'e', 'note', 'self check', 'segregation unit visit')")
                hits = conn.exec_driver_sql(
                    "SELECT count(*) FROM search_fts WHERE search_fts MATCH '\"segregation\"'"
                ).scalar()
                problems = fts.check(conn)
            checks.append(Check("FTS5", hits == 1 and not problems,
                                "full-text index works" if hits == 1 else "no match"))
            engine.dispose()
            header = path.read_bytes()[:16]
            checks.append(Check("encryption at rest", not header.startswith(b"SQLite format"),
                                "file header is not plaintext SQLite"))
        except Exception as exc:  # noqa: BLE001 - report, never crash
            checks.append(Check("database", False, type(exc).__name__))
    return checks


def check_file(path: Path, *, provider: keys.PassphraseProvider | None) -> list[Check]:
    """Open one inspection file (which mends what a dead import left) and report it:
    interrupted imports found, files removed, derived data rebuilt or still pending."""
    from hmip_desktop.services.inspections import open_inspection
    from hmip_desktop.services.mending import MendReport, rebuild_pending
    from hmip_desktop.services.signature_sweep import sweep_stored_signatures

    with open_inspection(Path(path), provider=provider) as store:
        report: MendReport = getattr(store, "last_mend", MendReport())
        pending = rebuild_pending(store)
        read_only = store.read_only
        cleared = sweep_stored_signatures(store)  # before counting: cleared ones are unsigned
        with store.uow() as tx:
            unsigned = tx.records.unsigned_count(except_device=store.device.device_id)
    checks = [
        Check("interrupted imports", True,
              f"{report.dead_imports} found, "
              f"{plural(report.files_removed, 'leftover file')} removed"
              if report.dead_imports or report.files_removed else "none"),
        Check("derived data", not pending,
              "rebuild still pending" if pending else
              ("rebuilt after an interrupted import" if report.rebuilt else "up to date")),
        # Not a failure: an older app sent them unsigned and a team leader vouched for them.
        Check("unsigned changes", True,
              f"{plural(unsigned, 'change')} from an older app, vouched for by the team leader"
              if unsigned else "none: every change carries its author's signature"),
        _signatures_check(cleared, read_only),
    ]
    if read_only:
        checks.append(Check("file access", True, "read-only: nothing was mended"))
    return checks


def _signatures_check(cleared: int | None, read_only: bool) -> CountedCheck:
    """What the one-time check of stored signatures found (signature_sweep). Not a failure:
    the bad ones were cleared, so this device no longer relays them."""
    if cleared is None:
        detail = ("not checked yet: the file is read-only" if read_only else
                  "not checked yet: the file has no team roster")
    elif cleared:
        detail = (f"{plural(cleared, 'stored signature')} of teammates' changes failed "
                  "verification and were cleared; those changes now count as unsigned")
    else:
        detail = "every stored signature of a teammate's change verified"
    return CountedCheck("stored signatures", True, detail, cleared)
