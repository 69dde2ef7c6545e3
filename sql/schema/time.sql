-- Dimension: one row per distinct songplay start_time, its parts in UTC.
-- week is the ISO week and year the calendar year, so 2018-12-31 is week 1 of 2018: group weeks across
-- a year boundary by week_start (the Monday that starts the ISO week), not by (year, week).
-- DISTKEY/SORTKEY(start_time) as in songplays, so the fact-to-time join is node-local and merge-joinable.
CREATE TABLE IF NOT EXISTS time (
    start_time TIMESTAMP NOT NULL,
    hour       SMALLINT,
    day        SMALLINT,
    week       SMALLINT,
    week_start DATE,
    month      SMALLINT,
    year       SMALLINT,
    weekday    SMALLINT,
    PRIMARY KEY (start_time)
)
DISTKEY(start_time)
SORTKEY(start_time);
