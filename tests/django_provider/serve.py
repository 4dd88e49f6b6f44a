"""A real django-oauth-toolkit server on 127.0.0.1 for the authtoken tests.

    tests/django_provider/.venv/bin/python tests/django_provider/serve.py ['{"port":0}']

Configuration (a JSON object, all keys optional):
  port         listening port (default 0: a free one)
  db           the sqlite file; made from the migrated template when it does not exist, used
               as it is when it does (a restarted server keeps its grants)
  tokenPath    where the token endpoint lives under /o/ (default "token/")
  accessTTL    access-token lifetime in seconds (default 3600)

When it listens it prints ONE line of JSON to stdout:
  {"issuer":"http://127.0.0.1:PORT/o","port":PORT,"db":"/path/to/db.sqlite3"}
and serves until killed or until its stdin closes (it dies with the test that started it).
Requests are logged to stderr.

Migrating a fresh sqlite database takes seconds: the migrated and seeded database is kept as a
template in the virtual environment (keyed by this project's files), and each server starts
from a copy of it.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def project_digest():
    h = hashlib.sha256()
    for p in sorted(HERE.joinpath("provider_site").rglob("*.py")) + [HERE / "requirements.txt"]:
        h.update(p.relative_to(HERE).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def template_db():
    """The migrated, seeded database for this project version, made once per venv (in a
    child process: Django reads its database settings once per process)."""
    path = Path(sys.prefix) / f"authtoken-template-{project_digest()}.sqlite3"
    if path.exists():
        return path
    fd, tmp = tempfile.mkstemp(dir=sys.prefix, suffix=".sqlite3")
    os.close(fd)
    subprocess.run([sys.executable, __file__, "--make-database", tmp], check=True, stdout=sys.stderr)
    os.replace(tmp, path)  # atomic: concurrent first starts each make one, one wins
    return path


def make_database(path):
    os.environ["AUTHTOKEN_DJANGO_DB"] = path
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed")


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "provider_site.settings")
    if sys.argv[1:2] == ["--make-database"]:
        make_database(sys.argv[2])
        return
    cfg = json.loads(sys.argv[1] if len(sys.argv) > 1 else "{}")
    db = Path(cfg["db"]) if cfg.get("db") else Path(tempfile.mkdtemp(prefix="authtoken-django-")) / "db.sqlite3"
    if not db.exists():
        shutil.copyfile(template_db(), db)
    os.environ["AUTHTOKEN_DJANGO_DB"] = str(db)
    if cfg.get("tokenPath"):
        os.environ["AUTHTOKEN_DJANGO_TOKEN_PATH"] = cfg["tokenPath"]
    if cfg.get("accessTTL"):
        os.environ["AUTHTOKEN_DJANGO_ACCESS_TTL"] = str(int(cfg["accessTTL"]))

    import django

    django.setup()
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    server = ThreadedWSGIServer(("127.0.0.1", int(cfg.get("port", 0))), WSGIRequestHandler)
    server.set_app(get_wsgi_application())
    port = server.server_address[1]

    def die_with_parent():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=die_with_parent, daemon=True).start()
    print(json.dumps({"issuer": f"http://127.0.0.1:{port}/o", "port": port, "db": str(db)}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
