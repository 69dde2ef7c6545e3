-- Users who played at both levels (they moved between free and paid), and all users who played:
-- "Free vs paid" counts each of them under both levels.
SELECT COUNT(*) AS users_with_both_levels, (SELECT COUNT(DISTINCT user_id) FROM songplays) AS users_who_played
FROM (
  SELECT user_id
  FROM songplays
  GROUP BY user_id
  HAVING COUNT(DISTINCT level) > 1
) AS changed;
