"""Django settings of the test authorization server (django-oauth-toolkit, OpenID Connect).

Everything a test may vary comes from the environment that serve.py sets:
AUTHTOKEN_DJANGO_DB (the sqlite file), AUTHTOKEN_DJANGO_TOKEN_PATH (where the token endpoint
lives under /o/), AUTHTOKEN_DJANGO_ACCESS_TTL (seconds).
"""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent

SECRET_KEY = "authtoken-tests-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "provider_site.urls"
USE_TZ = True

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
    "provider_site",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("AUTHTOKEN_DJANGO_DB", str(HERE.parent / "db.sqlite3")),
        # The server is threaded and tests run in parallel: a transaction that reads and then
        # writes would fail at once with "database is locked" when another one writes.
        # IMMEDIATE takes the write lock at BEGIN (waiting up to the timeout), and WAL lets
        # readers go on meanwhile.
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
}
# The default hasher (PBKDF2, a million rounds) costs about half a second per password and per
# client secret check: every token request of a confidential client. Tests need no such cost.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "/accounts/login/"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    # Server errors with their traceback, and the toolkit's reasons for refusing a request.
    "loggers": {
        "django.request": {"handlers": ["stderr"], "level": "ERROR"},
        "oauth2_provider": {"handlers": ["stderr"], "level": "INFO"},
    },
}

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": (HERE.parent / "keys" / "oidc-rsa.pem").read_text(),
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    # With a valid id_token_hint the user is signed out without a confirmation page.
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "PKCE_REQUIRED": True,
    "ROTATE_REFRESH_TOKEN": True,
    # A used refresh token presented again revokes the whole family (RFC 9700 §4.14.2).
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # RFC 9207: the authorization response carries `iss`, and discovery says so.
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("AUTHTOKEN_DJANGO_ACCESS_TTL", "3600")),
    "OAUTH2_VALIDATOR_CLASS": "provider_site.validator.Validator",
    "SCOPES": {
        "openid": "OpenID Connect",
        "profile": "Name",
        "email": "E-mail address",
        "api": "The test API",
        "introspection": "Token introspection",
    },
    "DEFAULT_SCOPES": ["openid"],
}
