-- A fresh staging table for one run's songs; as staging_events.sql, dropped first.
DROP TABLE IF EXISTS {{staging_songs}};

-- One row per song object of song_data/, loaded by COPY 'auto' (JSON keys match these column names).
-- EVEN for the same reason as staging_events: loaded once, scanned whole.
CREATE TABLE {{staging_songs}} (
    num_songs        INTEGER,
    artist_id        VARCHAR(32),
    artist_latitude  DOUBLE PRECISION,
    artist_longitude DOUBLE PRECISION,
    artist_location  VARCHAR(512),
    artist_name      VARCHAR(512),
    song_id          VARCHAR(32),
    title            VARCHAR(512),
    duration         DOUBLE PRECISION,
    year             INTEGER
)
DISTSTYLE EVEN;
