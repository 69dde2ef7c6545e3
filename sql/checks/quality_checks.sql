-- One row per quality check: its name and how many rows break it (0 = passed). For the "not_empty"
-- checks the count is 1 when the table is empty. Keys: songplays.songplay_id, users.user_id,
-- songs.song_id, artists.artist_id, time.start_time.
SELECT check_name, failures
FROM (
    SELECT 'songplays_not_empty' AS check_name, CASE WHEN COUNT(*) = 0 THEN 1 ELSE 0 END AS failures FROM songplays
    UNION ALL SELECT 'users_not_empty', CASE WHEN COUNT(*) = 0 THEN 1 ELSE 0 END FROM users
    UNION ALL SELECT 'songs_not_empty', CASE WHEN COUNT(*) = 0 THEN 1 ELSE 0 END FROM songs
    UNION ALL SELECT 'artists_not_empty', CASE WHEN COUNT(*) = 0 THEN 1 ELSE 0 END FROM artists
    UNION ALL SELECT 'time_not_empty', CASE WHEN COUNT(*) = 0 THEN 1 ELSE 0 END FROM time

    UNION ALL SELECT 'songplays_null_keys', COUNT(*) FROM songplays
        WHERE songplay_id IS NULL OR start_time IS NULL OR user_id IS NULL
    UNION ALL SELECT 'users_null_keys', COUNT(*) FROM users WHERE user_id IS NULL
    UNION ALL SELECT 'songs_null_keys', COUNT(*) FROM songs WHERE song_id IS NULL
    UNION ALL SELECT 'artists_null_keys', COUNT(*) FROM artists WHERE artist_id IS NULL
    UNION ALL SELECT 'time_null_keys', COUNT(*) FROM time WHERE start_time IS NULL

    UNION ALL SELECT 'songplays_duplicate_keys', COUNT(*) FROM (
        SELECT songplay_id FROM songplays GROUP BY songplay_id HAVING COUNT(*) > 1) AS d
    UNION ALL SELECT 'users_duplicate_keys', COUNT(*) FROM (
        SELECT user_id FROM users GROUP BY user_id HAVING COUNT(*) > 1) AS d
    UNION ALL SELECT 'songs_duplicate_keys', COUNT(*) FROM (
        SELECT song_id FROM songs GROUP BY song_id HAVING COUNT(*) > 1) AS d
    UNION ALL SELECT 'artists_duplicate_keys', COUNT(*) FROM (
        SELECT artist_id FROM artists GROUP BY artist_id HAVING COUNT(*) > 1) AS d
    UNION ALL SELECT 'time_duplicate_keys', COUNT(*) FROM (
        SELECT start_time FROM time GROUP BY start_time HAVING COUNT(*) > 1) AS d

    UNION ALL SELECT 'songplays_user_resolves', COUNT(*) FROM songplays AS p
        LEFT JOIN users AS u ON u.user_id = p.user_id WHERE u.user_id IS NULL
    UNION ALL SELECT 'songplays_start_time_resolves', COUNT(*) FROM songplays AS p
        LEFT JOIN time AS t ON t.start_time = p.start_time WHERE t.start_time IS NULL
) AS checks
ORDER BY check_name;
