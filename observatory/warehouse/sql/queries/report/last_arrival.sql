/* When the last survey export of the wave ? arrived. */
SELECT max(arrived_at) FROM audit.raw_files WHERE kind = 'survey' AND wave = ?
