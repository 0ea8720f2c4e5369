#!/usr/bin/env python3
"""Survey import benchmark: 10,000 rows through the job's path, on SQLite and PostgreSQL.

`python scripts/bench_import.py [--rows N] [--postgres-url URL] [--no-write]` (also run by
`make bench`). For each database: a fresh schema (SQLite: a temporary file; PostgreSQL: the
database given by --postgres-url or TEST_POSTGRES_URL, whose public schema is DROPPED — use
a scratch database), the embedded search backend, then for providers and for demands: a
generated CSV of N rows (Chinese labels, money like “10万”, several services per cell),
previewed (read + every row checked + planned), committed through the background job's code
in chunks with undo notes, delivered to the index in bulk; then the same file again (every
row an update). Prints the phases and writes the section between the `import` markers of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- import:begin -->", "<!-- import:end -->"
TARGET = 30.0  # seconds for 10,000 rows


def credit_code(n: int) -> str:
    from matchmaker.validators import credit_code_check_char

    first17 = f"91500118{n:09d}"
    return first17 + credit_code_check_char(first17)


def survey_rows(kind: str, n: int, seed: int = 7) -> list[dict]:
    from matchmaker.taxonomy import get_taxonomy

    tax = get_taxonomy().raw
    rng = random.Random(seed)
    clusters = [c["zh"] for c in tax["clusters"]]
    services = [s["zh"] for s in tax["services"]]
    regions = [r["zh"] for r in tax["regions"]]
    kinds = [k["zh"] for k in tax["provider_kinds"]]
    rows = []
    for i in range(n):
        if kind == "providers":
            rows.append(
                {
                    "external_id": f"P-{i:06d}",
                    "name": f"重庆设计单位{i:06d}有限公司",
                    "credit_code": credit_code(100_000 + i),
                    "contact_name": "张工",
                    "phone": f"138{i:08d}",
                    "email": f"p{i}@example.cn",
                    "kind": rng.choice(kinds),
                    "region": rng.choice(regions),
                    "clusters": "、".join(rng.sample(clusters, 2)),
                    "services": "、".join(rng.sample(services, 3)),
                    "description": "长期服务汽摩企业，擅长整车造型与CMF设计，有结构设计团队。",
                    "team_size": str(rng.randint(3, 200)),
                    "price_min": "5万",
                    "price_max": "50万",
                    "certifications": "市级工业设计中心",
                    "verified": "否",
                }
            )
        else:
            rows.append(
                {
                    "external_id": f"D-{i:06d}",
                    "organization": f"重庆制造企业{i // 3:06d}有限公司",  # three demands each
                    "credit_code": credit_code(500_000 + i // 3),
                    "contact_name": "李经理",
                    "phone": f"139{i // 3:08d}",
                    "email": f"e{i // 3}@example.cn",
                    "region": rng.choice(regions),
                    "title": f"新款产品外观造型设计{i:06d}",
                    "description": "新款车型，需要外观造型与CMF方案，含油泥模型与工程可行性分析。",
                    "cluster": rng.choice(clusters),
                    "services": "、".join(rng.sample(services, 2)),
                    "budget_min": "10万",
                    "budget_max": "40万",
                    "deadline": "2031-06-30",
                    "status": "已发布",
                }
            )
    return rows


def survey_csv(kind: str, n: int) -> bytes:
    from matchmaker.services.imports.columns import COLUMNS

    columns = COLUMNS[kind]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in columns])
    for row in survey_rows(kind, n):
        writer.writerow([row.get(c.key, "") for c in columns])
    return out.getvalue().encode("utf-8")


def fresh_database(name: str, postgres_url: str | None, scratch: Path) -> str:
    if name == "sqlite":
        return f"sqlite:///{scratch / 'bench.sqlite3'}"
    url = postgres_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


def measure(name: str, url: str, rows: int, scratch: Path, log=print) -> list[dict]:
    from flask_migrate import upgrade

    from matchmaker import create_app
    from matchmaker.config import Settings
    from matchmaker.extensions import db
    from matchmaker.search_engine import get_search
    from matchmaker.services import accounts, indexing
    from matchmaker.services.imports import jobs
    from matchmaker.transaction import commit

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "ELASTICSEARCH_URL": None,
            "EMBEDDED_SEARCH_PATH": str(scratch / f"{name}-search.sqlite3"),
            "UPLOAD_FOLDER": str(scratch / "uploads"),
            "JOBS_IMMEDIATE": False,  # delivery is timed on its own below
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_KIB": 1024,
            "ARGON2_PARALLELISM": 1,
        },
        settings=Settings(MATCHMAKER_INSTANCE_PATH=scratch),  # the job queue's file goes there
    )
    results = []
    with app.app_context():
        upgrade()
        admin = accounts.create_user(db.session, "bench@example.cn", "bench-password", "admin")
        commit()
        for kind in ("providers", "demands"):
            data = survey_csv(kind, rows)
            for round_ in ("first import", "same file again"):
                cpu = time.process_time()
                started = time.perf_counter()
                job = jobs.preview_upload(
                    db.session, admin, kind, f"{kind}.csv", data, app.config["UPLOAD_FOLDER"]
                )
                commit()
                previewed = time.perf_counter()
                assert not job.problems, job.problems[:3]
                jobs.start(db.session, admin, job.id)
                commit()
                jobs.run(db.session, admin, job.id, app.config["UPLOAD_FOLDER"], commit=commit)
                commit()
                written = time.perf_counter()
                delivered = indexing.deliver_pending(db.session, get_search(), limit=10**9)
                done = time.perf_counter()
                job = db.session.get(type(job), job.id)
                result = {
                    "database": name,
                    "kind": kind,
                    "round": round_,
                    "rows": rows,
                    "created": job.summary.get("created", 0),
                    "updated": job.summary.get("updated", 0),
                    "preview": previewed - started,
                    "write": written - previewed,
                    "index": done - written,
                    "delivered": delivered,
                    "total": done - started,
                    "cpu": time.process_time() - cpu,
                }
                results.append(result)
                log(
                    f"{name:10} {kind:9} {round_:15} preview {result['preview']:5.1f} s  "
                    f"write {result['write']:5.1f} s  index {result['index']:5.1f} s  "
                    f"total {result['total']:5.1f} s  cpu {result['cpu']:5.1f} s  "
                    f"({result['created']} created, "
                    f"{result['updated']} updated)"
                )
        db.session.remove()
        get_search().close()
        db.engine.dispose()
    return results


def load_average() -> str:
    try:
        return " / ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "?"


def section(results: list[dict], load_before: str, load_after: str) -> str:
    busy = float(load_before.split(" / ")[0]) > 2 if load_before != "?" else False
    lines = [
        BEGIN,
        "## Survey import",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} with `scripts/bench_import.py` (part of "
        "`make bench`). Machine: 2 CPU cores, 23.5 GiB RAM, Linux, Python "
        f"{platform.python_version()}; load average (1/5/15 min) {load_before} at the start, "
        f"{load_after} at the end"
        + (" — other work was running on the same two cores." if busy else "."),
        "",
        "Method: a generated CSV per kind (Chinese labels, money such as “10万”, several "
        "services per cell; demands: three per enterprise), previewed through the upload "
        "service (read, every row checked with the API schemas, planned against the "
        "database), committed through the background job's code (chunks of 500 rows, each "
        "committed with its undo notes, progress and heartbeat), then the outbox delivered "
        "to the embedded search backend in bulk. The second round imports the same file "
        "again: every row becomes an update (idempotent). PostgreSQL 15 and SQLite on local "
        "disk, one process.",
        "",
        f"Target: 10,000 rows ≤ {TARGET:.0f} s from upload to searchable (wall time). The CPU "
        "time of the benchmark's own process (app, SQLite, embedded index; not the PostgreSQL "
        "server) is shown beside it: on a busy machine it says what the import itself costs.",
        "",
        "| database | kind | round | rows | preview s | write s | index s | total s | "
        "CPU s (this process) | target |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        verdict = "PASS" if r["total"] <= TARGET * r["rows"] / 10_000 else "FAIL"
        lines.append(
            f"| {r['database']} | {r['kind']} | {r['round']} | {r['rows']:,} | "
            f"{r['preview']:.1f} | {r['write']:.1f} | {r['index']:.1f} | {r['total']:.1f} | "
            f"{r['cpu']:.1f} | {verdict} |"
        )
    lines += [
        "",
        "What changed: rows used to be written one service call at a time, each flushing its "
        "records, audit event and outbox row (several round trips per row: 35 s on SQLite, "
        "85–200 s on PostgreSQL for 10,000 rows). Now the services build every new record of "
        "a chunk without flushing (`build_provider`, `build_demand`), one flush writes the "
        "chunk in batched statements, and the audit events and outbox rows follow in a "
        "second flush; updates change loaded rows and are flushed with them.",
        "",
        "Where the time goes (cProfile of 3,000 rows of each kind on PostgreSQL): in the "
        "write phase the database round trips and psycopg turning each batched INSERT's "
        "thousands of placeholders into PostgreSQL's form (those statements are too long for "
        "its cache, so each is parsed again: ≈ 13 % of the profiled run), SQLAlchemy building "
        "the rows, and the undo notes taken before each flush (≈ 6 %); in the preview the row "
        "checks (pydantic, of which e-mail address checking is about half) and, for the "
        "second round, loading the existing organisations; in the index phase building the "
        "documents (jieba segmentation, ≈ 1 ms a provider).",
        "",
        "A second profile (SQLite, 3,000 rows, both kinds, both rounds; 82 s under cProfile): "
        "the job's write phase 53 % — SQLAlchemy's flush 25 % (unit of work, attribute "
        "history), the undo notes 8 %, checking every row again when the job starts (the "
        "database may have changed since the preview) 12 %; the preview 15 % (pydantic "
        "≈ 14 % of the whole over both checks); index delivery 23 % (building documents, "
        "jieba ≈ 13 %). The undo notes asked every column of every updated row for its "
        "history; they now read only the attributes changed since loading.",
        "",
        "PostgreSQL (the previous run: 29-33 s, two of four above 30 s). What dominated "
        "there: 8,666 statements for 8,000 rows (2,000 of each kind and round, counted "
        "with an engine event), because providers and demands carry a version counter and "
        "SQLAlchemy sends a versioned UPDATE one row at a time to check each row count — "
        "every row of the second round, and every new row of the first too (indexing it "
        "bumps its index version after the INSERT, and a new demand's status moves to "
        "published); and psycopg rewriting the placeholders of each long batched "
        "`INSERT … RETURNING` in Python (such statements are too long for its cache): "
        "13.7 s of the 81 s of CPU of the four 10,000-row rounds. What changed: a chunk's "
        "changed providers and demands are written before the flush with one executemany "
        "UPDATE per set of changed columns, each row's WHERE carrying the version it read "
        "and the summed row count checked (`services/versions.write_in_batches`: a row "
        "someone else changed meanwhile still fails the chunk, and the undo notes still "
        "get the old values); and new rows take their keys from PostgreSQL's sequences "
        "in one query per table before the flush (`services/imports/keys.py`), so their "
        "INSERTs need no RETURNING and go as one short statement executed many times, in "
        "one pipeline. 8,666 statements became 682 for the same 8,000 rows, and the "
        "placeholder rewriting 2.8 → 1.2 s of CPU over those four rounds (what is left: "
        "providers and demands still return their version, which has a server default, "
        "and the planning's long `IN` lists). When the machine "
        "is shared, the CPU column, plus the PostgreSQL server's own work, is the better "
        "guide to what a quiet machine takes. The first run with these changes "
        "(2026-12-07 14:44-14:51 UTC) had load average 6-7 on the two cores, so every wall "
        "time in it is about twice the process's CPU and SQLite fails too; what it shows is "
        "PostgreSQL against SQLite in the same minutes: 1.1-1.5× SQLite's total for three "
        "rounds and faster for the fourth, where the previous run had 1.5-2.3×; the "
        "process's CPU on PostgreSQL 21.5 / 22.7 / 18.2 / 14.5 s against 24.1 / 22.8 / "
        "20.7 / 16.1 s before. Alone on the machine (2026-12-07 16:15-16:18 UTC, load "
        "average 0.8-1.0) every round met 30 s on both databases; PostgreSQL's slowest was "
        "the providers' second round, 28.9 s with 8.1 s of it in the preview: a thin margin.",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_section(text_: str, path: Path = DOC) -> None:
    current = path.read_text() if path.exists() else ""
    if BEGIN in current and END in current:
        before, rest = current.split(BEGIN, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        path.write_text(before + text_ + ("\n" + after if after else ""))
    else:
        path.write_text(current.rstrip("\n") + "\n\n" + text_)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL"))
    parser.add_argument("--no-write", dest="write", action="store_false")
    args = parser.parse_args(argv)
    load_before = load_average()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as scratch:
        for name in ("sqlite", "postgresql"):
            if name == "postgresql" and not args.postgres_url:
                print("postgresql: skipped (no --postgres-url or TEST_POSTGRES_URL)")
                continue
            url = fresh_database(name, args.postgres_url, Path(scratch))
            results += measure(name, url, args.rows, Path(scratch))
    if args.write:
        write_section(section(results, load_before, load_average()))
        print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
