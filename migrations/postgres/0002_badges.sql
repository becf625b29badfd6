-- Badges: the issuer's settings, achievements, and every badge issued (for revocation).

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE achievements (
    id         TEXT PRIMARY KEY,          -- urn:uuid:…, the achievement id in every badge
    spec       TEXT NOT NULL,             -- JSON AchievementConfig
    image      BYTEA,                     -- organiser's upload; NULL: Atelier renders the artwork
    image_type TEXT,                      -- image/png or image/svg+xml
    created_at TEXT NOT NULL
);

CREATE TABLE badges (
    id             TEXT PRIMARY KEY,      -- the credential id (urn:uuid:…)
    achievement_id TEXT NOT NULL,
    session_id     BIGINT REFERENCES sessions(id) ON DELETE SET NULL,
    pid            BIGINT,
    recipient_name TEXT,                  -- personal data: erased by the retention policy
    -- Position in the status list; NULL without a public URL. The constraint's name holds
    -- "status_index": the store tells this unique violation from the others by it.
    status_index   BIGINT CONSTRAINT badges_status_index_key UNIQUE,
    credential     TEXT,                  -- signed JSON; personal data, erased by retention
    issued_at      TEXT NOT NULL,
    revoked_at     TEXT
);
CREATE INDEX badges_by_session ON badges(session_id, pid);
