"""The rubric machinery: expert reviewers score a subject against weighted criteria.

One machinery for every selection that experts score (a design-centre accreditation, a
showcase entry): a rubric is a list of criteria whose weights add up to 100; each reviewer
gives every criterion a whole score from 0 to the rubric's scale (10 unless the rubric of the
library says otherwise, ``rubric_library``), and the reviewer's total is
Σ weight × score / scale, so 0–100. The subject's score is the mean of the submitted totals;
with five reviewers or more the highest and the lowest total are left out first (the usual
rule of Chinese expert panels, 去掉一个最高分和一个最低分), so that one outlier cannot carry a
decision. Reviewers are experts of the pool, never one with a conflict of interest with the
organisation concerned; assigning, scoring and re-scoring are audited by the caller's subject.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from search import SearchBackend

from ..models import Expert, ExpertReview, User, utcnow
from ..schemas import Strict, validate
from . import experts
from .errors import Conflict, ValidationFailed, field_error
from .matching import Match

SCALE = 10  # the scale of criteria stored without one (and of new rubrics by default)
MAX_SCALE = 100
TRIM_FROM = 5  # reviewers from which the highest and the lowest total are left out
MAX_CRITERIA = 12


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    weight: int
    scale: int = SCALE  # scored 0..scale


class CriterionIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=60)]
    weight: Annotated[int, Field(ge=1, le=100)]


class ScoresIn(Strict):
    """One reviewer's scores: every criterion's code → a whole number from 0 to its scale."""

    scores: dict[str, Annotated[int, Field(ge=0, le=MAX_SCALE)]] = Field(
        examples=[{"c1": 8, "c2": 7, "c3": 9}]
    )
    comment: Annotated[str, Field(max_length=2000)] = ""


# --- rubrics ------------------------------------------------------------------------------------


def criteria_of(raw: Iterable[dict[str, Any]]) -> list[Criterion]:
    return [
        Criterion(c["code"], c["name"], int(c["weight"]), int(c.get("scale", SCALE))) for c in raw
    ]


def make_criteria(items: Any, field: str = "criteria", scale: int = SCALE) -> list[dict[str, Any]]:
    """Validated criteria as stored: codes c1, c2 … in order, names unique, weights sum 100,
    each scored 0..``scale``."""
    if not isinstance(items, list) or not items:
        raise field_error(field, _("请至少填写一项评分标准"))
    if len(items) > MAX_CRITERIA:
        raise field_error(field, _("评分标准最多 %(n)s 项", n=MAX_CRITERIA))
    parsed = [validate(CriterionIn, item if isinstance(item, dict) else {}) for item in items]
    names = [c.name for c in parsed]
    if len(set(names)) != len(names):
        raise field_error(field, _("评分标准的名称不能重复"))
    total = sum(c.weight for c in parsed)
    if total != 100:
        raise field_error(field, _("各项权重之和须为 100（现为 %(n)s）", n=total))
    return [
        {"code": f"c{i}", "name": c.name, "weight": c.weight, "scale": scale}
        for i, c in enumerate(parsed, 1)
    ]


LINE = re.compile(r"^(?P<name>.+?)[\s:：,，]+(?P<weight>\d{1,3})$")


def criteria_from_text(text: str, field: str = "criteria") -> list[dict[str, Any]]:
    """Criteria written one per line as "名称 权重" (a form's text area), as [{name, weight}]
    for ``make_criteria``."""
    items = []
    for number, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        match = LINE.match(line)
        if match is None:
            raise field_error(field, _("第 %(n)s 行应为“名称 权重”，例如“设计团队 25”", n=number))
        items.append({"name": match["name"].strip(), "weight": int(match["weight"])})
    return items


def criteria_as_text(criteria: Iterable[dict[str, Any]]) -> str:
    return "\n".join(f"{c['name']} {c['weight']}" for c in criteria)


# --- scoring and aggregation ----------------------------------------------------------------------


def weighted_total(criteria: Sequence[Criterion], scores: dict[str, int]) -> float:
    """Σ weight × score / scale over the criteria: 0–100, one decimal."""
    return round(sum(c.weight * scores[c.code] / c.scale for c in criteria), 1)


@dataclass(frozen=True)
class Aggregate:
    """The panel's result: ``score`` is None until someone has scored."""

    reviewers: int  # assigned
    submitted: int
    score: float | None
    trimmed: bool  # the highest and the lowest total were left out
    by_criterion: dict[str, float]  # mean score (0..scale) per criterion code
    spread: float | None  # highest − lowest total

    def passes(self, pass_mark: int) -> bool:
        return self.score is not None and self.score >= pass_mark


def aggregate(criteria: Sequence[Criterion], reviews: Sequence[ExpertReview]) -> Aggregate:
    done = [r for r in reviews if r.submitted_at is not None and r.total is not None]
    totals = sorted(r.total for r in done)
    trimmed = len(totals) >= TRIM_FROM
    counted = totals[1:-1] if trimmed else totals
    by_criterion = {
        c.code: round(sum(r.scores.get(c.code, 0) for r in done) / len(done), 2)
        for c in criteria
        if done
    }
    return Aggregate(
        reviewers=len(reviews),
        submitted=len(done),
        score=round(sum(counted) / len(counted), 1) if counted else None,
        trimmed=trimmed,
        by_criterion=by_criterion,
        spread=round(totals[-1] - totals[0], 1) if totals else None,
    )


# --- reviewers -----------------------------------------------------------------------------------


def reviews_of(session: Session, subject_type: str, subject_id: int) -> list[ExpertReview]:
    return list(
        session.scalars(
            select(ExpertReview)
            .where(ExpertReview.subject_type == subject_type, ExpertReview.subject_id == subject_id)
            .order_by(ExpertReview.id)
        )
    )


def suggest_reviewers(
    session: Session,
    backend: SearchBackend,
    need: dict[str, Any],
    organization_id: int,
    seated: Iterable[ExpertReview],
    k: int = 5,
) -> list[Match]:
    """Experts of the pool for a subject's panel, best first: matched on ``need`` (the subject
    as the expert matcher reads it), never one in conflict with ``organization_id``, none of
    those ``seated`` already."""
    exclude = {r.expert_id for r in seated}
    return experts.suggest(session, backend, need, organization_id, k, exclude=exclude)


def shown_to(
    actor: User | None,
    reviews: Sequence[ExpertReview],
    result: Aggregate,
    result_shown: bool,
) -> tuple[list[ExpertReview], Aggregate | None]:
    """Who reads which scores of a panel: administrators every review and the result; a
    reviewer their own review only (panels score independently); anyone else no review, and
    the result only where ``result_shown`` (the subject's own organisation once decided)."""
    if actor is not None and actor.is_admin:
        return list(reviews), result
    own = [r for r in reviews if actor is not None and r.expert.user_id == actor.id]
    if own:
        return own, None
    return [], result if result_shown else None


def assign(
    session: Session,
    actor: User,
    subject_type: str,
    subject_id: int,
    expert_id: Any,
    organization_id: int,
) -> ExpertReview:
    """Seat an active expert without a conflict of interest with ``organization_id``;
    ``expert_id`` comes from a request body, and anything but a whole number names nobody."""
    if not isinstance(expert_id, int) or isinstance(expert_id, bool):
        expert_id = 0
    expert = session.get(Expert, expert_id)
    if expert is None or not expert.active:
        raise field_error("expert_id", _("专家不存在或已停用"))
    if experts.has_conflict(session, expert.id, organization_id):
        raise Conflict(
            _("该专家与申报单位存在利益冲突，不能分派"), {"expert_id": [_("存在利益冲突")]}
        )
    if any(r.expert_id == expert.id for r in reviews_of(session, subject_type, subject_id)):
        raise Conflict(_("该专家已分派"))
    review = ExpertReview(
        subject_type=subject_type,
        subject_id=subject_id,
        expert=expert,
        assigned_by_id=actor.id,
    )
    session.add(review)
    session.flush()
    return review


def own_review(session: Session, actor: User, subject_type: str, subject_id: int) -> ExpertReview:
    """The acting expert's review of the subject (the caller checked that the actor sees it)."""
    review = session.scalar(
        select(ExpertReview)
        .join(Expert)
        .where(
            ExpertReview.subject_type == subject_type,
            ExpertReview.subject_id == subject_id,
            Expert.user_id == actor.id,
        )
    )
    if review is None:
        raise field_error("expert", _("您未被分派评审此项"))
    return review


def score(review: ExpertReview, criteria: Sequence[Criterion], body: Any) -> ExpertReview:
    """Record (or correct, until the decision) the reviewer's scores and total."""
    data = validate(ScoresIn, body)
    codes = {c.code for c in criteria}
    problems = {
        f"scores.{c.code}": [_("请为此项打分（0–%(n)s）", n=c.scale)]
        for c in criteria
        if c.code not in data.scores or data.scores[c.code] > c.scale
    }
    problems |= {f"scores.{code}": [_("没有这一项评分标准")] for code in set(data.scores) - codes}
    if problems:
        raise ValidationFailed(_("请为每一项评分标准打分"), problems)
    review.scores = {c.code: data.scores[c.code] for c in criteria}
    review.total = weighted_total(criteria, review.scores)
    review.comment = data.comment
    review.submitted_at = utcnow()
    return review
