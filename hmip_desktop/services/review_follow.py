"""Start an independent review of progress from the inspection it follows.

The review takes the establishment, its type and the pinned framework from the earlier file,
and each of its concerns becomes a previous item (reference as the report numbered it, title,
text, first section, and the action-plan response when one was imported), so the team starts
from exactly what was published and what the establishment said it would do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hmip_desktop.domain import records as R
from hmip_desktop.domain.concerns import report_order
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.framework_nation import inspection_nation
from hmip_desktop.services.concerns import ConcernService
from hmip_desktop.services.inspections import (
    create_inspection,
    inspection_payload,
    open_inspection,
    pinned_framework_data,
)
from hmip_desktop.services.previous import (
    FROM_PREVIOUS_INSPECTION,
    PreviousService,
    follow_up_scale_for,
)
from hmip_desktop.storage import keys

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore


@dataclass(frozen=True)
class Followed:
    """What a new review takes from the inspection it follows (File ▸ New shows it)."""

    establishment_name: str
    establishment_type: str
    framework_id: str
    framework_version: str
    framework_title: str
    nation: str
    start_date: str | None
    end_date: str | None
    concerns: int
    follow_up_scale: str | None  # the review's scale unless another is chosen


def read_followed(previous: Path, *,
                  provider: keys.PassphraseProvider | None = None) -> Followed:
    """The facts a review following `previous` would take, refused as creating would refuse
    (a review, a type reviews do not follow) so a choice can be refused before any is made."""
    with open_inspection(Path(previous), provider=provider) as before:
        insp = inspection_payload(before)
        framework = pinned_framework_data(before)
        _check_followable(Path(previous), insp, framework)
        concerns = len(ConcernService(before).list())
    return Followed(str(insp.get("establishment_name", "")),
                    str(insp.get("establishment_type", "")), str(framework.get("id", "")),
                    str(framework.get("version", "")), str(framework.get("title", "")),
                    inspection_nation(insp), insp.get("start_date"), insp.get("end_date"),
                    concerns, follow_up_scale_for(None, insp.get("start_date")))


def _check_followable(previous: Path, insp: Mapping[str, Any],
                      framework: Mapping[str, Any]) -> None:
    if insp.get("kind") != "full":
        raise ValidationError("A review of progress follows a full inspection; "
                              f"'{previous.name}' is itself a review.")
    if "progress_scale" in framework and not framework["progress_scale"]:
        from hmip_desktop.services.labels import establishment_type_label

        raise ValidationError(
            f"'{previous.name}' is an inspection of a kind of establishment no review of "
            f"progress follows ({establishment_type_label(insp.get('establishment_type'))}): "
            "reviews follow inspections of prisons and young offender institutions only.")


def create_review_following(path: Path, previous: Path, *, start_date: str | None,
                            end_date: str | None,
                            provider: keys.PassphraseProvider | None = None,
                            follow_up_scale: str | None = None,
                            nation: str | None = None, announced: bool | None = None,
                            warn: Callable[[str], None] | None = None) -> InspectionStore:
    """A new IRP file whose previous items are the concerns of the `previous` inspection.

    Establishment, type, nation (unless given) and framework come from it; the follow-up
    scale is the one chosen, else the pre-2022 recommendations scale when it began before the
    data's cut-off, else the framework's. A review held outside the usual months after the
    inspection's last day, or longer than usual, is created all the same: `warn` says so.
    """
    with open_inspection(Path(previous), provider=provider) as before:
        insp = inspection_payload(before)
        framework = pinned_framework_data(before)  # copied on as it is (raw record data)
        _check_followable(Path(previous), insp, framework)
        concerns = ConcernService(before).list()
    refs = dict(report_order([(c.id, c.priority, c.order) for c in concerns]))
    scale = follow_up_scale_for(follow_up_scale, insp.get("start_date"))
    store = create_inspection(path, establishment_name=str(insp.get("establishment_name", "")),
                              establishment_type=str(insp.get("establishment_type", "")),
                              framework=framework, kind="irp", start_date=start_date,
                              end_date=end_date, provider=provider,
                              nation=nation or inspection_nation(insp), announced=announced,
                              follow_up_scale=scale, followed_end=insp.get("end_date"),
                              warn=warn)
    previous_items = PreviousService(store)
    with store.uow(write=True) as tx:
        for c in sorted(concerns, key=lambda c: int(refs[c.id])):
            ref = refs[c.id]
            store.put(tx, R.PREVIOUS_ITEM, previous_items.item_id(ref), {
                "ref": ref, "title": c.title, "text": c.body,
                "section": c.sections[0] if c.sections else None, "followed_up": True,
                "source": FROM_PREVIOUS_INSPECTION, "priority": c.priority,
                "action_plan": c.action_plan})
    return store
