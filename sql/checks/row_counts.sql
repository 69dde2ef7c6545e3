-- Row count of every published star table, plus the songplays that matched a catalogue song.
SELECT 'songplays' AS table_name, COUNT(*) AS row_count FROM songplays
UNION ALL SELECT 'users', COUNT(*) FROM users
UNION ALL SELECT 'songs', COUNT(*) FROM songs
UNION ALL SELECT 'artists', COUNT(*) FROM artists
UNION ALL SELECT 'time', COUNT(*) FROM time
UNION ALL SELECT 'songplays_matched', COUNT(*) FROM songplays WHERE song_id IS NOT NULL;
