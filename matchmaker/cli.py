"""Command line: run, worker, db, users, demo, search, demands, alerts, import, backup, restore."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from search import INDICES, SearchUnavailable

from .extensions import db
from .search_engine import get_search
from .services import accounts, demands, engine_cache, indexing
from .services.errors import ServiceError
from .transaction import unit_of_work


def _create_app() -> Flask:
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """Matchmaker — industrial-design supply and demand platform."""


@main.command("serve")
@click.option("--bind", help="Address to listen on (WEB_BIND; default 127.0.0.1:$PORT).")
@click.option("--workers", type=click.IntRange(min=1), help="Processes (WEB_WORKERS; cores).")
@click.option("--threads", type=click.IntRange(min=1), help="Threads per process (WEB_THREADS).")
def serve(bind: str | None, workers: int | None, threads: int | None) -> None:
    """Production server: gunicorn, workers and threads from the settings."""
    from .config import Settings, server_settings
    from .throttle import require_shared_storage

    settings = server_settings()
    workers = workers or settings["workers"]
    limits = Settings()
    # before anything is started
    require_shared_storage(workers, limits.RATELIMIT_STORAGE_URI, limits.RATELIMIT_ENABLED)
    metrics_dir = tempfile.mkdtemp(prefix="matchmaker-metrics-")
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:matchmaker.serving",
        "--bind",
        bind or settings["bind"],
        "--workers",
        str(workers),
        "--threads",
        str(threads or settings["threads"]),
        "--timeout",
        str(settings["timeout"]),
        "matchmaker:create_app()",
    ]
    # A fresh interpreter: the metrics library must see its folder before its first import.
    os.execve(sys.executable, argv, {**os.environ, "PROMETHEUS_MULTIPROC_DIR": metrics_dir})


def _fail(exc: ServiceError) -> None:
    details = "; ".join(f"{field}: {', '.join(messages)}" for field, messages in exc.fields.items())
    raise click.ClickException(f"{exc.message}{' — ' + details if details else ''}")


users = click.Group("users", help="Manage user accounts.")


@users.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option(
    "--role",
    type=click.Choice(["admin", "enterprise", "provider", "designer"]),
    required=True,
    help="designer: an individual of the talent pool (experts are admitted on the expert page).",
)
@click.option(
    "--organization",
    "organization",
    default=None,
    help="Join the organisation of this exact name, or create it (enterprise and provider).",
)
@click.option("--name", default=None, help="The person's name.")
@with_appcontext
def create_user(
    email: str, password: str, role: str, organization: str | None, name: str | None
) -> None:
    """Create a user (the first administrator is created this way)."""
    try:
        with unit_of_work():
            user = accounts.create_user(db.session, email, password, role, organization, name)
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"created user {user.id} <{user.email}> role={user.role}")


@users.command("deactivate")
@click.option("--email", required=True)
@with_appcontext
def deactivate_user(email: str) -> None:
    """Stop an account: it cannot sign in, and its sessions and API tokens end now."""
    user = accounts.find_user(db.session, email)
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    accounts.deactivate(db.session, None, user)
    db.session.commit()
    click.echo(f"deactivated user {user.id} <{user.email}>")


search = click.Group("search", help="Search index lifecycle.")


@search.command("reindex")
@click.option("--index", "names", multiple=True, type=click.Choice(INDICES), help="Default: all.")
@with_appcontext
def reindex(names: tuple[str, ...]) -> None:
    """Rebuild indices from the database into new ones and swap the aliases (no downtime)."""
    backend = get_search()
    for name in names or INDICES:
        total = indexing.database_count(db.session, name)
        with click.progressbar(length=total, label=f"{name:10}") as bar:
            count = indexing.rebuild(db.session, backend, name, progress=bar.update)
        db.session.commit()
        click.echo(f"{name}: {count} documents indexed (database: {total})")
    delivered = indexing.deliver_pending(db.session, backend)
    click.echo(f"caught up {delivered} pending changes")


@search.command("status")
@with_appcontext
def status() -> None:
    """Backend, alias → index, document counts against database counts, pending changes."""
    backend = get_search()
    click.echo(f"backend: {backend.name}")
    try:
        for item in backend.status():
            click.echo(
                f"{item.alias} → {', '.join(item.concrete) or '(none)'}: {item.documents} "
                f"documents (database: {indexing.database_count(db.session, item.index)})"
            )
    except SearchUnavailable as exc:
        click.echo(f"search engine unavailable: {exc}")
    click.echo(f"pending changes: {indexing.pending_count(db.session)}")


@search.command("sync")
@with_appcontext
def sync() -> None:
    """Deliver pending index changes kept while the engine was down (also after an index was
    restored from a snapshot: every index gets a new stamp, so no answer kept before is used)."""
    backend = get_search()
    engine_cache.stamp_changed(db.session, INDICES)
    db.session.commit()
    delivered = indexing.deliver_pending(db.session, backend)
    left = indexing.pending_count(db.session)
    click.echo(f"delivered {delivered}, pending {left}")
    if left:
        raise click.ClickException("search engine unavailable; changes kept in the outbox")


demand_commands = click.Group("demands", help="Demand housekeeping.")


@demand_commands.command("expire")
@with_appcontext
def expire() -> None:
    """Close demands past their deadline (run daily)."""
    with unit_of_work():
        count = demands.expire_overdue(db.session)
    click.echo(f"expired {count} demands")


alerts = click.Group("alerts", help="Saved-search alerts.")


@alerts.command("send")
@click.option(
    "--base-url",
    default=None,
    help="Public address used in e-mailed links (default: SERVER_NAME).",
)
@with_appcontext
def send_alerts(base_url: str | None) -> None:
    """Send due daily digests of new demands matching saved searches now (a job does it
    hourly)."""
    from .jobs.tasks import public_base_url
    from .services import saved_searches

    with unit_of_work():
        sent = saved_searches.send_digests(
            db.session, get_search(), (base_url or public_base_url()).rstrip("/")
        )
    click.echo(f"sent {sent} digests")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only load when there are no users yet.")
@with_appcontext
def demo(if_empty: bool) -> None:
    """Load the demo data set (enterprises, providers, demands in every state, interests)."""
    from .demo import database_is_empty, load_demo

    if if_empty and not database_is_empty(db.session):
        click.echo("database not empty; demo data not loaded")
        return
    summary = load_demo(db.session, get_search())
    click.echo(", ".join(f"{count} {name}" for name, count in summary.items()))


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--kind",
    type=click.Choice(["providers", "demands"]),
    default=None,
    help="What the file holds (default: guessed from its columns or bodies).",
)
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
@click.option(
    "--actor",
    "actor_email",
    default=None,
    help="Administrator recorded as the actor (default: the first).",
)
@click.option(
    "--confirm-org-changes",
    is_flag=True,
    help="Write the listed changes to organisations that registered users control.",
)
@with_appcontext
def import_file(
    file: str,
    kind: str | None,
    dry_run: bool,
    actor_email: str | None,
    confirm_org_changes: bool,
) -> None:
    """Import a survey file (.xlsx, .csv or .jsonl): all rows or none."""

    from .services import imports

    with open(file, "rb") as handle:
        data = handle.read()
    try:
        actor = imports.import_actor(db.session, actor_email)
        outcome = imports.inspect(db.session, actor, os.path.basename(file), data, kind)
    except imports.FileProblem as exc:
        raise click.ClickException(exc.message) from exc
    except ServiceError as exc:
        _fail(exc)
    for problem in outcome.problems:
        click.echo(
            f"row {problem.row if problem.row is not None else '-'} · {problem.column} · "
            f"{problem.message}",
            err=True,
        )
    plan = outcome.plan
    click.echo(
        f"{outcome.kind}: {outcome.rows} rows, {plan.creates} to create, {plan.updates} to update, "
        f"{plan.merged} identical duplicates merged, {len(outcome.problems)} problems"
    )
    changes = plan.confirmations
    for change in changes:
        click.echo(
            f"row {change['row']} · {change['organization']} · {change['field']}: "
            f"{_shown(change['old'])} → {_shown(change['new'])}"
        )
    if changes:
        click.echo(f"{len(changes)} changes to organisations that registered users control")
    if outcome.problems:
        raise click.ClickException("nothing imported: fix the problems above and run again")
    if dry_run:
        click.echo("dry run: nothing written")
        return
    if changes and not confirm_org_changes:
        raise click.ClickException(
            "nothing imported: check the changes above, then run again with --confirm-org-changes"
        )
    with click.progressbar(length=len(plan.actions), label="importing") as bar:
        last = [0]

        def progress(done: int) -> None:
            bar.update(done - last[0])
            last[0] = done

        try:
            with unit_of_work():
                counts = imports.write(db.session, actor, outcome, progress, confirmed=changes)
        except imports.ApplyFailed as exc:
            problem = exc.problem
            raise click.ClickException(
                f"nothing imported: row {problem.row} · {problem.column} · {problem.message}"
            ) from exc
        except ServiceError as exc:
            _fail(exc)
    click.echo(f"imported: {counts['created']} created, {counts['updated']} updated")
    delivered = indexing.deliver_pending(db.session, get_search())
    click.echo(
        f"search index: {delivered} changes delivered, {indexing.pending_count(db.session)} pending"
    )


def _shown(value) -> str:
    if value in (None, "", []):
        return "-"
    return "、".join(value) if isinstance(value, list) else str(value)


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(folder: Path) -> None:
    """Copy the SQLite database, the embedded index and the uploads into a new FOLDER."""
    from flask import current_app

    from . import backup

    try:
        manifest = backup.backup(current_app, folder)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"backup written to {folder}: database {manifest.database or '-'} "
        f"(schema {manifest.schema_revision or '-'}), search index {manifest.search_index or '-'}, "
        f"{manifest.uploads} uploaded files"
    )
    for note in manifest.notes:
        click.echo(f"note: {note}")


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the current data without asking.")
@with_appcontext
def restore_command(folder: Path, yes: bool) -> None:
    """Put a backup made by `matchmaker backup` back (stop the web and job workers first)."""
    from flask import current_app

    from . import backup

    if not yes:
        click.confirm(
            "This replaces the database, the search index and the uploads. Continue?",
            abort=True,
        )
    try:
        manifest, delivered = backup.restore(current_app, folder)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"restored the backup of {manifest.created_at}: database {manifest.database or '-'}, "
        f"search index {manifest.search_index or '-'}, {manifest.uploads} uploaded files; "
        f"{delivered} pending index changes delivered"
    )
    for note in manifest.notes:
        click.echo(f"note: {note}")


@click.command("worker")
@click.option("--threads", default=2, show_default=True, help="Jobs run at the same time.")
@with_appcontext
def worker(threads: int) -> None:
    """Run the job consumer: background jobs and the schedule (stop with Ctrl-C or TERM)."""
    from flask import current_app

    from .jobs import huey

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # guide rendering's font subsetting
    if current_app.config.get("JOBS_IMMEDIATE", current_app.testing):
        raise click.ClickException("jobs run in the calling process here (JOBS_IMMEDIATE)")
    huey.create_consumer(workers=threads, worker_type="thread", periodic=True).run()


def init_app(app: Flask) -> None:
    for command in (
        users,
        search,
        demand_commands,
        alerts,
        demo,
        import_file,
        backup_command,
        restore_command,
        worker,
    ):
        app.cli.add_command(command)
