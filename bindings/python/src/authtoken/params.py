"""Parameters of a provider and a client: ``OAuth2Parameters``, ``OpenIDParameters``,
``JWTParameters`` (WLanguage's types of the same names)."""

from __future__ import annotations

import ctypes
import enum
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Union

from . import _native
from ._handle import NativeHandle
from ._native import arg, lib, text
from .errors import AuthError, check


class Kind(enum.IntEnum):
    OAUTH2 = 0
    OPENID = 1
    JWT = 2


class Option(enum.IntEnum):
    """``auth_option``: the values are fixed by the C contract."""

    CLIENT_ID = 1
    CLIENT_SECRET = 2
    AUTH_URL = 3
    TOKEN_URL = 4
    SCOPE = 5
    REDIRECT_URL = 6
    RESPONSE_TYPE = 7
    ADDITIONAL_PARAMETERS = 8
    CONFIGURATION_URL = 9
    CLIENT_AUTH = 10
    LOGIN_TIMEOUT = 11
    HTTP_TIMEOUT = 12
    FLOW = 13
    DEVICE_AUTH_URL = 14
    REVOCATION_URL = 15
    USERINFO_URL = 16
    PKCE = 17
    SUCCESS_PAGE = 18
    LOGOUT_URL = 19
    INTROSPECTION_URL = 20
    CLIENT_CERTIFICATE = 21
    CLIENT_CERTIFICATE_PASSWORD = 22
    JWT_PRIVATE_KEY = 23
    JWT_ALGORITHM = 24
    JWT_KEY_ID = 25
    JWT_ISSUER = 26
    JWT_SUBJECT = 27
    JWT_AUDIENCE = 28
    CA_FILE = 29
    PROXY = 30
    CLOCK_SKEW = 31
    ACR_VALUES = 40
    MAX_AGE = 41
    PROMPT = 42
    LOGIN_HINT = 43
    REQUESTED_TOKEN_TYPE = 44
    AUDIENCE = 45
    ACTOR_TOKEN = 46
    ACTOR_TOKEN_TYPE = 47
    CIBA_URL = 48
    BINDING_MESSAGE = 49


# Options whose values are not kept on the Python side (they live only in the library).
_SECRET = {
    Option.CLIENT_SECRET,
    Option.CLIENT_CERTIFICATE_PASSWORD,
    Option.JWT_PRIVATE_KEY,
    Option.ACTOR_TOKEN,
}

OptionValue = Union[str, int, "os.PathLike[str]", None]


@dataclass(frozen=True)
class DevicePrompt:
    """What the device flow asks the user to do."""

    verification_uri: str
    user_code: str
    verification_uri_complete: str
    expires_in: int


OpenUrl = Callable[[str], Optional[bool]]
DevicePromptCallback = Callable[[DevicePrompt], Optional[bool]]


class _OptionProperty:
    """A keyword/attribute backed by ``auth_params_set`` (validated by the library at once)."""

    def __init__(self, option: Option) -> None:
        self.option = option

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Optional["Parameters"], owner: type) -> Any:
        if obj is None:
            return self
        if self.option in _SECRET:
            return None  # write-only: secrets stay in the library
        return obj._values.get(self.option)

    def __set__(self, obj: "Parameters", value: OptionValue) -> None:
        obj.set(self.option, value)


