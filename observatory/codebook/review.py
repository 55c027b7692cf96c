"""The three steps of a new wave's questionnaire, on a codebook folder:

1. `import_instrument`: read a tool's instrument file, keep it (with its mapping file)
   under pending/<wave>/<CC>.yaml, and return the labels that map to no code;
2. `diff`: compare every instrument imported for the wave with the previous wave and
   write the proposed change to pending/<wave>/proposal.yaml, for review;
3. `accept`: record that proposal in the codebook's history (changes/), with who
   accepted it and when. Nothing else ever writes the codebook.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from observatory.codebook import Codebook, build_codebook, load_codebook, validate
from observatory.codebook.drift import Imported
from observatory.codebook.instrument import Instrument, read_instrument
from observatory.codebook.mapping import load_mapping
from observatory.codebook.proposal import Proposal, propose
from observatory.codebook.store import (
    CHANGE_KEYS,
    change_files,
    merge,
    pending_dir,
    read_codebook,
    read_yaml,
    write_yaml,
)
from observatory.config import canonical_country, load_countries

PROPOSAL = "proposal.yaml"


def _book(folder: Path) -> Codebook:
    return build_codebook(*read_codebook(folder))


class Refused(Exception):
    """A step that cannot go ahead; its args are the lines to show."""


def import_instrument(
    folder: Path, path: Path, wave: int, country_code: str, mapping: Path | None = None
) -> tuple[Path, list[str]]:
    """Keep the instrument for the wave's diff; return where, and its unmapped labels."""
    country = load_countries()[canonical_country(country_code)]
    instrument = read_instrument(path, country)  # InstrumentError: nothing is written
    imported = Imported(
        country.code,
        country.language,
        str(path),
        hashlib.sha256(path.read_bytes()).hexdigest(),
        instrument,
        load_mapping(mapping),
    )
    target = pending_dir(folder, wave) / f"{country.code}.yaml"
    write_yaml(target, asdict(imported))
    try:
        problems = propose(_book(folder), wave, [imported]).problems
    except LookupError:  # no earlier wave: the mapping alone says what is unmapped
        problems = []
    return target, problems


def _imports(folder: Path, wave: int) -> list[Imported]:
    order = list(load_countries())
    files = sorted(
        (p for p in pending_dir(folder, wave).glob("*.yaml") if p.name != PROPOSAL),
        key=lambda p: order.index(p.stem) if p.stem in order else len(order),
    )
    return [_imported(read_yaml(p)) for p in files]


def _imported(raw: dict) -> Imported:
    return Imported(**{**raw, "instrument": Instrument.from_dict(raw["instrument"])})


def _fingerprint(folder: Path, wave: int) -> str:
    """What a proposal was made from: the codebook and the imported instruments."""
    state = [read_codebook(folder), [asdict(i) for i in _imports(folder, wave)]]
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


def diff(folder: Path, wave: int) -> tuple[Path, Proposal]:
    imports = _imports(folder, wave)
    if not imports:
        raise Refused(
            f"no instrument imported for wave {wave} (observatory instrument "
            f"import FILE --wave {wave} --country CC)"
        )
    proposal = propose(_book(folder), wave, imports)
    record = {
        "wave": wave,
        "based_on": proposal.based_on,
        "instruments": [
            {"country": i.country, "file": i.source, "sha256": i.sha256} for i in imports
        ],
        "fingerprint": _fingerprint(folder, wave),
        "changes": proposal.changes,
        "problems": proposal.problems,
        **{k: getattr(proposal, k) for k in CHANGE_KEYS if getattr(proposal, k)},
    }
    target = pending_dir(folder, wave) / PROPOSAL
    write_yaml(
        target,
        record,
        f"# Proposed codebook change for wave {wave}, from its "
        "instruments. Review it, then: observatory instrument accept "
        f"--wave {wave}\n",
    )
    return target, proposal


def _who(folder: Path) -> str:
    def git(key: str) -> str:
        try:
            return subprocess.run(
                ["git", "config", key], cwd=folder, capture_output=True, text=True, timeout=10
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    name, email = git("user.name"), git("user.email")
    if name:
        return f"{name} <{email}>" if email else name
    return os.environ.get("USER") or getpass.getuser()


def accept(folder: Path, wave: int) -> Path:
    path = pending_dir(folder, wave) / PROPOSAL
    if not path.is_file():
        raise Refused(
            f"{path}: no proposal for wave {wave} (run observatory instrument diff "
            f"--wave {wave} first)"
        )
    proposal = read_yaml(path)
    if proposal.get("problems"):
        raise Refused(
            *proposal["problems"],
            f"{path}: {len(proposal['problems'])} blocking problem(s): nothing accepted",
        )
    if proposal.get("fingerprint") != _fingerprint(folder, wave):
        raise Refused(
            f"{path}: the codebook or the imported instruments changed since this "
            f"proposal: run observatory instrument diff --wave {wave} again"
        )
    taxonomy, questionnaire = merge(*read_codebook(folder), proposal)
    problems = validate(build_codebook(taxonomy, questionnaire))
    if problems:
        raise Refused(
            *(f"{path}: {p}" for p in problems),
            f"{path}: the codebook would not be consistent: nothing accepted",
        )
    record = {
        "accepted_by": _who(folder),
        "accepted_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **{k: v for k, v in proposal.items() if k != "fingerprint"},
    }
    target = folder / "changes" / f"{len(change_files(folder)) + 1:03d}_wave_{wave}.yaml"
    write_yaml(target, record, f"# Accepted codebook change for wave {wave}.\n")
    shutil.rmtree(pending_dir(folder, wave))
    load_codebook.cache_clear()
    return target
