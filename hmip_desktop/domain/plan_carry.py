"""A multi-step action plan re-saved by a teammate still on the single-action version.

That version (before domain.action_plan had steps) rebuilt a concern's `action_plan` from the
four fields it knew (response, action, owner, target date, status) whenever it saved the
concern, for any edit: a teammate correcting a concern's title dropped the steps after the
first and the part agreed or the reasons, without seeing them. Revisions are signed and kept
as written, so the current state reads through it instead: when the winning revision's plan
has the single-action shape and the nearest earlier plan in its ancestry has steps, the
steps that version could not show are carried forward:

- the answer is the same (the four fields match the earlier plan's): the earlier plan, whole;
- the teammate changed the first step of an agreed or partly agreed answer: that step as
  they left it, then the earlier plan's other steps and its explanation;
- they changed the response itself, or anything in between removed or replaced the plan:
  their answer as they wrote it (a deliberate new answer, not a loss).

A pure function of the record's revisions, so every laptop reads the same state whatever
order bundles arrive in; the first edit in this version writes the plan back whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hmip_desktop.domain.heads import winner_key
from hmip_desktop.domain.revision import Revision

FIELD = "action_plan"
# The fields the single-action version stored (and re-wrote from the first step).
_FLAT = ("response", "action", "owner", "target_date", "status")
# Ancestors looked at before giving up (a record has a handful of revisions; a bundle may
# carry a long chain, and this runs for each record a merge touches).
_MAX_WALK = 64


def _old_shape(value: Any) -> bool:
    # Checked for every record a merge or a listing materialises: no import for the answer
    # "no" (domain.action_plan loads the concern rules, which `hmip note list` never needs).
    return isinstance(value, Mapping) and "steps" not in value and isinstance(
        value.get("response"), str)


def _flat(value: Mapping[str, Any]) -> tuple[Any, ...]:
    # What that version wrote: strings, a date or null (its `or ""` / `or None`).
    return tuple(value.get(k) or (None if k == "target_date" else "") for k in _FLAT)


def _earlier_plan(winner: Revision, by_id: Mapping[str, Revision]) -> Mapping[str, Any] | None:
    """The nearest plan with steps behind a chain of single-action plans, or None."""
    frontier, seen = list(winner.parents), set()
    while frontier and len(seen) < _MAX_WALK:
        found = [by_id[r] for r in frontier if r in by_id and r not in seen]
        seen.update(frontier)
        with_steps = [r for r in found if not r.deleted and isinstance(
            r.payload.get(FIELD), Mapping) and isinstance(r.payload[FIELD].get("steps"), list)]
        if with_steps:
            return max(with_steps, key=winner_key).payload[FIELD]
        # Walk on only through revisions that also had the single-action shape.
        frontier = [p for r in found if not r.deleted and _old_shape(r.payload.get(FIELD))
                    for p in r.parents]
    return None


def carried_plan(old: Mapping[str, Any], earlier: Mapping[str, Any]) -> dict[str, Any] | None:
    """The plan to read for a single-action `old` written over `earlier` (with steps), or
    None when `old` stands as written."""
    from hmip_desktop.domain import action_plan as AP

    before, after = AP.read(earlier), AP.read(old)
    if before is None or after is None or before.response != after.response:
        return None
    if _flat(old) == _flat(earlier):
        return AP.Response(before.response, before.explanation, before.steps).payload()
    if after.response not in AP.NEEDS_STEPS or not before.steps:
        return None
    return AP.Response(before.response, before.explanation,
                       after.steps[:1] + before.steps[1:]).payload()


def current_payload(winner: Revision, revisions: Sequence[Revision]) -> Mapping[str, Any]:
    """The payload the record shows: the winner's, with a dropped plan carried forward."""
    payload = winner.payload
    if winner.deleted or not _old_shape(payload.get(FIELD)) or not winner.parents:
        return payload
    earlier = _earlier_plan(winner, {r.rev_id: r for r in revisions})
    plan = carried_plan(payload[FIELD], earlier) if earlier is not None else None
    return payload if plan is None else {**payload, FIELD: plan}
