"""Test helpers: a real oidc-provider (tests/provider/server.mjs) and its user, played through
its devInteractions pages by tests/support/user.mjs (the player of every language's tests)."""

from __future__ import annotations

import json
import subprocess
import threading
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[3]
SERVER = ROOT / "tests" / "provider" / "server.mjs"
PLAYER = ROOT / "tests" / "support" / "user.mjs"
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


def play(url: str, *, action: str = "approve", login: str = "alice", follow: bool = True) -> Dict[str, object]:
    """Plays the user from ``url`` through the provider's pages (tests/support/user.mjs, the
    player of every language's tests, in its HTTP mode); returns its report: ``final`` (the
    URL it ended on), ``left`` (whether it left the provider), ``text`` (that page's text)."""
    command = ["node", str(PLAYER), "play", "--action", action, "--login", login]
    if not follow:
        command.append("--no-follow")
    done = subprocess.run(command + [url], capture_output=True, text=True, timeout=90)
    report: Dict[str, object] = json.loads(done.stdout) if done.stdout.strip() else {}
    if not report.get("ok"):
        raise AssertionError(f"the user player failed from {url}: {report.get('error') or done.stderr}")
    return report


def walk_pages(start_url: str, login: str = "alice") -> Optional[str]:
    """Plays the user from ``start_url`` (login, consent, the device flow's confirmation).
    Returns the URL the provider finally redirects the browser to on another origin (not
    fetched), or None when it ends on a page of its own (the device flow's success page)."""
    report = play(start_url, login=login, follow=False)
    return str(report["final"]) if report["left"] else None


def login_over_http(authorization_url: str, login: str = "alice") -> str:
    """Plays the user through the login and consent pages; returns the URL the provider
    finally redirects the browser to (not fetched)."""
    redirect = walk_pages(authorization_url, login)
    if redirect is None:
        raise AssertionError(f"login: no redirect out of the provider from {authorization_url}")
    return redirect


def play_user(authorization_url: str, login: str = "alice") -> str:
    """The whole browser: signs in, then loads the loopback redirect (the library's listener
    answers it). Returns the redirect URL."""
    report = play(authorization_url, login=login)
    if not report["left"]:
        raise AssertionError(f"login: no redirect out of the provider from {authorization_url}")
    return str(report["final"])


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


def first_token_json(provider: Provider, client_id: str = "public-app", secret: str = "",
                     scope: str = "openid profile email offline_access") -> str:
    """A token endpoint answer for alice obtained without the library (code + PKCE, by the
    player: tests/support/user.mjs token)."""
    command = ["node", str(PLAYER), "token", "--issuer", provider.issuer, "--client", client_id, "--scope", scope]
    if secret:
        command += ["--secret", secret]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90)
    if done.returncode != 0:
        raise AssertionError(f"first token: {done.stderr}")
    return done.stdout.strip()


def answer_ciba(provider: Provider, login: str, action: str = "approve") -> Dict[str, object]:
    """The user's phone in a CIBA sign-in (tests/support/user.mjs ciba): waits for the
    provider's pending request for ``login`` and approves or refuses it; the player's report
    (``auth_req_id``, ``binding_message``)."""
    command = ["node", str(PLAYER), "ciba", "--issuer", provider.issuer, "--login", login, "--action", action]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90)
    if done.returncode != 0:
        raise AssertionError(f"CIBA answer: {done.stderr}")
    report: Dict[str, object] = json.loads(done.stdout)
    return report


def provider_key(name: str) -> str:
    return str(ROOT / "tests" / "provider" / "keys" / name)


