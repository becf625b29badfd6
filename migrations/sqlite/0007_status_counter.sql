-- The next free position in the status list, reserved atomically by one UPDATE … RETURNING
-- before a badge is signed (reading MAX(status_index) + 1 let concurrent issues sign the same
-- index and fail on the UNIQUE column). A reserved index whose badge is never stored stays a
-- 0 bit in the list: harmless.
CREATE TABLE status_counter (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    next_index INTEGER NOT NULL
);
INSERT INTO status_counter (id, next_index)
    SELECT 1, COALESCE(MAX(status_index) + 1, 0) FROM badges;
