"""observatory.warehouse.inputs: the frame and case files are read once per build, and
again as soon as one changes."""

from __future__ import annotations

import shutil
from pathlib import Path

from observatory.paths import REPO
from observatory.warehouse.inputs import input_frames


def test_inputs_are_read_again_only_when_a_file_changed(tmp_path: Path):
    raw = tmp_path / "raw"
    for folder in ("frames", "cases"):
        shutil.copytree(REPO / "data" / "raw" / folder, raw / folder)
    first = input_frames(raw)
    assert input_frames(raw) is first  # nothing changed: the same frames, not re-read
    frame = raw / "frames" / "frame_2026.csv"
    frame.write_text(frame.read_text().replace("HR,company,11722", "HR,company,11723"))
    again = input_frames(raw)
    assert again is not first
    population = again["raw_frames"].query("wave == 2026 and country == 'HR'")
    assert 11723 in population["population"].tolist()
    (raw / "frames" / "frame_2024.csv").unlink()  # a file gone is a change too
    assert 2024 not in set(input_frames(raw)["raw_frames"]["wave"])
