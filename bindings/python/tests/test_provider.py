"""Against a real oidc-provider: identity, refresh, revocation, introspection, logins."""

from __future__ import annotations

import json
import threading
import urllib.parse

import pytest

import authtoken
from authtoken import (
    AuthError, Cancelled, InvalidClient, InvalidGrant, Login, OAuth2Parameters,
    OpenIDParameters, JWTParameters, Result, Session, StateMismatch, Token,
)
from provider import UserInBrowser, UserOnDevice, first_token_json, login_over_http, provider_key

SCOPE = "openid profile email offline_access"


def public_params(provider, **extra) -> OpenIDParameters:  # type: ignore[no-untyped-def]
    return OpenIDParameters(
        client_id="public-app",
        configuration_url=provider.issuer,
        scope=SCOPE,
        redirect_url="http://127.0.0.1:0/callback",
        login_timeout=30,
        http_timeout=10,
        **extra,
    )


def imported_token(provider) -> Token:  # type: ignore[no-untyped-def]
    """A first token obtained without the library, imported with its params."""
    with public_params(provider) as params:
        return authtoken.import_token(first_token_json(provider), params)


def test_read_identity_of_an_imported_token(provider) -> None:  # type: ignore[no-untyped-def]
    token = imported_token(provider)
    assert token.is_valid and token.refresh_token and token.id_token.count(".") == 2
    me = authtoken.read_identity(token)
    assert me.is_valid
    assert me.subject == "alice"
    assert me.email == "alice@example.com"
    assert (me.first_name, me.last_name, me.name) == ("Test", "alice", "Test alice")
    assert me.claim("email_verified") == "true"
    assert me.claim("no_such_claim") is None
    assert json.loads(me.source)["sub"] == "alice" == me["sub"]
    info = authtoken.get_user_info(token)
    assert info.subject == "alice" and info.id_token == ""


def test_userinfo_refuses_a_bad_access_token(provider) -> None:  # type: ignore[no-untyped-def]
    with OAuth2Parameters(client_id="public-app", userinfo_url=provider.issuer + "/me") as p:
        bogus = authtoken.import_token({"access_token": "not-a-real-token"}, p)
    with pytest.raises(AuthError) as e:
        authtoken.get_user_info(bogus)
    assert e.value.code == Result.OAUTH
    assert e.value.oauth_error == "invalid_token"
    assert e.value.http_status == 401


def test_refresh_keeps_the_old_token_and_rotates(provider) -> None:  # type: ignore[no-untyped-def]
    token = imported_token(provider)
    fresh = authtoken.refresh_token(token)
    assert fresh.value != token.value and fresh.is_valid
    assert fresh.refresh_token and fresh.refresh_token != token.refresh_token  # rotation
    assert token.value  # the old object stays usable
    # Serialized, then refreshed with no params, as the WLanguage example does.
    again = Token.deserialize(fresh.serialize()).refresh()
    assert again.is_valid
    # Reusing a rotated refresh token: the user must sign in again.
    with pytest.raises(InvalidGrant) as e:
        authtoken.refresh_token(token)
    assert e.value.oauth_error == "invalid_grant" and e.value.http_status == 400


def test_not_refreshable(provider) -> None:  # type: ignore[no-untyped-def]
    t = authtoken.import_token({"access_token": "abc"})
    with pytest.raises(authtoken.NotRefreshable):
        authtoken.refresh_token(t)


def test_introspect_then_revoke(provider) -> None:  # type: ignore[no-untyped-def]
    with OpenIDParameters(client_id="conf-post", client_secret="post-secret-123",
                          configuration_url=provider.issuer, scope=SCOPE) as p:
        token = authtoken.import_token(
            first_token_json(provider, "conf-post", "post-secret-123"), p)
    assert authtoken.introspect_token(token)["active"] is True
    authtoken.revoke_token(token)
    assert authtoken.introspect_token(token)["active"] is False


def test_client_credentials(provider) -> None:  # type: ignore[no-untyped-def]
    with OAuth2Parameters(client_id="service", client_secret="service-secret-123",
                          token_url=provider.token_endpoint, flow="client_credentials",
                          scope="api:read") as p:
        token = authtoken.identify(p)
    assert token.is_valid and token.scope == "api:read" and token.refresh_token == ""


