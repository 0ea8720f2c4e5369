"""Statistics checked against hand-computed values on a fixed data set.

The data set is written as audit events (and the few demand / provider rows they name)
with known timestamps. Timestamps are UTC; the period and months are China time (UTC+8).
Period: 2025-01-01 … 2025-03-31 (China), i.e. [2024-12-31 16:00, 2025-03-31 16:00) UTC.
"Now" is 2025-04-05 00:00 UTC.
"""

from __future__ import annotations

import datetime as dt

import pytest

from matchmaker.extensions import db
from matchmaker.models import AuditEvent, Demand, Organization, Provider, Recommendation
from matchmaker.search_engine import get_search
from matchmaker.services import demands, interests, matching
from matchmaker.services import statistics as stats
from matchmaker.services.errors import ValidationFailed
from matchmaker.transaction import commit

NOW = dt.datetime(2025, 4, 5)
PERIOD = stats.Filters(dt.date(2025, 1, 1), dt.date(2025, 3, 31))


def t(month: int, day: int, hour: int = 0, year: int = 2025) -> dt.datetime:
    return dt.datetime(year, month, day, hour)


class DataSet:
    def __init__(self, session):
        self.session = session
        self.enterprise = Organization(type="enterprise", name="永川测试制造厂", region="yongchuan")
        session.add(self.enterprise)
        session.flush()
        self.p: dict[int, int] = {}
        self.d: dict[int, int] = {}
        self.i = 0

    def event(self, action, subject_type, subject_id, at, **data):
        self.session.add(
            AuditEvent(
                action=action,
                subject_type=subject_type,
                subject_id=subject_id,
                data=data,
                created_at=at,
            )
        )

    def provider(self, n, clusters, region, created):
        org = Organization(type="provider", name=f"测试设计公司{n}", region=region)
        provider = Provider(
            organization=org, clusters=clusters, services=["appearance-design"], created_at=created
        )
        self.session.add(provider)
        self.session.flush()
        self.p[n] = provider.id
        self.event("provider.created", "provider", provider.id, created)

    def demand(self, n, cluster, region, published, row=True):
        if row:
            demand = Demand(
                organization_id=self.enterprise.id,
                title=f"需求{n}",
                description="测试",
                cluster=cluster,
                region=region,
                services=["appearance-design"],
                status="published",
            )
            self.session.add(demand)
            self.session.flush()
            demand_id = demand.id
        else:  # a deleted demand: only its events remain
            demand_id = 9000 + n
        self.d[n] = demand_id
        self.event(
            "demand.created",
            "demand",
            demand_id,
            published - dt.timedelta(days=1),
            cluster=cluster,
            region=region,
        )
        self.event("demand.published", "demand", demand_id, published)

    def interest(self, d, p, at, withdrawn=None, accepted=None):
        self.i += 1
        data = {"demand_id": self.d[d], "provider_id": self.p[p]}
        self.event("interest.created", "interest", self.i, at, invited=False, **data)
        if withdrawn:
            self.event("interest.withdrawn", "interest", self.i, withdrawn, **data)
        if accepted:
            self.event("interest.accepted", "interest", self.i, accepted, **data)

    def shown(self, d, p, at):
        self.session.add(
            Recommendation(
                demand_id=self.d[d], provider_id=self.p[p], rank=1, score=1.0, created_at=at
            )
        )

    def close(self, d, reason, at):
        self.event(f"demand.closed_{reason}", "demand", self.d[d], at, reason=reason)

    def contract(self, d, p, at, value=None, cancelled=False, pair_id=1):
        data = {"demand_id": self.d[d], "provider_id": self.p[p], "pair_id": pair_id}
        if cancelled:
            self.event("meeting.contract_cancelled", "meeting", 1, at, **data)
        else:
            self.event("meeting.contract_signed", "meeting", 1, at, contract_value=value, **data)


