"""The rubric machinery: criteria, weighted totals, and the panel's aggregate (the highest and
the lowest total left out from five reviewers on)."""

from __future__ import annotations

import pytest

from matchmaker.models import ExpertReview, utcnow
from matchmaker.services import rubrics
from matchmaker.services.errors import ValidationFailed

CRITERIA = rubrics.criteria_of(
    rubrics.make_criteria(
        [
            {"name": "设计团队", "weight": 30},
            {"name": "设计投入", "weight": 20},
            {"name": "设计成果", "weight": 50},
        ]
    )
)


def review(c1: int, c2: int, c3: int, submitted: bool = True) -> ExpertReview:
    scores = {"c1": c1, "c2": c2, "c3": c3}
    return ExpertReview(
        scores=scores if submitted else {},
        total=rubrics.weighted_total(CRITERIA, scores) if submitted else None,
        submitted_at=utcnow() if submitted else None,
    )


def test_criteria_get_codes_in_order_and_weights_must_add_up_to_100():
    assert [(c.code, c.weight) for c in CRITERIA] == [("c1", 30), ("c2", 20), ("c3", 50)]
    with pytest.raises(ValidationFailed) as caught:
        rubrics.make_criteria([{"name": "甲", "weight": 60}, {"name": "乙", "weight": 30}])
    assert "90" in caught.value.fields["criteria"][0]
    with pytest.raises(ValidationFailed):
        rubrics.make_criteria([{"name": "甲", "weight": 50}, {"name": "甲", "weight": 50}])
    with pytest.raises(ValidationFailed):
        rubrics.make_criteria([])


def test_criteria_from_a_text_area_one_per_line():
    parsed = rubrics.make_criteria(rubrics.criteria_from_text("设计团队 40\n\n设计成果：60\n"))
    assert parsed == [
        {"code": "c1", "name": "设计团队", "weight": 40, "scale": 10},
        {"code": "c2", "name": "设计成果", "weight": 60, "scale": 10},
    ]
    assert rubrics.criteria_as_text(parsed) == "设计团队 40\n设计成果 60"
    with pytest.raises(ValidationFailed) as caught:
        rubrics.criteria_from_text("设计团队 40\n设计成果")
    assert "2" in caught.value.fields["criteria"][0]


def test_weighted_total_is_out_of_100():
    assert rubrics.weighted_total(CRITERIA, {"c1": 10, "c2": 10, "c3": 10}) == 100
    assert rubrics.weighted_total(CRITERIA, {"c1": 0, "c2": 0, "c3": 0}) == 0
    # 30×8 + 20×5 + 50×9 = 790 → 79.0
    assert rubrics.weighted_total(CRITERIA, {"c1": 8, "c2": 5, "c3": 9}) == 79.0


def test_aggregate_is_the_mean_of_submitted_totals():
    result = rubrics.aggregate(CRITERIA, [review(8, 5, 9), review(6, 7, 7), review(0, 0, 0, False)])
    assert result.reviewers == 3 and result.submitted == 2
    assert result.score == round((79.0 + 67.0) / 2, 1)  # 30×6+20×7+50×7 = 670 → 67.0
    assert result.by_criterion == {"c1": 7.0, "c2": 6.0, "c3": 8.0}
    assert result.spread == 12.0 and not result.trimmed
    assert result.passes(70) and not result.passes(74)


def test_from_five_reviewers_the_highest_and_lowest_totals_are_left_out():
    panel = [review(10, 10, 10), review(7, 7, 7), review(7, 7, 7), review(8, 8, 8), review(0, 0, 0)]
    result = rubrics.aggregate(CRITERIA, panel)
    assert result.trimmed
    assert result.score == round((70 + 70 + 80) / 3, 1)  # 100 and 0 left out
    four = rubrics.aggregate(CRITERIA, panel[:4])
    assert not four.trimmed and four.score == round((100 + 70 + 70 + 80) / 4, 1)


def test_nobody_scored_yet():
    result = rubrics.aggregate(CRITERIA, [review(0, 0, 0, False)])
    assert result.score is None and result.by_criterion == {} and not result.passes(0)


def test_scores_must_cover_every_criterion_and_nothing_else():
    target = ExpertReview(scores={})
    with pytest.raises(ValidationFailed) as caught:
        rubrics.score(target, CRITERIA, {"scores": {"c1": 5, "c2": 5, "c9": 3}})
    assert set(caught.value.fields) == {"scores.c3", "scores.c9"}
    with pytest.raises(ValidationFailed):
        rubrics.score(target, CRITERIA, {"scores": {"c1": 11, "c2": 5, "c3": 5}})
    assert target.submitted_at is None
    rubrics.score(target, CRITERIA, {"scores": {"c1": 8, "c2": 5, "c3": 9}, "comment": "好"})
    assert target.total == 79.0 and target.submitted_at is not None


def test_a_criterion_is_scored_on_its_scale():
    """Σ weight × score / scale: a rubric scored 0–5 gives the same 0–100 totals as 0–10."""
    five = rubrics.criteria_of(
        rubrics.make_criteria([{"name": "甲", "weight": 40}, {"name": "乙", "weight": 60}], scale=5)
    )
    assert rubrics.weighted_total(five, {"c1": 5, "c2": 0}) == 40.0
    assert rubrics.weighted_total(five, {"c1": 3, "c2": 4}) == 72.0
    old = rubrics.criteria_of([{"code": "c1", "name": "甲", "weight": 100}])  # stored before
    assert old[0].scale == 10 and rubrics.weighted_total(old, {"c1": 7}) == 70.0
