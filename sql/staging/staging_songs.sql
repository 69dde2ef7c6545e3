-- Reload the song staging table; placeholders as in staging_events.sql.
TRUNCATE staging_songs;

COPY staging_songs
FROM {{source}}
IAM_ROLE {{iam_role}}
REGION {{region}}
FORMAT AS JSON 'auto'
BLANKSASNULL
EMPTYASNULL;
