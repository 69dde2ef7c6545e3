-- The song objects of song_data/; placeholders as in copy_events.sql.
COPY {{staging_songs}}
FROM {{source}}
IAM_ROLE {{iam_role}}
REGION {{region}}
FORMAT AS JSON 'auto'
BLANKSASNULL
EMPTYASNULL;
