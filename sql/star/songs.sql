-- One row per song_id. Redshift enforces no keys, so duplicates in staging are removed here
-- (deterministically: the first by title, artist, duration, year) before the merge. The merge is
-- delete-then-insert: of every row on a full refresh, else of every staged song_id.
-- year 0 in the source means unknown.
DELETE FROM songs
WHERE CAST(:full_refresh AS BOOLEAN)
   OR song_id IN (SELECT song_id FROM staging_songs);

INSERT INTO songs (song_id, title, artist_id, year, duration)
SELECT song_id, title, artist_id, NULLIF(year, 0), duration
FROM (
    SELECT song_id, title, artist_id, year, duration,
           ROW_NUMBER() OVER (
               PARTITION BY song_id
               ORDER BY title, artist_id, duration, year
           ) AS pick
    FROM staging_songs
    WHERE song_id IS NOT NULL
) AS ranked
WHERE pick = 1;
