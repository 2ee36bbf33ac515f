"""Errors outside /api/ are the product's own Dutch pages in the site layout; the API keeps problem+json."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import InternalServerError

from tests.support import ApiClient


def test_missing_page_is_dutch_and_in_the_layout(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<html lang="nl">' in html and 'class="site-header"' in html
    assert "<h1 id=\"error-title\">Pagina niet gevonden</h1>" in html
    assert "Not Found" not in html and "requested URL" not in html

    api = client.get("/api/v1/bestaat-niet")
    assert api.status_code == 404 and api.mimetype == "application/problem+json"


def test_other_page_errors_are_dutch_too(app, make_user):
    worker, password = make_user("field_worker")
    client = ApiClient(app.test_client())
    client.login(worker.email, password)
    refused = client.get("/kaart")
    assert refused.status_code == 403 and "Geen toegang" in refused.get_data(as_text=True)
    wrong_method = app.test_client().delete("/login")
    assert wrong_method.status_code == 405 and "Dit kan hier niet" in wrong_method.get_data(as_text=True)
    assert "GET" in wrong_method.headers["Allow"]


@pytest.mark.parametrize("error", [RuntimeError("kapot"), InternalServerError()])
def test_server_error_page_is_dutch_and_leaks_nothing(app, error):
    def broken():
        raise error

    app.add_url_rule("/stuk", "stuk", broken)
    response = app.test_client().get("/stuk")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Er ging iets mis" in html and "kapot" not in html and "Traceback" not in html
