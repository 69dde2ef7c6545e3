-- Where every staged record of one load went, one row per measure. Staged events split into other
-- pages, plays published, repeated deliveries of a play, and unusable records with their reason, so
-- staged_events = other_page_events + songplays + repeated_events + the unusable_* rows. The run's
-- staged songs split the same way into catalogue songs, repeated song ids and unusable records.
-- The staged events are counted in one scan, however many measures they give.
WITH staged AS (
    SELECT COUNT(*) AS staged_events,
        SUM(CASE WHEN page <> 'NextSong' THEN 1 ELSE 0 END) AS other_page_events,
        SUM(CASE WHEN page = 'NextSong' AND user_id IS NOT NULL
                  AND ts >= CAST(:window_start AS TIMESTAMP) AND ts < CAST(:window_end AS TIMESTAMP) THEN 1 ELSE 0 END) AS plays_in_window,
        -- A record without a page is no app event: a top-level JSON array, or an object without the fields.
        SUM(CASE WHEN page IS NULL THEN 1 ELSE 0 END) AS unusable_no_page,
        SUM(CASE WHEN page = 'NextSong' AND ts IS NULL THEN 1 ELSE 0 END) AS unusable_play_without_ts,
        SUM(CASE WHEN page = 'NextSong' AND ts IS NOT NULL AND user_id IS NULL THEN 1 ELSE 0 END) AS unusable_play_without_user,
        -- A day's partition may only hold that day's plays; another day's play belongs to that day's load.
        SUM(CASE WHEN page = 'NextSong' AND user_id IS NOT NULL
                  AND (ts < CAST(:window_start AS TIMESTAMP) OR ts >= CAST(:window_end AS TIMESTAMP)) THEN 1 ELSE 0 END) AS unusable_play_outside_day
    FROM {{staging_events}}
)
SELECT measure, amount
FROM (
    SELECT 'staged_events' AS measure, staged_events AS amount FROM staged
    UNION ALL SELECT 'other_page_events', COALESCE(other_page_events, 0) FROM staged
    UNION ALL SELECT 'songplays', COUNT(*) FROM {{load_songplays}}
    UNION ALL SELECT 'repeated_events', COALESCE(plays_in_window, 0) - (SELECT COUNT(*) FROM {{load_songplays}}) FROM staged
    UNION ALL SELECT 'unusable_no_page', COALESCE(unusable_no_page, 0) FROM staged
    UNION ALL SELECT 'unusable_play_without_ts', COALESCE(unusable_play_without_ts, 0) FROM staged
    UNION ALL SELECT 'unusable_play_without_user', COALESCE(unusable_play_without_user, 0) FROM staged
    UNION ALL SELECT 'unusable_play_outside_day', COALESCE(unusable_play_outside_day, 0) FROM staged

    UNION ALL SELECT 'staged_songs', COUNT(*) FROM {{staging_songs}}
    UNION ALL SELECT 'catalogue_songs', COUNT(*) FROM {{load_songs}}
    UNION ALL SELECT 'repeated_songs', COUNT(*) - COUNT(DISTINCT song_id) FROM {{staging_songs}}
        WHERE song_id IS NOT NULL
    UNION ALL SELECT 'unusable_song_without_id', COUNT(*) FROM {{staging_songs}}
        WHERE song_id IS NULL
) AS accounting;
