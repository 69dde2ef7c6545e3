-- Records rejected by COPY over every load the warehouse kept, most recent first: how many in all,
-- then the latest hundred.
SELECT COUNT(*) AS load_errors FROM sys_load_error_detail;
SELECT start_time, file_name, line_number, column_name, error_code, error_message
FROM sys_load_error_detail
ORDER BY start_time DESC, file_name, line_number
LIMIT 100;
