-- Badges: the issuer's settings, achievements, and every badge issued (for revocation).

-- Organiser settings as JSON values (e.g. key 'issuer': the issuer profile).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE achievements (
    id         TEXT PRIMARY KEY,          -- urn:uuid:…, the achievement id in every badge
    spec       TEXT NOT NULL,             -- JSON AchievementConfig (texts in fr/nl/en, competence)
    image      BLOB,                      -- organiser's upload; NULL: Atelier renders the artwork
    image_type TEXT,                      -- image/png or image/svg+xml
    created_at TEXT NOT NULL
);

CREATE TABLE badges (
    id             TEXT PRIMARY KEY,      -- the credential id (urn:uuid:…)
    achievement_id TEXT NOT NULL,
    session_id     INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
    pid            INTEGER,
    recipient_name TEXT,                  -- personal data: erased by the retention policy
    status_index   INTEGER UNIQUE,        -- position in the status list; NULL without a public URL
    credential     TEXT,                  -- signed JSON; personal data, erased by retention
    issued_at      TEXT NOT NULL,
    revoked_at     TEXT
);
CREATE INDEX badges_by_session ON badges(session_id, pid);
