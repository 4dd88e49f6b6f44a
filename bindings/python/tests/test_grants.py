"""Token exchange, CIBA, step-up and challenges against a real oidc-provider with the
token-exchange grant, CIBA (interval 1 s) and two acr values."""

from __future__ import annotations

import json
import threading
import urllib.parse
from typing import Any, Dict, Iterator, List

import pytest

import authtoken
from authtoken import AuthError, IdToken, InvalidArgument, InvalidGrant, OAuth2Parameters, OpenIDParameters
from provider import Provider, UserInBrowser, answer_ciba, first_token_json

ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
STEP_UP = 'Bearer realm="api", error="insufficient_user_authentication", '


@pytest.fixture(scope="module")
def grants() -> Iterator[Provider]:
    with Provider({"tokenExchange": True, "ciba": {"interval": 1},
                   "acrValues": ["urn:test:loa:1", "urn:test:loa:2"]}) as p:
        yield p


def test_parse_challenge() -> None:
    assert authtoken.parse_challenge(STEP_UP + 'acr_values="gold", Max_Age=5, Basic abc==') == [
        {"scheme": "Bearer", "params": {
            "realm": "api", "error": "insufficient_user_authentication",
            "acr_values": "gold", "max_age": "5"}},
        {"scheme": "Basic", "token68": "abc=="},
    ]
    with pytest.raises(InvalidArgument):
        authtoken.parse_challenge('realm="x"')


def test_exchange_token_then_refresh(grants: Provider) -> None:
    subject = json.loads(first_token_json(grants, "conf-post", "post-secret-123", "openid api:read"))
    with OAuth2Parameters(client_id="exchanger", client_secret="exchanger-secret-123",
                          client_auth="basic", token_url=grants.token_endpoint,
                          scope="api:read offline_access", audience="billing") as p:
        token = authtoken.exchange_token(p, subject["access_token"])
        assert token.issued_token_type == ACCESS_TOKEN_TYPE
        assert token.refresh_token and token.scope == "api:read offline_access"
        fresh = authtoken.Token.deserialize(token.serialize()).refresh()
        assert fresh.issued_token_type == ACCESS_TOKEN_TYPE and fresh.value != token.value
        with pytest.raises(InvalidGrant) as e:
            authtoken.exchange_token(p, "not-a-token", ACCESS_TOKEN_TYPE)
        assert e.value.oauth_error == "invalid_grant"
        p.actor_token_type = ACCESS_TOKEN_TYPE
        with pytest.raises(InvalidArgument):
            authtoken.exchange_token(p, subject["access_token"])


def test_ciba_approved_on_the_device(grants: Provider) -> None:
    with OpenIDParameters(client_id="ciba-app", client_secret="ciba-secret-123",
                          client_auth="basic", configuration_url=grants.issuer, flow="ciba",
                          login_hint="py-user", binding_message="PY-1", login_timeout=30) as p:
        result: Dict[str, Any] = {}

        def login() -> None:
            try:
                result["token"] = authtoken.identify(p)
            except AuthError as e:
                result["error"] = e

        t = threading.Thread(target=login)
        t.start()
        assert answer_ciba(grants, "py-user")["binding_message"] == "PY-1"
        t.join(30)
        assert "error" not in result, result
        assert authtoken.read_identity(result["token"]).subject == "py-user"


def test_ciba_denied(grants: Provider) -> None:
    with OpenIDParameters(client_id="ciba-app", client_secret="ciba-secret-123",
                          client_auth="basic", configuration_url=grants.issuer, flow="ciba",
                          login_hint="py-refuser", login_timeout=30) as p:
        errors: List[AuthError] = []

        def login() -> None:
            try:
                authtoken.identify(p)
            except AuthError as e:
                errors.append(e)

        t = threading.Thread(target=login)
        t.start()
        answer_ciba(grants, "py-refuser", "deny")
        t.join(30)
        assert isinstance(errors[0], authtoken.AccessDenied)


def test_step_up_in_the_browser(grants: Provider) -> None:
    user = UserInBrowser()
    with OpenIDParameters(client_id="conf-post", client_secret="post-secret-123",
                          configuration_url=grants.issuer,
                          redirect_url="http://127.0.0.1:0/callback", login_timeout=30,
                          open_url=user) as p:
        token = authtoken.step_up(p, STEP_UP + 'acr_values="urn:test:loa:2", max_age=60')
        user.join()
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(user.urls[0]).query)
        assert query["acr_values"] == ["urn:test:loa:2"] and query["max_age"] == ["60"]
        assert authtoken.read_identity(token).claim("acr") == "urn:test:loa:2"
        with pytest.raises(IdToken):
            authtoken.step_up(p, STEP_UP + 'acr_values="urn:test:loa:3"')
        user.join()
        with pytest.raises(InvalidArgument):
            authtoken.step_up(p, 'Bearer error="invalid_token"')
