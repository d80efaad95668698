"""task list: FTS5 trigram indexes for the search on SQLite

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 00:10:00

SQLite's counterpart of migration 0005's pg_trgm indexes: FTS5 tables with the trigram tokenizer over the
complaint texts the task list searches (subject, description, reference; the index only, the texts stay in
their table) and over the customer name copied onto the task row. Triggers
keep them in step with every INSERT, UPDATE and DELETE, whoever writes (services, pseudonymisation, bulk loads).
The search uses them only to find candidates and checks those with the same LIKE as before (see
engine.store.tasklist). PostgreSQL is unchanged. SQLite before 3.34 has no trigram tokenizer: the tables are
left out with a warning and the search walks the open tasks as before.
"""

import sqlite3
import warnings

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Complaint texts: external content (the index only), keyed by complaint.id, an INTEGER PRIMARY KEY.
COMPLAINT_FTS = [
    "CREATE VIRTUAL TABLE complaint_fts USING fts5(subject, description, reference, content='complaint',"
    " content_rowid='id', tokenize='trigram')",
    # External content: a row leaves the index through the 'delete' command with its OLD values.
    "CREATE TRIGGER complaint_fts_ai AFTER INSERT ON complaint BEGIN"
    " INSERT INTO complaint_fts(rowid, subject, description, reference)"
    " VALUES (new.id, new.subject, new.description, new.reference); END",
    "CREATE TRIGGER complaint_fts_ad AFTER DELETE ON complaint BEGIN"
    " INSERT INTO complaint_fts(complaint_fts, rowid, subject, description, reference)"
    " VALUES ('delete', old.id, old.subject, old.description, old.reference); END",
    "CREATE TRIGGER complaint_fts_au AFTER UPDATE OF subject, description, reference ON complaint BEGIN"
    " INSERT INTO complaint_fts(complaint_fts, rowid, subject, description, reference)"
    " VALUES ('delete', old.id, old.subject, old.description, old.reference);"
    " INSERT INTO complaint_fts(rowid, subject, description, reference)"
    " VALUES (new.id, new.subject, new.description, new.reference); END",
    "INSERT INTO complaint_fts(complaint_fts) VALUES ('rebuild')",
]
# The customer name copied onto tasks: human_task's key is a UUID string and its implicit rowid may change on
# VACUUM, so this table keeps its own copy of (name, task id). A row is found for deletion through the index by
# its old name (a name under 3 characters has no trigram: then by scanning for the task id).
_OLD_NAME_ROW = (
    "DELETE FROM human_task_fts WHERE task_id = old.id AND rowid IN (SELECT rowid FROM human_task_fts"
    " WHERE length(old.customer_name) >= 3"
    " AND human_task_fts MATCH '\"' || replace(old.customer_name, '\"', '\"\"') || '\"');"
    " DELETE FROM human_task_fts WHERE length(old.customer_name) < 3 AND task_id = old.id;"
)
TASK_FTS = [
    "CREATE VIRTUAL TABLE human_task_fts USING fts5(customer_name, task_id UNINDEXED, tokenize='trigram')",
    "CREATE TRIGGER human_task_fts_ai AFTER INSERT ON human_task WHEN new.customer_name IS NOT NULL BEGIN"
    " INSERT INTO human_task_fts(customer_name, task_id) VALUES (new.customer_name, new.id); END",
    f"CREATE TRIGGER human_task_fts_ad AFTER DELETE ON human_task WHEN old.customer_name IS NOT NULL BEGIN"
    f" {_OLD_NAME_ROW} END",
    "CREATE TRIGGER human_task_fts_au AFTER UPDATE OF customer_name, id ON human_task BEGIN"
    f" {_OLD_NAME_ROW}"
    " INSERT INTO human_task_fts(customer_name, task_id) SELECT new.customer_name, new.id"
    " WHERE new.customer_name IS NOT NULL; END",
    "INSERT INTO human_task_fts(customer_name, task_id) SELECT customer_name, id FROM human_task"
    " WHERE customer_name IS NOT NULL",
]
TRIGGERS = ("complaint_fts_ai", "complaint_fts_ad", "complaint_fts_au", "human_task_fts_ai", "human_task_fts_ad",
            "human_task_fts_au")  # fmt: skip


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    if sqlite3.sqlite_version_info < (3, 34):
        warnings.warn(
            f"SQLite {sqlite3.sqlite_version} has no FTS5 trigram tokenizer (3.34+): the task list search "
            "walks the open tasks without a text index (slow for rare words in large databases)",
            stacklevel=1,
        )
        return
    for statement in COMPLAINT_FTS + TASK_FTS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS human_task_fts")
    op.execute("DROP TABLE IF EXISTS complaint_fts")
