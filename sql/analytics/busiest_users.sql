-- The ten users with the most plays, with their current level.
SELECT p.user_id, u.first_name, u.last_name, u.level, COUNT(*) AS plays
FROM songplays AS p
LEFT JOIN users AS u ON u.user_id = p.user_id
GROUP BY p.user_id, u.first_name, u.last_name, u.level
ORDER BY plays DESC, p.user_id
LIMIT 10;
