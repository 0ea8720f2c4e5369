"""API calls speak the language of Accept-Language only (zh by default)."""

from __future__ import annotations

import re

from .conftest import demand_body, error_of

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_messages_follow_accept_language(api, make):
    zh = error_of(api.get("/providers"), 401, "unauthorized")["message"]
    en = error_of(api.get("/providers", lang="en-US,en;q=0.8"), 401, "unauthorized")["message"]
    assert HAN.search(zh)
    assert not HAN.search(en), en


def test_validation_messages_in_english(api, make):
    error = error_of(
        api.post("/demands", make.enterprise(), lang="en", json=demand_body(cluster="造火箭")),
        422,
        "validation_error",
    )
    assert "造火箭" in error["fields"]["cluster"][0]  # the offending value, as sent
    assert not HAN.search(error["fields"]["cluster"][0].replace("造火箭", ""))
    assert not HAN.search(error["message"])


def test_unsupported_language_falls_back_to_chinese(api, make):
    make.provider()
    facets = api.get("/providers", make.enterprise(), lang="fr-FR").get_json()["facets"]
    assert facets["region"][0]["label"] == "永川区"
    assert HAN.search(error_of(api.get("/providers", lang="fr"), 401, "unauthorized")["message"])


def test_web_session_language_does_not_leak_into_the_api(api, client, make):
    make.provider()
    with client.session_transaction() as session:
        session["locale"] = "en"
    user = make.enterprise()
    zh = api.get("/providers", user).get_json()["facets"]["cluster"]
    assert zh[0]["label"] == "智能网联新能源汽车"
    en = api.get("/providers", user, lang="en").get_json()["facets"]["cluster"]
    assert en[0]["label"] == "Intelligent Connected New Energy Vehicles"
    assert (
        api.get("/providers", user).get_json()["facets"]["cluster"][0]["label"]
        == "智能网联新能源汽车"
    )
