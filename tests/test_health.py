"""The health check and the security headers every response carries."""


def test_healthz_reports_ok_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_every_response_carries_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_load_bootstrap_from_this_server_not_a_cdn(client):
    html = client.get("/login").get_data(as_text=True)
    assert "/bootstrap/static/css/bootstrap.min.css" in html
    assert "cdn" not in html.lower()
    with client.get("/bootstrap/static/css/bootstrap.min.css") as css:
        assert css.status_code == 200 and b".btn" in css.data


def test_unknown_page_shows_the_apps_own_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
