"""Helpers for scoring tests: simulate other inspectors' revisions arriving by merge."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from hmip_desktop.domain.revision import Revision, make_revision
from hmip_desktop.services.inspection_store import InspectionStore

_counter = 0


def write_as(store: InspectionStore, *, author: str, device: str, entity_type: str,
             entity_id: str, payload: Mapping[str, Any],
             parents: list[str] | None = None) -> Revision:
    """Append a revision written on another laptop by another author (as a merge would)."""
    global _counter
    _counter += 1
    hlc = f"{int(time.time() * 1000):012x}-{_counter % 0xFFFF:04x}-{device}"
    rev = make_revision(entity_type=entity_type, entity_id=entity_id, parents=parents or [],
                        hlc=hlc, device_id=device, author_id=author, payload=payload)
    with store.uow(write=True) as tx:
        tx.records.append([rev])
    return rev


def score_payload(section: str, author: str, name: str, level: str, label: str, value: int,
                  rationale: str = "because", kind: str = "provisional") -> dict[str, Any]:
    """A score payload as another laptop's ScoringService would write it."""
    return {"section_key": section, "kind": kind, "inspector_id": author,
            "inspector_name": name, "scale_key": "hmip4", "level_key": level,
            "level_label": label, "value": value, "rationale": rationale, "evidence_ids": []}
