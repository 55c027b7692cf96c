"""Jobs, schedules and sensors: what runs the stages, when."""
