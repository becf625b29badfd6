-- Core schema: accounts, sign-in, workshop sessions and their command logs.
-- Timestamps are RFC 3339 UTC strings.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,            -- argon2id PHC string
    role          TEXT NOT NULL CHECK (role IN ('organiser', 'facilitator')),
    created_at    TEXT NOT NULL
);

-- Browser sessions (cookie) and API tokens (bearer); only the SHA-256 of a token is stored.
CREATE TABLE auth_tokens (
    token_hash BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('cookie', 'api')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) WITHOUT ROWID;

-- One-time organiser sign-in links printed on the console.
CREATE TABLE signin_links (
    token_hash BLOB PRIMARY KEY,
    created_at TEXT NOT NULL,
    used_at    TEXT
) WITHOUT ROWID;

CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    owner_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    config      TEXT NOT NULL,              -- JSON SessionConfig
    screen_key  TEXT NOT NULL,              -- secret in the projector URL
    created_at  TEXT NOT NULL
);

-- Every accepted command, in order: the session's state is the replay of this log
-- (from the latest snapshot on).
CREATE TABLE events (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    record     TEXT NOT NULL,               -- JSON {actor, command}
    at         TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;

CREATE TABLE snapshots (
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    state      TEXT NOT NULL                -- JSON SessionState at `seq`
);

-- Participants' resume tokens (SHA-256 only), written with the join command.
CREATE TABLE participant_tokens (
    token_hash BLOB PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    pid        INTEGER NOT NULL
) WITHOUT ROWID;
