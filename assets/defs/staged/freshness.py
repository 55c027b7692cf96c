"""Freshness of the deliveries: has every configured country delivered the latest wave?"""

import dagster as dg

from assets.keys import STAGED
from assets.partitions import delivered
from assets.resources import ObservatoryResource
from observatory.config import load_countries
from observatory.ingest.discover import unreadable


@dg.asset_check(
    asset=STAGED,
    blocking=False,
    description="Every configured country has delivered the latest wave (the "
    "most recent wave with any export); names the countries that "
    "have not, and folders the pipeline cannot read.",
)
def latest_wave_delivered(observatory: ObservatoryResource) -> dg.AssetCheckResult:
    pairs = delivered(observatory.paths.raw_dir)
    latest = max((wave for wave, _ in pairs), default=None)
    have = {country for wave, country in pairs if wave == latest}
    missing = [c for c in load_countries() if c not in have]
    folders = list(unreadable(observatory.paths.raw_dir).values())
    return dg.AssetCheckResult(
        passed=latest is not None and not missing and not folders,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"latest wave {latest}: "
            + (f"not delivered by {', '.join(missing)}" if missing else "every country delivered")
            if latest
            else "no export under data/raw/surveys"
        )
        + (f"; {len(folders)} folder(s) not read: {'; '.join(folders)}" if folders else ""),
        metadata={
            "latest_wave": latest or 0,
            "missing_countries": ", ".join(missing) or "none",
            "unreadable_folders": dg.MetadataValue.md(
                "\n".join(f"- {f}" for f in folders) or "none"
            ),
        },
    )
