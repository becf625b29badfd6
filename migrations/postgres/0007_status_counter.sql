-- The next free position in the status list, reserved by one UPDATE … RETURNING before a
-- badge is signed. PostgreSQL locks the row for the UPDATE, so concurrent issuers (of one
-- process or of several) each get their own index.
CREATE TABLE status_counter (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    next_index BIGINT NOT NULL
);
INSERT INTO status_counter (id, next_index)
    SELECT 1, COALESCE(MAX(status_index) + 1, 0) FROM badges;
