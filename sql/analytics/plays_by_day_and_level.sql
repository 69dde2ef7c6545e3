-- Free vs paid over time: plays per UTC day and subscription level at the time of the play.
SELECT CAST(p.start_time AS DATE) AS day, p.level, COUNT(*) AS plays
FROM songplays AS p
GROUP BY CAST(p.start_time AS DATE), p.level
ORDER BY day, p.level;
