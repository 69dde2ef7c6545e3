-- The ten most played catalogue songs (plays that matched no song are left out).
SELECT s.title, a.name AS artist, COUNT(*) AS plays
FROM songplays AS p
JOIN songs AS s ON s.song_id = p.song_id
LEFT JOIN artists AS a ON a.artist_id = p.artist_id
GROUP BY s.title, a.name
ORDER BY plays DESC, s.title, a.name
LIMIT 10;
