-- Claim codes ("délivrance avec code de demande"): shown by a facilitator, redeemed at /claim.
CREATE TABLE claim_codes (
    code        TEXT PRIMARY KEY,
    session_id  BIGINT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    valid_until TEXT NOT NULL              -- RFC 3339 UTC
);