def test_wrong_secret_is_invalid_client(provider) -> None:  # type: ignore[no-untyped-def]
    with OAuth2Parameters(client_id="service", client_secret="wrong",
                          token_url=provider.token_endpoint, flow="client_credentials") as p:
        with pytest.raises(InvalidClient) as e:
            authtoken.identify(p)
    assert e.value.oauth_error == "invalid_client" and e.value.http_status == 401


def test_jwt_bearer_grant(provider) -> None:  # type: ignore[no-untyped-def]
    with JWTParameters(client_id="jwt-service", token_url=provider.token_endpoint,
                       jwt_private_key=provider_key("client-rsa.pem"), jwt_key_id="client-rsa",
                       jwt_subject="robot", scope="api:read") as p:
        assertion = authtoken.create_jwt_assertion(p)
        assert assertion.count(".") == 2
        token = authtoken.identify(p)
    assert token.is_valid and token.scope == "api:read"


def test_full_login_with_the_user_over_http(provider) -> None:  # type: ignore[no-untyped-def]
    user = UserInBrowser("alice")
    with public_params(provider, open_url=user) as params:
        token = authtoken.identify(params)
    user.join()
    assert len(user.urls) == 1
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(user.urls[0]).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"][0] and query["nonce"][0]
    assert token.is_valid and token.refresh_token
    assert authtoken.read_identity(token).subject == "alice"


def test_open_url_refusing_cancels(provider) -> None:  # type: ignore[no-untyped-def]
    with public_params(provider, open_url=lambda url: False) as params:
        with pytest.raises(Cancelled):
            authtoken.identify(params)

    def boom(url: str) -> None:
        raise RuntimeError("no browser here")

    with public_params(provider, open_url=boom) as params:
        with pytest.raises(Cancelled) as e:
            authtoken.identify(params)
    assert isinstance(e.value.__cause__, RuntimeError)


def test_cancel_from_another_thread(provider) -> None:  # type: ignore[no-untyped-def]
    with public_params(provider) as params:
        params.set_open_url(lambda url: threading.Timer(0.2, params.cancel).start())
        with pytest.raises(Cancelled) as e:
            authtoken.identify(params)
    assert e.value.code == Result.CANCELLED == 10


def test_two_step_login(provider) -> None:  # type: ignore[no-untyped-def]
    with public_params(provider) as params:
        params.redirect_url = "http://127.0.0.1:9/callback"
        with Login(params) as login:
            redirect = login_over_http(login.url)
            forged = redirect.replace("state=", "state=x")
            with pytest.raises(StateMismatch):
                login.complete(forged)
            token = login.complete(redirect)
    assert token.is_valid and token.id_token


