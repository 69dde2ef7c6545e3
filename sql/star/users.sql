-- One row per user id seen in any staged event, attributes from that user's latest staged event (so level
-- is the current level). Not limited to the load window: the window bounds the facts replaced, but a
-- user's latest event can lie after it, and reloading an earlier window must not turn a level back.
-- Ties on ts are broken by session and item, then level.
-- Merged like songs: every row replaced on a full refresh, else every staged user.
DELETE FROM users
WHERE CAST(:full_refresh AS BOOLEAN)
   OR user_id IN (SELECT user_id FROM staging_events WHERE user_id IS NOT NULL);

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
      AND ts IS NOT NULL
) AS latest
WHERE pick = 1;
