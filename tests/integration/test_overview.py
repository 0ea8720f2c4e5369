"""The home page's live counts (one statement) count what their names say."""

from __future__ import annotations

from matchmaker.extensions import db
from matchmaker.models import DemandStatus
from matchmaker.services import interests, overview


def test_home_counts(make):
    assert overview.home_counts(db.session) == {
        "providers": 0,
        "verified_providers": 0,
        "enterprises": 0,
        "open_demands": 0,
        "matched": 0,
    }
    owner, other = make.enterprise(), make.enterprise()
    first, second = make.provider(), make.provider()
    make.provider(profile=False)  # an organisation without a profile is no provider yet
    second.organization.verified = True
    open_demand = make.demand(owner)
    make.demand(owner, status=DemandStatus.DRAFT)
    make.demand(other)
    interest = make.interest(first, open_demand)
    make.interest(second, open_demand)
    interests.accept(db.session, owner, interest.id)
    db.session.commit()
    assert overview.home_counts(db.session) == {
        "providers": 2,
        "verified_providers": 1,
        "enterprises": 2,
        "open_demands": 1,
        "matched": 1,
    }
