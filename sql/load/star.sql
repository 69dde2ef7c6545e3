-- One load's new star rows, built beside the published tables: the load is checked on these before
-- anything is published (sql/checks/), then sql/publish/star.sql merges them in one transaction.
-- The load covers the events of its window: one UTC day [:window_start, :window_end), or all time.
-- With :full_refresh the published catalogue is ignored (the run's own replaces it).

DROP TABLE IF EXISTS {{load_songplays}}, {{load_users}}, {{load_time}};

-- Every NextSong event of an identified user in the window, once per natural key
-- (user_id, session_id, item_in_session, ts): the same event delivered twice is one play.
-- song_id/artist_id match on title + artist name + duration against the catalogue as it will be once
-- published (the run's songs, then the published ones it does not replace), reduced to one song per
-- (title, artist name, duration) so a duplicated catalogue entry never duplicates a play. A play that
-- matches nothing keeps NULLs; it is never dropped.
CREATE TABLE {{load_songplays}} AS
SELECT e.ts AS start_time, e.user_id, e.level, m.song_id, m.artist_id, e.session_id, e.item_in_session,
       e.location, e.user_agent
FROM (
    SELECT ts, user_id, level, song, artist, length, session_id, item_in_session, location, user_agent,
           ROW_NUMBER() OVER (
               PARTITION BY user_id, session_id, item_in_session, ts
               ORDER BY level, song, artist, length, location, user_agent
           ) AS delivery
    FROM {{staging_events}}
    WHERE page = 'NextSong'
      AND user_id IS NOT NULL
      AND ts >= CAST(:window_start AS TIMESTAMP) AND ts < CAST(:window_end AS TIMESTAMP)
) AS e
LEFT JOIN (
    SELECT song_id, artist_id, title, artist_name, duration
    FROM (
        SELECT s.song_id, s.artist_id, s.title, a.name AS artist_name, s.duration,
               ROW_NUMBER() OVER (PARTITION BY s.title, a.name, s.duration ORDER BY s.song_id) AS pick
        FROM (
            SELECT song_id, artist_id, title, duration FROM {{load_songs}}
            UNION ALL
            SELECT song_id, artist_id, title, duration FROM songs AS published
            WHERE NOT CAST(:full_refresh AS BOOLEAN)
              AND NOT EXISTS (SELECT 1 FROM {{load_songs}} AS loaded WHERE loaded.song_id = published.song_id)
        ) AS s
        JOIN (
            SELECT artist_id, name FROM {{load_artists}}
            UNION ALL
            SELECT artist_id, name FROM artists AS published
            WHERE NOT CAST(:full_refresh AS BOOLEAN)
              AND NOT EXISTS (SELECT 1 FROM {{load_artists}} AS loaded WHERE loaded.artist_id = published.artist_id)
        ) AS a ON a.artist_id = s.artist_id
    ) AS ranked
    WHERE pick = 1
) AS m
    ON m.title = e.song AND m.artist_name = e.artist AND m.duration = e.length
WHERE e.delivery = 1;

-- One row per user seen in the window's events (any page), attributes from the user's latest event
-- there. Ties on ts are broken by session and item, then level.
CREATE TABLE {{load_users}} AS
SELECT user_id, first_name, last_name, gender, level, ts AS last_event_at
FROM (
    SELECT user_id, first_name, last_name, gender, level, ts,
           ROW_NUMBER() OVER (
               PARTITION BY user_id
               ORDER BY ts DESC, session_id DESC, item_in_session DESC, level
           ) AS pick
    FROM {{staging_events}}
    WHERE user_id IS NOT NULL
      AND ts >= CAST(:window_start AS TIMESTAMP) AND ts < CAST(:window_end AS TIMESTAMP)
) AS latest
WHERE pick = 1;

-- One row per distinct play start_time, its parts in UTC (timestamps carry no zone): week is the ISO
-- week, week_start its Monday, weekday counts from 0 = Sunday.
CREATE TABLE {{load_time}} AS
SELECT start_time,
       EXTRACT(hour FROM start_time) AS hour,
       EXTRACT(day FROM start_time) AS day,
       EXTRACT(week FROM start_time) AS week,
       CAST(DATE_TRUNC('week', start_time) AS DATE) AS week_start,
       EXTRACT(month FROM start_time) AS month,
       EXTRACT(year FROM start_time) AS year,
       EXTRACT(dow FROM start_time) AS weekday
FROM (SELECT DISTINCT start_time FROM {{load_songplays}}) AS played;
