"""Python side of benches/compare/run: one refresh with authlib and with requests.

    py_clients.py LABEL TOKEN_URL REFRESH_TOKEN CLIENT_ID CLIENT_SECRET SAMPLES

Prints one JSON line per client with the median time of one refresh (after a warmup).
"""

import json
import os
import sys
import time

# authlib refuses http:// unless told; the endpoints here are on loopback.
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"

import requests  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session  # noqa: E402


def timed(label, client, samples, call):
    for _ in range(max(20, min(200, samples // 5))):
        call()
    ns = []
    for _ in range(samples):
        start = time.perf_counter_ns()
        call()
        ns.append(time.perf_counter_ns() - start)
    ns.sort()

    def at(q):
        return ns[int((len(ns) - 1) * q)] / 1000.0

    print(json.dumps({"target": label, "client": client, "median_us": at(0.5),
                      "p10_us": at(0.1), "p90_us": at(0.9), "n": samples}), flush=True)


def main():
    label, url, rt, client_id, secret, samples = sys.argv[1:7]
    samples = int(samples)

    session = requests.Session()
    form = {"grant_type": "refresh_token", "refresh_token": rt,
            "client_id": client_id, "client_secret": secret}

    def plain_post():
        r = session.post(url, data=form, headers={"Accept": "application/json"}, timeout=10)
        r.raise_for_status()
        r.content  # read the body, parse nothing (as the bare reqwest POST)

    timed(label, "Python requests (Session POST)", samples, plain_post)

    oauth = OAuth2Session(client_id, secret, token_endpoint_auth_method="client_secret_post")

    def authlib_refresh():
        token = oauth.refresh_token(url, refresh_token=rt, timeout=10)
        assert token["access_token"]

    timed(label, "Python authlib (OAuth2Session.refresh_token)", samples, authlib_refresh)


if __name__ == "__main__":
    main()
