"""Concern rules from the report model: how many key concerns, how many of them priority.

The limits are data in the framework's report model ("concerns": max_key, priority_min,
priority_max). While a report is drafted a broken rule is a warning; once the inspection is
ready for report (and in the readiness check) it blocks, but only where the report model
is confirmed ("verified": true); limits of an unconfirmed model only ever warn. Standard
library only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.wording import plural

# The establishment's response to a concern in its action plan (hmip-method.md §8): stored key
# -> label. One vocabulary for the workbook, the Concerns page and the reports.
ACTION_PLAN_RESPONSES: dict[str, str] = {
    "agreed": "Agreed", "partly_agreed": "Partly agreed", "not_agreed": "Not agreed"}

WARNING = "warning"
BLOCKING = "blocking"

# hmip-method.md §7: since 3 May 2022 up to 15 key concerns, of which 3-6 are priority.
# Used only when a framework has no report model, or a report model without a "concerns" key.
DEFAULT_LIMITS: dict[str, int] = {"max_key": 15, "priority_min": 3, "priority_max": 6}

# hmip-method.md §7: concerns are for the establishment's leaders, with HMPPS or the Home
# Office supporting. Used only when the report model has no "addressees" key.
DEFAULT_ADDRESSEES: tuple[dict[str, str], ...] = (
    {"key": "establishment_leaders", "label": "The establishment's leaders"},
    {"key": "hmpps", "label": "HM Prison and Probation Service (HMPPS)"},
    {"key": "home_office", "label": "Home Office"},
    {"key": "other", "label": "Others"},
)

# hmip-method.md §11: an independent review of progress judges progress on the previous
# report's concerns; its own report has no key concerns, so the limits do not apply to it.
KIND_REPORTS_KEY_CONCERNS: dict[str, bool] = {"full": True, "irp": False}

# Added to a broken rule's message when the limits come from an unconfirmed report model.
UNCONFIRMED_NOTE = (" (These limits are not confirmed for this establishment type, so they "
                    "do not block.)")

# Inspection statuses at which the rules block rather than warn: from the factual accuracy
# check on (domain.lifecycle), and the statuses earlier versions wrote for the same stage.
BLOCKING_STATUSES = frozenset({"factual_accuracy_check", "published", "action_plan_received",
                               "ready_for_report", "closed"})


@dataclass(frozen=True)
class ConcernLimits:
    """At most `max_key` key concerns, of which priority_min..priority_max are priority.

    `confirmed` is False when the report model is not confirmed for the establishment type
    (report_model "verified": false): its limits are then warnings only, never blocking.
    """

    max_key: int
    priority_min: int
    priority_max: int
    confirmed: bool = field(default=True, compare=False)


@dataclass(frozen=True)
class Addressee:
    """Who a concern is addressed to."""

    key: str
    label: str


@dataclass(frozen=True)
class RuleIssue:
    """One broken concern rule; messages carry counts only, never concern text."""

    code: str
    severity: str
    message: str
    count: int
    limit: str


def _report_model(framework: Mapping[str, Any]) -> Mapping[str, Any] | None:
    rm = framework.get("report_model")
    return rm if isinstance(rm, Mapping) else None


def limits_from(framework: Mapping[str, Any]) -> ConcernLimits | None:
    """The concern limits of a framework; None when its report model has no concerns."""
    rm = _report_model(framework)
    if rm is not None and "concerns" in rm:
        data = rm["concerns"]
        if data is None:
            return None  # e.g. the earlier recommendation model: no concern limits
    else:
        data = DEFAULT_LIMITS
    # As the framework schema reads it: a report model without "verified" counts as confirmed.
    confirmed = rm is None or rm.get("verified", True) is not False
    try:
        return ConcernLimits(int(data["max_key"]), int(data["priority_min"]),
                             int(data["priority_max"]), confirmed=confirmed)
    except (KeyError, TypeError, ValueError):
        raise ValidationError("The framework's concern limits are malformed.") from None


def addressees_from(framework: Mapping[str, Any]) -> list[Addressee]:
    """Who concerns can be addressed to, from the report model."""
    rm = _report_model(framework)
    raw = rm.get("addressees") if rm is not None and "addressees" in rm else DEFAULT_ADDRESSEES
    return [Addressee(str(a.get("key", "")), str(a.get("label", "")))
            for a in raw or [] if isinstance(a, Mapping)]


def severity_for_status(status: str | None) -> str:
    """Warnings while drafting; blocking once the inspection is ready for report."""
    return BLOCKING if status in BLOCKING_STATUSES else WARNING


def check_concerns(key_count: int, priority_count: int, limits: ConcernLimits | None, *,
                   severity: str = WARNING, kind: str = "full") -> list[RuleIssue]:
    """The concern rules broken by these counts (empty when all hold or no limits apply).

    Limits of an unconfirmed report model are warnings whatever `severity` asks for.
    """
    if limits is None or not KIND_REPORTS_KEY_CONCERNS.get(kind, True):
        return []
    if not limits.confirmed:
        severity = WARNING
    note = "" if limits.confirmed else UNCONFIRMED_NOTE
    issues = []
    if key_count > limits.max_key:
        issues.append(RuleIssue(
            "too_many_key_concerns", severity,
            f"{plural(key_count, 'key concern')}: a report has at most {limits.max_key}.{note}",
            key_count, f"<= {limits.max_key}"))
    if not limits.priority_min <= priority_count <= limits.priority_max:
        issues.append(RuleIssue(
            "priority_count", severity,
            f"{plural(priority_count, 'priority concern')}: a report needs "
            f"{limits.priority_min} to {limits.priority_max}.{note}",
            priority_count, f"{limits.priority_min}..{limits.priority_max}"))
    return issues


def report_order(concerns: Sequence[tuple[str, bool, int]]) -> list[tuple[str, str]]:
    """(id, reference) in the order a report lists them: priority concerns first, then key.

    `concerns` are (id, priority, register order). References are "1", "2", … in that order,
    so the report, the action plan and an imported response name a concern the same way.
    """
    ranked = sorted(concerns, key=lambda c: (not c[1], c[2], c[0]))
    return [(cid, str(i)) for i, (cid, _p, _o) in enumerate(ranked, start=1)]


def previous_item_order(payload: Mapping[str, Any]) -> tuple[bool, tuple[tuple[int, Any], ...]]:
    """Sort key of a previous report's concern or recommendation, as that report listed them:
    priority concerns first, then by reference in natural order ("2" before "10"), lettered
    references before numbered ones ("S1" summary recommendations before "1.01")."""
    parts = re.findall(r"\d+|\D+", str(payload.get("ref", "")))
    return (not payload.get("priority"),
            tuple((1, int(p)) if p.isdigit() else (0, p.casefold()) for p in parts))
