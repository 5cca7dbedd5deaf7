"""Alembic migrations, applied automatically when the database is opened.

The revision list is kept here too, so an up-to-date database opens without importing Alembic.
"""

KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011")
HEAD_REVISION = KNOWN_REVISIONS[-1]
