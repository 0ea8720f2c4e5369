"""Common-need pages: the proposed group at a threshold, the project, an enterprise opting in
(and appearing only then), a provider ranked, invited, answering, chosen; the outcome."""

from __future__ import annotations

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import CommonNeed
from matchmaker.search_engine import get_search
from tests.web.pages import login, page

HELMETS = [
    ("电动摩托车头盔外观设计", "为电动摩托车配套头盔做外观造型和配色，要求轻量、通风"),
    ("摩托车头盔造型升级", "现有头盔外观老旧，需要重新设计造型和涂装配色，兼顾通风"),
]


def test_a_common_need_through_the_pages(client, auth, make):
    admin = make.admin()
    owners = [make.enterprise(name=f"头盔厂{n}") for n in range(2)]
    demands = [
        make.demand(owner, title=title, description=text, cluster="motorcycle",
                    services=["appearance-design", "cmf-design"])
        for owner, (title, text) in zip(owners, HELMETS, strict=True)
    ]  # fmt: skip
    designer = make.provider(
        name="摩托车造型设计公司",
        clusters=["motorcycle"],
        services=["appearance-design", "cmf-design"],
        description="专注摩托车及头盔外观造型、配色涂装设计",
    )
    get_search().refresh()

    login(auth, admin)
    bad = client.get("/common-needs/proposals?threshold=abc")
    assert bad.status_code == 422 and "0.5" in page(bad)
    found = page(client.get("/common-needs/proposals?threshold=0.85"))
    assert HELMETS[0][0] in found and HELMETS[1][0] in found
    assert "头盔" not in page(client.get("/common-needs/proposals?threshold=0.999"))
    made = client.post(
        "/common-needs",
        data={"demand_ids": [str(d.id) for d in demands], "title": "头盔外观共性设计",
              "brief": "两家头盔企业共同委托", "threshold": "0.85"},
    )  # fmt: skip
    assert made.status_code == 302
    need = db.session.scalar(select(CommonNeed))
    auth.logout()

    login(auth, owners[0])
    shown = page(client.get(f"/common-needs/{need.id}"))
    assert "头盔厂1" not in shown and "是否加入" in shown
    client.post(f"/common-needs/{need.id}/membership", data={"join": "1"})
    assert "头盔厂0" in page(client.get(f"/common-needs/{need.id}"))
    auth.logout()

    login(auth, admin)
    detail = page(client.get(f"/common-needs/{need.id}"))
    assert "摩托车造型设计公司" in detail  # ranked for the whole group
    provider_id = designer.organization.provider.id
    client.post(f"/common-needs/{need.id}/invitations", data={"provider_id": provider_id})
    auth.logout()

    login(auth, designer)
    invited = page(client.get(f"/common-needs/{need.id}"))
    assert "头盔外观共性设计" in invited and "头盔厂0" not in invited
    client.post(f"/common-needs/{need.id}/answer", data={"interested": "1", "note": "两周出方案"})
    auth.logout()

    login(auth, admin)
    client.post(f"/common-needs/{need.id}/choice", data={"provider_id": provider_id})
    client.post(f"/common-needs/{need.id}/outcome", data={"won": "1", "contract_value": "abc"})
    db.session.refresh(need)
    assert need.status == "matched"  # a bad amount changes nothing
    client.post(f"/common-needs/{need.id}/outcome", data={"won": "1", "contract_value": "300000"})
    db.session.refresh(need)
    assert need.status == "won" and need.contract_value == 300000
    auth.logout()

    login(auth, designer)
    assert "头盔厂0" in page(client.get(f"/common-needs/{need.id}"))  # chosen: now it sees who
    auth.logout()
    login(auth, make.provider())
    assert client.get(f"/common-needs/{need.id}").status_code == 404
