"""List latency of the registry at national scale: the list page and the API list under search + two
filters, measured with a real HTTP client against the running server, and the naive query as the peer.

    .venv/bin/python bench/registry.py                      # 1,000,000 companies (generated on first run)
    .venv/bin/python bench/registry.py --companies 100000 --requests 100

Needs PostgreSQL (default ``postgres://postgres@127.0.0.1:5432/jalin_bench``; ``--db-url`` to change):
the database is created if missing, migrated, filled with the demo programme and ``N`` generated IKM
(``jalin demo --companies N``; skipped when already there) and vacuumed. Then ``jalin serve`` is started
on a free port (DEBUG=0), a programme officer signs in through /accounts/login/ (session cookie, CSRF
token) and holds an API token, and each of ``--requests`` queries — a trade word from the generated
vocabulary (knalpot, cor, bubut, bracket …), a process that goes with it and a province of a cluster —
is fetched once from /companies/ and once from /api/companies/ over one keep-alive connection. The
figures are the client-side round trip on the loopback interface, so they include everything the
server does.

Peers, in the same run and on the same queries: Jalin's own query (``companies.queries.company_list``
with a page of 25 and its count, in-process: the database share of the page), and the query a developer
would write without a full-text index — ``icontains`` over legal_name and products with the same two
filters, ordered by name, a page of 25 and its count.

The last line printed is JSON: {"companies": …, "list_p95_ms": …, "api_p95_ms": …, "peer_p95_ms": …, …}.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jalin_bench"
GOAL_P95_MS = 300
PAGE = 25

#: Search words as officers type them, each with processes that go with it (Process.code).
SEARCHES = [
    ("knalpot", ("pipe-bending", "welding")),
    ("cor", ("casting", "turning")),
    ("bubut", ("turning", "cnc-machining", "milling")),
    ("bracket", ("stamping", "welding")),
    ("stamping", ("stamping", "die-making")),
    ("per keong", ("spring-making", "heat-treatment")),
    ("kampas rem", ("assembly", "stamping")),
    ("karet", ("rubber-moulding",)),
    ("injeksi plastik", ("injection-moulding", "die-making")),
    ("baut", ("turning", "heat-treatment", "plating")),
    ("sproket", ("turning", "heat-treatment")),
    ("tromol", ("casting", "turning")),
    ("las", ("welding", "sheet-metal")),
    ("cnc", ("cnc-machining", "milling")),
    ("paking", ("rubber-moulding",)),
    ("tempa", ("forging",)),
    ("krom", ("plating",)),
    ("muffler", ("pipe-bending",)),
    ("bushing", ("turning", "rubber-moulding")),
    ("tangki", ("sheet-metal", "welding")),
]
PROVINCES = ("33", "35", "32", "36")  # Jawa Tengah, Jawa Timur, Jawa Barat, Banten: the clusters' provinces
#: ``--filters material-certification``: a common material and a certification (valid today) instead.
MATERIALS = ("carbon-steel", "sheet-steel", "aluminium", "cast-iron", "rubber", "plastic")
CERTIFICATIONS = ("iso-9001", "sni")
FILTER_SETS = ("process-region", "material-certification", "mixed")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def summary(values: list[float]) -> dict:
    return {"p50": round(statistics.median(values), 1), "p95": round(percentile(values, 95), 1), "n": len(values)}


def run(label: str, measure, items: list) -> list[float]:
    """``measure(item)`` → milliseconds for each item, with progress every 20 items (long work shows it)."""
    times = []
    for n, item in enumerate(items, 1):
        times.append(measure(item))
        if n % 20 == 0 and n < len(items):
            print(f"  {label}: {n}/{len(items)}, p50 so far {statistics.median(times):,.0f} ms", flush=True)
    return times


def ensure_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jalin.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def populate(companies: int) -> float | None:
    """Migrate, and load the demo with ``companies`` generated IKM unless they are there. Seconds, or None."""
    from django.core.management import call_command
    from django.db import connection

    from jalin.companies.models import Company
    from jalin.demo.population import DEFAULT_SEED, demo_nib

    call_command("migrate", verbosity=0)
    last = demo_nib(DEFAULT_SEED, companies - 1)
    elapsed = None
    if (
        not Company.objects.filter(nib=last).exists()
        or Company.objects.filter(nib__startswith="91").count() < companies
    ):
        started = time.monotonic()
        call_command("demo", companies=companies, quiet=True)
        elapsed = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_vacuum IS NULL AND last_autovacuum IS NULL FROM pg_stat_user_tables WHERE relname = %s",
            [Company._meta.db_table],
        )
        never_vacuumed = cursor.fetchone()[0]
    connection.close()
    if elapsed is not None or never_vacuumed:
        import psycopg

        started = time.monotonic()
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        print(f"VACUUM ANALYZE in {time.monotonic() - started:,.0f} s")
    return elapsed


def bench_user() -> tuple[str, str, str]:
    from rest_framework.authtoken.models import Token

    from jalin.accounts import services
    from jalin.accounts.models import Organisation, User
    from jalin.core.roles import Role

    email, password = "bench.officer@jalin.demo", "bench-registry-officer-2019"
    user = User.objects.filter(email=email).first()
    if user is None:
        organisation = Organisation.objects.get(name__startswith="Direktorat Jenderal IKMA")
        user = services.create_user(
            actor=None,
            email=email,
            password=password,
            first_name="Bench",
            last_name="Officer",
            role=Role.PROGRAMME_OFFICER,
            organisation=organisation,
        )
    token, _ = Token.objects.get_or_create(user=user)
    return email, password, token.key


def make_queries(count: int, seed: int, filters: str = "process-region") -> list[dict[str, str]]:
    """``count`` searches with two filters each: process + province (the default), material + certification,
    or both kinds alternating (``mixed``)."""
    rng = random.Random(seed)
    other = random.Random(seed + 1)  # the second kind draws apart, so the default's queries stay as they were
    queries = []
    for n in range(count):
        word, processes = rng.choice(SEARCHES)
        query = {"q": word, "process": rng.choice(processes), "region": rng.choice(PROVINCES)}
        if filters == "material-certification" or (filters == "mixed" and n % 2):
            query = {"q": word, "material": other.choice(MATERIALS), "certification": other.choice(CERTIFICATIONS)}
        queries.append(query)
    return queries


# --- the peers, in-process ----------------------------------------------------------------------------------


def time_jalin_query(user, query: dict[str, str]) -> float:
    from jalin.companies.queries import CompanyFilters, company_list

    started = time.perf_counter()
    qs = company_list(user, CompanyFilters.from_params(query))
    list(qs[:PAGE])
    qs.count()
    return (time.perf_counter() - started) * 1000


def time_naive_query(query: dict[str, str]) -> float:
    from django.db.models import Q

    from jalin.companies.models import Company
    from jalin.companies.queries import valid_certification

    word = query["q"]
    started = time.perf_counter()
    qs = Company.objects.filter(Q(legal_name__icontains=word) | Q(products__icontains=word))
    if "process" in query:
        qs = qs.filter(processes__code=query["process"], region__parent__code=query["region"])
    else:
        qs = qs.filter(materials__code=query["material"]).filter(valid_certification(query["certification"]))
    qs = qs.order_by("legal_name")
    list(qs[:PAGE])
    qs.count()
    return (time.perf_counter() - started) * 1000


def explain(user, query: dict[str, str]) -> str:
    from jalin.companies.queries import CompanyFilters, company_list

    qs = company_list(user, CompanyFilters.from_params(query))
    from jalin.core.pagination import DEFAULT_COUNT_CAP

    ids = qs.order_by().values_list("pk", flat=True)[: DEFAULT_COUNT_CAP + 1].explain(analyze=True, buffers=True)
    page = qs[:PAGE].explain(analyze=True, buffers=True)
    return (
        f"-- {query}: the ids the pages count (up to {DEFAULT_COUNT_CAP + 1})\n{ids}\n"
        f"-- the first page by the filters (what a capped result reads)\n{page}\n-- exact count\n{_explain_count(qs)}"
    )


def _explain_count(qs) -> str:
    from django.db import connection

    sql, params = qs.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) SELECT COUNT(*) FROM ({sql}) AS page", params)  # noqa: S608
        return "\n".join(row[0] for row in cursor.fetchall())


# --- the real server --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, url: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1", "AXES_ENABLED": "0"}
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "jalin"), "serve", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("the server did not answer within 60 s: " + server.stderr.read().decode()[-2000:])


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]


def sign_in(port: int, email: str, password: str) -> str:
    """Sign in through the login form (CSRF token and cookie) and return the Cookie header to send."""
    jar: dict[str, str] = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    _cookies(response, jar)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.read()).group(1).decode()
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": email, "password": password})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        "Referer": f"http://127.0.0.1:{port}/accounts/login/",
    }
    conn.request("POST", "/accounts/login/", body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    _cookies(response, jar)
    if response.status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"sign-in failed: HTTP {response.status}")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def fetch(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> tuple[int, float, bytes]:
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    return response.status, (time.perf_counter() - started) * 1000, body


def measure_http(port: int, queries: list[dict[str, str]], cookie: str, token: str, sorted_requests: int) -> dict:
    """The list page and the API on ``queries``; then, as ``region_sort``, the list page on the first
    ``sorted_requests`` of them sorted by regency (a sort no index walks: every match is read)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    by_regency = [{**q, "sort": "region"} for q in queries[:sorted_requests]]
    pages = {
        "list": ("/companies/", {"Cookie": cookie}, queries),
        "api": ("/api/companies/", {"Authorization": f"Token {token}"}, queries),
        "region_sort": ("/companies/", {"Cookie": cookie}, by_regency),
    }
    results: dict = {}
    for name, (path, headers, mix) in pages.items():
        if not mix:
            results[name] = {}
            continue
        status, _, _ = fetch(conn, path + "?" + urllib.parse.urlencode(mix[0]), headers)
        if status != 200:
            results[name] = {"error": f"HTTP {status}"}
            continue
        for query in mix[:5] if name != "region_sort" else ():  # warm-up: connections, caches, templates
            fetch(conn, path + "?" + urllib.parse.urlencode(query), headers)
        statuses: set[int] = set()
        found: list[bool] = []

        def measure(query, path=path, headers=headers, name=name, statuses=statuses, found=found) -> float:
            status, ms, body = fetch(conn, path + "?" + urllib.parse.urlencode(query), headers)
            statuses.add(status)
            if name == "api" and status == 200:
                found.append(json.loads(body).get("count", 0) > 0)
            return ms

        times = run(name, measure, mix)
        results[name] = {**summary(times), "statuses": sorted(statuses)}
        if name == "api":
            results[name]["queries_with_rows"] = sum(found)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--peer-requests", type=int, default=None, help="naive queries to time (default: all)")
    parser.add_argument("--db-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of Jalin's query")
    parser.add_argument("--filters", choices=FILTER_SETS, default=FILTER_SETS[0], help="the two filters of each query")
    parser.add_argument(
        "--sorted-requests",
        type=int,
        default=20,
        help="list requests sorted by regency, reported apart (region_sort_…; not in the goal's mix)",
    )
    args = parser.parse_args()

    ensure_database(args.db_url)
    setup_django(args.db_url)
    from django.db import connection

    from jalin.accounts.models import User
    from jalin.companies.models import Company

    generated = populate(args.companies)
    if generated is not None:
        print(f"generated {args.companies:,} companies in {generated:,.0f} s (jalin demo)")
    total = Company.objects.count()
    email, password, token = bench_user()
    user = User.objects.get(email=email)
    queries = make_queries(args.requests, args.seed, args.filters)
    print(
        f"{total:,} companies in {connection.vendor} ({args.db_url.rsplit('/', 1)[-1]}); {len(queries)} queries,"
        f" search + {args.filters}"
    )

    if args.explain:
        print(explain(user, {"q": "knalpot", "process": "pipe-bending", "region": "33"}))
        print(explain(user, {"q": "cor", "process": "casting", "region": "33"}))
        print(explain(user, {"q": "cor", "material": "cast-iron", "certification": "iso-9001"}))

    for query in queries[:5]:  # warm the database cache as the server's warm-up does
        time_jalin_query(user, query)
    jalin = summary(run("company_list", lambda q: time_jalin_query(user, q), queries))
    peer_queries = queries[: args.peer_requests] if args.peer_requests else queries
    peer = summary(run("naive query", time_naive_query, peer_queries))
    print(f"in-process company_list (page of {PAGE} + count): p50 {jalin['p50']} ms, p95 {jalin['p95']} ms")
    print(f"in-process naive icontains query (peer):        p50 {peer['p50']} ms, p95 {peer['p95']} ms")
    connection.close()

    port = free_port()
    server = start_server(port, args.db_url)
    try:
        cookie = sign_in(port, email, password)
        http_results = measure_http(port, queries, cookie, token, args.sorted_requests)
    finally:
        server.terminate()
        server.wait(timeout=30)
    for name, label in (
        ("list", "list page /companies/"),
        ("api", "API list /api/companies/"),
        ("region_sort", "list page sorted by regency"),
    ):
        r = http_results[name]
        if not r:
            continue
        if "error" in r:
            print(f"{label}: not available ({r['error']})")
        else:
            print(f"{label:28} p50 {r['p50']} ms, p95 {r['p95']} ms over {r['n']} requests (HTTP {r['statuses']})")

    def p95(name: str):
        return http_results[name].get("p95")

    slowest = max((v for v in (p95("list"), p95("api")) if v is not None), default=None)
    result = {
        "companies": total,
        "requests": len(queries),
        "filters": args.filters,
        "list_p50_ms": http_results["list"].get("p50"),
        "list_p95_ms": p95("list"),
        "api_p50_ms": http_results["api"].get("p50"),
        "api_p95_ms": p95("api"),
        "region_sort_p50_ms": http_results["region_sort"].get("p50"),
        "region_sort_p95_ms": p95("region_sort"),
        "query_p50_ms": jalin["p50"],
        "query_p95_ms": jalin["p95"],
        "peer_p50_ms": peer["p50"],
        "peer_p95_ms": peer["p95"],
        "peer_requests": peer["n"],
        "peer_to_list_p95": round(peer["p95"] / slowest, 1) if slowest else None,
        "peer_to_query_p95": round(peer["p95"] / jalin["p95"], 1),
        "goal_p95_ms": GOAL_P95_MS,
        "goal_met": slowest is not None and slowest <= GOAL_P95_MS,
        "db": connection.vendor,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
