"""The calls that talk to the provider. Each blocks the calling thread (the GIL is released
while the library works, so other Python threads run)."""

from __future__ import annotations

import ctypes
import json
from typing import Any, Dict, List, Mapping, Optional, Union

from ._native import arg, lib
from .errors import check
from .identity import Identity
from .params import Parameters, call_with_params
from .token import Token


def _take_string(ptr: Any) -> str:
    try:
        return ctypes.string_at(ptr).decode("utf-8") if ptr else ""
    finally:
        lib.auth_string_free(ptr)


def identify(params: Parameters) -> Token:
    """``AuthIdentify``: a token as the parameters say (browser login on a loopback redirect,
    device flow, CIBA, client credentials, JWT bearer). Blocks until done, ``login_timeout`` or
    :meth:`Parameters.cancel`."""
    out = ctypes.c_void_p()
    call_with_params(params, lambda: lib.auth_identify(params.handle, ctypes.byref(out)))
    return Token(out.value or 0)


def verify_authentication(params: Parameters) -> Token:
    """``AuthVerifyAuthentication``: a silent login (``prompt=none``)."""
    out = ctypes.c_void_p()
    call_with_params(
        params, lambda: lib.auth_verify_authentication(params.handle, ctypes.byref(out))
    )
    return Token(out.value or 0)


def step_up(params: Parameters, www_authenticate: str) -> Token:
    """Step-up authentication (RFC 9470): signs the user in again as a resource server's
    ``WWW-Authenticate`` value asks (its ``acr_values`` and ``max_age`` replace the
    parameters'); the new ID token must meet them (else :class:`IdToken`). A value that asks
    for no step-up raises :class:`InvalidArgument`."""
    out = ctypes.c_void_p()
    call_with_params(
        params, lambda: lib.auth_step_up(params.handle, arg(www_authenticate), ctypes.byref(out))
    )
    return Token(out.value or 0)


def parse_challenge(www_authenticate: str) -> List[Dict[str, Any]]:
    """A ``WWW-Authenticate`` value (RFC 9110 §11.6.1) as a list of challenges:
    ``[{"scheme": "Bearer", "params": {"error": "..."}}]``, or ``{"scheme": "Basic",
    "token68": "..."}`` for a token68 challenge. Not a challenge list: :class:`InvalidArgument`."""
    out = ctypes.POINTER(ctypes.c_char)()
    check(lib.auth_parse_challenge(arg(www_authenticate), ctypes.byref(out)))
    parsed: List[Dict[str, Any]] = json.loads(_take_string(out))
    return parsed


def exchange_token(
    params: Parameters, subject_token: str, subject_token_type: Optional[str] = None
) -> Token:
    """Token exchange (RFC 8693): ``subject_token`` (of ``subject_token_type``, default an
    access token) for a new token, with the parameters' client, scope, ``audience``,
    ``requested_token_type`` and ``actor_token``. :attr:`Token.issued_token_type` says what
    was issued."""
    out = ctypes.c_void_p()
    check(
        lib.auth_exchange_token(
            params.handle, arg(subject_token), arg(subject_token_type), ctypes.byref(out)
        )
    )
    return Token(out.value or 0)


def refresh_token(token: Token) -> Token:
    """``AuthRefreshToken``: a new token from the token's refresh token (no params needed:
    the token carries its client and endpoints). The old token stays valid as an object."""
    out = ctypes.c_void_p()
    check(lib.auth_refresh_token(token.handle, ctypes.byref(out)))
    return Token(out.value or 0)


def revoke_token(token: Token) -> None:
    """``AuthRevokeToken`` (RFC 7009)."""
    check(lib.auth_revoke_token(token.handle))


def introspect_token(token: Token) -> Dict[str, Any]:
    """``AuthIntrospectToken`` (RFC 7662): the provider's answer, parsed."""
    out = ctypes.POINTER(ctypes.c_char)()
    check(lib.auth_introspect_token(token.handle, ctypes.byref(out)))
    answer = _take_string(out)
    return json.loads(answer) if answer else {}


def logout(token: Token, params: Optional[Parameters] = None) -> None:
    """``AuthLogout``: ends the user's session at the provider in the browser. With
    ``params``, its open-URL callback, redirect URL and login timeout are used."""
    if params is None:
        check(lib.auth_logout(token.handle))
    else:
        call_with_params(params, lambda: lib.auth_logout_with_params(params.handle, token.handle))


def import_token(
    answer: Union[str, bytes, Mapping[str, Any]], params: Optional[Parameters] = None
) -> Token:
    """``AuthImportToken``: a token from a token endpoint answer obtained some other way
    (JSON text, form-encoded text, or a dict). With ``params`` it can be refreshed."""
    if isinstance(answer, Mapping):
        answer = json.dumps(dict(answer))
    out = ctypes.c_void_p()
    check(
        lib.auth_import_token(
            params.handle if params is not None else None, arg(answer), ctypes.byref(out)
        )
    )
    return Token(out.value or 0)


def create_jwt_assertion(params: Parameters) -> str:
    """A signed client or grant assertion (the JWT text) made from the ``jwt_*`` options."""
    out = ctypes.POINTER(ctypes.c_char)()
    check(lib.auth_create_jwt_assertion(params.handle, ctypes.byref(out)))
    return _take_string(out)


def read_identity(token: Token) -> Identity:
    """``OpenIDReadIdentity``: the ID token's claims merged with the userinfo answer."""
    out = ctypes.c_void_p()
    check(lib.auth_read_identity(token.handle, ctypes.byref(out)))
    return Identity(out.value or 0)


def get_user_info(token: Token) -> Identity:
    """``AuthGetUserInfo``: the userinfo endpoint's answer only."""
    out = ctypes.c_void_p()
    check(lib.auth_get_user_info(token.handle, ctypes.byref(out)))
    return Identity(out.value or 0)
