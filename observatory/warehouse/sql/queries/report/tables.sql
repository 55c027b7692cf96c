/* The tables of the warehouse (to check the report's are there). */
SELECT table_schema, table_name FROM information_schema.tables
