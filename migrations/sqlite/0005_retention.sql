-- Personal data retention: when a session's names and e-mails were erased.
ALTER TABLE sessions ADD COLUMN erased_at TEXT;
