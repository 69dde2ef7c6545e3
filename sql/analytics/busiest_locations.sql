-- The ten locations with the most plays (the location the app reported with each play).
SELECT p.location, COUNT(*) AS plays
FROM songplays AS p
WHERE p.location IS NOT NULL
GROUP BY p.location
ORDER BY plays DESC, p.location
LIMIT 10;
