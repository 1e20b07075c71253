"""Create, open and describe inspection files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hmip_desktop.domain import lifecycle as L
from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.errors import NotFoundError, ValidationError
from hmip_desktop.domain.framework import Framework
from hmip_desktop.domain.framework_nation import inspection_nation
from hmip_desktop.services.inspection_record import (  # noqa: F401 - re-exported
    inspection_payload,
    pinned_framework,
    pinned_framework_data,
    pinned_framework_in,
)
from hmip_desktop.services.inspection_store import InspectionStore
from hmip_desktop.storage import keys, profile


@dataclass(frozen=True)
class InspectionFacts:
    """What the Overview page and `hmip info` show."""

    inspection_id: str
    establishment_name: str
    establishment_type: str
    kind: str
    status: str
    start_date: str | None
    end_date: str | None
    framework_id: str
    framework_version: str
    framework_title: str
    counts: Mapping[str, int]
    key_source: str
    schema_revision: str | None
    read_only: bool
    unexported_changes: int
    conflicts: int
    # The pinned framework's sections in order: {"key", "label", "scored"}; scored is True
    # only for a section that receives a score (an ungraded scale scores none).
    sections: tuple[Mapping[str, Any], ...] = ()
    # Life cycle and record facts (domain/lifecycle.py): nation "england" | "wales".
    nation: str = "england"
    announced: bool = False
    publication_date: str | None = None
    action_plan_received_date: str | None = None
    reopenings: tuple[Mapping[str, Any], ...] = ()
    education_judgement: Mapping[str, Any] | None = None


def create_inspection(path: Path, *, establishment_name: str, establishment_type: str,
                      framework: Mapping[str, Any], kind: str = "full",
                      start_date: str | None = None, end_date: str | None = None,
                      provider: keys.PassphraseProvider | None = None,
                      nation: str = "england", announced: bool = False,
                      follow_up_scale: str | None = None) -> InspectionStore:
    """Create a new encrypted inspection file pinned to a framework (copied into the file).

    A review of progress is refused where the framework says reviews do not apply (its
    progress scale is null: only prisons and YOIs have them).
    """
    if kind == "irp" and "progress_scale" in framework and not framework["progress_scale"]:
        from hmip_desktop.services.labels import establishment_type_label

        raise ValidationError(
            "Independent reviews of progress follow inspections of prisons and young offender "
            f"institutions only; {establishment_type_label(establishment_type)} inspections "
            "are not followed by one. Create a full inspection instead.")
    payload = {
        "establishment_name": establishment_name.strip(),
        "establishment_type": establishment_type,
        "framework_id": str(framework.get("id", "")),
        "framework_version": str(framework.get("version", "")),
        "kind": kind,
        "start_date": start_date or None,
        "end_date": end_date or None,
        "status": "fieldwork",
        "created_on": dt.date.today().isoformat(),
        "nation": L.nation_key(nation),
        "announced": bool(announced),
    }
    if kind == "irp" and follow_up_scale:
        payload["follow_up_scale"] = follow_up_scale  # a key of follow_up_scales.json
    store = InspectionStore.create(path, inspection=payload, framework=framework,
                                   provider=provider)
    profile.remember_recent(store.path)
    return store


def open_inspection(path: Path, *,
                    provider: keys.PassphraseProvider | None = None) -> InspectionStore:
    """Open an existing inspection file (key from the keyring or a passphrase)."""
    store = InspectionStore.open(Path(path), provider=provider)
    try:
        from hmip_desktop.services.mending import mend

        mend(store)  # debris of an import that died, and a rebuild it left pending
    except BaseException:
        store.close()
        raise
    profile.remember_recent(store.path)
    return store


def facts(store: InspectionStore) -> InspectionFacts:
    """Everything the overview needs, in one read transaction."""
    with store.uow() as tx:
        insp = tx.records.get(store.inspection_id)
        try:
            fw: Framework | None = pinned_framework_in(tx, store).model
        except NotFoundError:
            fw = None
        summary = tx.records.summary_counts(after_seq=int(tx.meta.get("exported_seq") or 0))
        counts = {t: summary.live.get(t, 0) for t in (R.NOTE, R.DOCUMENT, R.EXTRACT, R.LINK,
                                                      R.SCORE, R.CONCERN, R.NPP,
                                                      R.TEAM_MEMBER)}
        counts["attachments"] = tx.blobs.count()
        counts["revisions"] = summary.revisions
        unexported, conflicts = summary.revisions_after, summary.conflicted
    if insp is None:
        raise NotFoundError("This file holds no inspection record.")
    p = insp.payload
    return InspectionFacts(
        inspection_id=store.inspection_id,
        establishment_name=str(p.get("establishment_name", "")),
        establishment_type=str(p.get("establishment_type", "")),
        kind=str(p.get("kind", "full")), status=str(p.get("status", "fieldwork")),
        start_date=p.get("start_date"), end_date=p.get("end_date"),
        framework_id=str(p.get("framework_id", "")),
        framework_version=str(p.get("framework_version", "")),
        framework_title=fw.title if fw else "",
        counts=counts, key_source=store.info.key_source,
        schema_revision=store.info.schema_revision, read_only=store.read_only,
        unexported_changes=unexported, conflicts=conflicts,
        sections=_section_facts(fw),
        nation=inspection_nation(p), announced=L.announced_of(p),
        publication_date=p.get("publication_date"),
        action_plan_received_date=p.get("action_plan_received_date"),
        reopenings=tuple(dict(r) for r in p.get("reopenings") or [] if isinstance(r, Mapping)),
        education_judgement=L.education_judgement(p),
    )


def _section_facts(fw: Framework | None) -> tuple[Mapping[str, Any], ...]:
    if fw is None:
        return ()
    return tuple({"key": sec.key, "label": sec.label, "scored": fw.is_judged(sec)}
                 for sec in fw.sections)


def update_inspection(store: InspectionStore, **changes: Any) -> ChangeSet:
    """Change inspection facts (establishment name, dates, status)."""
    with store.uow(write=True) as tx:
        current = tx.records.get(store.inspection_id)
        if current is None:
            raise NotFoundError("This file holds no inspection record.")
        payload = {**current.payload, **changes}
        R.validate_inspection(payload)
        store.put(tx, R.INSPECTION, store.inspection_id, payload)
    return ChangeSet.of(R.INSPECTION, store.inspection_id)


def needs_passphrase_to_create() -> bool:
    """True when new files must be protected by a passphrase (no secure keyring)."""
    return not keys.secure_keyring_available()


def needs_passphrase_to_open(path: Path) -> bool:
    """True when this file's key is passphrase-wrapped (asked before opening)."""
    try:
        return keys.KeyRecord.load(Path(path)).source == keys.KEY_SOURCE_PASSPHRASE
    except Exception:  # noqa: BLE001 - opening will report the real problem
        return False


def recent_files() -> list[Path]:
    """Recently opened inspection files that still exist, newest first."""
    return [Path(p) for p in profile.load_settings().recent_files if Path(p).exists()]


def default_folder() -> Path:
    """Where new inspection files go unless the user chooses otherwise."""
    from hmip_desktop import paths

    return paths.inspections_dir()


def ensure_device() -> None:
    """Create this installation's device identity and author profile on first run."""
    profile.load_device()
