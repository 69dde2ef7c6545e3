-- The ten most played catalogue artists (plays that matched no song are left out).
SELECT a.name AS artist, COUNT(*) AS plays
FROM songplays AS p
JOIN artists AS a ON a.artist_id = p.artist_id
GROUP BY a.name
ORDER BY plays DESC, a.name
LIMIT 10;
