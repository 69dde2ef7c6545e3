-- One row per user id seen in any event of the load window, attributes from that user's latest event
-- there (so level is the current level). Ties on ts are broken by session and item, then level.
-- Merged like songs: every row replaced on a full refresh, else every user seen in the window.
DELETE FROM users
WHERE CAST(:full_refresh AS BOOLEAN)
   OR user_id IN (
    SELECT user_id FROM staging_events
    WHERE user_id IS NOT NULL
      AND ts >= CAST(:window_start AS TIMESTAMP) AND ts < CAST(:window_end AS TIMESTAMP)
);

INSERT INTO users (user_id, first_name, last_name, gender, level)
SELECT user_id, first_name, last_name, gender, level
FROM (
    SELECT user_id, first_name, last_name, gender, level,
           ROW_NUMBER() OVER (
               PARTITION BY user_id
               ORDER BY ts DESC, session_id DESC, item_in_session DESC, level
           ) AS pick
    FROM staging_events
    WHERE user_id IS NOT NULL
      AND ts >= CAST(:window_start AS TIMESTAMP) AND ts < CAST(:window_end AS TIMESTAMP)
) AS latest
WHERE pick = 1;
