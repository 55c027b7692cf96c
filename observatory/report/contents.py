"""What the report holds: its figures (with the catalog keys of their words) and sections."""

SHARE_FIGURES = (  # id, string key, dimension, domain type, page section
    ("levers_by_country", "levers", "lever", "country", "country"),
    ("barriers_by_country", "barriers", "barrier", "country", "country"),
    ("scheme_types_by_country", "schemes", "scheme_type", "country", "country"),
    ("levers_by_scheme_type", "levers_scheme", "lever", "scheme_type", "scheme_type"),
    ("barriers_by_scheme_type", "barriers_scheme", "barrier", "scheme_type", "scheme_type"),
    ("sim_roles_by_country", "sim_roles", "sim_role", "country", "topics"),
    ("themes_by_country", "themes", "theme", "country", "topics"),
    ("ci_conditions_by_country", "ci_conditions", "ci_condition", "country", "topics"),
    ("ci_stages_by_country", "ci_stages", "ci_stage", "country", "topics"),
)
TREND_FIGURES = (  # id, string key (as in SHARE_FIGURES), dimension
    ("trend_levers", "levers", "lever"),
    ("trend_barriers", "barriers", "barrier"),
)
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
