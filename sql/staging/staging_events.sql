-- A fresh staging table for one load's events (the name carries the run and the day), so overlapping
-- executions and the days of a backfill never share one. Dropped first: a retried stage starts clean.
DROP TABLE IF EXISTS {{staging_events}};

-- One row per event object, loaded as-is by COPY with the jsonpaths file (columns in its order).
-- EVEN: the table is written once per load and read whole by the star load, so spreading it evenly is all
-- that matters; no join key is worth co-locating on.
CREATE TABLE {{staging_events}} (
    artist          VARCHAR(512),
    auth            VARCHAR(32),
    first_name      VARCHAR(256),
    gender          VARCHAR(8),
    item_in_session INTEGER,
    last_name       VARCHAR(256),
    length          DOUBLE PRECISION,
    level           VARCHAR(16),
    location        VARCHAR(512),
    method          VARCHAR(16),
    page            VARCHAR(64),
    registration    DOUBLE PRECISION,
    session_id      INTEGER,
    song            VARCHAR(512),
    status          INTEGER,
    ts              TIMESTAMP,
    user_agent      VARCHAR(1024),
    user_id         INTEGER
)
DISTSTYLE EVEN;
