-- The same table as migrations/postgres/0009_session_leases.sql, so that a schema version
-- means the same tables on both. SQLite is one process's database: its leases are trivially
-- that process's, so this table stays empty (src/store/lease.rs).
CREATE TABLE session_leases (
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    owner      TEXT,
    epoch      INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX session_leases_by_owner ON session_leases(owner);
