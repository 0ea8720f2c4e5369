"""The test factories produce exactly the demand state a test asks for, or refuse."""

from __future__ import annotations

import pytest

from matchmaker.models import CloseReason, DemandStatus, InterestStatus


@pytest.mark.parametrize("status", DemandStatus.ALL)
def test_demand_reaches_the_requested_status(make, status):
    demand = make.demand(make.enterprise(), status=status)
    assert demand.status == status
    if status == DemandStatus.IN_NEGOTIATION:
        assert [i.status for i in demand.interests] == [InterestStatus.ACCEPTED]
    if status == DemandStatus.CLOSED:
        assert demand.close_reason == CloseReason.WITHDRAWN


def test_unknown_demand_status_is_refused(make):
    with pytest.raises(ValueError, match="no such demand status: 'open'"):
        make.demand(make.enterprise(), status="open")
