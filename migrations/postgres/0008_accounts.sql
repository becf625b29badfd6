-- An organiser can disable a facilitator's account (kept, with its sessions).
ALTER TABLE users ADD COLUMN disabled BIGINT NOT NULL DEFAULT 0;
