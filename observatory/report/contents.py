"""What the report holds: its figures (with the catalog keys of their words) and sections.

The share figures are the views of marts.shares that name a report section in the
warehouse's spec (observatory/warehouse/sql/marts/share_views.yaml), in its order."""

from observatory.warehouse.share_views import ShareView, ShareViewSpecError, share_views

SECTIONS = {  # page section id -> string key of its heading, in page order
    "key": "s_key",
    "country": "s_country",
    "scheme_type": "s_scheme",
    "trend": "s_trend",
    "topics": "s_topics",
    "cases": "s_cases",
    "method": "s_method",
    "quality": "s_quality",
    "cite": "s_cite",
}
_FIGURE_SECTIONS = ("country", "scheme_type", "topics")


def _shown() -> list[ShareView]:
    shown = [view for view in share_views() if view.report is not None]
    for view in shown:
        if view.report not in _FIGURE_SECTIONS:
            raise ShareViewSpecError(
                f"{view.source} ({view.name}): report must be one of "
                f"{', '.join(_FIGURE_SECTIONS)}, not {view.report!r}"
            )
    return shown


SHARE_FIGURES = tuple(  # id (the view's name), string key, dimension, domain type, section
    (view.name, view.text, view.dimension, view.by, view.report)
    for view in _shown()
    if view.text is not None and view.report is not None  # always: they go together
)
TREND_FIGURES = tuple(  # id, string key (as in SHARE_FIGURES), dimension
    (f"trend_{view.text}", view.text, view.dimension)
    for view in _shown()
    if view.trend and view.text is not None
)
