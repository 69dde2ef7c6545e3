-- The quality checks of one load, on its new rows (sql/load/) before they are published: one row per
-- check, its name and how many rows break it (0 = passed). References resolve against what the star
-- schema will hold once the load is published: the load's own rows, plus the published rows it keeps
-- (none on a full refresh).
SELECT check_name, failures
FROM (
    SELECT 'events_staged' AS check_name, CASE WHEN COUNT(*) = 0 THEN 1 ELSE 0 END AS failures
    FROM {{staging_events}}

    UNION ALL SELECT 'songplays_user_resolves', COUNT(*) FROM {{load_songplays}} AS p
    WHERE p.user_id NOT IN (
        SELECT user_id FROM {{load_users}}
        UNION ALL SELECT user_id FROM users WHERE NOT CAST(:full_refresh AS BOOLEAN))

    UNION ALL SELECT 'songplays_time_resolves', COUNT(*) FROM {{load_songplays}} AS p
    WHERE p.start_time NOT IN (SELECT start_time FROM {{load_time}})

    UNION ALL SELECT 'songplays_song_resolves', COUNT(*) FROM {{load_songplays}} AS p
    WHERE p.song_id IS NOT NULL AND p.song_id NOT IN (
        SELECT song_id FROM {{load_songs}}
        UNION ALL SELECT song_id FROM songs WHERE NOT CAST(:full_refresh AS BOOLEAN))

    UNION ALL SELECT 'songplays_artist_resolves', COUNT(*) FROM {{load_songplays}} AS p
    WHERE p.artist_id IS NOT NULL AND p.artist_id NOT IN (
        SELECT artist_id FROM {{load_artists}}
        UNION ALL SELECT artist_id FROM artists WHERE NOT CAST(:full_refresh AS BOOLEAN))

    UNION ALL SELECT 'songplays_level_free_or_paid', COUNT(*) FROM {{load_songplays}}
    WHERE level IS NULL OR level NOT IN ('free', 'paid')

    UNION ALL SELECT 'users_level_free_or_paid', COUNT(*) FROM {{load_users}}
    WHERE level IS NULL OR level NOT IN ('free', 'paid')

    -- The natural key of an event: (user_id, session_id, item_in_session, start_time).
    UNION ALL SELECT 'songplays_unique_event', COUNT(*) FROM (
        SELECT user_id, session_id, item_in_session, start_time FROM {{load_songplays}}
        GROUP BY user_id, session_id, item_in_session, start_time HAVING COUNT(*) > 1) AS repeated
) AS checks
ORDER BY check_name;
