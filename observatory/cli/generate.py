"""`observatory generate-sample`: write the deterministic synthetic sample."""

import argparse
import time
from pathlib import Path


def run(args: argparse.Namespace) -> int:
    from observatory.generate import generate_sample

    t0 = time.monotonic()
    truth = generate_sample(
        Path(args.out),
        seed=args.seed,
        waves=[int(w) for w in args.waves.split(",") if w.strip()],
        responses=(args.min_responses, args.max_responses),
        bad_rows=not args.no_bad_rows,
    )
    print(f"sample written to {args.out} in {time.monotonic() - t0:.1f} s (truth: {truth})")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    gen = sub.add_parser("generate-sample", help="write the synthetic sample (deterministic)")
    gen.add_argument("--seed", type=int, default=2026)
    gen.add_argument("--out", required=True)
    gen.add_argument("--waves", default="2024,2025,2026")
    gen.add_argument("--min-responses", type=int, default=300)
    gen.add_argument("--max-responses", type=int, default=800)
    gen.add_argument("--no-bad-rows", action="store_true")
    gen.set_defaults(func=run)
