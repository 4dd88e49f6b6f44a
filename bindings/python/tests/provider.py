"""Test helpers: a real oidc-provider (tests/provider/server.mjs) and a user played over HTTP
through its devInteractions login and consent pages."""

from __future__ import annotations

import base64
import hashlib
import http.cookiejar
import json
import re
import secrets
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[3]
SERVER = ROOT / "tests" / "provider" / "server.mjs"
HTTP_TIMEOUT = 15


class Provider:
    """A running provider; :meth:`stop` (or the ``with`` block) kills it."""

    def __init__(self, config: Optional[dict] = None) -> None:
        self.proc = subprocess.Popen(
            ["node", str(SERVER), json.dumps(config or {})],
            cwd=SERVER.parent,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        line: List[bytes] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()))
        reader.start()
        reader.join(30)
        if not line or not line[0]:
            self.stop()
            raise RuntimeError("the test provider did not start (npm ci --prefix tests/provider?)")
        info = json.loads(line[0])
        self.issuer: str = info["issuer"]
        self.port: int = info["port"]

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait(10)

    def __enter__(self) -> "Provider":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def token_endpoint(self) -> str:
        return self.issuer + "/token"

    @property
    def authorization_endpoint(self) -> str:
        return self.issuer + "/auth"

    def stats(self) -> dict:
        with urllib.request.urlopen(self.issuer + "/test/stats", timeout=HTTP_TIMEOUT) as r:
            return json.loads(r.read())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def _hidden_inputs(form_html: str) -> Dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form_html):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]*)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name:
                fields[name.group(1)] = value.group(1) if value else ""
    return fields


def walk_pages(start_url: str, login: str = "alice") -> Optional[str]:
    """Plays the user from ``start_url`` through the provider's pages: the device flow's
    confirmation form, the login form, the consent form. Returns the URL the provider finally
    redirects the browser to on another origin (not fetched), or None when it ends on a page
    of its own without a form (the device flow's success page)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    origin = urllib.parse.urlsplit(start_url)[:2]
    url = start_url
    form: Optional[Dict[str, str]] = None
    for _ in range(12):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        form = None
        try:
            r = opener.open(urllib.request.Request(url, data=data), timeout=HTTP_TIMEOUT)
            status, headers, body = r.status, r.headers, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            status, headers, body = e.code, e.headers, e.read().decode("utf-8", "replace")
        if 300 <= status < 400:
            target = urllib.parse.urljoin(url, headers["Location"])
            if urllib.parse.urlsplit(target)[:2] != origin:
                return target
            url = target
            continue
        if status != 200:
            raise AssertionError(f"login: {url} answered {status}:\n{body}")
        m = re.search(r'<form[^>]*action="([^"]*)"', body)
        if not m:
            return None
        url = urllib.parse.urljoin(url, m.group(1).replace("&amp;", "&"))
        if 'name="prompt" value="login"' in body:
            form = {"prompt": "login", "login": login, "password": "any-password"}
        elif 'name="prompt" value="consent"' in body:
            form = {"prompt": "consent"}
        else:
            form = _hidden_inputs(body[m.start():])  # e.g. the device flow's "Continue"
    raise AssertionError("login: too many steps")


def login_over_http(authorization_url: str, login: str = "alice") -> str:
    """Plays the user through the login and consent pages; returns the URL the provider
    finally redirects the browser to (not fetched)."""
    redirect = walk_pages(authorization_url, login)
    if redirect is None:
        raise AssertionError(f"login: no redirect out of the provider from {authorization_url}")
    return redirect


def play_user(authorization_url: str, login: str = "alice") -> str:
    """The whole browser: signs in, then GETs the loopback redirect (the library's listener
    answers it). Returns the redirect URL."""
    redirect = login_over_http(authorization_url, login)
    try:
        with urllib.request.urlopen(redirect, timeout=HTTP_TIMEOUT) as r:
            r.read()
    except urllib.error.HTTPError as e:  # the listener's error page (e.g. access denied)
        e.read()
    return redirect


class UserInBrowser:
    """An open-URL callback: a thread plays the user, as a browser would, while the library
    waits on its loopback listener. ``errors`` collects what went wrong in the thread."""

    def __init__(self, login: str = "alice") -> None:
        self.login = login
        self.urls: List[str] = []
        self.errors: List[BaseException] = []
        self.threads: List[threading.Thread] = []

    def __call__(self, url: str) -> bool:
        self.urls.append(url)

        def run() -> None:
            try:
                play_user(url, self.login)
            except BaseException as e:
                self.errors.append(e)

        t = threading.Thread(target=run, daemon=True)
        t.start()
        self.threads.append(t)
        return True

    def join(self) -> None:
        for t in self.threads:
            t.join(30)
        if self.errors:
            raise self.errors[0]


class UserOnDevice:
    """A device-prompt callback: a thread plays the user on another device, who opens
    ``verification_uri_complete``, confirms the code, signs in and consents."""

    def __init__(self, login: str = "alice") -> None:
        self.login = login
        self.prompts: List["object"] = []
        self.errors: List[BaseException] = []
        self.threads: List[threading.Thread] = []

    def __call__(self, prompt) -> bool:  # type: ignore[no-untyped-def]
        self.prompts.append(prompt)

        def run() -> None:
            try:
                end = walk_pages(prompt.verification_uri_complete, self.login)
                if end is not None:
                    raise AssertionError(f"device flow: unexpected redirect to {end}")
            except BaseException as e:
                self.errors.append(e)

        t = threading.Thread(target=run, daemon=True)
        t.start()
        self.threads.append(t)
        return True

    def join(self) -> None:
        for t in self.threads:
            t.join(30)
        if self.errors:
            raise self.errors[0]


def pkce_pair() -> Tuple[str, str]:
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


def first_token_json(provider: Provider, client_id: str = "public-app", secret: str = "",
                     scope: str = "openid profile email offline_access") -> str:
    """A token endpoint answer for alice obtained without the library (code + PKCE)."""
    verifier, challenge = pkce_pair()
    redirect_uri = "http://127.0.0.1:9/callback"
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
        "scope": scope, "state": "st", "code_challenge": challenge,
        "code_challenge_method": "S256", "prompt": "consent",
    })
    redirect = login_over_http(f"{provider.authorization_endpoint}?{query}")
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(redirect).query)["code"][0]
    fields = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
              "code_verifier": verifier, "client_id": client_id}
    if secret:
        fields["client_secret"] = secret
    req = urllib.request.Request(provider.token_endpoint, data=urllib.parse.urlencode(fields).encode(),
                                 headers={"Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT) as r:
        return r.read().decode()


def provider_key(name: str) -> str:
    return str(ROOT / "tests" / "provider" / "keys" / name)


