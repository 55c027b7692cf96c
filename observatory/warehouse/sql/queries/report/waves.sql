/* The waves the warehouse holds shares of. */
SELECT DISTINCT wave FROM marts.shares ORDER BY wave
