-- The run's song catalogue, built from its staged songs (empty when the run stages no songs): the songs
-- and artists it will publish. Redshift enforces no keys, so duplicates are removed here, by fixed rules.

DROP TABLE IF EXISTS {{load_songs}}, {{load_artists}};

-- One row per song_id: the first by title, artist, duration, year. year 0 in the source means unknown.
CREATE TABLE {{load_songs}} AS
SELECT song_id, title, artist_id, NULLIF(year, 0) AS year, duration
FROM (
    SELECT song_id, title, artist_id, year, duration,
           ROW_NUMBER() OVER (PARTITION BY song_id ORDER BY title, artist_id, duration, year) AS pick
    FROM {{staging_songs}}
    WHERE song_id IS NOT NULL
) AS ranked
WHERE pick = 1;

-- One row per artist_id, all attributes from one song record: the record with a location first, then
-- one with coordinates, then the smallest song_id, then name.
CREATE TABLE {{load_artists}} AS
SELECT artist_id, artist_name AS name, NULLIF(TRIM(artist_location), '') AS location,
       artist_latitude AS latitude, artist_longitude AS longitude
FROM (
    SELECT artist_id, artist_name, artist_location, artist_latitude, artist_longitude,
           ROW_NUMBER() OVER (
               PARTITION BY artist_id
               ORDER BY CASE WHEN NULLIF(TRIM(artist_location), '') IS NULL THEN 1 ELSE 0 END,
                        CASE WHEN artist_latitude IS NULL THEN 1 ELSE 0 END,
                        song_id,
                        artist_name
           ) AS pick
    FROM {{staging_songs}}
    WHERE artist_id IS NOT NULL
) AS ranked
WHERE pick = 1;
