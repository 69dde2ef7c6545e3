-- Plays per hour of the day, UTC.
SELECT t.hour, COUNT(*) AS plays
FROM songplays AS p
JOIN time AS t ON t.start_time = p.start_time
GROUP BY t.hour
ORDER BY t.hour;
