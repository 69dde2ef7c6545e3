-- Dimension: one row per song_id.
-- DISTKEY(song_id): the catalogue is the largest dimension (millions of songs in the full dataset), too
-- big to copy to every node; keyed on song_id, joins and the per-load delete by song_id stay node-local.
CREATE TABLE IF NOT EXISTS songs (
    song_id   VARCHAR(32) NOT NULL,
    title     VARCHAR(512),
    artist_id VARCHAR(32),
    year      INTEGER,
    duration  DOUBLE PRECISION,
    PRIMARY KEY (song_id)
)
DISTKEY(song_id)
SORTKEY(song_id);
