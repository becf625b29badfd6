-- Badges that travel: the language a badge was issued in and whether its public page is shown.
ALTER TABLE badges ADD COLUMN lang TEXT;
ALTER TABLE badges ADD COLUMN public_page BIGINT NOT NULL DEFAULT 1;
