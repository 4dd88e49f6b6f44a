"""Creates the test user and the test clients (idempotent). Secrets avoid '%', '+' and ':'
(form-encoded Basic credentials, see the oidc-provider notes)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from oauth2_provider.models import Application

USER = {"username": "alice", "password": "alice-password-123", "first_name": "Alice",
        "last_name": "Liddell", "email": "alice@example.com"}
LOOPBACK = "http://127.0.0.1/callback"  # any port (RFC 8252 §7.3)

CLIENTS = [
    # client_id, secret (None: public), grant, ID-token algorithm
    ("dj-post", "dj-post-secret-123", Application.GRANT_AUTHORIZATION_CODE, Application.RS256_ALGORITHM),
    ("dj-basic", "dj-basic-secret-123", Application.GRANT_AUTHORIZATION_CODE, Application.RS256_ALGORITHM),
    ("dj-public", None, Application.GRANT_AUTHORIZATION_CODE, Application.RS256_ALGORITHM),
    ("dj-hs256", "dj-hs256-secret-123", Application.GRANT_AUTHORIZATION_CODE, Application.HS256_ALGORITHM),
    ("dj-service", "dj-service-secret-123", Application.GRANT_CLIENT_CREDENTIALS, Application.NO_ALGORITHM),
]


class Command(BaseCommand):
    help = "Creates the authtoken test user and clients."

    def handle(self, *args, **options):
        User = get_user_model()
        user = User.objects.filter(username=USER["username"]).first()
        if user is None:
            user = User.objects.create_user(**USER)
        for client_id, secret, grant, algorithm in CLIENTS:
            if Application.objects.filter(client_id=client_id).exists():
                continue
            Application.objects.create(
                name=client_id,
                user=user,
                client_id=client_id,
                client_secret=secret or "",
                # HS256 ID tokens are signed with the secret: it must be kept readable.
                hash_client_secret=algorithm != Application.HS256_ALGORITHM,
                client_type=Application.CLIENT_PUBLIC if secret is None else Application.CLIENT_CONFIDENTIAL,
                authorization_grant_type=grant,
                algorithm=algorithm,
                redirect_uris=LOOPBACK if grant == Application.GRANT_AUTHORIZATION_CODE else "",
                post_logout_redirect_uris=LOOPBACK if grant == Application.GRANT_AUTHORIZATION_CODE else "",
                skip_authorization=True,
            )
