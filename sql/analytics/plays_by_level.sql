-- Free vs paid: plays and distinct users per subscription level at the time of the play.
SELECT p.level, COUNT(*) AS plays, COUNT(DISTINCT p.user_id) AS users
FROM songplays AS p
GROUP BY p.level
ORDER BY p.level;
