/* The columns of the table ? . ? . ? (database, schema, table), in order. */
SELECT column_name, data_type, comment FROM duckdb_columns()
WHERE database_name = ? AND schema_name = ? AND table_name = ?
ORDER BY column_index
