/** The environment variable through which global setup hands the test PostgreSQL server's URL to test workers. */
export const TEST_DATABASE_URL_VARIABLE = 'SPARKIFY_TEST_DATABASE_URL';