@pytest.fixture
def data(app):
    s = DataSet(db.session)
    # Providers (created; China month in brackets)
    s.provider(1, ["nev-ice"], "yongchuan", t(1, 5, 2))  # Jan
    s.provider(2, ["nev-ice", "motorcycle"], "yongchuan", t(1, 20))  # Jan
    s.provider(3, ["motorcycle"], "jiulongpo", t(2, 10))  # Feb
    s.provider(
        4, ["electronics"], "liangjiang", t(12, 31, 17, year=2024)
    )  # 2025-01-01 01:00 China: Jan
    s.provider(
        5, ["nev-ice"], "yongchuan", t(12, 31, 15, year=2024)
    )  # 2024-12-31 23:00 China: before
    s.provider(6, ["nev-ice"], "yongchuan", t(4, 2))  # after the period
    s.provider(7, ["food-agri"], "yongchuan", t(1, 3))  # Jan
    # Demands (first publication)
    s.demand(1, "nev-ice", "yongchuan", t(1, 10, 2))
    s.demand(2, "nev-ice", "yongchuan", t(1, 15))
    s.demand(3, "motorcycle", "jiulongpo", t(2, 5))
    s.demand(4, "electronics", "liangjiang", t(3, 31, 12))  # 03-31 20:00 China: in, window open
    s.demand(5, "nev-ice", "yongchuan", t(12, 20, year=2024))  # first published before the period…
    s.event("demand.published", "demand", s.d[5], t(1, 20))  # …re-published in it: not counted
    s.demand(6, "motorcycle", "yongchuan", t(3, 5), row=False)  # deleted since
    s.demand(7, "nev-ice", "yongchuan", t(3, 31, 17))  # 04-01 01:00 China: after
    # Interests
    s.interest(1, 1, t(1, 10, 4), accepted=t(1, 12))  # D1 +2 h
    s.interest(1, 3, t(1, 11, 2))  # not in D1's cluster
    s.interest(1, 2, t(1, 11, 8))
    s.interest(1, 5, t(1, 15, 2), withdrawn=t(1, 20))  # withdrawn after the window
    s.interest(2, 1, t(1, 15, 10))  # D2 +10 h
    s.interest(2, 2, t(1, 18), withdrawn=t(1, 19))  # withdrawn within the window
    s.interest(2, 5, t(1, 23))  # after the window
    s.interest(3, 3, t(2, 5, 1), accepted=t(2, 6))  # D3 +1 h
    s.interest(3, 2, t(2, 5, 6))
    s.interest(5, 1, t(1, 21))
    # Exposure
    for d, p, at in [
        (1, 1, t(1, 10, 3)),
        (1, 2, t(1, 10, 3)),
        (1, 5, t(1, 10, 3)),
        (2, 1, t(1, 15, 1)),
        (2, 5, t(1, 15, 1)),
        (3, 3, t(2, 5, 1)),
        (3, 2, t(2, 5, 1)),
        (4, 4, t(3, 31, 13)),
        (5, 1, t(12, 20, 5, year=2024)),
        (7, 1, t(3, 31, 18)),
    ]:
        s.shown(d, p, at)
    # Contracts and closings
    s.contract(1, 2, t(2, 20), value=100_000, pair_id=7)
    s.contract(1, 2, t(2, 21), cancelled=True, pair_id=7)  # taken back
    s.contract(3, 3, t(3, 10), value=500_000, pair_id=8)
    s.close(1, "won", t(2, 1))
    s.close(5, "expired", t(2, 15))
    s.close(2, "withdrawn", t(3, 1))
    s.close(3, "won", t(3, 12))  # also signed at the meeting
    s.close(7, "withdrawn", t(4, 2))  # after the period
    db.session.commit()
    return s


def test_publications_and_providers_by_month_cluster_and_district(data):
    r = stats.compute(db.session, PERIOD, now=NOW)
    assert r.months == ["2025-01", "2025-02", "2025-03"]
    # First publications in the period: D1, D2 (Jan), D3 (Feb), D4, D6 (Mar);
    # D5 first in 2024, D7 in April.
    assert r.demands_by_month == {"2025-01": 2, "2025-02": 1, "2025-03": 2}
    assert r.demands_published == 5
    assert r.demands_by_cluster == {"nev-ice": 2, "motorcycle": 2, "electronics": 1}
    assert r.demands_by_region == {"yongchuan": 3, "jiulongpo": 1, "liangjiang": 1}
    assert r.demands_by_month_cluster == {
        ("2025-01", "nev-ice"): 2,
        ("2025-02", "motorcycle"): 1,
        ("2025-03", "electronics"): 1,
        ("2025-03", "motorcycle"): 1,
    }
    # Providers created: P1, P2, P4 (01-01 01:00 China), P7 in Jan; P3 in Feb; P5 before, P6 after.
    assert r.providers_by_month == {"2025-01": 4, "2025-02": 1, "2025-03": 0}
    assert r.providers_created == 5
    # P2 lists two clusters and counts under both: 2 + 2 + 1 + 1 = 6 rows for 5 providers.
    assert r.providers_by_cluster == {
        "nev-ice": 2,
        "motorcycle": 2,
        "electronics": 1,
        "food-agri": 1,
    }
    assert r.providers_by_region == {"yongchuan": 3, "jiulongpo": 1, "liangjiang": 1}


