"""The rubric library: administrators define a rubric once (criteria, weights, scale) and
open accreditation rounds and showcase years with it; revising a version nobody has scored
with changes it (and its selections) in place, revising one that has scores makes its next
version while the scored selections keep theirs; the scale is what experts score on."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import AuditEvent
from matchmaker.services import rubric_library
from matchmaker.services.accreditation import applications, reviews, rounds
from matchmaker.services.errors import Forbidden, NotFound, ValidationFailed
from matchmaker.transaction import commit
from tests.integration import test_accreditation as accreditation
from tests.integration.test_accreditation import reviewed, round_body, submitted, with_files

cast = accreditation.cast  # the same people, round and case as the accreditation tests

RUBRIC = {
    "name": "区级工业设计中心认定评分标准",
    "scale": 5,
    "criteria": [
        {"name": "设计团队", "weight": 30},
        {"name": "设计投入", "weight": 20},
        {"name": "设计成果", "weight": 50},
    ],
}


def _library_round(cast, rubric, year=2027):
    round_ = rounds.create_round(
        db.session, cast["admin"], round_body(year=year, criteria=[], rubric_id=rubric.id)
    )
    commit()
    cast["round"] = round_
    return round_


def test_a_rubric_is_defined_once_and_used_by_a_round(cast):
    admin = cast["admin"]
    with pytest.raises(Forbidden):
        rubric_library.create(db.session, cast["applicant"], RUBRIC)
    for bad, field in (
        ({**RUBRIC, "criteria": [{"name": "团队", "weight": 40}]}, "criteria"),
        ({**RUBRIC, "scale": 1}, "scale"),
        ({**RUBRIC, "name": ""}, "name"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            rubric_library.create(db.session, admin, bad)
        assert field in caught.value.fields
    rubric = rubric_library.create(db.session, admin, RUBRIC)
    commit()
    assert (rubric.family_id, rubric.version) == (rubric.id, 1)
    round_ = _library_round(cast, rubric)
    assert round_.rubric_id == rubric.id
    assert [(c["name"], c["weight"], c["scale"]) for c in round_.criteria] == [
        ("设计团队", 30, 5), ("设计投入", 20, 5), ("设计成果", 50, 5)
    ]  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:  # a rubric that does not exist
        rounds.create_round(db.session, admin, round_body(year=2028, rubric_id=999))
    assert "rubric_id" in caught.value.fields
    with pytest.raises(ValidationFailed):  # neither a rubric nor criteria
        rounds.create_round(db.session, admin, round_body(year=2028, criteria=[]))


def test_experts_score_on_the_rubrics_scale(cast):
    rubric = rubric_library.create(db.session, cast["admin"], RUBRIC)
    commit()
    _library_round(cast, rubric)
    application_id = submitted(cast)
    with_files(cast, application_id)
    applications.check(db.session, cast["admin"], application_id, {"complete": True})
    reviews.assign_reviewer(db.session, cast["admin"], application_id, cast["jia"].id)
    commit()
    with pytest.raises(ValidationFailed) as caught:  # 6 is above this rubric's scale
        reviews.score(db.session, cast["jia"].user, application_id,
                      {"scores": {"c1": 6, "c2": 4, "c3": 5}})  # fmt: skip
    assert list(caught.value.fields) == ["scores.c1"]
    review = reviews.score(
        db.session, cast["jia"].user, application_id, {"scores": {"c1": 4, "c2": 3, "c3": 5}}
    )
    commit()
    # 30×4/5 + 20×3/5 + 50×5/5 = 24 + 12 + 50
    assert review.total == 86.0


def test_revising_in_place_until_scored_then_a_new_version(cast):
    admin = cast["admin"]
    rubric = rubric_library.create(db.session, admin, RUBRIC)
    commit()
    round_ = _library_round(cast, rubric)
    changed = {**RUBRIC, "criteria": [{"name": "设计团队", "weight": 40},
                                      {"name": "设计成果", "weight": 60}]}  # fmt: skip
    same = rubric_library.revise(db.session, admin, rubric.id, changed)
    commit()
    # nothing scored yet: the version and its round change together
    assert same.id == rubric.id and same.version == 1
    assert [c["name"] for c in round_.criteria] == ["设计团队", "设计成果"]
    assert not rubric_library.has_scores(db.session, rubric)

    application_id = submitted(cast)
    with_files(cast, application_id)
    applications.check(db.session, admin, application_id, {"complete": True})
    reviews.assign_reviewer(db.session, admin, application_id, cast["jia"].id)
    commit()
    reviews.score(db.session, cast["jia"].user, application_id, {"scores": {"c1": 5, "c2": 4}})
    commit()
    assert rubric_library.has_scores(db.session, rubric)

    third = {**RUBRIC, "scale": 10}
    newer = rubric_library.revise(db.session, admin, rubric.id, third)
    commit()
    assert newer.id != rubric.id and (newer.family_id, newer.version) == (rubric.id, 2)
    assert rubric.superseded_at is not None and rubric.scale == 5
    # the scored round keeps the rubric it was scored against
    assert [c["name"] for c in round_.criteria] == ["设计团队", "设计成果"]
    assert round_.rubric_id == rubric.id
    with pytest.raises(NotFound):  # an old version is not revised again
        rubric_library.revise(db.session, admin, rubric.id, third)
    with pytest.raises(ValidationFailed) as caught:  # nor used by a new selection
        rounds.create_round(db.session, admin, round_body(year=2029, rubric_id=rubric.id))
    assert "rubric_id" in caught.value.fields
    later = _library_round(cast, newer, year=2030)
    assert later.criteria[0]["scale"] == 10
    assert [r.id for r in rubric_library.listing(db.session, admin)] == [newer.id]
    assert [r.version for r in rubric_library.versions(db.session, newer)] == [1, 2]
    events = [
        e.action
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        if e.action.startswith("rubric.")
    ]
    assert events == ["rubric.created", "rubric.revised", "rubric.versioned"]


def test_rounds_without_the_library_are_scored_on_ten_as_before(cast):
    application_id = reviewed(cast)
    panel = reviews.result(applications.read(db.session, cast["admin"], application_id))
    assert panel.score == 78.0  # 0–10 criteria stored before scales existed read as 0–10
