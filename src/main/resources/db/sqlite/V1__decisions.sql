-- The decision store, embedded. Times are epoch seconds; a NULL expires_at means never.
-- A target is stored as its bounds, big-endian BLOBs of the family's width (4 bytes for
-- IPv4, 16 for IPv6): within one family SQLite compares them with memcmp, which is address
-- order, so "targets containing X" is a range condition an index can serve.

-- One row per (origin, target). WITHOUT ROWID: the rows are small and always found by this
-- key, so the table is its own primary-key index instead of a table plus a copy of the key.
CREATE TABLE decisions (
    origin        TEXT    NOT NULL CHECK (origin <> ''),
    family        INTEGER NOT NULL CHECK (family IN (4, 6)),
    first_address BLOB    NOT NULL,
    last_address  BLOB    NOT NULL,
    action        TEXT    NOT NULL CHECK (action IN ('block', 'monitor')),
    score         INTEGER NOT NULL CHECK (score = -1 OR score BETWEEN 0 AND 100),
    -- a JSON array of strings: categories may hold commas, quotes, any character
    categories    TEXT    NOT NULL,
    reason        TEXT,
    first_seen    INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL,
    expires_at    INTEGER,
    PRIMARY KEY (origin, family, first_address, last_address),
    CHECK (length(first_address) = length(last_address)
           AND length(first_address) = CASE family WHEN 4 THEN 4 ELSE 16 END
           AND first_address <= last_address)
) STRICT, WITHOUT ROWID;

-- Every put and removal, with the decision as it was after it (before it, for a removal).
-- Kept when the decision goes: it is the record of why an address was blocked.
CREATE TABLE history (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    change        TEXT    NOT NULL CHECK (change IN ('created', 'extended', 'changed', 'expired', 'removed')),
    changed_by    TEXT    NOT NULL,
    origin        TEXT    NOT NULL,
    family        INTEGER NOT NULL CHECK (family IN (4, 6)),
    first_address BLOB    NOT NULL,
    last_address  BLOB    NOT NULL,
    -- bits needed for last - first: 0 for one address, 8 for a /24, up to 32 or 128. A target
    -- of span s that contains X starts in [X - (2^s - 1), X], so the lookup by address is one
    -- short index range per span present instead of a scan of every row that starts below X.
    span_bits     INTEGER NOT NULL CHECK (span_bits BETWEEN 0 AND 128),
    action        TEXT    NOT NULL CHECK (action IN ('block', 'monitor')),
    score         INTEGER NOT NULL CHECK (score = -1 OR score BETWEEN 0 AND 100),
    categories    TEXT    NOT NULL,
    reason        TEXT,
    first_seen    INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL,
    expires_at    INTEGER
) STRICT;

CREATE INDEX history_by_address ON history (family, span_bits, first_address, last_address);
