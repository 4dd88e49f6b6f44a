"""django-oauth-toolkit under /o/ (issuer http://127.0.0.1:PORT/o), its RFC 8414 document also
at the origin's root as RFC 8414 §3.1 places it, and Django's login form."""

import os

from django.contrib.auth.views import LoginView
from django.urls import include, path
from oauth2_provider import urls as dot
from oauth2_provider.views import TokenView

# A restarted server may move its token endpoint (the library must find it again).
token_path = os.environ.get("AUTHTOKEN_DJANGO_TOKEN_PATH", "token/")
endpoints = [p for p in dot.urlpatterns if getattr(p, "name", None) != "token"]
endpoints.append(path(token_path, TokenView.as_view(), name="token"))

urlpatterns = [
    path("o/", include((endpoints, "oauth2_provider"))),
    path("", include((dot.metadata_urlpatterns, "root_metadata"))),
    path("accounts/login/", LoginView.as_view(template_name="login.html"), name="login"),
]
