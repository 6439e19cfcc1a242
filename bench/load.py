"""Load test: gunicorn with production settings on PostgreSQL, driven over loopback.

    make load                      # 30 s per page, 8 connections
    make load LOAD_ARGS="--seconds 10 --connections 4"

Uses the network that ``make bench`` builds (DATABASE_URL, default the fn_bench database); run
``make bench`` first. Signs in an owner and a freelancer by creating sessions directly (the load is
on the pages, not on Argon2), starts gunicorn with DEBUG off, then for each page keeps N
keep-alive connections busy for the given time and prints requests per second, p50, p99 and
errors. Target: no errors, dashboard p99 below 500 ms at 8 connections.
"""

import argparse
import http.client
import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/fn_bench"


def production_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        SECURE_SSL_REDIRECT="0",  # loopback HTTP; TLS is the proxy's job in production
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.pop("CELERY_BROKER_URL", None)
    return env


def make_sessions(env: dict[str, str]) -> dict[str, str]:
    """Create an owner and a freelancer login in the bench database; return session cookies."""
    code = r"""
import django; django.setup()
from django.contrib.auth import get_user_model, HASH_SESSION_KEY, SESSION_KEY, BACKEND_SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from freelancers.models import Freelancer
User = get_user_model()
owner, _ = User.objects.get_or_create(username="load-owner")
owner.groups.add(Group.objects.get(name="Owners"))
fl = Freelancer.objects.filter(assignments__ended_at__isnull=True).order_by("id").first()
user, _ = User.objects.get_or_create(username="load-freelancer")
if fl is None:
    raise SystemExit("The bench network is empty: run make bench first")
if fl.user_id not in (None, user.id):
    Freelancer.objects.filter(user=user).update(user=None)
    fl = Freelancer.objects.filter(user__isnull=True, assignments__ended_at__isnull=True).first()
Freelancer.objects.filter(pk=fl.pk).update(user=user)
for u in (owner, user):
    u.set_unusable_password(); u.save()
# A bulk-loaded database has no visibility map yet; autovacuum would set it in production.
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE")
for name, u in (("owner", owner), ("freelancer", user)):
    s = SessionStore()
    s[SESSION_KEY] = str(u.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = u.get_session_auth_hash()
    s.create()
    print(name, s.session_key)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return dict(line.split() for line in out.strip().splitlines())


def hammer(port: int, path: str, cookie: str, seconds: float, connections: int) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], 0
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.perf_counter() - start)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "path": path,
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": q[49] * 1000,
        "p99": q[98] * 1000,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    env = production_env(os.environ.get("DATABASE_URL", DEFAULT_DB))
    py = sys.executable
    subprocess.run([py, "manage.py", "migrate", "--no-input", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run(
        [py, "manage.py", "collectstatic", "--no-input", "-v0"], env=env, cwd=ROOT, check=True
    )
    cookies = make_sessions(env)
    gunicorn = Path(py).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "config.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request(
                    "GET", "/healthz"
                )
                break
            except OSError:
                time.sleep(0.2)
        pages = [
            ("/", cookies["owner"]),
            ("/tasks/", cookies["owner"]),
            ("/portal/", cookies["freelancer"]),
        ]
        # Warm every worker's connection pool and caches before measuring.
        for path, cookie in pages:
            hammer(args.port, path, cookie, 2, args.connections)
        results = [hammer(args.port, p, c, args.seconds, args.connections) for p, c in pages]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    print(
        f"\ngunicorn {args.workers} workers, {args.connections} connections, "
        f"{args.seconds:g} s per page, DEBUG off, PostgreSQL"
    )
    print(f"{'page':<12}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for r in results:
        print(
            f"{r['path']:<12}{r['requests']:>10}{r['rps']:>9.1f}{r['p50']:>9.1f}"
            f"{r['p99']:>9.1f}{r['errors']:>8}"
        )
    dashboard = results[0]
    ok = all(r["errors"] == 0 for r in results) and dashboard["p99"] < 500
    print("target (no errors, dashboard p99 < 500 ms):", "met" if ok else "NOT met")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
