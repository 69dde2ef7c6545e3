-- Publishes one checked load in one transaction (one BatchExecuteStatement), so analysts see the star
-- schema before the load or after it, never half of it. It deletes rather than truncates: TRUNCATE
-- commits in Redshift.
-- LOCK first: concurrent executions publish one after the other, each merging into what the previous
-- one published (Redshift's transactions are serializable; without the lock two publishers could
-- conflict with error 1023, which the pipeline would retry).
LOCK songplays, users, songs, artists, time;

-- The catalogue: on a full refresh the run's songs and artists replace all; otherwise they replace
-- those with the same id (an empty catalogue when the run staged no songs).
DELETE FROM songs
WHERE CAST(:full_refresh AS BOOLEAN) OR song_id IN (SELECT song_id FROM {{load_songs}});
INSERT INTO songs (song_id, title, artist_id, year, duration)
SELECT song_id, title, artist_id, year, duration FROM {{load_songs}};

DELETE FROM artists
WHERE CAST(:full_refresh AS BOOLEAN) OR artist_id IN (SELECT artist_id FROM {{load_artists}});
INSERT INTO artists (artist_id, name, location, latitude, longitude)
SELECT artist_id, name, location, latitude, longitude FROM {{load_artists}};

-- Users: a loaded user replaces the published row only with an event at least as new, so whatever the
-- order days are loaded in, each user ends with the attributes of their latest event.
DELETE FROM users WHERE CAST(:full_refresh AS BOOLEAN);
DELETE FROM users
USING {{load_users}} AS loaded
WHERE users.user_id = loaded.user_id AND loaded.last_event_at >= users.last_event_at;
INSERT INTO users (user_id, first_name, last_name, gender, level, last_event_at)
SELECT loaded.user_id, loaded.first_name, loaded.last_name, loaded.gender, loaded.level, loaded.last_event_at
FROM {{load_users}} AS loaded
WHERE NOT EXISTS (SELECT 1 FROM users WHERE users.user_id = loaded.user_id);

-- Facts and time: the window's rows are replaced (all of them on a full refresh).
DELETE FROM songplays
WHERE start_time >= CAST(:window_start AS TIMESTAMP) AND start_time < CAST(:window_end AS TIMESTAMP);
INSERT INTO songplays (start_time, user_id, level, song_id, artist_id, session_id, item_in_session, location, user_agent)
SELECT start_time, user_id, level, song_id, artist_id, session_id, item_in_session, location, user_agent
FROM {{load_songplays}};

DELETE FROM time
WHERE start_time >= CAST(:window_start AS TIMESTAMP) AND start_time < CAST(:window_end AS TIMESTAMP);
INSERT INTO time (start_time, hour, day, week, week_start, month, year, weekday)
SELECT start_time, hour, day, week, week_start, month, year, weekday FROM {{load_time}};

-- The load's own tables are done with; the run's catalogue stays for its other loads.
DROP TABLE {{load_songplays}}, {{load_users}}, {{load_time}}, {{staging_events}};
