-- Dimension: one row per user id, attributes from the user's latest event over everything loaded.
-- last_event_at is that event's time: a day loaded later (or again) replaces a user's row only with a
-- newer event, so loading days in any order ends with the same level.
-- DISTSTYLE ALL: small (thousands of rows) and joined to every songplay, so every node keeps a copy.
CREATE TABLE IF NOT EXISTS users (
    user_id       INTEGER NOT NULL,
    first_name    VARCHAR(256),
    last_name     VARCHAR(256),
    gender        VARCHAR(8),
    level         VARCHAR(16),
    last_event_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id)
)
DISTSTYLE ALL
SORTKEY(user_id);
