-- One owner per session, across nodes: the lease a node takes before it loads a session and
-- renews while its room runs. `epoch` is the fencing token: it grows each time the session
-- changes owner, and every write of a room's batch checks it in the same transaction, so a
-- node that lost its lease (a pause longer than the expiry) has its writes refused.
-- `expires_at` is in milliseconds since the Unix epoch by the database's clock (nodes' clocks
-- never enter it); `owner` is a node's id, drawn when it starts, NULL once released.
CREATE TABLE session_leases (
    session_id BIGINT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    owner      TEXT,
    epoch      BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX session_leases_by_owner ON session_leases(owner);
