"""The WLanguage AuthRefreshToken example in Python: load the saved token, refresh it if it
expires within a minute, otherwise log in (system browser); save it; read and print the
identity.

    python seed_example.py <configuration-url> <client-id> <token-file>
"""

import sys
from pathlib import Path

import authtoken
from authtoken import AuthError, OpenIDParameters, Token


def main(configuration_url: str, client_id: str, path: Path) -> None:
    svc = OpenIDParameters(client_id=client_id, configuration_url=configuration_url,
                           scope="openid profile email offline_access",
                           redirect_url="http://127.0.0.1:0/callback")
    token = None
    if path.exists():
        try:
            token = Token.load(path)
            # Expired or expiring within the minute, and refreshable?
            if token.expires_within(60) and token.refresh_token:
                token = authtoken.refresh_token(token)
                token.save(path)
        except AuthError as e:
            print("Saved session is invalid:", e, file=sys.stderr)
            token = None
    if token is None or not token.is_valid:
        token = authtoken.identify(svc)  # opens the browser
        token.save(path)
    print("Connection OK:", authtoken.read_identity(token).source)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(f"authtoken {authtoken.version()} ({authtoken.library_path()})\n"
                 "usage: seed_example.py <configuration-url> <client-id> <token-file>")
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
