"""Test data made through the services, so every record is audited and indexed as in production."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from matchmaker.china_time import today as local_today
from matchmaker.models import (
    CommonNeed,
    Demand,
    DemandStatus,
    Expert,
    Interest,
    Provider,
    TalentNeed,
    User,
)
from matchmaker.schemas import RegistrationIn
from matchmaker.services import (
    accounts,
    deals,
    demands,
    experts,
    interests,
    providers,
    registration,
)
from matchmaker.services.common_needs import answers, projects
from matchmaker.services.talent import needs as talent_needs
from matchmaker.services.talent import profiles as talent_profiles
from matchmaker.transaction import commit
from matchmaker.validators import credit_code_check_char

PASSWORD = "correct-horse-42"
SECRET = "factories-secret"  # signs the confirmation links the factories open themselves
_counter = itertools.count(1)


def credit_code(n: int) -> str:
    first17 = f"91500118{n:09d}"
    return first17 + credit_code_check_char(first17)


class Factories:
    def __init__(self, session: Session):
        self.session = session

    def _commit(self) -> None:
        commit(self.session)

    def admin(self, email: str | None = None) -> User:
        user = accounts.create_user(
            self.session, email or f"admin{next(_counter)}@example.cn", PASSWORD, "admin"
        )
        self._commit()
        return user

    def _register(
        self, role: str, name: str | None, email: str | None, region: str, **extra
    ) -> User:
        n = next(_counter)
        user = registration.register(
            self.session,
            RegistrationIn(
                email=email or f"{role}{n}@example.cn",
                password=PASSWORD,
                role=role,
                organization_name=name or f"测试{'设计' if role == 'provider' else '制造'}单位{n}",
                credit_code=credit_code(n),
                contact_name=f"联系人{n}",
                phone=f"1380000{n:04d}",
                region=region,
                **extra,
            ),
            {},  # no MAIL_SERVER: nothing is sent
            "http://matchmaker.test",
            SECRET,
        )
        # the registrant opens the link of the confirmation e-mail
        registration.confirm_email(
            self.session, registration.confirmation_token(user, SECRET), SECRET
        )
        self._commit()
        return user

    def enterprise(
        self, name: str | None = None, email: str | None = None, region: str = "yongchuan"
    ) -> User:
        return self._register("enterprise", name, email, region)

    def provider(
        self,
        name: str | None = None,
        email: str | None = None,
        region: str = "yongchuan",
        kind: str = "design-firm",
        level: str = "none",
        profile: bool = True,
        **fields,
    ) -> User:
        user = self._register("provider", name, email, region, kind=kind, level=level)
        if profile:
            body = {
                "name": user.organization.name,
                "kind": kind,
                "level": level,
                "region": region,
                "clusters": ["nev-ice"],
                "services": ["appearance-design"],
                "description": "专业工业设计服务",
                **fields,
            }
            providers.create_provider(self.session, user, body)
            self._commit()
        return user

    def demand(
        self,
        owner: User,
        status: str = DemandStatus.PUBLISHED,
        admin: User | None = None,
        **fields: Any,
    ) -> Demand:
        """A demand of ``owner`` brought to ``status`` the way users get it there.

        ``in_negotiation``: a new provider's interest, accepted by the owner; ``closed``:
        published, then withdrawn by the owner. Any other status is an error.
        """
        if status not in DemandStatus.ALL:
            raise ValueError(f"no such demand status: {status!r}")
        body = {
            "title": "新能源汽车外观设计",
            "description": "需要一套整车外观造型方案",
            "cluster": "nev-ice",
            "services": ["appearance-design"],
            "region": "yongchuan",
            "budget_min": 100000,
            "budget_max": 300000,
            "deadline": "2030-12-31",
            **fields,
        }
        wanted = DemandStatus.DRAFT if status == DemandStatus.DRAFT else DemandStatus.IN_REVIEW
        demand = demands.create_demand(self.session, owner, body, status=wanted)
        if status == DemandStatus.REJECTED:
            demands.reject(self.session, admin or self._any_admin(), demand.id, "信息不完整")
        elif status not in (DemandStatus.DRAFT, DemandStatus.IN_REVIEW):
            demands.approve(self.session, admin or self._any_admin(), demand.id)
        self._commit()
        if status == DemandStatus.IN_NEGOTIATION:
            interest = self.interest(self.provider(), demand)
            interests.accept(self.session, owner, interest.id)
        elif status == DemandStatus.CLOSED:
            demands.withdraw(self.session, owner, demand.id)
        self._commit()
        assert demand.status == status, (demand.status, status)
        return demand

    def interest(self, provider_user: User, demand: Demand, **fields: Any) -> Interest:
        body = {"message": "我们有丰富的相关经验", "price": 200000, "timeline_days": 60, **fields}
        interest = interests.express(self.session, provider_user, demand.id, body)
        self._commit()
        return interest

    def won_deal(
        self,
        provider_user: User,
        owner: User,
        demand: Demand,
        contract_value: int = 200000,
        start_date: str | None = None,
    ) -> Interest:
        """An interest of ``provider_user`` that ``owner`` accepted and closed as a deal."""
        interest = self.interest(provider_user, demand)
        interests.accept(self.session, owner, interest.id)
        deals.close(
            self.session,
            owner,
            interest.id,
            {
                "contract_value": contract_value,
                "start_date": start_date or local_today().isoformat(),
            },
        )
        self._commit()
        return interest

    def expert(self, name: str, email: str, by: User | None = None, **fields: Any) -> Expert:
        """An expert admitted directly (by ``by``, else any administrator), for the motor
        industry's exterior design in Yongchuan unless ``fields`` say otherwise."""
        body = {
            "name": name,
            "email": email,
            "password": PASSWORD,
            "clusters": ["nev-ice"],
            "services": ["appearance-design"],
            "region": "yongchuan",
            **fields,
        }
        expert = experts.admit_directly(self.session, by or self._any_admin(), body)
        self._commit()
        return expert

    def _any_admin(self) -> User:
        existing = self.session.query(User).filter(User.role == "admin").first()
        return existing or self.admin()

    def provider_profile(self, user: User) -> Provider:
        return user.organization.provider

    def designer(self, name: str | None = None, profile: bool = True, **fields: Any) -> User:
        """An individual designer with a listed talent profile (unless ``profile`` is False)."""
        n = next(_counter)
        user = accounts.create_user(
            self.session, f"designer{n}@example.cn", PASSWORD, "designer", name=name or f"设计师{n}"
        )
        user.phone = f"1390000{n:04d}"
        if profile:
            body = {
                "specialities": ["appearance-design"],
                "clusters": ["smart-equipment"],
                "years_experience": 5,
                "professional_title": "intermediate",
                "education": "bachelor",
                "region": "yongchuan",
                "bio": "从事装备外观设计",
                "availability": "available",
                **fields,
            }
            talent_profiles.create_profile(self.session, user, body)
        self._commit()
        return user

    def talent_need(self, owner: User, **fields: Any) -> TalentNeed:
        body = {
            "title": "工业设计师",
            "description": "负责装备产品的外观设计",
            "specialities": ["appearance-design"],
            "clusters": ["smart-equipment"],
            "region": "yongchuan",
            "headcount": 1,
            "salary_min": 8000,
            "salary_max": 15000,
            **fields,
        }
        need = talent_needs.create_need(self.session, owner, body)
        self._commit()
        return need

    def common_need(
        self,
        admin: User,
        demands: list[Demand],
        joined: list[User] = (),
        invited: list[User] = (),
        title: str = "头盔外观共性设计",
    ) -> CommonNeed:
        """A common-need project of ``demands`` (one cluster, different enterprises) that the
        ``joined`` enterprise users opted in to, the ``invited`` providers invited to."""
        need = projects.create(
            self.session,
            admin,
            {"demand_ids": [d.id for d in demands], "title": title, "brief": "共同委托一套方案",
             "threshold": 0.7},
        )  # fmt: skip
        for owner in joined:
            projects.respond(self.session, owner, need.id, {"join": True})
        for provider_user in invited:
            answers.invite(self.session, admin, need.id, provider_user.organization.provider.id)
        self._commit()
        return need
