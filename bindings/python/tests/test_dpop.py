"""DPoP, PAR and the options of sender-constrained tokens and authorization requests, against
a real oidc-provider with DPoP nonces required."""

from __future__ import annotations

import base64
import json
import urllib.parse
from typing import Iterator

import pytest

import authtoken
from authtoken import InvalidArgument, Login, OAuth2Parameters, OpenIDParameters, Token
from provider import Provider, login_over_http, provider_key


@pytest.fixture(scope="module")
def nonce_provider() -> Iterator[Provider]:
    with Provider({"dpopNonce": True}) as p:
        yield p


def claims(jwt: str) -> dict:
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_a_dpop_login_refreshes_with_its_key_and_signs_proofs(nonce_provider) -> None:  # type: ignore[no-untyped-def]
    with OpenIDParameters(
        client_id="public-app",
        configuration_url=nonce_provider.issuer,
        redirect_url="http://127.0.0.1:9/callback",
        scope="openid offline_access",
        additional_parameters="prompt=consent",
        dpop="on",
    ) as params:
        login = Login(params)
        query = urllib.parse.parse_qs(urllib.parse.urlparse(login.url).query)
        token = login.complete(login_over_http(login.url))
    assert token.token_type == "DPoP"
    assert token.authorization_header == f"DPoP {token.value}"
    assert query["dpop_jkt"] == [token.dpop_jkt]
    fresh = token.refresh()
    assert fresh.dpop_jkt == token.dpop_jkt
    assert Token.deserialize(fresh.serialize()).dpop_jkt == token.dpop_jkt
    assert authtoken.get_user_info(fresh).subject == "alice"
    proof = fresh.dpop_proof("POST", "https://api.example/pay?x=1", nonce="n-9")
    c = claims(proof)
    assert (c["htm"], c["htu"], c["nonce"]) == ("POST", "https://api.example/pay", "n-9")
    assert "ath" in c
    with pytest.raises(InvalidArgument):
        fresh.dpop_proof("GET", "relative/url")


def test_a_token_that_is_not_dpop_bound_has_no_key_or_proofs() -> None:
    token = authtoken.import_token('{"access_token":"plain"}')
    assert token.dpop_jkt == "" and token.authorization_details is None
    with pytest.raises(InvalidArgument):
        token.dpop_proof("GET", "https://api.example/")


def test_pushed_requests_and_options_checked_when_set(nonce_provider) -> None:  # type: ignore[no-untyped-def]
    with OpenIDParameters(
        client_id="par-app",
        configuration_url=nonce_provider.issuer,
        redirect_url="http://127.0.0.1:9/callback",
        par="on",
    ) as params:
        login = Login(params)
        assert list(urllib.parse.parse_qs(urllib.parse.urlparse(login.url).query)) == [
            "client_id",
            "request_uri",
        ]
    with OAuth2Parameters() as p:
        p.resource = "https://api.example/ urn:example:api"
        p.authorization_details = '[{"type":"account_information"}]'
        p.request_object = "signed"
        p.profile = "fapi2"
        p.dpop_key = provider_key("client-ec.pem")
        assert p.dpop_key is None, "write-only: the key stays in the library"
        for option, value in [
            ("resource", "https://api.example/#fragment"),
            ("authorization_details", "[{}]"),
            ("par", "sometimes"),
            ("dpop_key", provider_key("test-ca.pem")),
        ]:
            with pytest.raises(InvalidArgument):
                setattr(p, option, value)
