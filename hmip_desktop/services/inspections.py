"""Create, open and describe inspection files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hmip_desktop.domain import lifecycle as L
from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.errors import NotFoundError, ValidationError
from hmip_desktop.services.inspection_record import (  # noqa: F401 - re-exported
    inspection_payload,
    pinned_framework,
    pinned_framework_data,
    pinned_framework_in,
)
from hmip_desktop.services.inspection_store import InspectionStore
from hmip_desktop.services.overview_facts import (  # noqa: F401 - InspectionFacts re-exported
    InspectionFacts,
    facts_from,
)
from hmip_desktop.storage import keys, profile

if TYPE_CHECKING:
    from hmip_desktop.domain.framework import Framework


def create_inspection(path: Path, *, establishment_name: str, establishment_type: str,
                      framework: Mapping[str, Any], kind: str = "full",
                      start_date: str | None = None, end_date: str | None = None,
                      provider: keys.PassphraseProvider | None = None,
                      nation: str = "england", announced: bool | None = None,
                      follow_up_scale: str | None = None, followed_end: str | None = None,
                      warn: Callable[[str], None] | None = None) -> InspectionStore:
    """Create a new encrypted inspection file pinned to a framework (copied into the file).

    A review of progress is refused where the framework says reviews do not apply (its
    progress scale is null: only prisons and YOIs have them). Without `announced` the notice
    is the kind's own (a review is announced). A review outside the usual timing after the
    inspection it follows (`followed_end`), or longer on site than usual, is still created:
    `warn` is given each warning once the file exists (services/review_process.py).
    """
    if kind == "irp" and "progress_scale" in framework and not framework["progress_scale"]:
        from hmip_desktop.services.labels import establishment_type_label

        raise ValidationError(
            "Independent reviews of progress follow inspections of prisons and young offender "
            f"institutions only; {establishment_type_label(establishment_type)} inspections "
            "are not followed by one. Create a full inspection instead.")
    from hmip_desktop.services import review_process

    if announced is None:
        announced = review_process.default_announced(kind)
    warnings = review_process.visit_warnings(kind, start=start_date, end=end_date,
                                             announced=announced, followed_end=followed_end)
    payload = {
        "establishment_name": R.check_new_establishment_name(establishment_name),
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
    if follow_up_scale:
        # A key of follow_up_scales.json: a review, or a full inspection, whose previous
        # report was written before May 2022 follows up recommendations.
        payload["follow_up_scale"] = follow_up_scale
    store = InspectionStore.create(path, inspection=payload, framework=framework,
                                   provider=provider)
    profile.remember_recent(store.path)
    for message in warnings if warn is not None else ():
        warn(message)
    return store


def open_inspection(path: Path, *, provider: keys.PassphraseProvider | None = None,
                    found_key: tuple[bytes, str] | None = None) -> InspectionStore:
    """Open an existing inspection file (key from the keyring or a passphrase, or the key
    and its source already found: services/first_screen.Opening)."""
    store = InspectionStore.open(Path(path), provider=provider, found_key=found_key)
    try:
        from hmip_desktop.services.mending import mend

        mend(store)  # debris of an import that died, and a rebuild it left pending
        carry_dropped_plans(store)
    except BaseException:
        store.close()
        raise
    profile.remember_recent(store.path)
    return store


def carry_dropped_plans(store: InspectionStore) -> None:
    """Show the steps of an action plan that a teammate on the single-action version
    collapsed in a file merged before this version read through such saves
    (domain.plan_carry): those records' states are materialised again, once. Nothing is
    written when no record needs it."""
    if store.read_only:
        return
    with store.uow() as tx:
        stale = tx.records.stale_carried_plans()
    if stale:
        with store.uow(write=True) as tx:
            tx.records.rematerialise(stale)


def hold_for_window(store: InspectionStore) -> None:
    """Take the GUI's lock on the store's file unless it holds it already (a file opened by
    the window's opening took it first; a file just created or joined takes it here).
    FileInUse when another instance of the app has the file open (storage/open_lock.py)."""
    if store.open_lock is None:
        from hmip_desktop.storage.open_lock import OpenLock

        store.open_lock = OpenLock.take(store.path)


def facts(store: InspectionStore, *, sections: bool = False) -> InspectionFacts:
    """Everything the overview needs, in one read transaction: the first screen's own reads
    (storage/first_screen.py) on the store's connection; with `sections`, the pinned
    framework's sections too (`hmip info`)."""
    with store.uow() as tx:
        found = tx.records.overview(store.inspection_id)
        fw: Framework | None = None
        if sections:
            try:
                fw = pinned_framework_in(tx, store).model
            except NotFoundError:
                fw = None
    kind = str((found.inspection.payload if found.inspection else {}).get("kind", "full"))
    return facts_from(found, inspection_id=store.inspection_id,
                      key_source=store.info.key_source,
                      schema_revision=store.info.schema_revision, read_only=store.read_only,
                      sections=_section_facts(fw, kind))


def _section_facts(fw: Framework | None, kind: str) -> tuple[Mapping[str, Any], ...]:
    """Each section and whether it is scored here: never at a review of progress."""
    if fw is None:
        return ()
    from hmip_desktop.domain.scoring import KIND_GIVES_SECTION_SCORES  # with the framework

    gives_scores = KIND_GIVES_SECTION_SCORES.get(kind, True)
    return tuple({"key": sec.key, "label": sec.label,
                  "scored": gives_scores and fw.is_judged(sec)} for sec in fw.sections)


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