def test_seed_example(provider, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The WLanguage AuthRefreshToken example, twice: a login, then a refresh from the file."""
    path = tmp_path / "AuthSession.bin"
    user = UserInBrowser("alice")

    def seed() -> str:
        params = OpenIDParameters(
            client_id="public-app", configuration_url=provider.issuer, scope=SCOPE,
            redirect_url="http://127.0.0.1:0/callback", open_url=user, login_timeout=30)
        token = None
        if path.exists():
            try:
                token = Token.load(path)
                # Expired or expiring within the minute, and refreshable?
                if token.expires_within(60) and token.refresh_token:
                    token = authtoken.refresh_token(token)
                    token.save(path)
            except AuthError as e:
                print("Saved session is invalid:", e)
                token = None
        if token is None or not token.is_valid:
            token = authtoken.identify(params)
            token.save(path)
        identity = authtoken.read_identity(token)
        return f"Connection OK: {identity.source}"

    first = seed()
    assert len(user.urls) == 1 and '"sub":"alice"' in first.replace(" ", "")
    second = seed()  # the saved token is still valid: no login, no refresh
    assert len(user.urls) == 1 and second == first
    # Make the saved token expire within the minute: the example refreshes it.
    stats_before = provider.stats()["refresh"]
    soon = authtoken.import_token(
        {**Token.load(path).server_response_json(), "expires_in": 30},
        OpenIDParameters(client_id="public-app", configuration_url=provider.issuer))
    soon.save(path)
    seed()
    assert provider.stats()["refresh"] == stats_before + 1 and len(user.urls) == 1
    user.join()


def test_session(provider, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "session.bin"
    user = UserInBrowser("alice")
    changed = []
    with public_params(provider, open_url=user) as params:
        with Session(params, path, on_token_changed=changed.append) as session:
            token = session.token(60)
            assert token.is_valid and path.exists()
            assert len(changed) == 1 and changed[0].value == token.value
            assert session.token(60).value == token.value  # still fresh: no new login
            assert len(user.urls) == 1
            # Longer than the token lives: refreshed, no login.
            longer = session.token(7200)
            assert longer.value != token.value and len(user.urls) == 1 and len(changed) == 2
            session.logout()
            assert not path.exists()
    user.join()


def test_log_hears_http_exchanges_without_secrets(provider) -> None:  # type: ignore[no-untyped-def]
    lines = []
    authtoken.set_log_callback(lambda level, message: lines.append((level, message)), 4)
    try:
        with OpenIDParameters(client_id="conf-post", client_secret="post-secret-123",
                              configuration_url=provider.issuer, scope=SCOPE) as p:
            token = authtoken.import_token(
                first_token_json(provider, "conf-post", "post-secret-123"), p)
        authtoken.refresh_token(token)
    finally:
        authtoken.set_log_callback(None)
    assert any("/token" in m for _, m in lines), lines[:5]
    assert all(1 <= level <= 4 for level, _ in lines)
    assert not any("post-secret-123" in m or token.refresh_token in m for _, m in lines)


def test_device_flow_with_the_user_on_another_device(provider) -> None:  # type: ignore[no-untyped-def]
    user = UserOnDevice("bob")
    with OpenIDParameters(client_id="public-app", configuration_url=provider.issuer,
                          scope="openid profile", flow="device", login_timeout=60,
                          device_prompt=user) as params:
        token = authtoken.identify(params)
    user.join()
    assert len(user.prompts) == 1
    prompt = user.prompts[0]
    assert prompt.user_code and prompt.verification_uri.startswith(provider.issuer)
    assert prompt.user_code in prompt.verification_uri_complete and prompt.expires_in > 0
    assert authtoken.read_identity(token).subject == "bob"


def test_silent_login_needs_the_user(provider) -> None:  # type: ignore[no-untyped-def]
    user = UserInBrowser("alice")
    with public_params(provider, open_url=user) as params:
        with pytest.raises(authtoken.AccessDenied) as e:
            authtoken.verify_authentication(params)
    user.join()
    assert "prompt=none" in user.urls[0]
    assert e.value.oauth_error in ("login_required", "consent_required", "interaction_required")


def test_open_session_logs_in_once_then_reuses_the_file(provider, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "open.bin"
    user = UserInBrowser("alice")
    with public_params(provider, open_url=user) as params:
        first = authtoken.open_session(params, path)
        again = authtoken.open_session(params, path)
    user.join()
    assert len(user.urls) == 1 and first.value == again.value and path.exists()


def test_logout_in_the_browser(provider) -> None:  # type: ignore[no-untyped-def]
    user = UserInBrowser("alice")
    with public_params(provider, open_url=user) as params:
        token = authtoken.identify(params)
        authtoken.logout(token, params)
    user.join()
    assert len(user.urls) == 2
    end = urllib.parse.urlsplit(user.urls[1])
    query = urllib.parse.parse_qs(end.query)
    assert end.path.endswith("/session/end")
    assert query["id_token_hint"] == [token.id_token]
    assert query["post_logout_redirect_uri"][0].startswith("http://127.0.0.1:")


def test_parallel_refreshes_release_the_gil(provider) -> None:  # type: ignore[no-untyped-def]
    from concurrent.futures import ThreadPoolExecutor

    tokens = [imported_token(provider) for _ in range(3)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        fresh = list(pool.map(authtoken.refresh_token, tokens))
    assert len({t.value for t in fresh}) == 3 and all(t.is_valid for t in fresh)


def test_device_prompt_refusing_cancels(provider) -> None:  # type: ignore[no-untyped-def]
    with OpenIDParameters(client_id="public-app", configuration_url=provider.issuer,
                          flow="device", device_prompt=lambda prompt: False) as params:
        with pytest.raises(Cancelled):
            authtoken.identify(params)
