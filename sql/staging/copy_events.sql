-- One load's event objects: {{source}} is the log prefix, or one day's partition of it
-- (<log prefix>/YYYY/MM/YYYY-MM-DD). A partition that does not exist fails the COPY (error 8001).
-- COPY cannot take Data API parameters, so {{…}} placeholders are filled by src/pipeline/copy-sql.ts
-- from validated configuration, each quoted as a string literal (or the keyword default for the role).
-- No TRUNCATECOLUMNS: a value too long for its column is rejected, and sys_load_error_detail names the
-- file, line and column, rather than data being cut silently. MAXERROR is EVENTS_MAXERROR (default 0:
-- the first rejected record fails the load).
COPY {{staging_events}}
FROM {{source}}
IAM_ROLE {{iam_role}}
REGION {{region}}
FORMAT AS JSON {{jsonpaths}}
TIMEFORMAT 'epochmillisecs'
MAXERROR {{max_errors}}
BLANKSASNULL
EMPTYASNULL;
