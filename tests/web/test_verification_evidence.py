"""Verification evidence: an organisation uploads its licence (and level proof), administrators
decide in a queue, and the badge says what was verified and when."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Attachment, VerificationRequest
from tests.factories import credit_code
from tests.web.pages import CONFIRMED, REGISTRATION, errors_of, login, page, stored_files

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def submit(client, **fields):
    data = {
        "registered_name": "渝州智造设计有限公司",
        "credit_code": credit_code(777001),
        "level": "municipal",
        "licence": [(io.BytesIO(PDF), "营业执照.pdf")],
        "level_proof": [(io.BytesIO(PNG), "认定文件.png")],
        **fields,
    }
    return client.post("/account/verification", data=data, content_type="multipart/form-data")


def test_evidence_is_checked_before_anything_is_stored(app, client, auth, make):
    provider = make.provider(name="渝州智造设计有限公司")
    login(auth, provider)
    response = submit(
        client,
        credit_code="123",
        licence=[(io.BytesIO(b"not a pdf"), "执照.pdf")],
        level_proof=[],
    )
    assert response.status_code == 422
    html = page(response)
    assert errors_of(html, "credit_code")
    assert errors_of(html, "licence") == ["执照.pdf：文件内容与扩展名不符"]
    missing = submit(client, licence=[], level_proof=[])
    assert errors_of(page(missing), "licence") == ["请上传营业执照（图片或 PDF）"]
    assert errors_of(page(missing), "level_proof") == ["声明设计中心级别时，请上传认定文件"]
    assert db.session.scalar(select(func.count(VerificationRequest.id))) == 0
    assert stored_files(app) == []


def test_queue_approve_and_the_badge_says_what_and_when(client, auth, make):
    provider = make.provider(name="渝州智造设计有限公司")
    login(auth, provider)
    assert submit(client).status_code == 302
    assert "审核中" in page(client.get("/account/verification"))
    assert submit(client).status_code == 422  # one request waits at a time
    request = db.session.scalars(select(VerificationRequest)).one()
    licence = next(a for a in request.attachments if a.purpose == "licence")
    own_file = f"/verification/{request.id}/files/{licence.id}"
    with client.get(own_file) as response:
        assert response.data == PDF
    auth.logout()

    login(auth, make.provider())
    assert client.get(own_file).status_code == 404  # evidence is private
    auth.logout()

    login(auth, make.admin())
    queue = page(client.get("/admin/verifications"))
    assert "渝州智造设计有限公司" in queue and credit_code(777001) in queue
    assert "营业执照：营业执照.pdf" in queue and "认定文件：认定文件.png" in queue
    with client.get(own_file) as response:
        assert response.status_code == 200
    assert (
        client.post(f"/admin/verifications/{request.id}/approve", data=CONFIRMED).status_code == 302
    )
    profile = page(client.get(f"/providers/{provider.organization.provider.id}"))
    assert "平台已认证：营业执照、市级设计中心" in profile
    assert f"（{request.decided_at.date().isoformat()}）" in profile
    assert provider.organization.credit_code == credit_code(777001)


def test_rejection_needs_a_reason_and_reaches_the_organisation(client, auth, make):
    enterprise = make.enterprise(name="重庆永川骑士装备有限公司")
    login(auth, enterprise)
    response = submit(
        client, registered_name="重庆永川骑士装备有限公司", level="none", level_proof=[]
    )
    assert response.status_code == 302
    request = db.session.scalars(select(VerificationRequest)).one()
    auth.logout()
    login(auth, make.admin())
    no_reason = client.post(f"/admin/verifications/{request.id}/reject", data={"reason": " "})
    assert no_reason.status_code == 422 and "请填写驳回原因" in page(no_reason)
    client.post(
        f"/admin/verifications/{request.id}/reject", data={"reason": "执照模糊，请重新拍摄"}
    )
    auth.logout()
    login(auth, enterprise)
    html = page(client.get("/account/verification"))
    assert "未通过" in html and "执照模糊，请重新拍摄" in html
    assert "提交认证材料" in html  # may try again
    assert enterprise.organization.verified is False


def test_a_credit_code_held_elsewhere_goes_to_the_queue_without_naming_the_holder(
    client, auth, make
):
    holder = make.enterprise(name="真正的持有单位")
    other = make.enterprise(name="另一家企业")
    login(auth, other)
    response = submit(
        client,
        registered_name="另一家企业",
        credit_code=holder.organization.credit_code,
        level="none",
        level_proof=[],
    )
    assert response.status_code == 302
    assert "真正的持有单位" not in page(client.get("/account/verification"))
    request = db.session.scalars(select(VerificationRequest)).one()
    auth.logout()
    login(auth, make.admin())
    assert "该统一社会信用代码已属于“真正的持有单位”" in page(client.get("/admin/verifications"))
    refused = client.post(f"/admin/verifications/{request.id}/approve", data=CONFIRMED)
    assert refused.status_code == 409
    assert other.organization.verified is False
    assert db.session.scalar(select(func.count(Attachment.id))) == 1


def test_registration_claims_wait_in_the_same_queue(client, auth, make):
    holder = make.enterprise(name="真正的持有单位")
    response = client.post(
        "/register",
        data={
            **REGISTRATION,
            "organization_name": "冒名单位",
            "credit_code": holder.organization.credit_code,
        },
    )
    assert response.status_code == 302
    login(auth, make.admin())
    html = page(client.get("/admin/verifications"))
    assert "冒名单位" in html and "真正的持有单位" in html and "并入已登记单位" in html
