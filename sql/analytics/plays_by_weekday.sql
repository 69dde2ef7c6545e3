-- Plays per day of the week, UTC (weekday 0 = Sunday, as Redshift's DATE_PART(dow) numbers it).
SELECT t.weekday,
       DECODE(t.weekday, 0, 'Sun', 1, 'Mon', 2, 'Tue', 3, 'Wed', 4, 'Thu', 5, 'Fri', 6, 'Sat') AS day,
       COUNT(*) AS plays
FROM songplays AS p
JOIN time AS t ON t.start_time = p.start_time
GROUP BY t.weekday
ORDER BY t.weekday;
