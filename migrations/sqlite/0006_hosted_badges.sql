-- Badges that travel: the language a badge was issued in (its Open Badges 2.0 badge class
-- and public page follow it) and whether its public page is shown (the participant may opt out).
ALTER TABLE badges ADD COLUMN lang TEXT;
ALTER TABLE badges ADD COLUMN public_page INTEGER NOT NULL DEFAULT 1;
