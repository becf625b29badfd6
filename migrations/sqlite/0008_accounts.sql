-- An organiser can disable a facilitator's account (kept, with its sessions) instead of
-- deleting it; a disabled account signs in nowhere and its tokens are gone.
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
