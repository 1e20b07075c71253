"""Encrypted inspection store: SQLCipher through SQLAlchemy, migrations, keys, attachments."""
