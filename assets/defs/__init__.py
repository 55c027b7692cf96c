"""The code location's definitions, one folder per stage of the flow
raw -> staged -> core (and weights) -> marts -> published, plus orchestration (jobs,
schedules, sensors). assets/definitions.py loads everything here
(`dg.load_from_defs_folder`): a new asset, check, job, schedule or sensor is found
where it is written."""
