"""Route matching of the admin API: path parameters are single, percent-decoded segments."""

from __future__ import annotations

from gateway.admin.api import _match, _segments


def test_session_ids_are_percent_decoded_path_segments() -> None:
    pattern = _segments("/sessions/{id}/logout")
    assert _match(pattern, _segments("/sessions/FIX.4.4%3AFIXGW-%3ELP1/logout")) == {
        "id": "FIX.4.4:FIXGW->LP1"}
    assert _match(pattern, _segments("/sessions/FIX.4.4:FIXGW->LP1/logout")) == {
        "id": "FIX.4.4:FIXGW->LP1"}


def test_an_encoded_slash_stays_inside_its_segment() -> None:
    assert _match(_segments("/orders/{id}"), _segments("/orders/A%2FB")) == {"id": "A/B"}


def test_literal_segments_and_lengths_must_agree() -> None:
    pattern = _segments("/breakers/{lp}/trip")
    assert _match(pattern, _segments("/breakers/LP1/reset")) is None
    assert _match(pattern, _segments("/breakers/LP1")) is None
    assert _match(pattern, _segments("/breakers//trip")) is None
    assert _match(_segments("/health"), _segments("/health/")) == {}
    assert _match(_segments("/health"), _segments("/")) is None
