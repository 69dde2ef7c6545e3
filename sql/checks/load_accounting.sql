-- Where every staged record of one load went, one row per measure. Staged events split into other
-- pages, plays published, repeated deliveries of a play, and unusable records with their reason, so
-- staged_events = other_page_events + songplays + repeated_events + the unusable_* rows. The run's
-- staged songs split the same way into catalogue songs, repeated song ids and unusable records.
SELECT measure, amount
FROM (
    SELECT 'staged_events' AS measure, COUNT(*) AS amount FROM {{staging_events}}
    UNION ALL SELECT 'other_page_events', COUNT(*) FROM {{staging_events}}
        WHERE page <> 'NextSong'
    UNION ALL SELECT 'songplays', COUNT(*) FROM {{load_songplays}}
    UNION ALL SELECT 'repeated_events', COUNT(*) - (SELECT COUNT(*) FROM {{load_songplays}})
        FROM {{staging_events}}
        WHERE page = 'NextSong' AND user_id IS NOT NULL
          AND ts >= CAST(:window_start AS TIMESTAMP) AND ts < CAST(:window_end AS TIMESTAMP)
    -- A record without a page is no app event: a top-level JSON array, or an object without the fields.
    UNION ALL SELECT 'unusable_no_page', COUNT(*) FROM {{staging_events}}
        WHERE page IS NULL
    UNION ALL SELECT 'unusable_play_without_ts', COUNT(*) FROM {{staging_events}}
        WHERE page = 'NextSong' AND ts IS NULL
    UNION ALL SELECT 'unusable_play_without_user', COUNT(*) FROM {{staging_events}}
        WHERE page = 'NextSong' AND ts IS NOT NULL AND user_id IS NULL
    -- A day's partition may only hold that day's plays; another day's play belongs to that day's load.
    UNION ALL SELECT 'unusable_play_outside_day', COUNT(*) FROM {{staging_events}}
        WHERE page = 'NextSong' AND user_id IS NOT NULL
          AND (ts < CAST(:window_start AS TIMESTAMP) OR ts >= CAST(:window_end AS TIMESTAMP))

    UNION ALL SELECT 'staged_songs', COUNT(*) FROM {{staging_songs}}
    UNION ALL SELECT 'catalogue_songs', COUNT(*) FROM {{load_songs}}
    UNION ALL SELECT 'repeated_songs', COUNT(*) - COUNT(DISTINCT song_id) FROM {{staging_songs}}
        WHERE song_id IS NOT NULL
    UNION ALL SELECT 'unusable_song_without_id', COUNT(*) FROM {{staging_songs}}
        WHERE song_id IS NULL
) AS accounting;
