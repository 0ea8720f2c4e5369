"""The supply–demand guide: snapshot, gaps, publishing (frozen), diff, subscribers, PDF and XLSX."""

from __future__ import annotations

import email
import io
import re
from email import policy

import openpyxl
import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import AuditEvent, Guide, Notification
from matchmaker.services import accounts, demands, guides, pdf_document, providers
from matchmaker.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matchmaker.services.guides import pdf, snapshot, xlsx
from matchmaker.taxonomy import get_taxonomy
from matchmaker.transaction import commit

BODY = {
    "title": "2026年第四季度工业设计供需指南",
    "period_start": "2026-10-01",
    "period_end": "2026-12-31",
}


def verified_provider(make, admin, clusters, services, team_size=10, level="none", **fields):
    user = make.provider(
        clusters=clusters, services=services, team_size=team_size, level=level, **fields
    )
    accounts.set_organization_verified(db.session, admin, user.organization_id, True)
    commit()
    return user


def text_of(pdf_bytes: bytes) -> str:
    """Every page's text, without the spaces some extractors put between CJK glyphs."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def world(make):
    """Automotive: 3 open demands and 1 verified provider (a shortage); motorcycles: 0 demands and
    3 verified providers (a surplus); one draft demand that must not count."""
    admin = make.admin()
    owner = make.enterprise(region="yongchuan")
    d1 = make.demand(
        owner,
        title="新能源汽车外观设计",
        cluster="nev-ice",
        services=["appearance-design", "cmf-design"],
        budget_max=500000,
        region="yongchuan",
    )
    d2 = make.demand(
        owner,
        title="智能座舱交互设计",
        cluster="nev-ice",
        services=["interaction-design"],
        budget_max=200000,
        region="liangjiang",
    )
    d3 = make.demand(
        owner,
        title="车灯结构设计",
        cluster="nev-ice",
        services=["structural-design"],
        region="yongchuan",
        budget_min=50000,
        budget_max=100000,
    )
    draft = make.demand(owner, title="未提交的草稿", status="draft", cluster="motorcycle")
    p1 = verified_provider(
        make, admin, ["nev-ice"], ["appearance-design"], team_size=30, level="national"
    )
    moto = [
        verified_provider(make, admin, ["motorcycle"], ["appearance-design"], team_size=5)
        for _ in range(3)
    ]
    unverified = make.provider(clusters=["nev-ice"], services=["structural-design"], team_size=8)
    return {
        "admin": admin,
        "owner": owner,
        "demands": [d1, d2, d3],
        "draft": draft,
        "p1": p1,
        "moto": moto,
        "unverified": unverified,
    }


def cluster_row(content, code):
    return next(c for c in content["clusters"] if c["code"] == code)


# --- snapshot --------------------------------------------------------------------------------


def test_draft_snapshot_counts_demand_supply_and_gaps(world):
    guide = guides.create_draft(db.session, world["admin"], BODY)
    commit()
    content = guide.content
    assert guide.status == "draft" and guide.edition is None
    nev = cluster_row(content, "nev-ice")
    assert nev["open_demands"] == 3
    assert nev["demand_services"] == {
        "appearance-design": 1,
        "cmf-design": 1,
        "interaction-design": 1,
        "structural-design": 1,
    }
    assert (nev["providers"], nev["verified_providers"]) == (2, 1)
    assert (nev["team_size"], nev["verified_team_size"]) == (38, 30)
    assert nev["levels"] == {"national": 1}
    assert nev["status"] == snapshot.SHORTAGE
    moto = cluster_row(content, "motorcycle")
    assert (moto["open_demands"], moto["verified_providers"], moto["status"]) == (
        0,
        3,
        snapshot.SURPLUS,
    )
    assert {
        "scope": "cluster",
        "code": "nev-ice",
        "open_demands": 3,
        "verified_providers": 1,
    } in content["gaps"]["shortage"]
    assert {
        "scope": "cluster",
        "code": "motorcycle",
        "open_demands": 0,
        "verified_providers": 3,
    } in content["gaps"]["surplus"]
    # services: structural design is asked for once, offered only by an unverified provider
    structural = next(s for s in content["services"] if s["code"] == "structural-design")
    assert (
        structural["open_demands"],
        structural["providers"],
        structural["verified_providers"],
    ) == (1, 1, 0)
    assert structural["status"] == snapshot.SHORTAGE
    assert content["totals"]["open_demands"] == 3  # the draft demand is not open
    assert content["heatmap"]["regions"] == ["liangjiang", "yongchuan"]
    assert content["heatmap"]["rows"] == [{"cluster": "nev-ice", "counts": [1, 2]}]
    # featured: largest budget first; verified providers by level;
    # no enterprise names in a public edition
    assert [d["title"] for d in content["featured_demands"]][:2] == [
        "新能源汽车外观设计",
        "智能座舱交互设计",
    ]
    assert "organization" not in str(content["featured_demands"])
    assert content["featured_providers"][0]["id"] == world["p1"].organization.provider.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "guide.created"))


@pytest.mark.parametrize(
    "demands_, verified, expected",
    [
        (0, 0, snapshot.IDLE),
        (1, 0, snapshot.SHORTAGE),
        (2, 0, snapshot.SHORTAGE),
        (3, 1, snapshot.SHORTAGE),
        (2, 1, snapshot.BALANCED),
        (1, 1, snapshot.BALANCED),
        (0, 2, snapshot.BALANCED),
        (0, 3, snapshot.SURPLUS),
        (1, 4, snapshot.SURPLUS),
        (1, 3, snapshot.BALANCED),
    ],
)
def test_gap_rule(demands_, verified, expected):
    assert snapshot.balance(demands_, verified) == expected


def test_cluster_filter_limits_every_section(world):
    guide = guides.create_draft(db.session, world["admin"], {**BODY, "clusters": ["摩托车"]})
    commit()
    assert guide.clusters == ["motorcycle"]
    assert [c["code"] for c in guide.content["clusters"]] == ["motorcycle"]
    assert guide.content["totals"]["open_demands"] == 0
    assert guide.content["totals"]["verified_providers"] == 3


def test_only_admins_manage_guides(world, make):
    for user in (world["owner"], world["p1"]):
        with pytest.raises(Forbidden):
            guides.create_draft(db.session, user, BODY)
    guide = guides.create_draft(db.session, world["admin"], BODY)
    commit()
    for operation in (guides.regenerate, guides.publish, guides.delete_draft):
        with pytest.raises(Forbidden):
            operation(db.session, world["owner"], guide.id)
    with pytest.raises(Forbidden):
        guides.update_draft(db.session, world["owner"], guide.id, {"commentary": "x"})


@pytest.mark.parametrize(
    "body, field",
    [
        ({**BODY, "title": ""}, "title"),
        ({**BODY, "period_end": "2026-09-30"}, "period_end"),
        ({**BODY, "period_start": "2026-02-30"}, "period_start"),
        ({**BODY, "clusters": ["不存在的集群"]}, "clusters"),
        ({**BODY, "commentary": "长" * 20_001}, "commentary"),
        ({**BODY, "unknown": 1}, "unknown"),
        ({"title": "x"}, "period_start"),
    ],
)
def test_invalid_input_names_the_field_and_stores_nothing(world, body, field):
    with pytest.raises(ValidationFailed) as caught:
        guides.create_draft(db.session, world["admin"], body)
    assert field in caught.value.fields
    db.session.rollback()
    assert db.session.scalar(select(Guide)) is None


def test_draft_regenerates_and_edits(world, make):
    admin = world["admin"]
    guide = guides.create_draft(db.session, admin, BODY)
    commit()
    make.demand(world["owner"], title="摩托车外观设计", cluster="motorcycle")
    assert cluster_row(guide.content, "motorcycle")["open_demands"] == 0
    guides.regenerate(db.session, admin, guide.id)
    commit()
    assert cluster_row(guide.content, "motorcycle")["open_demands"] == 1
    guides.update_draft(
        db.session,
        admin,
        guide.id,
        {"commentary": "汽车集群设计力量不足。", "clusters": ["nev-ice"]},
    )
    commit()
    assert guide.commentary == "汽车集群设计力量不足。"
    assert [c["code"] for c in guide.content["clusters"]] == ["nev-ice"]  # new scope → regenerated


# --- publishing ------------------------------------------------------------------------------


def test_published_edition_is_frozen(world, make):
    admin = world["admin"]
    guide = guides.create_draft(db.session, admin, {**BODY, "commentary": "第一期"})
    commit()
    guides.publish(db.session, admin, guide.id)
    commit()
    assert (guide.status, guide.edition, guide.previous_id) == ("published", 1, None)
    frozen = dict(guide.content)

    # data changes afterwards: new demand, a closed one, a provider gone
    make.demand(world["owner"], title="新的汽车需求", cluster="nev-ice")
    demands.withdraw(db.session, world["owner"], world["demands"][0].id)
    providers.delete_provider(db.session, admin, world["p1"].organization.provider.id)
    commit()
    db.session.expire_all()
    again = guides.get_published(db.session, guide.id)
    assert again.content == frozen
    assert again.commentary == "第一期"

    for attempt in (
        lambda: guides.update_draft(db.session, admin, guide.id, {"commentary": "改"}),
        lambda: guides.regenerate(db.session, admin, guide.id),
        lambda: guides.publish(db.session, admin, guide.id),
        lambda: guides.delete_draft(db.session, admin, guide.id),
    ):
        with pytest.raises(Conflict):
            attempt()
        db.session.rollback()
    assert guides.get_published(db.session, guide.id).content == frozen


def test_drafts_are_not_public(world):
    guide = guides.create_draft(db.session, world["admin"], BODY)
    commit()
    with pytest.raises(NotFound):
        guides.get_published(db.session, guide.id)
    with pytest.raises(NotFound):
        guides.get_visible(db.session, world["owner"], guide.id)
    assert guides.get_visible(db.session, world["admin"], guide.id) is guide
    assert guides.list_published(db.session) == []


def test_second_edition_records_changes_since_the_previous(world, make):
    admin, owner = world["admin"], world["owner"]
    first = guides.create_draft(db.session, admin, BODY)
    commit()
    guides.publish(db.session, admin, first.id)
    commit()

    # since then: one automotive demand won, a motorcycle demand posted, two more verified providers
    closed = world["demands"][0]
    demands.withdraw(db.session, owner, closed.id)
    commit()
    new = make.demand(owner, title="电动摩托车造型设计", cluster="motorcycle", region="yongchuan")
    verified_provider(make, admin, ["nev-ice"], ["interaction-design"])

    second = guides.create_draft(
        db.session,
        admin,
        {
            **BODY,
            "title": "2027年第一季度工业设计供需指南",
            "period_start": "2027-01-01",
            "period_end": "2027-03-31",
        },
    )
    commit()
    guides.publish(db.session, admin, second.id)
    commit()
    assert (second.edition, second.previous_id) == (2, first.id)
    changes = second.content["changes"]
    assert changes["previous_edition"] == 1
    assert [d["id"] for d in changes["new_demands"]] == [new.id]
    assert [d["id"] for d in changes["closed_demands"]] == [closed.id]
    assert changes["closed_demands"][0]["status"] == "closed:withdrawn"
    # automotive: 2 demands, 2 verified → no longer a shortage;
    # motorcycles: 1 demand, 3 verified → no surplus
    closed_gaps = {(g["kind"], g["scope"], g["code"]) for g in changes["gaps_closed"]}
    assert ("shortage", "cluster", "nev-ice") in closed_gaps
    assert ("surplus", "cluster", "motorcycle") in closed_gaps
    opened = {(g["kind"], g["scope"], g["code"]) for g in changes["gaps_opened"]}
    assert ("shortage", "cluster", "nev-ice") not in opened
    assert changes["totals_delta"]["verified_providers"] == 1
    # the trend runs across both editions and is frozen with the second
    assert [p["edition"] for p in second.content["trend"]] == [1, 2]
    assert [p["open_demands"] for p in second.content["trend"]] == [3, 3]
    assert first.content["changes"] is None and [p["edition"] for p in first.content["trend"]] == [
        1
    ]


def test_scoped_edition_compares_only_its_clusters(world, make):
    admin = world["admin"]
    first = guides.create_draft(db.session, admin, BODY)
    commit()
    guides.publish(db.session, admin, first.id)
    commit()
    scoped = guides.create_draft(db.session, admin, {**BODY, "clusters": ["motorcycle"]})
    commit()
    guides.publish(db.session, admin, scoped.id)
    commit()
    changes = scoped.content["changes"]
    assert changes["closed_demands"] == []  # automotive demands are out of scope, not "closed"
    assert changes["same_scope"] is False and changes["totals_delta"] == {}


def test_publish_notifies_subscribers_in_app_and_by_mail(app, world, make, mail_sink):
    admin = world["admin"]
    reader = make.enterprise()
    quitter = make.provider()
    assert guides.toggle_subscription(db.session, reader) is True
    guides.set_subscription(db.session, quitter, True)
    guides.set_subscription(db.session, quitter, False)
    commit()
    assert guides.is_subscribed(db.session, reader) and not guides.is_subscribed(
        db.session, quitter
    )

    app.config.update(SERVER_NAME="mm.test", PREFERRED_URL_SCHEME="https")
    sink = mail_sink.messages
    guide = guides.create_draft(db.session, admin, BODY)
    commit()
    assert guides.mail_subscribers(db.session, guide, "http://mm.test") == 0  # a draft
    guides.publish(db.session, admin, guide.id)
    assert sink == []  # not before the commit
    commit()
    notes = list(
        db.session.scalars(select(Notification).where(Notification.kind == "guide_published"))
    )
    assert [n.user_id for n in notes] == [reader.id]
    assert notes[0].link == f"/guides/{guide.id}" and notes[0].params["edition"] == 1
    assert notes[0].params["title"] == BODY["title"]
    assert len(sink) == 1 and sink[0].rcpt_tos == [reader.email]
    message = email.message_from_bytes(sink[0].content, policy=policy.default)
    assert BODY["title"] in message["Subject"]
    assert f"https://mm.test/guides/{guide.id}" in message.get_content()


# --- PDF, XLSX and charts ----------------------------------------------------------------------


def test_pdf_is_readable_and_embeds_the_chinese_font(app, world):
    guide = guides.create_draft(
        db.session, world["admin"], {**BODY, "commentary": "汽车集群设计力量亟待加强。"}
    )
    commit()
    guides.publish(db.session, world["admin"], guide.id)
    commit()
    data = pdf.render(guide, guides.trend(db.session, guide), app.config)
    assert data.startswith(b"%PDF-")
    text = text_of(data)
    taxonomy = get_taxonomy()
    for code in ("nev-ice", "motorcycle"):
        assert taxonomy.clusters.label(code, "zh") in text
    for phrase in (
        "2026年第四季度工业设计供需指南",
        "第1期",
        "编者按",
        "汽车集群设计力量亟待加强",
        "供给缺口",
        "新能源汽车外观设计",
        "永川区",
        "两江新区",
    ):
        assert phrase in text, phrase
    # the font is embedded (a subset), so machines without CJK fonts show the same glyphs
    reader = PdfReader(io.BytesIO(data))
    fonts = [
        obj for page in reader.pages for obj in (page["/Resources"]["/Font"].get_object()).values()
    ]
    assert fonts and all(f.get_object()["/Encoding"] == "/Identity-H" for f in fonts)
    descendants = [f.get_object()["/DescendantFonts"][0].get_object() for f in fonts]
    assert all(
        "/FontFile2" in d["/FontDescriptor"].get_object() for d in descendants
    )  # embedded TrueType
    assert all(
        "+" in str(d["/BaseFont"]) for d in descendants
    )  # subset-tagged: only the glyphs used


def test_pdf_font_missing_fails_loudly_and_rare_characters_do_not_break_it(app, world, tmp_path):
    guide = guides.create_draft(
        db.session, world["admin"], {**BODY, "commentary": "生僻字𠀀与表情😀"}
    )
    commit()
    with pytest.raises(pdf_document.FontMissing):
        pdf.render(guide, [], {**app.config, "GUIDE_PDF_FONT": str(tmp_path / "none.otf")})
    data = pdf.render(guide, guides.trend(db.session, guide), app.config)
    text = text_of(data)
    assert "草稿预览" in text and "生僻字〓与表情〓" in text


def test_xlsx_has_a_sheet_per_section_readable_by_openpyxl(app, world):
    guide = guides.create_draft(
        db.session,
        world["admin"],
        {**BODY, "title": '=HYPERLINK("x")指南', "commentary": "第一段\n\n第二段"},
    )
    commit()
    guides.publish(db.session, world["admin"], guide.id)
    commit()
    data = xlsx.render(guide, guides.trend(db.session, guide))
    book = openpyxl.load_workbook(io.BytesIO(data))
    for name in (
        "概览",
        "产业集群",
        "供需对比图",
        "集群×服务",
        "服务类型",
        "供需缺口",
        "热力图",
        "重点需求",
        "重点服务方",
        "与上期相比",
        "历期趋势",
    ):
        assert name in book.sheetnames, name
    overview = book["概览"]
    assert overview["A1"].value == '=HYPERLINK("x")指南' and overview["A1"].data_type == "s"
    rows = {r[1]: r for r in book["产业集群"].iter_rows(min_row=2, values_only=True)}
    nev = rows["智能网联新能源汽车"]
    assert nev[2] == 3 and nev[6] == 1 and nev[9] == "供给缺口"
    gaps = [r for r in book["供需缺口"].iter_rows(min_row=2, values_only=True)]
    assert ("供给缺口", "产业集群", "nev-ice", "智能网联新能源汽车", 3, 1) in gaps
    heat = list(book["热力图"].iter_rows(values_only=True))
    assert heat[0] == ("产业集群", "两江新区", "永川区") and heat[1] == ("智能网联新能源汽车", 1, 2)
    assert book["历期趋势"]["A2"].value == 1
    (bars,) = book["供需对比图"]._charts
    clusters = book["供需对比图"].max_row - 1
    size = bars.anchor.ext  # in EMU, 360,000 a centimetre
    assert size.height >= xlsx.BAR_CM_PER_CLUSTER * clusters * 360_000
    assert size.width >= 20 * 360_000
    (trend,) = book["历期趋势"]._charts  # the trend has its chart too
    assert trend.tagname == "lineChart" and len(trend.series) == 2
    # the heat map's counts carry a colour scale
    rules = [r for cf in book["热力图"].conditional_formatting for r in cf.rules]
    assert [r.type for r in rules] == ["colorScale"]
    # columns fit their content, the heading row stays in view
    sheet = book["重点需求"]
    assert sheet.freeze_panes == "B2" and sheet.column_dimensions["B"].width > 16


def test_pdf_axes_have_whole_number_ticks(app):
    """A trend whose largest value is 41 gets ticks 0 … 60 by 20, not 10.25, 20.5 …"""
    document = pdf_document.Document(app.config, "T")
    document.add_page()
    points = [
        {"edition": n, "open_demands": d, "verified_providers": v}
        for n, d, v in ((1, 12, 41), (2, 30, 38))
    ]
    pdf.draw_trend(document, points)
    page = PdfReader(io.BytesIO(bytes(document.output()))).pages[0]
    numbers = re.findall(r"\d+(?:\.\d+)?", page.extract_text())
    assert not [n for n in numbers if "." in n]
    assert {"0", "20", "40", "60"} <= set(numbers)


def test_the_english_edition_sets_latin_text_in_a_latin_face(app, world):
    body = {**BODY, "commentary": "Editor’s “note”"}
    guide = guides.create_draft(db.session, world["admin"], body)
    commit()
    with force_locale("en"):
        data = pdf.render(guide, guides.trend(db.session, guide), app.config, "en")
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Supply and demand by industry cluster" in text and "Editor’s “note”" in text
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].get_object().values()
    }
    assert any("DejaVu" in name for name in fonts) and any("Noto" in name for name in fonts)
