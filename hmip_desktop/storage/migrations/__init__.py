"""Alembic migrations of the inspection file, run in code when a file is opened.

SCHEMA_HEAD names the newest revision so that opening an up-to-date file needs no Alembic
import (about 0.2 s); a test checks it against Alembic's own view of the scripts.
"""

SCHEMA_HEAD = "0002"
