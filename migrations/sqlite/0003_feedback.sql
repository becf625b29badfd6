-- Anonymous feedback left on the phones after the badge.
-- A feedback row carries no name, e-mail, participant id nor time of day: its key is a random
-- UUID and the table has no rowid, so neither the key nor the storage order tells who wrote
-- it or in which order feedback arrived.
CREATE TABLE feedback (
    id         TEXT PRIMARY KEY,          -- random UUID
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    lang       TEXT NOT NULL,             -- fr, nl or en
    created    TEXT NOT NULL,             -- YYYY-MM-DD (UTC), day precision only
    overall    INTEGER NOT NULL CHECK (overall BETWEEN 1 AND 5),
    ratings    TEXT NOT NULL,             -- JSON {"bingo": 1..5, "fresque": 1..5}
    comment    TEXT                       -- at most 2,000 characters
) WITHOUT ROWID;
CREATE INDEX feedback_by_session ON feedback(session_id, created);

-- Who already gave feedback, only to refuse a second one; never joined with `feedback`.
CREATE TABLE feedback_given (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    pid        INTEGER NOT NULL,
    PRIMARY KEY (session_id, pid)
) WITHOUT ROWID;
