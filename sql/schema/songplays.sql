-- Fact: one row per NextSong event of an identified user.
-- Natural key: (user_id, session_id, item_in_session, start_time) identifies an event of the app, so the
-- same event delivered twice (a file under two keys, a day loaded twice) is one fact. songplay_id is a
-- surrogate only: Redshift enforces no keys, so the load SQL keeps the natural key unique.
-- DISTKEY(start_time), not song_id: most plays match no catalogue song, so a song_id key would pile the
-- NULLs onto one slice; start_time spreads evenly and co-locates each play with its row in time.
-- SORTKEY(start_time): analysts filter by period, and each load replaces its day by start_time range.
CREATE TABLE IF NOT EXISTS songplays (
    songplay_id     BIGINT IDENTITY(0, 1),
    start_time      TIMESTAMP NOT NULL,
    user_id         INTEGER NOT NULL,
    level           VARCHAR(16),
    song_id         VARCHAR(32),
    artist_id       VARCHAR(32),
    session_id      INTEGER,
    item_in_session INTEGER,
    location        VARCHAR(512),
    user_agent      VARCHAR(1024),
    PRIMARY KEY (songplay_id)
)
DISTKEY(start_time)
SORTKEY(start_time);
