"""Exit codes of the `observatory` commands, also the outcome of checking one export:
0 done (the export would load cleanly), 1 data problems, 2 usage errors."""

OK, DATA_PROBLEM, USAGE_ERROR = 0, 1, 2
