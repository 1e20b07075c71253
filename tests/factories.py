"""Builders for test data."""

from __future__ import annotations

from typing import Any


def minimal_framework() -> dict[str, Any]:
    """A tiny framework with two sections; enough for storage and service tests."""
    return complete_framework({
        "id": "test-framework",
        "version": "1",
        "title": "Test framework",
        "establishment_types": ["mens_prison"],
        "scale": {"key": "hmip4", "levels": [
            {"key": "good", "label": "Good", "value": 4},
            {"key": "reasonably_good", "label": "Reasonably good", "value": 3},
            {"key": "not_sufficiently_good", "label": "Not sufficiently good", "value": 2},
            {"key": "poor", "label": "Poor", "value": 1},
        ]},
        "sections": [
            {"key": "safety", "label": "Safety", "scored": True, "areas": [
                {"key": "early_days", "label": "Early days in custody", "expectations": [
                    {"number": "1", "title": "Transfers are safe"},
                    {"number": "2", "title": "Risks identified at reception"},
                ]},
            ]},
            {"key": "respect", "label": "Respect", "scored": True, "areas": [
                {"key": "relationships", "label": "Staff-prisoner relationships",
                 "expectations": [{"number": "3", "title": "Relationships are good"}]},
            ]},
        ],
    })


def scored_framework(*, concerns: dict[str, int] | None = None) -> dict[str, Any]:
    """A men's-prison-like framework: unscored leadership, four scored tests, a scale with
    descriptors, a progress scale and a concerns report model (limits overridable)."""
    def level(key: str, label: str, short: str, value: int, descriptor: str) -> dict[str, Any]:
        return {"key": key, "label": label, "short": short, "value": value,
                "descriptor": descriptor}

    def area(key: str, label: str, numbers: list[str]) -> dict[str, Any]:
        return {"key": key, "label": label, "incomplete": False,
                "expectations": [{"number": n, "title": f"Expectation {n}"} for n in numbers]}

    return {
        "schema_version": 1,
        "id": "test-scored",
        "version": "1",
        "title": "Scored test framework",
        "establishment_types": ["mens_prison"],
        "scale": {"key": "hmip4", "label": "Healthy prison assessment", "levels": [
            level("good", "Good", "G", 4, "No sign that outcomes are being harmed."),
            level("reasonably_good", "Reasonably good", "RG", 3, "Harm in only a few areas."),
            level("not_sufficiently_good", "Not sufficiently good", "NSG", 2,
                  "Harm in many areas."),
            level("poor", "Poor", "P", 1, "Practice seriously harms outcomes."),
        ]},
        "progress_scale": {"key": "irp_progress", "label": "Progress", "levels": [
            level("good_progress", "Good progress", "GP", 4, ""),
            level("reasonable_progress", "Reasonable progress", "RP", 3, ""),
            level("insufficient_progress", "Insufficient progress", "IP", 2, ""),
            level("no_meaningful_progress", "No meaningful progress", "NMP", 1, ""),
        ]},
        "report_model": {
            "key": "concerns",
            "concerns": concerns or {"max_key": 15, "priority_min": 3, "priority_max": 6},
            "addressees": [
                {"key": "establishment_leaders", "label": "The establishment's leaders"},
                {"key": "hmpps", "label": "HMPPS"},
            ],
        },
        "sections": [
            {"key": "leadership", "label": "Leadership", "scored": False, "areas": [
                area("direction", "Direction", []),
            ]},
            {"key": "safety", "label": "Safety", "scored": True, "areas": [
                area("early_days", "Early days in custody", ["1", "2"]),
                area("managing_behaviour", "Managing behaviour", ["3"]),
            ]},
            {"key": "respect", "label": "Respect", "scored": True, "areas": [
                area("relationships", "Staff-prisoner relationships", ["4", "5"]),
            ]},
            {"key": "purposeful_activity", "label": "Purposeful activity", "scored": True,
             "areas": [area("time_out_of_cell", "Time out of cell", ["6"])]},
            {"key": "preparation_for_release", "label": "Preparation for release",
             "scored": True, "areas": [area("release_planning", "Release planning", ["7"])]},
        ],
    }


def complete_framework(fw: dict[str, Any]) -> dict[str, Any]:
    """Fill the fields the strict framework parser needs, keeping what the caller gave.

    Test frameworks stay short to read; the app's parser (domain.framework.Framework) wants
    the full canonical shape, so round-trip through it to get exactly that shape.
    """
    from hmip_desktop.domain.framework import Framework

    out = {"schema_version": 1, "effective_date": None, "source_url": "https://example.test/",
           "status": "shipped", "verified": False, **fw}
    out.setdefault("report_model", {"key": "concerns-2022",
                                    "concerns": {"max_key": 15, "priority_min": 3,
                                                 "priority_max": 6},
                                    "addressees": [
                                        {"key": "establishment_leaders",
                                         "label": "The establishment's leaders"},
                                        {"key": "hmpps", "label": "HMPPS"}]})
    scale = dict(out["scale"])
    scale.setdefault("label", "Healthy prison assessment")
    scale["levels"] = [{"short": lv["label"][:2].upper(), "descriptor": "", **lv}
                       for lv in scale.get("levels", [])]
    out["scale"] = scale
    if out.get("progress_scale"):
        ps = dict(out["progress_scale"])
        ps.setdefault("label", "Progress")
        ps["levels"] = [{"short": lv["label"][:2].upper(), "descriptor": "", **lv}
                        for lv in ps.get("levels", [])]
        out["progress_scale"] = ps
    out["sections"] = [
        {**sec, "areas": [{"incomplete": False, **area} for area in sec.get("areas", [])]}
        for sec in out["sections"]]
    return Framework.from_dict(out).to_dict()
