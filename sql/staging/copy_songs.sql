-- The song objects of song_data/; placeholders as in copy_events.sql, MAXERROR from SONGS_MAXERROR.
COPY {{staging_songs}}
FROM {{source}}
IAM_ROLE {{iam_role}}
REGION {{region}}
FORMAT AS JSON 'auto'
MAXERROR {{max_errors}}
BLANKSASNULL
EMPTYASNULL;
