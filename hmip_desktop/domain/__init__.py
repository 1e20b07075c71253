"""Pure domain model: ids, revisions, merge rules, frameworks, scoring rules.

Standard library only.
"""
