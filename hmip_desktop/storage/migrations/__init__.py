"""Alembic migrations of the inspection file, run in code when a file is opened."""
