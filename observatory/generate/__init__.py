"""Deterministic synthetic sample: survey exports, frames, case studies and planted truth.

No real survey microdata is public, so the project ships (and benchmarks on) data made
here: `generate_sample` (folder.py) writes it, one module per kind of file beside it.
"""

from observatory.generate.folder import generate_sample

__all__ = ["generate_sample"]
