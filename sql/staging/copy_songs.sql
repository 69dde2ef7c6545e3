-- The song objects of song_data/; placeholders as in copy_events.sql, MAXERROR from SONGS_MAXERROR.
-- With compaction, FROM names the run's manifest and a MANIFEST line follows REGION (compactSongs).
COPY {{staging_songs}}
FROM {{source}}
IAM_ROLE {{iam_role}}
REGION {{region}}{{manifest}}
FORMAT AS JSON 'auto'
MAXERROR {{max_errors}}
BLANKSASNULL
EMPTYASNULL;
