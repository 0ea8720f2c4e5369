"""Survey import (问卷导入): enterprises with demands, or providers with capabilities.

A file is read (``reading``), every row validated with the API schemas (``validation``),
each valid row resolved to a create or an update (``planning``) — all before anything is
written. Only a file without a single problem is written (``applying``), inside the
caller's one transaction: all rows or none. ``jobs`` keeps the web flow (upload → preview
→ commit in the background with progress); the CLI calls ``inspect`` and ``write`` directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ...models import Role, User
from ..access import require_role
from .applying import ApplyFailed, Progress, apply
from .columns import DEMANDS, KINDS, PROVIDERS, guess_kind
from .planning import Plan, plan
from .reading import FileProblem, JsonLines, Table, read
from .validation import Problem, check

__all__ = [
    "ApplyFailed",
    "DEMANDS",
    "FileProblem",
    "KINDS",
    "Outcome",
    "PROVIDERS",
    "Problem",
    "ProblemsFound",
    "UnconfirmedChanges",
    "change_key",
    "inspect",
    "require_confirmed",
    "write",
]


class ProblemsFound(FileProblem):
    """Rows have problems: nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(_("文件中有 %(n)s 个问题，未导入任何数据", n=len(problems)))
        self.problems = problems


class UnconfirmedChanges(FileProblem):
    """Rows would change organisations that registered users control, and the administrator
    has not confirmed (these) changes: nothing was written."""

    def __init__(self, changes: list[dict]):
        super().__init__(
            _(
                "有 %(n)s 处单位变更未经确认（单位已有注册用户），未导入任何数据；"
                "请重新上传文件并核对预览",
                n=len(changes),
            )
        )
        self.changes = changes


def change_key(change: dict) -> tuple:
    """What a confirmation is about: one field of one organisation, from → to."""
    return (
        change["organization_id"],
        change["field"],
        repr(change["old"]),
        repr(change["new"]),
    )


@dataclass
class Outcome:
    """What a file would do: its problems, or the plan to carry out."""

    kind: str
    rows: int
    plan: Plan
    problems: list[Problem]
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _kind_of(parsed: Table | JsonLines, kind: str | None) -> str:
    if kind in KINDS:
        return kind
    if kind is not None:
        raise FileProblem(_("导入类型无效：%(kind)s", kind=kind))
    if isinstance(parsed, JsonLines):
        first = next((body for _n, body in parsed.bodies if isinstance(body, dict)), {})
        guessed = DEMANDS if "title" in first else PROVIDERS if "kind" in first else None
    else:
        guessed = guess_kind(parsed.headers)
    if guessed is None:
        raise FileProblem(_("无法判断导入类型，请指定“服务能力”或“设计需求”"))
    return guessed


def inspect(
    session: Session, actor: User, filename: str, data: bytes, kind: str | None = None
) -> Outcome:
    """Read and check a whole file; writes nothing. FileProblem if it cannot be read at all."""
    require_role(actor, Role.ADMIN)
    parsed = read(filename, data)
    kind = _kind_of(parsed, kind)
    checked = check(kind, parsed)
    rows = len(parsed.bodies) if isinstance(parsed, JsonLines) else len(parsed.rows)
    if checked.problems and not checked.rows and rows == 0:
        return Outcome(kind, rows, Plan(kind), checked.problems, checked.ignored_columns)
    if rows == 0:
        raise FileProblem(_("文件中没有数据行（模板的示例行不计）"))
    the_plan = plan(session, kind, checked.rows)
    problems = sorted(checked.problems + the_plan.problems, key=lambda p: p.row or 0)
    return Outcome(kind, rows, the_plan, problems, checked.ignored_columns)


def write(
    session: Session,
    actor: User,
    outcome: Outcome,
    progress: Progress | None = None,
    confirmed: Iterable[dict] = (),
) -> dict[str, int]:
    """Carry out a problem-free outcome (flush only; the caller commits or rolls back).

    Changes to organisations that registered users control are written only when each of
    them is among ``confirmed`` (what the administrator saw and confirmed)."""
    require_role(actor, Role.ADMIN)
    if not outcome.ok:
        raise ProblemsFound(outcome.problems)
    require_confirmed(outcome, confirmed)
    counts = apply(session, actor, outcome.plan, progress)
    return {**counts, "merged": outcome.plan.merged}


def require_confirmed(outcome: Outcome, confirmed: Iterable[dict]) -> None:
    """UnconfirmedChanges unless every change the plan makes to an organisation that
    registered users control is among ``confirmed`` (e.g. one made after the preview)."""
    seen = {change_key(change) for change in confirmed}
    unconfirmed = [c for c in outcome.plan.confirmations if change_key(c) not in seen]
    if unconfirmed:
        raise UnconfirmedChanges(unconfirmed)


def import_actor(session: Session, email: str | None = None) -> User:
    """The administrator a command-line import is recorded under (default: the first one)."""
    from sqlalchemy import func, select

    from ..errors import NotFound

    statement = select(User).where(User.role == Role.ADMIN, User.active.is_(True))
    if email:
        statement = statement.where(func.lower(User.email) == email.strip().lower())
    actor = session.scalar(statement.order_by(User.id).limit(1))
    if actor is None:
        raise NotFound(_("没有可用的管理员账号（先用 users create --role admin 创建）"))
    return actor
