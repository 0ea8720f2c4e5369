"""One error policy: the API's JSON shape under /api/, an HTML page elsewhere, and a crash
rolls back and says so without leaking details."""

import pytest


def _crash():
    raise RuntimeError("secret internals")


@pytest.mark.own_app  # adds routes
def test_unexpected_errors_are_500_in_both_shapes(app, client):
    app.add_url_rule("/api/v1/_crash", "api_crash", _crash)
    app.add_url_rule("/_crash", "page_crash", _crash)
    api = client.get("/api/v1/_crash")
    assert api.status_code == 500
    assert api.get_json()["error"]["code"] == "internal_error"
    assert "secret" not in api.get_data(as_text=True)
    page = client.get("/_crash")
    assert page.status_code == 500 and page.mimetype == "text/html"
    assert "secret" not in page.get_data(as_text=True)


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
