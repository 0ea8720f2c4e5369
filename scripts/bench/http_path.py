"""The full HTTP path of ``GET /api/v1/demands/{id}/matches`` through Flask's test client."""

from __future__ import annotations

import random
import time

from .common import SEED, BackendRun, percentiles
from .database import fill_database


def measure(run: BackendRun, providers: list[dict], demands: list[dict], queries: int) -> None:
    from flask_migrate import upgrade

    from matchmaker import create_app
    from matchmaker.extensions import db
    from matchmaker.models import Demand
    from matchmaker.services import accounts
    from matchmaker.services.indexing import demand_record

    dbfile = run.workdir / f"http-{run.kind}-{run.size}.sqlite3"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{dbfile}",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "ELASTICSEARCH_URL": run.es_url,
            "SEARCH_INDEX_PREFIX": run.prefix,
            "EMBEDDED_SEARCH_PATH": str(run.workdir / "unused.sqlite3"),
            "UPLOAD_FOLDER": str(run.workdir / "uploads"),
            "MAIL_SERVER": None,
        }
    )
    app.extensions["search"] = run.backend  # the backend and index measured above
    with app.app_context():
        upgrade()
        t0 = time.perf_counter()
        fill_database(db, providers, demands)
        accounts.create_user(db.session, "bench-admin@example.com", "bench-admin-password", "admin")
        db.session.commit()
        run.log(
            f"  database filled with {len(providers)} providers and {len(demands)} demands "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        client = app.test_client()
        resp = client.post(
            "/api/v1/auth/token",
            json={"email": "bench-admin@example.com", "password": "bench-admin-password"},
        )
        headers = {"Authorization": f"Bearer {resp.get_json()['token']}"}
        published = [d["id"] for d in demands if d["status"] == "published"]
        ids = random.Random(SEED + 7).sample(published, min(queries + run.warmup, len(published)))
        records = {
            d.id: demand_record(d)
            for d in db.session.scalars(db.select(Demand).where(Demand.id.in_(ids)))
        }
        db.session.remove()

        def get(demand_id):
            t = time.perf_counter()
            r = client.get(f"/api/v1/demands/{demand_id}/matches?limit=10", headers=headers)
            elapsed = time.perf_counter() - t
            if r.status_code != 200 or not r.get_json()["items"]:
                raise RuntimeError(
                    f"matches {demand_id}: {r.status_code} {r.get_data(as_text=True)[:300]}"
                )
            return elapsed

        warm, measured = ids[: run.warmup], ids[run.warmup :]
        for i in warm:
            get(i)
        first = [get(i) for i in measured]  # records exposure, re-indexes ≤ 10 providers
        again, library = [], []
        for i in measured:  # steady state: nothing new to record
            again.append(get(i))
            t = time.perf_counter()
            run.backend.match_providers(records[i], 10)
            library.append(time.perf_counter() - t)
        db.engine.dispose()
    result = {
        "first": percentiles(first),
        "repeat": percentiles(again),
        "library": percentiles(library),
    }
    lib, rep = result["library"]["p50"], result["repeat"]["p50"]
    result["web_share_p50"] = (rep - lib) / rep if rep else None
    run.result["http"] = result
    run.log(
        f"  HTTP GET /api/v1/demands/{{id}}/matches: first call p50 "
        f"{result['first']['p50']:.1f} "
        f"p95 {result['first']['p95']:.1f} ms; repeated p50 {rep:.1f} p95 "
        f"{result['repeat']['p95']:.1f} ms; "
        f"library alone p50 {lib:.1f} ms → web layer {100 * result['web_share_p50']:.0f}% of "
        "p50"
    )