class Parameters(NativeHandle):
    _free_function = "auth_params_free"
    _what = "parameters"
    """Base of the three kinds. Set options as keywords, attributes or with :meth:`set`;
    ``None`` puts an option back to its default. Once configured, may be shared by threads.
    Free it with :meth:`close` (or a ``with`` block); it is also freed when collected."""

    KIND: Kind = Kind.OAUTH2

    client_id = _OptionProperty(Option.CLIENT_ID)
    client_secret = _OptionProperty(Option.CLIENT_SECRET)
    auth_url = _OptionProperty(Option.AUTH_URL)
    token_url = _OptionProperty(Option.TOKEN_URL)
    scope = _OptionProperty(Option.SCOPE)
    redirect_url = _OptionProperty(Option.REDIRECT_URL)
    response_type = _OptionProperty(Option.RESPONSE_TYPE)
    additional_parameters = _OptionProperty(Option.ADDITIONAL_PARAMETERS)
    configuration_url = _OptionProperty(Option.CONFIGURATION_URL)
    client_auth = _OptionProperty(Option.CLIENT_AUTH)
    login_timeout = _OptionProperty(Option.LOGIN_TIMEOUT)
    http_timeout = _OptionProperty(Option.HTTP_TIMEOUT)
    flow = _OptionProperty(Option.FLOW)
    device_auth_url = _OptionProperty(Option.DEVICE_AUTH_URL)
    revocation_url = _OptionProperty(Option.REVOCATION_URL)
    userinfo_url = _OptionProperty(Option.USERINFO_URL)
    pkce = _OptionProperty(Option.PKCE)
    success_page = _OptionProperty(Option.SUCCESS_PAGE)
    logout_url = _OptionProperty(Option.LOGOUT_URL)
    introspection_url = _OptionProperty(Option.INTROSPECTION_URL)
    client_certificate = _OptionProperty(Option.CLIENT_CERTIFICATE)
    client_certificate_password = _OptionProperty(Option.CLIENT_CERTIFICATE_PASSWORD)
    jwt_private_key = _OptionProperty(Option.JWT_PRIVATE_KEY)
    jwt_algorithm = _OptionProperty(Option.JWT_ALGORITHM)
    jwt_key_id = _OptionProperty(Option.JWT_KEY_ID)
    jwt_issuer = _OptionProperty(Option.JWT_ISSUER)
    jwt_subject = _OptionProperty(Option.JWT_SUBJECT)
    jwt_audience = _OptionProperty(Option.JWT_AUDIENCE)
    ca_file = _OptionProperty(Option.CA_FILE)
    proxy = _OptionProperty(Option.PROXY)
    clock_skew = _OptionProperty(Option.CLOCK_SKEW)
    acr_values = _OptionProperty(Option.ACR_VALUES)
    max_age = _OptionProperty(Option.MAX_AGE)
    prompt = _OptionProperty(Option.PROMPT)
    login_hint = _OptionProperty(Option.LOGIN_HINT)
    requested_token_type = _OptionProperty(Option.REQUESTED_TOKEN_TYPE)
    audience = _OptionProperty(Option.AUDIENCE)
    actor_token = _OptionProperty(Option.ACTOR_TOKEN)
    actor_token_type = _OptionProperty(Option.ACTOR_TOKEN_TYPE)
    ciba_url = _OptionProperty(Option.CIBA_URL)
    binding_message = _OptionProperty(Option.BINDING_MESSAGE)

    def __init__(
        self,
        *,
        open_url: Optional[OpenUrl] = None,
        device_prompt: Optional[DevicePromptCallback] = None,
        **options: OptionValue,
    ) -> None:
        self._handle = None
        self._values: Dict[Option, Any] = {}
        self._open_url_c: Any = None
        self._device_prompt_c: Any = None
        self._callback_error: Optional[BaseException] = None
        out = ctypes.c_void_p()
        check(lib.auth_params_new(int(self.KIND), ctypes.byref(out)))
        self._handle = out.value
        for name, value in options.items():
            prop = getattr(type(self), name, None)
            if not isinstance(prop, _OptionProperty):
                self.close()
                raise TypeError(f"{type(self).__name__}: unknown option {name!r}")
            if value is not None:
                setattr(self, name, value)
        if open_url is not None:
            self.set_open_url(open_url)
        if device_prompt is not None:
            self.set_device_prompt(device_prompt)

    # -- handle ---------------------------------------------------------------------------


    def __repr__(self) -> str:
        shown = {o.name.lower(): v for o, v in self._values.items()}
        return f"{type(self).__name__}({shown})"

    # -- options --------------------------------------------------------------------------
    def set(self, option: Union[Option, int], value: OptionValue) -> None:
        """``auth_params_set``: numbers are given as text; ``None`` resets to the default."""
        option = Option(option)
        if isinstance(value, bool):
            raise TypeError(f"{option.name}: a bool is not a valid value")
        check(lib.auth_params_set(self.handle, int(option), arg(value)))
        if value is None:
            self._values.pop(option, None)
        elif option not in _SECRET:
            self._values[option] = value

    def set_open_url(self, callback: Optional[OpenUrl]) -> None:
        """Shows the user the authorization URL instead of the system browser. Returning
        ``False`` or raising cancels the flow (the exception is chained to ``Cancelled``)."""
        if callback is None:
            check(lib.auth_params_set_open_url(self.handle, _native.OPEN_URL_FN(), None))
            self._open_url_c = None
            return

        def trampoline(_user_data: Any, url: bytes) -> int:
            return self._call(callback, text(url))

        c_fn = _native.OPEN_URL_FN(trampoline)
        check(lib.auth_params_set_open_url(self.handle, c_fn, None))
        self._open_url_c = c_fn  # kept alive as long as the params

    def set_device_prompt(self, callback: Optional[DevicePromptCallback]) -> None:
        """Device flow: tells the user where to go and which code to type. Returning ``False``
        or raising cancels the flow."""
        if callback is None:
            check(lib.auth_params_set_device_prompt(self.handle, _native.DEVICE_PROMPT_FN(), None))
            self._device_prompt_c = None
            return

        def trampoline(_u: Any, uri: bytes, code: bytes, complete: bytes, expires: int) -> int:
            prompt = DevicePrompt(text(uri), text(code), text(complete), int(expires))
            return self._call(callback, prompt)

        c_fn = _native.DEVICE_PROMPT_FN(trampoline)
        check(lib.auth_params_set_device_prompt(self.handle, c_fn, None))
        self._device_prompt_c = c_fn

    def _call(self, callback: Callable[[Any], Optional[bool]], value: Any) -> int:
        try:
            return 1 if callback(value) is False else 0
        except BaseException as e:  # never let an exception unwind into C
            self._callback_error = e
            return 1

    def _take_callback_error(self) -> Optional[BaseException]:
        e, self._callback_error = self._callback_error, None
        return e

    def cancel(self) -> None:
        """``auth_params_cancel``: ends the interactive flows running with these parameters
        (from any thread); they raise :class:`Cancelled`."""
        check(lib.auth_params_cancel(self.handle))


class OAuth2Parameters(Parameters):
    """OAuth 2.0 with explicit endpoints (``auth_url``, ``token_url``, ...)."""

    KIND = Kind.OAUTH2


class OpenIDParameters(Parameters):
    """OpenID Connect: endpoints from ``configuration_url`` (discovery), ``openid`` scope,
    ID-token validation."""

    KIND = Kind.OPENID


class JWTParameters(Parameters):
    """RFC 7523 JWT bearer grant (service accounts): ``jwt_private_key`` signs an assertion
    exchanged at ``token_url``."""

    KIND = Kind.JWT


def call_with_params(params: Parameters, fn: Callable[[], int]) -> None:
    """Runs a C call that may run the params' callbacks; a callback's exception is chained to
    the error the call raises."""
    params._take_callback_error()
    code = fn()
    if code != 0:
        from .errors import error_from_last

        err: AuthError = error_from_last(code)
        cause = params._take_callback_error()
        if cause is not None:
            raise err from cause
        raise err
