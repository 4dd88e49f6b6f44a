"""What needs no provider: names, errors, parameters, tokens and their files."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys

import pytest

import authtoken
from authtoken import (
    AuthError, Format, InvalidArgument, InvalidGrant, IO, OAuth2Parameters, OpenIDParameters,
    JWTParameters, Option, Protocol, Result, Token, AccessDenied,
)


def test_version_and_result_names() -> None:
    assert authtoken.version().count(".") == 2
    assert authtoken.result_name(Result.INVALID_GRANT) == "AUTH_ERROR_INVALID_GRANT"
    assert authtoken.result_name(0) == "AUTH_OK"
    assert authtoken.result_name(12345) == "AUTH_ERROR_UNKNOWN"


def test_result_values_are_the_contract() -> None:
    assert [int(r) for r in Result] == list(range(0, 18)) + [99]
    assert authtoken.IdToken.code == Result.ID_TOKEN == 12
    assert issubclass(authtoken.Network, AuthError)


def test_the_tables_are_the_librarys() -> None:
    """The generated tables (_tables.py, from the header) name what the loaded library knows:
    every option number it accepts, and no other, is an Option with its attribute; every
    result has the library's name."""
    from authtoken._native import lib

    with OpenIDParameters() as p:
        accepted = {n for n in range(0, 200) if lib.auth_params_set(p.handle, n, None) == 0}
        assert accepted == {int(o) for o in Option}
        for option in Option:
            setattr(p, option.name.lower(), None)  # an attribute for each: resets it
    for r in Result:
        assert authtoken.result_name(r) == ("AUTH_OK" if r == 0 else f"AUTH_ERROR_{r.name}")
        if r != 0:
            cls = getattr(authtoken, "".join(w.capitalize() for w in r.name.split("_")).replace("Oauth", "OAuth").replace("Io", "IO"))
            assert issubclass(cls, AuthError) and cls.code == r


def test_params_validate_on_set() -> None:
    with OAuth2Parameters(client_id="c", auth_url="https://id.example.com/auth") as p:
        assert p.client_id == "c"
        with pytest.raises(InvalidArgument) as e:
            p.token_url = "http://id.example.com/token"  # plain http off loopback
        assert e.value.code == Result.INVALID_ARGUMENT == 1
        assert "http" in e.value.message
        p.token_url = "http://127.0.0.1:8080/token"
        assert p.token_url == "http://127.0.0.1:8080/token"
        p.token_url = None  # back to the default
        assert p.token_url is None
        with pytest.raises(InvalidArgument):
            p.pkce = "md5"
        p.login_timeout = 30
        assert p.login_timeout == 30


def test_secrets_are_write_only() -> None:
    p = OpenIDParameters(client_id="c", client_secret="s3cret")
    assert p.client_secret is None
    assert "s3cret" not in repr(p)


def test_unknown_keyword_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        OpenIDParameters(client_idd="c")  # type: ignore[arg-type]


def test_jwt_parameters_take_a_key_file() -> None:
    key = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "provider", "keys", "client-rsa.pem")
    p = JWTParameters(client_id="jwt-service", jwt_private_key=key, jwt_key_id="client-rsa")
    p.set(Option.JWT_ALGORITHM, "RS256")
    with pytest.raises(AuthError):
        p.set(Option.JWT_PRIVATE_KEY, "/nonexistent/key.pem")


def test_import_token_and_errors() -> None:
    t = authtoken.import_token('{"access_token":"abc","token_type":"Bearer","expires_in":3600,"scope":"a b"}')
    assert t.value == "abc"
    assert t.is_valid and bool(t)
    assert t.scope == "a b"
    assert t.authorization_header == "Bearer abc"
    assert t.refresh_token == ""
    assert t.expires_within(4000) and not t.expires_within(60)
    no_exp = authtoken.import_token({"access_token": "x"})
    assert no_exp.expiration is None and no_exp.expiration_timestamp == 0 and no_exp.is_valid
    with pytest.raises(InvalidGrant) as e:
        authtoken.import_token({"error": "invalid_grant", "error_description": "no"})
    assert e.value.oauth_error == "invalid_grant" and e.value.code == 7
    with pytest.raises(AccessDenied):
        authtoken.import_token({"error": "access_denied"})
    with pytest.raises(Protocol):
        authtoken.import_token("not json")
    with pytest.raises(Protocol):
        authtoken.import_token({"token_type": "Bearer"})


