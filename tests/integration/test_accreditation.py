"""Design-centre accreditation: a round with its rubric, an application checked for
completeness, scored by experts (never one in conflict), decided with reasons; approval sets
the level and the badge with a validity period; recognitions are reminded of, expire, are
re-reviewed; the public register; every step audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from matchmaker.china_time import today as local_today
from matchmaker.extensions import db
from matchmaker.models import (
    AuditEvent,
    Notification,
    Recognition,
    RecognitionStatus,
)
from matchmaker.services import experts, files, providers, statistics, statistics_recognition
from matchmaker.services.accreditation import applications, recognitions, reviews, rounds
from matchmaker.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matchmaker.transaction import commit, rollback

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CRITERIA = [
    {"name": "设计团队", "weight": 30},
    {"name": "设计投入", "weight": 20},
    {"name": "设计成果", "weight": 50},
]


def round_body(**fields) -> dict:
    return {
        "title": "2026年度永川区区级工业设计中心认定",
        "year": 2026,
        "level": "district",
        "criteria": CRITERIA,
        "pass_mark": 70,
        "min_reviewers": 2,
        "valid_years": 3,
        "closes_on": (local_today() + dt.timedelta(days=30)).isoformat(),
        **fields,
    }


def materials(round_id: int, case_ids: list[int]) -> dict:
    return {
        "kind": "apply",
        "round_id": round_id,
        "team_size": 36,
        "designers": 24,
        "investment": 3_200_000,
        "achievements": "近三年完成新能源汽车内外饰设计项目 40 余项，获红点奖 2 项，专利 18 件。",
        "case_ids": case_ids,
    }


@pytest.fixture
def cast(make, app):
    admin = make.admin()
    applicant = make.provider(name="渝西工业设计有限公司")
    applicant.organization.verified = True  # the licence was verified earlier
    applicant.organization.verified_scope = ["licence"]
    other = make.provider()
    jia = make.expert("甲专家", "jia@x.cn", admin, bio="汽车外观设计评审")
    yi = make.expert("乙专家", "yi@x.cn", admin, bio="汽车外观设计评审")
    bing = make.expert("丙专家", "bing@x.cn", admin, bio="汽车外观设计评审")
    commit()
    experts.add_conflict(
        db.session,
        admin,
        bing.id,
        {"organization_id": applicant.organization_id, "relation": "partner"},
    )
    round_ = rounds.create_round(db.session, admin, round_body())
    case = providers.add_case(
        db.session,
        applicant,
        applicant.organization.provider.id,
        {"title": "电动车前脸设计", "description": "前脸改型", "year": 2025},
    )
    commit()
    return {
        "admin": admin,
        "applicant": applicant,
        "other": other,
        "jia": jia,
        "yi": yi,
        "bing": bing,
        "round": round_,
        "case": case,
        "storage": files.Storage(app.config["UPLOAD_FOLDER"], app.config["UPLOAD_QUOTA_BYTES"]),
    }


def actions() -> list[str]:
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def submitted(cast) -> int:
    application = applications.apply(
        db.session, cast["applicant"], materials(cast["round"].id, [cast["case"].id])
    )
    commit()
    return application.id


def with_files(cast, application_id: int) -> None:
    upload = files.Upload("研发投入审计报告.pdf", "pdf", PDF)
    applications.add_files(db.session, cast["applicant"], application_id, [upload], cast["storage"])
    commit()


def reviewed(cast, scores=((8, 7, 9), (7, 6, 8))) -> int:
    """An application accepted for review and scored by 甲 and 乙."""
    application_id = submitted(cast)
    with_files(cast, application_id)
    applications.check(db.session, cast["admin"], application_id, {"complete": True})
    for expert, (a, b, c) in zip((cast["jia"], cast["yi"]), scores, strict=False):
        reviews.assign_reviewer(db.session, cast["admin"], application_id, expert.id)
        commit()
        reviews.score(
            db.session, expert.user, application_id, {"scores": {"c1": a, "c2": b, "c3": c}}
        )
        commit()
    return application_id


def test_the_whole_flow_sets_level_and_badge_with_validity(cast):
    application_id = submitted(cast)
    # the completeness check finds the missing files: not accepted, returned instead
    with pytest.raises(Conflict):
        applications.check(db.session, cast["admin"], application_id, {"complete": True})
    returned = applications.check(
        db.session, cast["admin"], application_id, {"complete": False, "note": "请补充证明材料"}
    )
    commit()
    assert returned.status == "incomplete" and returned.missing == ["files"]
    with_files(cast, application_id)
    applications.complete(db.session, cast["applicant"], application_id, {"designers": 26})
    commit()
    accepted = applications.check(db.session, cast["admin"], application_id, {"complete": True})
    commit()
    assert accepted.status == "in_review" and accepted.designers == 26
    # the expert in conflict with the applicant is never seated
    with pytest.raises(Conflict):
        reviews.assign_reviewer(db.session, cast["admin"], application_id, cast["bing"].id)
    for expert, scores in ((cast["jia"], (8, 7, 9)), (cast["yi"], (7, 6, 8))):
        reviews.assign_reviewer(db.session, cast["admin"], application_id, expert.id)
        commit()
        # one reviewer is not enough for a decision
        if expert is cast["jia"]:
            reviews.score(
                db.session,
                expert.user,
                application_id,
                {"scores": dict(zip(("c1", "c2", "c3"), scores, strict=True))},
            )
            commit()
            with pytest.raises(Conflict):
                recognitions.decide(db.session, cast["admin"], application_id, {"approve": True})
        else:
            reviews.score(
                db.session,
                expert.user,
                application_id,
                {"scores": dict(zip(("c1", "c2", "c3"), scores, strict=True))},
            )
            commit()
    application = applications.read(db.session, cast["admin"], application_id)
    version_before = application.organization.provider.index_version
    panel = reviews.result(application)
    # 甲 30×8+20×7+50×9 = 830 → 83.0; 乙 30×7+20×6+50×8 = 730 → 73.0
    assert panel.submitted == 2 and panel.score == 78.0 and panel.passes(70)
    decided = recognitions.decide(db.session, cast["admin"], application_id, {"approve": True})
    commit()
    organization = cast["applicant"].organization
    assert decided.status == "approved"
    assert organization.level == "district"
    assert "level" in organization.verified_scope
    recognition = decided.recognition
    assert recognition.valid_until == recognitions.years_after(local_today(), 3)
    # the matcher's level signal reads the index: the provider was queued for it again
    assert organization.provider.index_version > version_before
    for action in (
        "accreditation.submitted",
        "accreditation.returned",
        "accreditation.files_added",
        "accreditation.resubmitted",
        "accreditation.accepted",
        "accreditation.reviewer_assigned",
        "accreditation.scored",
        "accreditation.decided",
        "recognition.granted",
        "organization.identity_changed",
    ):
        assert action in actions()
    kinds = set(db.session.scalars(select(Notification.kind)))
    assert {"accreditation_returned", "accreditation_approved"} <= kinds
    assert "accreditation_review_assigned" in kinds


def test_rejection_and_approval_below_the_pass_mark_need_reasons(cast):
    application_id = reviewed(cast, scores=((5, 5, 5), (6, 6, 6)))  # 50 and 60 → 55
    with pytest.raises(ValidationFailed) as caught:
        recognitions.decide(db.session, cast["admin"], application_id, {"approve": True})
    assert "reason" in caught.value.fields
    with pytest.raises(ValidationFailed):
        recognitions.decide(db.session, cast["admin"], application_id, {"approve": False})
    rejected = recognitions.decide(
        db.session,
        cast["admin"],
        application_id,
        {"approve": False, "reason": "设计成果不足，建议明年再报"},
    )
    commit()
    assert rejected.status == "rejected" and rejected.recognition is None
    assert cast["applicant"].organization.level == "none"
    decided = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "accreditation.decided")
    )
    assert decided.data["approved"] is False and decided.data["score"] == 55.0


def test_expiry_drops_the_level_and_the_badge_for_it(cast):
    application_id = reviewed(cast)
    recognitions.decide(db.session, cast["admin"], application_id, {"approve": True})
    commit()
    organization = cast["applicant"].organization
    recognition = applications.read(db.session, cast["admin"], application_id).recognition
    # the day before the end nothing happens; the organisation was reminded once before
    assert recognitions.expire_due(db.session, recognition.valid_until) == []
    reminded = recognitions.remind_due(db.session, recognition.valid_until - dt.timedelta(days=80))
    assert reminded == [recognition]
    assert recognitions.remind_due(db.session, recognition.valid_until) == []
    ended = recognitions.expire_due(db.session, recognition.valid_until + dt.timedelta(days=1))
    commit()
    assert ended == [recognition] and recognition.status == RecognitionStatus.EXPIRED
    assert organization.level == "none"
    assert organization.verified_scope == ["licence"] and organization.verified
    assert "recognition.expired" in actions() and "recognition.renewal_due" in actions()
    assert recognitions.register(db.session) == []


def test_a_recorded_municipal_recognition_outlasts_an_expired_district_one(cast):
    application_id = reviewed(cast)
    recognitions.decide(db.session, cast["admin"], application_id, {"approve": True})
    commit()
    record = applications.apply(
        db.session,
        cast["applicant"],
        {
            "kind": "record",
            "level": "municipal",
            "certificate_no": "渝经信设计〔2025〕12号",
            "valid_until": (local_today() + dt.timedelta(days=2000)).isoformat(),
        },
    )
    commit()
    with pytest.raises(Conflict):  # the certificate itself is missing
        applications.check(db.session, cast["admin"], record.id, {"complete": True})
    with_files(cast, record.id)
    applications.check(db.session, cast["admin"], record.id, {"complete": True})
    recognitions.decide(db.session, cast["admin"], record.id, {"approve": True})
    commit()
    organization = cast["applicant"].organization
    assert organization.level == "municipal"
    district = applications.read(db.session, cast["admin"], application_id).recognition
    recognitions.expire_due(db.session, district.valid_until + dt.timedelta(days=1))
    commit()
    assert organization.level == "municipal" and "level" in organization.verified_scope
    assert [r.level for r in recognitions.register(db.session)] == ["municipal"]


def test_re_review_extends_from_the_end_of_the_old_recognition(cast):
    application_id = reviewed(cast)
    recognitions.decide(db.session, cast["admin"], application_id, {"approve": True})
    commit()
    old = applications.read(db.session, cast["admin"], application_id).recognition
    old.valid_until = local_today() + dt.timedelta(days=30)  # the end is near
    commit()
    assert recognitions.renewable(db.session, cast["applicant"].organization_id) == [old]
    renewal = applications.apply(
        db.session,
        cast["applicant"],
        {**materials(cast["round"].id, [cast["case"].id]), "renewal_of_id": old.id},
    )
    commit()
    assert recognitions.renewable(db.session, cast["applicant"].organization_id) == []
    with_files(cast, renewal.id)
    applications.check(db.session, cast["admin"], renewal.id, {"complete": True})
    for expert in (cast["jia"], cast["yi"]):
        reviews.assign_reviewer(db.session, cast["admin"], renewal.id, expert.id)
        reviews.score(db.session, expert.user, renewal.id, {"scores": {"c1": 9, "c2": 9, "c3": 9}})
    recognitions.decide(db.session, cast["admin"], renewal.id, {"approve": True})
    commit()
    new = renewal.recognition
    assert old.status == RecognitionStatus.RENEWED
    assert new.valid_until == recognitions.years_after(old.valid_until, 3)
    assert db.session.scalars(select(Recognition).where(Recognition.status == "active")).all() == [
        new
    ]


def test_who_sees_and_who_acts(cast):
    application_id = submitted(cast)
    # another organisation and an expert not on the panel do not learn it exists
    with pytest.raises(NotFound):
        applications.read(db.session, cast["other"], application_id)
    with pytest.raises(NotFound):
        applications.read(db.session, cast["jia"].user, application_id)
    with pytest.raises(Forbidden):
        applications.check(db.session, cast["applicant"], application_id, {"complete": False})
    with_files(cast, application_id)
    applications.check(db.session, cast["admin"], application_id, {"complete": True})
    reviews.assign_reviewer(db.session, cast["admin"], application_id, cast["jia"].id)
    commit()
    assert applications.read(db.session, cast["jia"].user, application_id).id == application_id
    assert [a.id for a in applications.list_for(db.session, cast["jia"].user)] == [application_id]
    assert applications.list_for(db.session, cast["yi"].user) == []
    with pytest.raises(Forbidden):  # the applicant does not score itself
        reviews.score(db.session, cast["applicant"], application_id, {"scores": {}})
    with pytest.raises(Forbidden):  # nor does a reviewer decide
        recognitions.decide(db.session, cast["jia"].user, application_id, {"approve": True})


def test_bad_applications_are_refused_with_the_field_named(cast, make):
    cases = [
        ({"kind": "apply"}, "round_id"),
        ({"kind": "apply", "round_id": 999}, "round_id"),
        ({"kind": "record", "valid_until": "2030-01-01"}, "level"),
        ({"kind": "record", "level": "national"}, "valid_until"),
        ({**materials(cast["round"].id, [cast["case"].id]), "investment": -1}, "investment"),
        ({**materials(cast["round"].id, [987654])}, "case_ids"),
    ]
    for body, field in cases:
        with pytest.raises(ValidationFailed) as caught:
            applications.apply(db.session, cast["applicant"], body)
        assert field in caught.value.fields, (body, caught.value.fields)
    with pytest.raises(Forbidden):  # enterprises do not apply for design-centre recognition
        applications.apply(db.session, make.enterprise(), materials(cast["round"].id, []))
    submitted(cast)
    with pytest.raises(Conflict):  # one open application per level
        applications.apply(
            db.session, cast["applicant"], materials(cast["round"].id, [cast["case"].id])
        )


def test_rounds_need_a_rubric_that_adds_up(cast):
    with pytest.raises(ValidationFailed) as caught:
        rounds.create_round(
            db.session, cast["admin"], round_body(criteria=[{"name": "团队", "weight": 90}])
        )
    assert "criteria" in caught.value.fields
    with pytest.raises(Forbidden):
        rounds.create_round(db.session, cast["applicant"], round_body())
    assert [r.id for r in rounds.open_rounds(db.session)] == [cast["round"].id]


def test_the_register_by_level_and_district(cast):
    application_id = reviewed(cast)
    recognitions.decide(db.session, cast["admin"], application_id, {"approve": True})
    commit()
    assert [r.organization.name for r in recognitions.register(db.session)] == [
        "渝西工业设计有限公司"
    ]
    assert recognitions.register(db.session, level="municipal") == []
    assert recognitions.register(db.session, region="yuzhong") == []
    assert len(recognitions.register(db.session, level="district", region="yongchuan")) == 1


def test_statistics_count_applications_and_the_approval_rate(cast, make):
    approved_id = reviewed(cast)
    recognitions.decide(db.session, cast["admin"], approved_id, {"approve": True})
    other = make.provider(name="江津设计工作室", region="jiangjin")
    applications.apply(db.session, other, materials(cast["round"].id, []))  # not decided yet
    commit()
    figures = statistics_recognition.compute(db.session, statistics.default_filters())
    assert (figures.applications, figures.decided, figures.approved) == (2, 1, 1)
    assert figures.approval_rate == 1.0
    in_yongchuan = statistics.make_filters(None, None, region="yongchuan")
    assert statistics_recognition.compute(db.session, in_yongchuan).applications == 1
    last_year = statistics.make_filters(
        local_today() - dt.timedelta(days=400), local_today() - dt.timedelta(days=370)
    )
    assert statistics_recognition.compute(db.session, last_year).applications == 0


def test_materials_count_against_the_organisations_upload_quota(cast):
    application_id = submitted(cast)
    tight = files.Storage(cast["storage"].folder, len(PDF) + 10)
    upload = files.Upload("审计报告.pdf", "pdf", PDF)
    applications.add_files(db.session, cast["applicant"], application_id, [upload], tight)
    commit()
    with pytest.raises(ValidationFailed) as caught:  # a second file would pass the quota
        applications.add_files(db.session, cast["applicant"], application_id, [upload], tight)
    assert "files" in caught.value.fields
    rollback()  # as the page's unit of work does
    assert files.stored_bytes(db.session, cast["applicant"].organization_id) == len(PDF)
