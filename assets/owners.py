"""Who answers for each stage, shown on every asset in the UI (searchable as
owner:team:...): research staff for the exports they drop in, the data team for the
warehouse, publishers for the analyst snapshot, the report and the data-quality page."""

OWNERS = {
    "raw": "team:research-staff",
    "staged": "team:research-staff",
    "core": "team:data-engineering",
    "weights": "team:data-engineering",
    "marts": "team:data-engineering",
    "published": "team:publishers",
}


def owners(group: str) -> list[str]:
    return [OWNERS[group]]
