-- Dimension: one row per artist_id.
-- DISTSTYLE ALL: far fewer artists than songs and joined from both songs and songplays.
CREATE TABLE IF NOT EXISTS artists (
    artist_id VARCHAR(32) NOT NULL,
    name      VARCHAR(512),
    location  VARCHAR(512),
    latitude  DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    PRIMARY KEY (artist_id)
)
DISTSTYLE ALL
SORTKEY(artist_id);
