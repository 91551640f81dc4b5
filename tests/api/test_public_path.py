"""The public estimate path, made cheaper (docs/performance.md, "second pass"), answers exactly as before."""

from __future__ import annotations

from .test_languages import ESTIMATE


def _answer(client, path="/api/v1/estimates", **headers):
    client._cookies.clear()  # each answer on its own: no cookie left by an earlier one
    response = client.post(path, json=ESTIMATE, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response


def test_no_session_is_opened_or_saved_for_an_api_client(client):
    plain = _answer(client)
    assert "Set-Cookie" not in plain.headers
    assert "Cookie" not in plain.headers.get("Vary", "")
    # An unrelated cookie, or a session cookie that does not verify, changes nothing in the answer.
    for cookie in ("theme=dark", "session=not-a-signed-value", "session="):
        other = _answer(client, Cookie=cookie)
        assert other.data == plain.data
        assert "Set-Cookie" not in other.headers
        assert "Cookie" not in other.headers.get("Vary", "")


def test_the_language_is_read_from_the_query_then_the_header(client):
    def language(path="/api/v1/estimates", **headers):
        return _answer(client, path, **headers).headers["Content-Language"]

    assert language() == "tr"
    assert language(**{"Accept-Language": "en-GB,en;q=0.9"}) == "en"
    assert language(**{"Accept-Language": "de, en;q=0.5, tr;q=0.8"}) == "tr"
    assert language("/api/v1/estimates?lang=en", **{"Accept-Language": "tr"}) == "en"
    assert language("/api/v1/estimates?lang=tr", **{"Accept-Language": "en"}) == "tr"
    assert language("/api/v1/estimates?lang=xx", **{"Accept-Language": "en"}) == "en"
    # The same words as before in each: the English answer is the English one, whichever way it was asked.
    assert _answer(client, "/api/v1/estimates?lang=en").data == _answer(client, **{"Accept-Language": "en"}).data
