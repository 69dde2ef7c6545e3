-- Reload the event staging table. TRUNCATE commits at once in Redshift, which is fine here: only the
-- star load reads staging, and it runs after this has finished.
-- COPY cannot take Data API parameters, so {{…}} placeholders are filled by src/pipeline/copy-sql.ts
-- from validated configuration, each quoted as a string literal (or the keyword default for the role).
-- No TRUNCATECOLUMNS and no MAXERROR: a value too long for its column fails the load, and
-- sys_load_error_detail names the file, line and column, rather than data being cut silently.
TRUNCATE staging_events;

COPY staging_events
FROM {{source}}
IAM_ROLE {{iam_role}}
REGION {{region}}
FORMAT AS JSON {{jsonpaths}}
TIMEFORMAT 'epochmillisecs'
BLANKSASNULL
EMPTYASNULL;
