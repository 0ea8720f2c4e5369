"""A talent profile as everyone but its person and administrators sees it: the card.

The card carries what matching and browsing need and nothing that identifies the person:
specialities, clusters, professional title, a seniority band instead of exact years, the
district and availability. No name, contact, employer, education, biography or works. Pages
and API responses built for other readers get a ``TalentCard``, so they cannot print what
they were never given (the same rule as ``lead_shape`` for demands).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...models import TalentProfile, User
from ...taxonomy import get_taxonomy
from ..access import is_admin, is_self


@dataclass(frozen=True)
class TalentCard:
    id: int
    specialities: tuple[str, ...]
    clusters: tuple[str, ...]
    professional_title: str
    seniority: str
    region: str
    availability: str


def card_of(profile: TalentProfile) -> TalentCard:
    return TalentCard(
        id=profile.id,
        specialities=tuple(profile.specialities or ()),
        clusters=tuple(profile.clusters or ()),
        professional_title=profile.professional_title,
        seniority=get_taxonomy().seniority(profile.years_experience),
        region=profile.region,
        availability=profile.availability,
    )


def shown_to(actor: User | None, profile: TalentProfile) -> TalentProfile | TalentCard:
    """The profile for its person and administrators, the card for everyone else."""
    if is_self(actor, profile.user_id) or is_admin(actor):
        return profile
    return card_of(profile)
