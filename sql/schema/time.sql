-- Dimension: one row per distinct songplay start_time, its parts in UTC.
-- DISTKEY/SORTKEY(start_time) as in songplays, so the fact-to-time join is node-local and merge-joinable.
CREATE TABLE IF NOT EXISTS time (
    start_time TIMESTAMP NOT NULL,
    hour       SMALLINT,
    day        SMALLINT,
    week       SMALLINT,
    month      SMALLINT,
    year       SMALLINT,
    weekday    SMALLINT,
    PRIMARY KEY (start_time)
)
DISTKEY(start_time)
SORTKEY(start_time);
