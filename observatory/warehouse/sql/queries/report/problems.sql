/* Problems recorded in the quarantine for the wave ?. */
SELECT count(*)::INTEGER FROM audit.quarantine WHERE wave = ?
