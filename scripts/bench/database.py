"""The synthetic records as database rows (ids equal to the index's), with bulk inserts."""

from __future__ import annotations

import datetime as dt

from .common import chunks


def fill_database(db, providers: list[dict], demands: list[dict]) -> None:
    """The same records as database rows (ids equal to the index's), with bulk inserts."""
    from matchmaker.models import Case, Demand, Organization, OrgType, Provider

    def ts(value):
        return dt.datetime.fromisoformat(value)

    orgs, rows, cases = [], [], []
    for p in providers:
        orgs.append(
            {
                "id": p["id"],
                "type": OrgType.PROVIDER,
                "name": p["name"],
                "region": p["region"],
                "kind": p["kind"],
                "level": p["level"],
                "verified": p["verified"],
                "created_at": ts(p["created_at"]),
            }
        )
        rows.append(
            {
                "id": p["id"],
                "organization_id": p["id"],
                "clusters": p["clusters"],
                "services": p["services"],
                "description": p["description"],
                "team_size": p["team_size"],
                "price_min": p["price_min"],
                "price_max": p["price_max"],
                "certifications": [],
                "external_id": f"bench-P{p['id']}",
                "index_version": 1,
                "created_at": ts(p["created_at"]),
                "updated_at": ts(p["created_at"]),
            }
        )
        for c in p["cases"]:
            cases.append(
                {
                    "provider_id": p["id"],
                    "title": c["title"],
                    "description": c["description"],
                    "cluster": c["cluster"],
                    "year": c["year"],
                }
            )
    enterprises: dict[str, int] = {}
    demand_rows = []
    next_org = len(providers) + 1
    for d in demands:
        org = enterprises.get(d["organization_name"])
        if org is None:
            org = enterprises[d["organization_name"]] = next_org
            orgs.append(
                {
                    "id": org,
                    "type": OrgType.ENTERPRISE,
                    "name": d["organization_name"],
                    "region": d["region"],
                    "kind": None,
                    "level": "none",
                    "verified": True,
                    "created_at": ts(d["created_at"]),
                }
            )
            next_org += 1
        demand_rows.append(
            {
                "id": d["id"],
                "organization_id": org,
                "title": d["title"],
                "description": d["description"],
                "cluster": d["cluster"],
                "services": d["services"],
                "budget_min": d["budget_min"],
                "budget_max": d["budget_max"],
                "deadline": dt.date.fromisoformat(d["deadline"]),
                "region": d["region"],
                "contact_preference": "platform",
                "status": d["status"],
                "external_id": f"bench-D{d['id']}",
                "index_version": 1,
                "published_at": ts(d["published_at"]),
                "created_at": ts(d["created_at"]),
                "updated_at": ts(d["created_at"]),
            }
        )
    for model, data in (
        (Organization, orgs),
        (Provider, rows),
        (Case, cases),
        (Demand, demand_rows),
    ):
        for part in chunks(data, 20_000):
            db.session.execute(db.insert(model.__table__), part)
    db.session.commit()