def test_serialize_save_load(tmp_path) -> None:  # type: ignore[no-untyped-def]
    t = authtoken.import_token({"access_token": "abc", "refresh_token": "r1", "expires_in": 60})
    data = t.serialize()
    again = Token.deserialize(data)
    assert (again.value, again.refresh_token, again.expiration) == ("abc", "r1", t.expiration)
    path = tmp_path / "sub" / "AuthSession.bin"
    t.save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    loaded = Token.load(str(path))
    assert loaded.refresh_token == "r1"
    with pytest.raises(Format):
        Token.deserialize(data[:-3])
    with pytest.raises(IO) as e:
        Token.load(tmp_path / "missing.bin")
    assert e.value.code == Result.IO
    loaded.close()
    with pytest.raises(ValueError):
        loaded.value  # closed


def test_log_callback_hears_lines() -> None:
    lines = []
    authtoken.set_log_callback(lambda level, msg: lines.append((level, msg)), 4)
    try:
        with pytest.raises(AuthError):
            authtoken.import_token("{}")
    finally:
        authtoken.set_log_callback(None)
    # Logging is best effort: what matters is that installing and removing does not crash
    # and that any line heard is well formed.
    assert all(1 <= level <= 4 and isinstance(msg, str) for level, msg in lines)


def _session_without_revocation(tmp_path):  # type: ignore[no-untyped-def]
    """A session whose token no endpoint can revoke: OAuth 2.0 parameters with none set."""
    params = OAuth2Parameters(client_id="c")
    token = authtoken.import_token({"access_token": "a", "refresh_token": "r"}, params)
    path = tmp_path / "session.token"
    token.save(path)
    return params, authtoken.Session(params, path), path


def test_logout_that_revokes_nothing_is_a_logging_warning(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A fresh interpreter with logging left unconfigured, as a user's script: the warning
    # reaches the "authtoken" logger by default, and Python prints it on stderr.
    script = (
        "import authtoken\n"
        "params = authtoken.OAuth2Parameters(client_id='c')\n"
        "token = authtoken.import_token({'access_token': 'a', 'refresh_token': 'r'}, params)\n"
        f"token.save({str(tmp_path / 'session.token')!r})\n"
        f"with authtoken.Session(params, {str(tmp_path / 'session.token')!r}) as s:\n"
        "    s.logout()\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert not (tmp_path / "session.token").exists()
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.stderr
    assert "grant is still live at the provider" in lines[0]
    assert "set AUTH_OPT_REVOCATION_URL or AUTH_OPT_CONFIGURATION_URL" in lines[0]


def test_thread_log_callback_hears_this_threads_lines_only(tmp_path) -> None:  # type: ignore[no-untyped-def]
    heard: list = []  # type: ignore[type-arg]
    params, session, _ = _session_without_revocation(tmp_path)
    authtoken.set_thread_log_callback(lambda level, msg: heard.append((level, msg)), 2)
    try:
        with params, session:
            session.logout()
    finally:
        authtoken.set_thread_log_callback(None)
    assert [level for level, _ in heard] == [2], heard
    assert "grant is still live" in heard[0][1]
def test_store_urls_pass_through_and_the_store_key_applies(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A malformed store URL is refused by the library, whatever the binding.
    svc = OAuth2Parameters(client_id="app", token_url="http://127.0.0.1:9/token")
    for bad in ("redis://127.0.0.1:6379/", "redis://127.0.0.1/?key=a&lease=0", "file:relative"):
        with pytest.raises(InvalidArgument):
            authtoken.Session(svc, bad)
    # A file: URL reaches the file.
    path = tmp_path / "clear.token"
    authtoken.import_token({"access_token": "in-the-file", "expires_in": 600}).save(path)
    with authtoken.Session(svc, f"file://{path}") as s:
        assert s.token(60).value == "in-the-file"
    # With a store key, a token stored in clear is no token (a login would replace it).
    key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
    sealed = OAuth2Parameters(client_id="app", token_url="http://127.0.0.1:9/token", store_key=key)
    with pytest.raises(InvalidArgument):
        sealed.store_key = "not a key"
    before = path.read_bytes()
    with authtoken.Session(sealed, f"file://{path}") as s:
        with pytest.raises(AuthError):
            s.token(60)  # no login possible here
    assert path.read_bytes() == before
