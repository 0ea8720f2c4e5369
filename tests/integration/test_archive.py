"""Archive service: layered counts, drill-down records and filters for demands and providers."""

from __future__ import annotations

import datetime as dt

import pytest

from matchmaker.extensions import db
from matchmaker.models import Demand
from matchmaker.services import archive
from matchmaker.services.archive import Filters, Path
from matchmaker.services.errors import Forbidden


@pytest.fixture
def admin(make):
    return make.admin()


@pytest.fixture
def demands(make, admin):
    yongchuan = make.enterprise(region="yongchuan")
    liangjiang = make.enterprise(region="liangjiang")
    return {
        "a": make.demand(yongchuan, cluster="nev-ice", region="yongchuan"),
        "b": make.demand(yongchuan, cluster="nev-ice", region="yongchuan", status="in_review"),
        "c": make.demand(liangjiang, cluster="electronics", region="liangjiang"),
        "d": make.demand(liangjiang, cluster="motorcycle", region="liangjiang", status="draft"),
    }


def children(node):
    return {child.code: child.count for child in node.children}


def test_demand_tree_counts_every_layer(admin, demands):
    root = archive.demand_tree(db.session, admin)
    assert root.count == 4
    assert children(root) == {"trillion": 3, "featured-100b": 1}  # ordered by the taxonomy's tiers
    assert [n.code for n in root.children] == ["trillion", "featured-100b"]
    trillion = root.children[0]
    assert children(trillion) == {"nev-ice": 2, "electronics": 1}
    nev = archive.find(root, Path("trillion", "nev-ice"))
    assert children(nev) == {"yongchuan": 2}
    assert children(nev.children[0]) == {"in_review": 1, "published": 1}


def test_demand_records_at_any_layer_and_filters(admin, demands):
    records, total = archive.demand_records(db.session, admin, Path("trillion"))
    assert total == 3 and {d.id for d in records} == {demands[k].id for k in "abc"}
    records, total = archive.demand_records(
        db.session, admin, Path("trillion", "nev-ice", "yongchuan", "published")
    )
    assert [d.id for d in records] == [demands["a"].id]
    records, total = archive.demand_records(db.session, admin, Path(), Filters(status="draft"))
    assert [d.id for d in records] == [demands["d"].id]
    tree = archive.demand_tree(db.session, admin, Filters(status="published"))
    assert tree.count == 2
    # period: nothing was created in 2020
    assert archive.demand_tree(db.session, admin, Filters(until=dt.date(2020, 1, 1))).count == 0
    assert archive.demand_tree(db.session, admin, Filters(since=dt.date.today())).count == 4
    records, total = archive.demand_records(db.session, admin, Path(), per_page=2, page=2)
    assert total == 4 and len(records) == 2


def test_verified_filter(admin, make, demands):
    from matchmaker.services import accounts

    demand = db.session.get(Demand, demands["c"].id)
    accounts.set_organization_verified(db.session, admin, demand.organization_id, True)
    db.session.commit()
    assert archive.demand_tree(db.session, admin, Filters(verified=True)).count == 2


def test_provider_tree_counts_a_provider_under_each_of_its_clusters(admin, make):
    make.provider(level="municipal", clusters=["nev-ice", "electronics", "motorcycle"])
    make.provider(level="none", region="liangjiang", clusters=["nev-ice"])
    make.provider(level="national", kind="university", clusters=["biomedicine"])
    root = archive.provider_tree(db.session, admin)
    assert root.count == 3
    assert children(root) == {"trillion": 2, "featured-100b": 2}  # distinct providers per tier
    nev = archive.find(root, Path("trillion", "nev-ice"))
    assert nev.count == 2 and children(nev) == {"yongchuan": 1, "liangjiang": 1}
    assert children(archive.find(root, Path("trillion", "nev-ice", "yongchuan"))) == {
        "municipal": 1
    }
    records, total = archive.provider_records(db.session, admin, Path("featured-100b"))
    assert total == 2 and records[0].organization.level == "national"  # highest level first
    records, total = archive.provider_records(
        db.session, admin, Path("trillion", "nev-ice", "liangjiang", "none")
    )
    assert total == 1
    assert archive.provider_tree(db.session, admin, Filters(kind="university")).count == 1


def test_paths_are_layered_and_checked():
    assert archive.normalise_path(Path(cluster="nev-ice")) == Path("trillion", "nev-ice")
    assert archive.normalise_path(Path("trillion", "bogus", "yongchuan", "published")) == Path(
        "trillion"
    )
    assert archive.normalise_path(Path(region="yongchuan")) == Path()


def test_only_admins(make):
    user = make.enterprise()
    with pytest.raises(Forbidden):
        archive.demand_tree(db.session, user)
    with pytest.raises(Forbidden):
        archive.provider_records(db.session, user, Path())
