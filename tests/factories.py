"""Builders for test data."""

from __future__ import annotations

from typing import Any


def minimal_framework() -> dict[str, Any]:
    """A tiny framework with two sections; enough for storage and service tests."""
    return {
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
    }
