"""Everything a report is built from, read in one transaction and frozen.

The report builder reads only this value, so a report never mixes records from before and
after an edit or a merge that lands while it is being written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hmip_desktop.domain.entity import EntityView
from hmip_desktop.domain.framework import Framework
from hmip_desktop.domain.people_words import DEFAULT_PEOPLE, PeopleWords
from hmip_desktop.domain.readiness import ReadinessReport


@dataclass(frozen=True)
class TeamMemberFact:
    """A member of the inspection team as the report names them."""

    name: str
    role_label: str
    active: bool
    author_id: str = ""  # whose signed changes are theirs (names their drafts in the report)


@dataclass(frozen=True)
class UnFact:
    """The Urgent Notification record, when one is set."""

    reasons: tuple[str, ...]
    criteria: tuple[str, ...]            # criterion labels that were ticked
    letter_date: str | None
    letter_due: str | None
    response_due: str | None
    addressee: str | None = None  # from the UN data for the establishment type


@dataclass(frozen=True)
class InspectionSnapshot:
    """The inspection, its pinned framework, every live record by type, and derived facts."""

    inspection: Mapping[str, Any]
    framework: Framework
    # The pinned record's raw data, read only for report-model keys the typed model does not
    # hold (a framework's own outline, its UN addressee, concern addressee defaults).
    framework_data: Mapping[str, Any]
    records: Mapping[str, tuple[EntityView, ...]]
    readiness: ReadinessReport
    team: tuple[TeamMemberFact, ...]
    establishment_type_label: str
    urgent_notification: UnFact | None = None
    # The words for the people held, from the inspection's establishment type.
    people: PeopleWords = DEFAULT_PEOPLE
    progress_by_item: Mapping[str, EntityView] = field(default_factory=dict)

    def of(self, entity_type: str) -> tuple[EntityView, ...]:
        """Live records of one type, oldest first."""
        return self.records.get(entity_type, ())

    def by_id(self) -> dict[str, EntityView]:
        """Every live record by id (evidence lookups)."""
        return {e.id: e for views in self.records.values() for e in views}
