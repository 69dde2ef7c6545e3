-- The quality checks of one load, on its new rows (sql/load/) before they are published: one row per
-- check, its name and how many rows break it (0 = passed). References resolve against what the star
-- schema will hold once the load is published: the load's own rows, plus the published rows it keeps
-- (none on a full refresh). NOT EXISTS, not NOT IN: an anti-join, where NOT IN over a large subquery
-- that does not fit in memory is a nested loop (and NULL-sensitive).
SELECT check_name, failures
FROM (
    SELECT 'events_staged' AS check_name, CASE WHEN COUNT(*) = 0 THEN 1 ELSE 0 END AS failures
    FROM {{staging_events}}

    UNION ALL SELECT 'songplays_user_resolves', COUNT(*) FROM {{load_songplays}} AS p
    WHERE NOT EXISTS (SELECT 1 FROM {{load_users}} AS u WHERE u.user_id = p.user_id)
      AND (CAST(:full_refresh AS BOOLEAN) OR NOT EXISTS (SELECT 1 FROM users AS u WHERE u.user_id = p.user_id))

    UNION ALL SELECT 'songplays_time_resolves', COUNT(*) FROM {{load_songplays}} AS p
    WHERE NOT EXISTS (SELECT 1 FROM {{load_time}} AS t WHERE t.start_time = p.start_time)

    UNION ALL SELECT 'songplays_song_resolves', COUNT(*) FROM {{load_songplays}} AS p
    WHERE p.song_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM {{load_songs}} AS s WHERE s.song_id = p.song_id)
      AND (CAST(:full_refresh AS BOOLEAN) OR NOT EXISTS (SELECT 1 FROM songs AS s WHERE s.song_id = p.song_id))

    UNION ALL SELECT 'songplays_artist_resolves', COUNT(*) FROM {{load_songplays}} AS p
    WHERE p.artist_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM {{load_artists}} AS a WHERE a.artist_id = p.artist_id)
      AND (CAST(:full_refresh AS BOOLEAN) OR NOT EXISTS (SELECT 1 FROM artists AS a WHERE a.artist_id = p.artist_id))

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