def test_funnel(data):
    f = stats.compute(db.session, PERIOD, now=NOW).funnel
    # Shown in the period: D1×3 + D2×2 + D3×2 + D4×1 = 8
    # (D5's 2024 showing and D7's April one are out).
    assert f.recommended == 8
    # interest.created in the period: D1 4 + D2 3 + D3 2 + D5 1 = 10.
    assert f.interest == 10
    assert f.accepted == 2  # D1–P1, D3–P3
    # Signed: the D3–P3 meeting contract (D1–P2's was cancelled) + D1 won;
    # D3's own "won" is the same contract.
    assert f.signed == 2
    assert f.signed_at_meetings == 1 and f.contract_value == 500_000
    assert (
        f.rate("interest") == 10 / 8 and f.rate("accepted") == 2 / 10 and f.rate("signed") == 2 / 2
    )
    assert f.rate("recommended") is None


def test_time_to_first_interest_and_three_qualified_interests(data):
    r = stats.compute(db.session, PERIOD, now=NOW).responsiveness
    # First interest: D1 +2 h, D2 +10 h, D3 +1 h; D4 and D6 have none. Median of [1, 2, 10] = 2.
    assert (r.published, r.with_interest, r.without_interest) == (5, 3, 2)
    assert r.median_hours == 2.0
    # Windows over by now: D1, D2, D3, D6 (D4's ends 04-07 12:00 > now: pending).
    # D1: P1, P2, P5 qualified → 3 ✓
    #     (P3 lists another cluster; P5's withdrawal came after the window)
    # D2: P1 only (P2 withdrew within the window, P5 came after it) → 1
    # D3: P3, P2 (both list motorcycle) → 2;  D6: none.
    assert (r.eligible, r.reached, r.pending) == (4, 1, 1)
    assert r.share == 1 / 4


def test_success_rate_per_cluster(data):
    r = stats.compute(db.session, PERIOD, now=NOW)
    rows = {row.cluster: (row.won, row.withdrawn, row.expired, row.rate) for row in r.success}
    # Closed in the period: D1 won, D2 withdrawn, D5 expired (nev-ice); D3 won (motorcycle);
    # D7 closed in April.
    assert rows == {"nev-ice": (1, 1, 1, 1 / 3), "motorcycle": (1, 0, 0, 1.0)}
    total = r.success_total
    assert (total.won, total.withdrawn, total.expired, total.rate) == (2, 1, 1, 0.5)


def test_exposure_spread(data):
    e = stats.compute(db.session, PERIOD, now=NOW).exposure
    # Per provider in the period: P1 2, P2 2, P3 1, P4 1, P5 2, P7 0 (P6 did not exist yet):
    # n = 6, total 8.
    assert (e.providers, e.total, e.never_shown) == (6, 8, 1)
    # Sorted [0,1,1,2,2,2]: Σ(2i−n−1)xᵢ = 0 − 3 − 1 + 2 + 6 + 10 = 14;
    # G = 14 / (n · total) = 14 / 48.
    assert e.gini == pytest.approx(14 / 48)
    # Top 10 % of 6 providers = 1 provider (rounded up) with 2 of 8.
    assert e.top10_share == 2 / 8
    assert [n for _id, _name, n in e.top] == [2, 2, 2, 1, 1]


