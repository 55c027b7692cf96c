/* The tables of the database ? in the schemas ?, with their comments. */
SELECT schema_name, table_name, comment FROM duckdb_tables()
WHERE database_name = ? AND list_contains(?, schema_name) ORDER BY ALL
