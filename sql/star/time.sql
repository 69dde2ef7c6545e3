-- One row per distinct songplay start_time in the load window, its parts in UTC (timestamps carry no
-- zone). week is the ISO week; weekday counts from 0 = Sunday.
DELETE FROM time
WHERE start_time >= CAST(:window_start AS TIMESTAMP) AND start_time < CAST(:window_end AS TIMESTAMP);

INSERT INTO time (start_time, hour, day, week, month, year, weekday)
SELECT start_time,
       EXTRACT(hour FROM start_time),
       EXTRACT(day FROM start_time),
       EXTRACT(week FROM start_time),
       EXTRACT(month FROM start_time),
       EXTRACT(year FROM start_time),
       EXTRACT(dow FROM start_time)
FROM (
    SELECT DISTINCT start_time
    FROM songplays
    WHERE start_time >= CAST(:window_start AS TIMESTAMP) AND start_time < CAST(:window_end AS TIMESTAMP)
) AS played;
