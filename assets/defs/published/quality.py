"""Published stage: the data-quality page of each refresh."""

import dagster as dg

from assets.keys import ANALYST_SNAPSHOT, QUALITY_PAGE
from assets.owners import owners
from assets.resources import ObservatoryResource
from observatory.quality.page import write_page


@dg.asset(
    key=QUALITY_PAGE,
    group_name="published",
    owners=owners("published"),
    deps=[ANALYST_SNAPSHOT],
    kinds={"html"},
)
def data_quality_page(observatory: ObservatoryResource) -> dg.MaterializeResult:
    """What the refresh loaded, quarantined and why, and which expectations failed
    (reports/data-quality/index.html and a dated copy), from the audit schema of the
    published snapshot; no personal data."""
    paths = observatory.paths
    index, dated = write_page(paths.published_db, paths.reports_dir)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(index)),
            "dated_copy": dg.MetadataValue.path(str(dated)),
        }
    )
