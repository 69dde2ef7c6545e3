-- Every NextSong event of an identified user in the load window, replacing that window's facts.
-- song_id/artist_id match on title + artist name + duration and stay NULL when nothing matches (a play
-- is never dropped). The catalogue side is reduced to one song per (title, artist, duration) first, so
-- duplicate catalogue entries can never duplicate a play.
DELETE FROM songplays
WHERE start_time >= CAST(:window_start AS TIMESTAMP) AND start_time < CAST(:window_end AS TIMESTAMP);

INSERT INTO songplays (start_time, user_id, level, song_id, artist_id, session_id, location, user_agent)
SELECT e.ts, e.user_id, e.level, m.song_id, m.artist_id, e.session_id, e.location, e.user_agent
FROM staging_events AS e
LEFT JOIN (
    SELECT title, artist_name, duration, song_id, artist_id
    FROM (
        SELECT title, artist_name, duration, song_id, artist_id,
               ROW_NUMBER() OVER (PARTITION BY title, artist_name, duration ORDER BY song_id) AS pick
        FROM staging_songs
    ) AS ranked
    WHERE pick = 1
) AS m
    ON m.title = e.song AND m.artist_name = e.artist AND m.duration = e.length
WHERE e.page = 'NextSong'
  AND e.user_id IS NOT NULL
  AND e.ts >= CAST(:window_start AS TIMESTAMP) AND e.ts < CAST(:window_end AS TIMESTAMP);
