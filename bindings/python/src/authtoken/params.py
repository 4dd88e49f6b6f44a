"""Parameters of a provider and a client: ``OAuth2Parameters``, ``OpenIDParameters``,
``JWTParameters`` (WLanguage's types of the same names)."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Union

from . import _native
from ._handle import NativeHandle
from ._native import arg, lib, text
from ._tables import SECRET_OPTIONS, Kind, Option, OptionAttributes, OptionValue
from .errors import AuthError, check


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
        if self.option in SECRET_OPTIONS:
            return None  # write-only: secrets stay in the library
        return obj._values.get(self.option)

    def __set__(self, obj: "Parameters", value: OptionValue) -> None:
        obj.set(self.option, value)


class Parameters(NativeHandle, OptionAttributes):
    _free_function = "auth_params_free"
    _what = "parameters"
    """Base of the three kinds. Set options as keywords, attributes or with :meth:`set`;
    ``None`` puts an option back to its default. Once configured, may be shared by threads.
    Free it with :meth:`close` (or a ``with`` block); it is also freed when collected."""

    KIND: Kind = Kind.OAUTH2


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
        elif option not in SECRET_OPTIONS:
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


# Every option of the header is an attribute (and a keyword of the constructor): CLIENT_ID is
# client_id. A class attribute wins over the annotations of OptionAttributes.
for _option in Option:
    setattr(Parameters, _option.name.lower(), _OptionProperty(_option))


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
