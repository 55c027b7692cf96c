"""`observatory instrument import|diff|accept`: a new wave's questionnaire from the survey
tools' own definitions (XLSForm, LimeSurvey .lss, SPSS .sav), with its drift against the
previous wave reviewed before the codebook changes.

    observatory instrument import FILE --wave 2027 --country HR [--mapping FILE]
    observatory instrument diff --wave 2027
    observatory instrument accept --wave 2027

The codebook is the folder in OBSERVATORY_CODEBOOK_DIR (default: the shipped one). Exit
code 1, one line per problem (`file: what is wrong`), when a step cannot go ahead; a
file that cannot be read changes nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _import(args: argparse.Namespace, folder: Path) -> int:
    from observatory.codebook.review import import_instrument

    target, problems = import_instrument(
        folder,
        Path(args.file),
        args.wave,
        args.country,
        Path(args.mapping) if args.mapping else None,
    )
    for line in problems:
        print(line)
    print(
        f"{args.file}: imported for wave {args.wave} ({target})"
        + (
            f"; {len(problems)} label(s) map to no code: add them to a mapping file "
            "(--mapping) and import again"
            if problems
            else ""
        )
    )
    return 1 if problems else 0


def _diff(args: argparse.Namespace, folder: Path) -> int:
    from observatory.codebook.review import diff

    target, proposal = diff(folder, args.wave)
    print(f"wave {args.wave} against {proposal.based_on}:")
    for line in proposal.changes or ["no change"]:
        print(f"  {line}")
    for line in proposal.problems:
        print(line)
    verdict = (
        f"{len(proposal.problems)} blocking problem(s)"
        if proposal.problems
        else f"review it, then: observatory instrument accept --wave {args.wave}"
    )
    print(f"proposed codebook change: {target} ({verdict})")
    return 1 if proposal.problems else 0


def _accept(args: argparse.Namespace, folder: Path) -> int:
    from observatory.codebook.review import accept
    from observatory.codebook.store import read_yaml

    target = accept(folder, args.wave)
    record = read_yaml(target)
    print(
        f"wave {args.wave} accepted by {record['accepted_by']} at {record['accepted_at']}: {target}"
    )
    return 0


def run(args: argparse.Namespace) -> int:
    from observatory.codebook import codebook_dir
    from observatory.codebook.instrument import InstrumentError
    from observatory.codebook.review import Refused

    try:
        return args.step(args, codebook_dir())
    except Refused as exc:
        for line in exc.args:
            print(line)
    except (InstrumentError, LookupError) as exc:
        print(exc.args[0] if exc.args else type(exc).__name__)
    return 1


def add_parser(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser(
        "instrument",
        help="a new wave's questionnaire from the survey tools' definitions: import, diff, accept",
    )
    steps = cmd.add_subparsers(dest="instrument_step", required=True)
    imp = steps.add_parser(
        "import",
        help="read an XLSForm (.xlsx), LimeSurvey (.lss) or "
        "SPSS (.sav) instrument and map it to the codebook",
    )
    imp.add_argument("file", help="the instrument: .xlsx (XLSForm), .lss or .sav")
    imp.add_argument(
        "--country",
        required=True,
        help="country code (its language is the one labels are matched in)",
    )
    imp.add_argument(
        "--mapping",
        help="YAML mapping of the labels and headers the codebook "
        "does not know (see observatory/codebook/mapping.py)",
    )
    imp.set_defaults(step=_import)
    dif = steps.add_parser(
        "diff",
        help="compare the wave's imported instruments with the "
        "previous wave and write the proposed change",
    )
    dif.set_defaults(step=_diff)
    acc = steps.add_parser("accept", help="record the proposed change in the codebook")
    acc.set_defaults(step=_accept)
    for step in (imp, dif, acc):
        step.add_argument("--wave", type=int, required=True, help="the wave (year)")
    cmd.set_defaults(func=run)
