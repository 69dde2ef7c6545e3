-- One row per artist_id, all attributes taken from one song record chosen by a fixed rule:
-- the record with a location first, then one with coordinates, then the smallest song_id, then name.
-- Merged like songs: every row replaced on a full refresh, else every staged artist_id.
DELETE FROM artists
WHERE CAST(:full_refresh AS BOOLEAN)
   OR artist_id IN (SELECT artist_id FROM staging_songs);

INSERT INTO artists (artist_id, name, location, latitude, longitude)
SELECT artist_id, artist_name, NULLIF(TRIM(artist_location), ''), artist_latitude, artist_longitude
FROM (
    SELECT artist_id, artist_name, artist_location, artist_latitude, artist_longitude,
           ROW_NUMBER() OVER (
               PARTITION BY artist_id
               ORDER BY CASE WHEN NULLIF(TRIM(artist_location), '') IS NULL THEN 1 ELSE 0 END,
                        CASE WHEN artist_latitude IS NULL THEN 1 ELSE 0 END,
                        song_id,
                        artist_name
           ) AS pick
    FROM staging_songs
    WHERE artist_id IS NOT NULL
) AS ranked
WHERE pick = 1;
