-- Dimension: one row per user id, attributes from the user's latest event.
-- DISTSTYLE ALL: small (thousands of rows) and joined to every songplay, so every node keeps a copy.
CREATE TABLE IF NOT EXISTS users (
    user_id    INTEGER NOT NULL,
    first_name VARCHAR(256),
    last_name  VARCHAR(256),
    gender     VARCHAR(8),
    level      VARCHAR(16),
    PRIMARY KEY (user_id)
)
DISTSTYLE ALL
SORTKEY(user_id);
