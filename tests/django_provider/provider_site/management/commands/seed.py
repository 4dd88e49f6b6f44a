"""Creates the test user and the test clients (idempotent). Secrets avoid '%', '+' and ':'
(form-encoded Basic credentials, see the oidc-provider notes)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from oauth2_provider.models import Application

# Every user's password is "<username>-password-123".
USERS = [
    {"username": "alice", "first_name": "Alice", "last_name": "Liddell", "email": "alice@example.com"},
    # RP-initiated logout deletes every token of its user: a test of it signs in as bob, so
    # that tests running beside it keep theirs.
    {"username": "bob", "first_name": "Bob", "last_name": "Builder", "email": "bob@example.com"},
]
LOOPBACK = "http://127.0.0.1/callback"  # any port (RFC 8252 §7.3)

CLIENTS = [
    # client_id, secret (None: public), grant, ID-token algorithm
    ("dj-post", "dj-post-secret-123", Application.GRANT_AUTHORIZATION_CODE, Application.RS256_ALGORITHM),
    ("dj-basic", "dj-basic-secret-123", Application.GRANT_AUTHORIZATION_CODE, Application.RS256_ALGORITHM),
    ("dj-public", None, Application.GRANT_AUTHORIZATION_CODE, Application.RS256_ALGORITHM),
    # HS256 keys are at least 32 bytes (jwcrypto).
    ("dj-hs256", "dj-hs256-secret-0123456789-abcdefghijklmn", Application.GRANT_AUTHORIZATION_CODE, Application.HS256_ALGORITHM),
    ("dj-service", "dj-service-secret-123", Application.GRANT_CLIENT_CREDENTIALS, Application.NO_ALGORITHM),
]


class Command(BaseCommand):
    help = "Creates the authtoken test user and clients."

    def handle(self, *args, **options):
        User = get_user_model()
        for fields in USERS:
            if not User.objects.filter(username=fields["username"]).exists():
                User.objects.create_user(password=f"{fields['username']}-password-123", **fields)
        user = User.objects.get(username="alice")
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