def test_cluster_filter(data):
    r = stats.compute(
        db.session, stats.Filters(PERIOD.start, PERIOD.end, cluster="nev-ice"), now=NOW
    )
    assert r.demands_published == 2  # D1, D2
    assert r.providers_created == 2  # P1, P2 list nev-ice; P5 is older
    assert r.providers_by_cluster == {"nev-ice": 2}
    f = r.funnel
    # recommended D1×3 + D2×2; interest D1 4 + D2 3 + D5 1; accepted D1–P1; signed D1 won.
    assert (f.recommended, f.interest, f.accepted, f.signed) == (5, 8, 1, 1)
    assert r.responsiveness.median_hours == 6.0  # median of [2, 10]
    # Population: P1, P2, P5 list nev-ice (P6 too new); shown P1 2, P2 1, P5 2 → sorted [1,2,2]:
    # Σ(2i−n−1)xᵢ = −2 + 0 + 4 = 2; G = 2 / (3 · 5).
    assert r.exposure.gini == pytest.approx(2 / 15)
    assert r.exposure.top10_share == 2 / 5
    assert [(row.cluster, row.rate) for row in r.success] == [("nev-ice", 1 / 3)]


def test_district_filter(data):
    r = stats.compute(
        db.session, stats.Filters(PERIOD.start, PERIOD.end, region="jiulongpo"), now=NOW
    )
    assert r.demands_published == 1 and r.demands_by_region == {"jiulongpo": 1}  # D3
    assert r.providers_created == 1  # P3
    assert (r.funnel.signed, r.funnel.contract_value) == (1, 500_000)
    assert r.responsiveness.median_hours == 1.0


def test_an_empty_period_has_no_ratios(data):
    r = stats.compute(db.session, stats.Filters(dt.date(2023, 1, 1), dt.date(2023, 1, 31)), now=NOW)
    assert r.demands_published == 0 and r.funnel.rate("interest") is None
    assert r.responsiveness.median_hours is None and r.responsiveness.share is None
    assert (
        r.success_total.rate is None and r.exposure.gini is None and r.exposure.top10_share is None
    )


def test_gini_and_top_share_helpers():
    assert stats.gini([5, 5, 5, 5]) == 0
    assert stats.gini([0, 0, 0, 12]) == pytest.approx(3 / 4)  # (n − 1) / n when one takes all
    assert stats.top_share(list(range(1, 21))) == (20 + 19) / 210  # top 2 of 20
    assert stats.gini([]) is None and stats.top_share([0, 0]) is None


def test_filters_are_checked(app):
    with pytest.raises(ValidationFailed) as caught:
        stats.make_filters(dt.date(2025, 3, 1), dt.date(2025, 1, 1), "no-such-cluster", "nowhere")
    assert set(caught.value.fields) == {"end", "cluster", "region"}
    default = stats.make_filters(None, None, now=dt.datetime(2025, 3, 15, 20))  # 03-16 04:00 China
    assert (default.start, default.end) == (dt.date(2024, 4, 1), dt.date(2025, 3, 16))
    assert len(default.months()) == 12


def test_funnel_through_the_services(app, make):
    """Real services write the audit trail; the funnel counts it."""
    admin = make.admin()
    owner = make.enterprise()
    first, second = make.provider(), make.provider()
    demand = make.demand(owner)
    shown = matching.recommended_providers(db.session, get_search(), owner, demand.id)
    commit()
    assert {m.record.id for m in shown} == {
        first.organization.provider.id,
        second.organization.provider.id,
    }
    accepted = make.interest(first, demand)
    make.interest(second, demand)
    interests.accept(db.session, owner, accepted.id)
    demands.mark_won(db.session, owner, demand.id)
    other = make.demand(owner, title="第二个需求")
    demands.withdraw(db.session, owner, other.id)
    db.session.commit()

    r = stats.compute(db.session, stats.default_filters())
    assert (r.funnel.recommended, r.funnel.interest, r.funnel.accepted, r.funnel.signed) == (
        2,
        2,
        1,
        1,
    )
    assert r.demands_published == 2 and r.providers_created == 2
    assert r.responsiveness.with_interest == 1 and r.responsiveness.pending == 2
    assert (r.success_total.won, r.success_total.withdrawn, r.success_total.rate) == (1, 1, 0.5)
    assert r.exposure.total == 2 and r.exposure.gini == 0
    assert admin.is_admin
