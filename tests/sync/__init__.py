"""Sync: team, bundles, merge, conflicts."""
