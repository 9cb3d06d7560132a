#!/usr/bin/env python3
"""picoauth benchmark suite: starts the release binary on fresh files and measures it.

Usage: python3 bench/run.py [--seconds N]
                            [--only-postgres | --only-hostile | --only-pqc | --no-postgres]
                            [--rounds N] [--baseline-binary PATH]
Needs: cargo, wrk, openssl, python3 (standard library only); PostgreSQL's server binaries
(initdb, pg_ctl) for the backend comparison, which runs whenever they are found. Prints
Markdown tables.

Every HTTP figure is throughput and latency percentiles over keep-alive connections on
loopback, with the load generator on the same machine. Mint figures are also given as a ratio
to this machine's own RSA-2048 signing rate (`openssl speed rsa2048`, one core), measured in
the same run, so results compare across noisy or different machines.

The backend comparison (8) runs fleet mint, login, refresh and JWKS on SQLite and on
PostgreSQL (one `serve`, and two `serve` replicas on one database) side by side, load by load,
and gives the PostgreSQL figures as ratios to the SQLite ones of the same run. Its PostgreSQL is
a throwaway cluster this script starts on loopback (initdb and pg_ctl as the `postgres` user when
run as root, like .ci/run) with the server's default settings (fsync and synchronous_commit on),
one database per setup, stopped and removed on exit. `--baseline-binary` adds the one-replica
PostgreSQL setup once more on another build (say, from before a change): before and after in
the same run.

The post-quantum section (9; `--only-pqc` runs just that) starts a server for each token
algorithm (RS256, ML-DSA-65, ML-DSA-87) and measures fleet mints and the wallet flow on each,
and `GET /jwks` with one ML-DSA-65 (AKP) key against nginx serving the same bytes as a static
file (a worker per core, on a free loopback port, stopped on exit; skipped if no nginx is found:
apt-get install nginx). In the same run it measures the one-core ML-DSA signing rates of
OpenSSL (through Python `cryptography`, which ships OpenSSL >= 3.5: this Python's, else a venv
under /tmp from PyPI, else `openssl speed` if the system OpenSSL is >= 3.5; skipped if none),
of aws-lc-rs and of the `ml-dsa` crate (bench/mldsa_sign.rs), before and after the loads, and
gives each mint as a ratio to cores x that one-core rate.
"""

import argparse
import atexit
import base64
import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BINARY = ROOT / "target" / "release" / "picoauth"
LOADGEN = ROOT / "target" / "release" / "examples" / "loadgen"
WRK_SCRIPT = ROOT / "bench" / "wrk.lua"
FLEET_SECRET = "bench-fleet-secret"
ADMIN_PASSWORD = "bench-admin-password"
USER_PASSWORD = "bench-user-password"


def log(message):
    print(message, file=sys.stderr, flush=True)


def build():
    log("building the release binary and the load generator …")
    subprocess.run(["cargo", "build", "--release", "--bin", "picoauth", "--example", "loadgen",
                    "--example", "mldsa_sign"], cwd=ROOT, check=True)


def openssl_rsa2048_signs_per_second():
    """The machine's limit for one RS256 mint: RSA-2048 signatures per second on one core."""
    output = subprocess.run(["openssl", "speed", "-seconds", "2", "rsa2048"],
                            capture_output=True, text=True, check=True).stdout
    for line in output.splitlines():
        if re.match(r"\s*rsa\s+2048\s+bits", line):
            return float(line.split()[-2])
    raise RuntimeError("cannot read `openssl speed rsa2048`:\n" + output)


class Server:
    """`picoauth serve` on a free port with the files of `workdir`."""

    def __init__(self, workdir, extra_env=None, log_name="server.log", binary=None):
        self.workdir = Path(workdir)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PICOAUTH_")}
        env.update({
            "PICOAUTH_DB": str(self.workdir / "picoauth.db"),
            "PICOAUTH_KEY_DIR": str(self.workdir / "keys"),
            "PICOAUTH_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "PICOAUTH_FLEET_MINT_SECRET": FLEET_SECRET,
            # One client (loopback) drives all the load; the per-client limits would cap it.
            "PICOAUTH_RATE_LIMIT_PER_SECOND": "0",
        })
        env.update(extra_env or {})
        self.env = env
        self.stderr = open(self.workdir / log_name, "ab")
        self.started = time.perf_counter()
        self.process = subprocess.Popen([str(binary or BINARY), "serve", "--listen", "127.0.0.1:0"],
                                        stdout=subprocess.PIPE, stderr=self.stderr, env=env)
        line = self.process.stdout.readline().decode()
        match = re.match(r"listening on http://(\S+)", line)
        if not match:
            raise RuntimeError(f"the server did not start; see {self.workdir / log_name}")
        self.address = match.group(1)
        self.host, self.port = self.address.rsplit(":", 1)

    def url(self, path):
        return f"http://{self.address}{path}"

    def rss_mib(self):
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.stderr.close()


def http(server, method, path, body=None, headers=None):
    """One request on a fresh connection; returns (status, parsed JSON or None)."""
    payload = json.dumps(body).encode() if body is not None else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {server.address}", "Connection: close",
             f"Content-Length: {len(payload)}", "Content-Type: application/json"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    with socket.create_connection((server.host, int(server.port))) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        response = b""
        while chunk := connection.recv(65536):
            response += chunk
    head, _, rest = response.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    try:
        return status, json.loads(rest) if rest else None
    except json.JSONDecodeError:
        return status, None


def cli(workdir, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PICOAUTH_")}
    env.update({"PICOAUTH_DB": str(Path(workdir) / "picoauth.db"),
                "PICOAUTH_KEY_DIR": str(Path(workdir) / "keys")})
    return subprocess.run([str(BINARY), *args], capture_output=True, text=True, env=env,
                          check=True).stdout.strip()


def wrk(server, path, seconds, connections, method="GET", body=None, bearer=None, secret=None,
        form=None, basic=None):
    env = dict(os.environ, WRK_METHOD=method)
    if form is not None:
        env["WRK_FORM_BODY"] = form
    if basic is not None:
        env["WRK_BASIC"] = basic
    if body is not None:
        env["WRK_BODY"] = json.dumps(body)
    if bearer:
        env["WRK_BEARER"] = bearer
    if secret:
        env["WRK_FLEET_SECRET"] = secret
    threads = min(2, connections)
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
         "-s", str(WRK_SCRIPT), server.url(path)],
        capture_output=True, text=True, env=env, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def loadgen(server, algorithm, seconds, connections):
    output = subprocess.run([str(LOADGEN), server.address, algorithm, str(connections),
                             str(seconds)], capture_output=True, text=True, check=True).stdout
    return json.loads(output)


def timed_runs(command, runs, env=None):
    """Wall-clock milliseconds of `runs` runs of a whole process; returns the median."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, env=env)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def start_to_healthy_ms(workdir, runs):
    """Median milliseconds from spawning `serve` (existing files) to a 200 from /healthz."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        server = Server(workdir)
        while True:
            try:
                status, _ = http(server, "GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
        times.append((time.perf_counter() - started) * 1000)
        server.stop()
    return statistics.median(times)


def fill_audit_and_denylist(database, mints, revocations):
    """Adds `mints` audit rows and `revocations` live denylist entries straight into SQLite."""
    now = int(time.time())
    with sqlite3.connect(database, timeout=30) as connection:
        connection.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO mints (jti, kind, sub, role, iat, exp, scope, agent_id, session_id, minted_by) "
            "SELECT printf('bench%027x', i), 'fleet', 'session-' || i, 'agent', ? - i, ? - i + 86400, "
            "NULL, 'agent-' || (i % 100), 'session-' || i, 'bench' FROM n",
            (mints, now, now))
        connection.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO revocations (jti, revoked_at, reason, revoked_by, expires_at) "
            "SELECT printf('bench%027x', i), ? - (i % 3600), 'benchmark', 'bench', ? + 86400 FROM n",
            (revocations, now, now))


# ---------------------------------------------------------------------------------------------
# 8. The backend comparison: SQLite and PostgreSQL (one and two replicas) side by side.

def pg_bin():
    """The directory of PostgreSQL's server binaries (the newest installed), or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                   key=lambda path: [int(part) if part.isdigit() else 0
                                     for part in path.parent.parent.name.split(".")])
    if found:
        return found[-1].parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Postgres:
    """A throwaway PostgreSQL cluster on loopback with trust authentication and the server's
    default settings, stopped and removed by `stop` (and at exit). initdb and pg_ctl refuse to
    run as root, so as root they run as the `postgres` user, as in .ci/run."""

    def __init__(self, bin_dir):
        self.bin = Path(bin_dir)
        self.dir = Path(tempfile.mkdtemp(prefix="picoauth-bench-pg-"))
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.running = False
        atexit.register(self.stop)
        subprocess.run(self.as_owner + [str(self.bin / "initdb"), "-D", str(self.dir / "data"),
                                        "-U", "postgres", "--auth=trust", "-E", "UTF8"],
                       capture_output=True, check=True)
        for _ in range(5):
            self.port = free_port()
            started = subprocess.run(
                self.as_owner + [str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"),
                                 "-l", str(self.dir / "server.log"), "-w", "-t", "60", "-o",
                                 f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} "
                                 # The database in each log line, to count reruns per setup.
                                 "-c log_line_prefix='%m [%p] %d '",
                                 "start"],
                capture_output=True)
            if started.returncode == 0:
                self.running = True
                break
        else:
            raise RuntimeError(f"PostgreSQL did not start; see {self.dir / 'server.log'}")
        self.databases = 0

    def psql(self, sql, database="postgres"):
        return subprocess.run([str(self.bin / "psql"), "-X", "-A", "-t", "-h", "127.0.0.1", "-p",
                               str(self.port), "-U", "postgres", "-d", database, "-c", sql],
                              capture_output=True, text=True, check=True).stdout.strip()

    def create_database(self):
        """A new empty database; returns its name and URL."""
        self.databases += 1
        name = f"bench_{self.databases}"
        self.psql(f"CREATE DATABASE {name}")
        return name, f"postgres://postgres@127.0.0.1:{self.port}/{name}?sslmode=disable"

    def serialization_failures(self, database):
        """Serialization failures in `database` so far (each a rerun of a write transaction):
        PostgreSQL logs every one (log_min_error_statement is `error` by default)."""
        log_text = (self.dir / "server.log").read_text(errors="replace")
        return sum(1 for line in log_text.splitlines()
                   if f"] {database} ERROR:  could not serialize" in line)

    def describe(self):
        version = self.psql("SHOW server_version")
        settings = ", ".join(f"{name} {self.psql(f'SHOW {name}')}"
                             for name in ("fsync", "synchronous_commit", "shared_buffers"))
        return f"PostgreSQL {version} on loopback, {settings} (defaults)"

    def fdatasync_microseconds(self):
        """How long one fdatasync of an 8 kB write takes on the cluster's disk now
        (pg_test_fsync, one second): the floor under every durable commit."""
        output = subprocess.run([str(self.bin / "pg_test_fsync"), "-s", "1", "-f",
                                 str(self.dir / "fsync-test")],
                                capture_output=True, text=True).stdout
        match = re.search(r"^\s+fdatasync\s+[\d.,]+ ops/sec\s+([\d.,]+) usecs/op", output, re.M)
        return float(match.group(1).replace(",", "")) if match else None

    def stop(self):
        if self.running:
            subprocess.run(self.as_owner + [str(self.bin / "pg_ctl"), "-D",
                                            str(self.dir / "data"), "-m", "fast", "-w", "stop"],
                           capture_output=True)
            self.running = False
        shutil.rmtree(self.dir, ignore_errors=True)


class Setup:
    """One deployment under test: a name, its servers (replicas of one database), and how to
    run SQL on that database (`sql(statement, parameters)`)."""

    def __init__(self, name, servers, sql, database=None):
        self.name = name
        self.servers = servers
        self.sql = sql
        # PostgreSQL's name of the database, or None for SQLite.
        self.database = database

    def stop(self):
        for server in self.servers:
            if server.process.poll() is None:
                server.stop()


def sqlite_setup(workdir):
    Path(workdir).mkdir(parents=True, exist_ok=True)
    server = Server(workdir)

    def sql(statement, parameters):
        with sqlite3.connect(Path(workdir) / "picoauth.db", timeout=30) as connection:
            connection.execute(statement.replace("%s", "?"), parameters)

    return Setup("SQLite", [server], sql)


def postgres_setup(name, postgres, workdir, replicas, binary=None):
    """`replicas` `serve` processes on one new database, each with its own key directory and
    the same key-encryption key; the first starts alone (it creates the admin and the keys)."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    kek = workdir / "kek"
    kek.write_text(base64.b64encode(os.urandom(32)).decode() + "\n")
    kek.chmod(0o600)
    database, url = postgres.create_database()
    servers = []
    for replica in range(replicas):
        servers.append(Server(workdir, {
            "PICOAUTH_DB": url,
            "PICOAUTH_KEY_ENCRYPTION_KEY_FILE": str(kek),
            "PICOAUTH_KEY_DIR": str(workdir / f"keys-{replica}"),
        }, log_name=f"server-{replica}.log", binary=binary))
    def sql(statement, parameters):
        # psql's variables carry the parameters (integers here), quoted as literals.
        variables = []
        for index, value in enumerate(parameters):
            variables += ["-v", f"p{index}={int(value)}"]
            statement = statement.replace("%s", f":p{index}", 1)
        subprocess.run([str(postgres.bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                        *variables, url], input=statement + ";\n", text=True,
                       capture_output=True, check=True)

    return Setup(name, servers, sql, database)


# Refresh tokens of other sessions, stored before the comparison: a running deployment keeps
# every rotated token until its chain ends (refresh_token_ttl, 7 days by default), so its table
# is never nearly empty; an empty one would be an unrepresentative worst case for PostgreSQL's
# serializable checks, whose index locks are per page (two rotations touching one page of a tiny
# index conflict, and one of them reruns).
STORED_REFRESH_TOKENS = 100_000


def fill_refresh_tokens(setup, count):
    """Adds `count` wallet sessions' refresh tokens (random hashes nobody holds), nine in ten
    of them rotated, all living for a week."""
    count = int(count)
    if setup.name == "SQLite":
        token = "randomblob(32)"
        numbers = f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) "
        source = "FROM n"
    else:
        token = "sha256(convert_to('bench-' || i || '-' || random(), 'UTF8'))"
        numbers = ""
        source = f"FROM generate_series(1, {count}) AS n(i)"
    setup.sql(numbers + "INSERT INTO refresh_tokens (token_hash, family_id, user_id, "
              "wallet_address, wallet_algorithm, access_jti, issued_at, expires_at, rotated_at) "
              f"SELECT {token}, 'bench-family-' || (i / 10), NULL, 'bench-wallet-' || (i % 1000), "
              "'Ed25519', 'bench-jti-' || i, %s, %s + 604800, "
              f"CASE WHEN i % 10 = 0 THEN NULL ELSE %s END {source}",
              [int(time.time())] * 3)


def wrk_on(servers, path, seconds, connections, **request):
    """wrk on every server at once, the connections shared out among them; the requests and
    errors summed, the latency percentiles the worst server's."""
    if len(servers) == 1:
        return wrk(servers[0], path, seconds, connections, **request)
    results = [None] * len(servers)

    def one(index):
        results[index] = wrk(servers[index], path, seconds,
                             max(1, connections // len(servers)), **request)

    threads = [threading.Thread(target=one, args=(index,)) for index in range(len(servers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    combined = {"requests": 0, "errors": 0, "seconds": 0.0, "p50": 0.0, "p90": 0.0, "p99": 0.0}
    for result in results:
        combined["requests"] += result["requests"]
        combined["errors"] += result["errors"]
        # One clock for all: their runs overlap, so the rate is requests over the longest.
        combined["seconds"] = max(combined["seconds"], result["seconds"])
        for percentile in ("p50", "p90", "p99"):
            combined[percentile] = max(combined[percentile], result[percentile])
    return combined


def refresh_run(servers, email, seconds, connections):
    """loadgen's refresh chains, each rotation on the next server in turn."""
    hosts = ",".join(server.address for server in servers)
    done = subprocess.run([str(LOADGEN), "refresh", hosts, email, USER_PASSWORD,
                           str(connections), str(seconds)],
                          capture_output=True, text=True, check=True)
    for line in done.stderr.splitlines():
        log(f"    loadgen: {line}")
    return json.loads(done.stdout)


# The loads of the comparison: (name, connections, how to run it on a setup's servers).
COMPARED_LOADS = [
    ("POST /fleet/sessions", 16, lambda servers, seconds: wrk_on(
        servers, "/api/v1/auth/fleet/sessions", seconds, 16, method="POST",
        body={"session_id": "bench-session", "agent_id": "bench-agent", "ttl": 3600},
        secret=FLEET_SECRET)),
    ("POST /login", 8, lambda servers, seconds: wrk_on(
        servers, "/api/v1/auth/login", seconds, 8, method="POST",
        body={"email": "bench@example.com", "password": USER_PASSWORD})),
    ("POST /refresh", 8, lambda servers, seconds: refresh_run(
        servers, "refresh@example.com", seconds, 8)),
    ("GET /jwks", 64, lambda servers, seconds: wrk_on(
        servers, "/api/v1/auth/jwks", seconds, 64)),
]


def compare_backends(args, postgres, comparison, facts):
    """Section 8: every load of COMPARED_LOADS on every setup, setup after setup within each
    load (so all see the same moment of a noisy machine), `--rounds` times; the medians."""
    seconds = args.seconds
    with tempfile.TemporaryDirectory(prefix="picoauth-bench-") as workdir:
        setups = []
        try:
            log("8. SQLite and PostgreSQL side by side: starting the setups …")
            setups.append(sqlite_setup(Path(workdir) / "sqlite"))
            setups.append(postgres_setup("PostgreSQL, one replica", postgres,
                                         Path(workdir) / "pg1", 1))
            setups.append(postgres_setup("PostgreSQL, two replicas", postgres,
                                         Path(workdir) / "pg2", 2))
            if args.baseline_binary:
                setups.append(postgres_setup("PostgreSQL, one replica, baseline binary",
                                             postgres, Path(workdir) / "pg-baseline", 1,
                                             binary=Path(args.baseline_binary).resolve()))
            for setup in setups:
                fill_refresh_tokens(setup, STORED_REFRESH_TOKENS)
                if setup.database:
                    # As autovacuum would soon after, rather than during a measurement.
                    postgres.psql("VACUUM ANALYZE", setup.database)
                for email in ("bench@example.com", "refresh@example.com"):
                    status, _ = http(setup.servers[0], "POST", "/api/v1/auth/register",
                                     {"email": email, "password": USER_PASSWORD})
                    assert status in (200, 201), (setup.name, status)
            postgres.psql("CHECKPOINT")
            fsync_before = postgres.fdatasync_microseconds()
            results, reruns = {}, {}
            for round_number in range(args.rounds):
                for name, connections, run in COMPARED_LOADS:
                    # Each round starts the setups at another place, so no setup always runs
                    # right after the same one.
                    shift = round_number % len(setups)
                    for setup in setups[shift:] + setups[:shift]:
                        log(f"  round {round_number + 1}: {name} on {setup.name}")
                        failures = (postgres.serialization_failures(setup.database)
                                    if setup.database else 0)
                        result = run(setup.servers, seconds)
                        if setup.database:
                            failures = postgres.serialization_failures(setup.database) - failures
                            reruns[(name, setup.name)] = reruns.get((name, setup.name), 0) + failures
                        results.setdefault((name, setup.name), []).append(result)
                        log(f"    {result['requests'] / (result['seconds'] or 1):,.0f}/s"
                            f" p99 {result['p99']:.2f} ms errors {result['errors']}")
            fsync_after = postgres.fdatasync_microseconds()
            if fsync_before is not None and fsync_after is not None:
                facts.append(("one fdatasync of 8 kB on the cluster's disk before / after the "
                              "comparison (pg_test_fsync)",
                              f"{fsync_before / 1000:.2f} / {fsync_after / 1000:.2f} ms"))
            for setup in setups:
                alive = all(server.process.poll() is None for server in setup.servers)
                if not alive:
                    facts.append((f"{setup.name}: a server died during the run", "NO"))
                if setup.database:
                    facts.append((f"{setup.name}: serialization failures (each one rerun) in all "
                                  "rounds, by load",
                                  ", ".join(f"{name.split()[-1]} {reruns[(name, setup.name)]:,}"
                                            for name, _, _ in COMPARED_LOADS)))
        finally:
            for setup in setups:
                setup.stop()
    names = [setup.name for setup in setups]
    for name, connections, _ in COMPARED_LOADS:
        figures = {}
        for setup_name in names:
            runs = results[(name, setup_name)]
            figures[setup_name] = {
                "rate": statistics.median(run["requests"] / (run["seconds"] or 1) for run in runs),
                "p50": statistics.median(run["p50"] for run in runs),
                "p99": statistics.median(run["p99"] for run in runs),
                "errors": sum(run["errors"] for run in runs),
            }
        comparison.append((f"{name} ({connections} connections)", figures))
    return names


def print_comparison(names, comparison, facts):
    """The backend comparison: a column per setup, each PostgreSQL one with its ratio to
    SQLite's throughput."""
    header = ["load"]
    for name in names:
        header.append(f"{name}: throughput, p50 / p99 ms")
        if name != "SQLite":
            header.append("÷ SQLite")
    print("| " + " | ".join(header) + " |")
    print("|---|" + "---:|" * (len(header) - 1))
    for load, figures in comparison:
        cells = [load]
        sqlite_rate = figures["SQLite"]["rate"]
        for name in names:
            figure = figures[name]
            errors = f", {figure['errors']} errors" if figure["errors"] else ""
            cells.append(f"{figure['rate']:,.0f}/s, {figure['p50']:.2f} / {figure['p99']:.2f}"
                         f"{errors}")
            if name != "SQLite":
                cells.append(f"{figure['rate'] / sqlite_rate:.2f}×" if sqlite_rate else "")
        print("| " + " | ".join(cells) + " |")
    by_load = dict(comparison)
    mint = by_load.get("POST /fleet/sessions (16 connections)")
    refresh = by_load.get("POST /refresh (8 connections)")
    if mint:
        ratios = " / ".join(f"{mint[name]['rate'] / mint['SQLite']['rate']:.2f}×"
                            for name in names if name != "SQLite")
        facts.append(("fleet mint, PostgreSQL ÷ SQLite of the same run (target ≥ 0.7×)", ratios))
    if refresh:
        p99s = " / ".join(f"{refresh[name]['p99']:.2f} ms" for name in names if name != "SQLite")
        facts.append(("refresh p99 at 8 connections on PostgreSQL (target ≤ 10 ms)", p99s))


def row(rows, name, result, ratio_to=None):
    seconds = result["seconds"] or 1
    rate = result["requests"] / seconds
    ratio = f"{rate / ratio_to:.2f}×" if ratio_to else ""
    rows.append((name, f"{rate:,.0f}/s", f"{result['p50']:.2f}", f"{result['p90']:.2f}",
                 f"{result['p99']:.2f}", str(result["errors"]), ratio))
    log(f"  {name}: {rate:,.0f}/s p50 {result['p50']:.2f} ms p99 {result['p99']:.2f} ms"
        f" errors {result['errors']}")
    return rate


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="duration of each load run")
    parser.add_argument("--hostile-seconds", type=int, default=60,
                        help="duration of the good-and-hostile run (and of its clean baseline)")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--only-hostile", action="store_true",
                      help="run only the good-and-hostile run (7), e.g. after a change to the defences")
    only.add_argument("--only-postgres", action="store_true",
                      help="run only the comparison of SQLite and PostgreSQL (8)")
    only.add_argument("--no-postgres", action="store_true",
                      help="skip the comparison of SQLite and PostgreSQL (8)")
    only.add_argument("--only-pqc", action="store_true",
                      help="run only the post-quantum tokens (9): ML-DSA signing rates, mints, "
                           "wallet flows and the JWKS against nginx")
    parser.add_argument("--rounds", type=int, default=1,
                        help="how often the comparison (8) and the post-quantum section (9) run "
                             "every load; medians are shown")
    parser.add_argument("--baseline-binary", metavar="PATH",
                        help="also run the comparison's one-replica PostgreSQL setup on this other "
                             "picoauth binary (say, a build from before a change), in the same run")
    args = parser.parse_args()
    for tool in ("cargo", "wrk", "openssl"):
        if not shutil.which(tool):
            sys.exit(f"bench/run.py needs {tool} on the PATH (wrk: apt-get install wrk)")
    postgres_bin = None if args.no_postgres or args.only_hostile or args.only_pqc else pg_bin()
    if args.only_postgres and postgres_bin is None:
        sys.exit("bench/run.py --only-postgres needs PostgreSQL's initdb and pg_ctl "
                 "(apt-get install postgresql)")
    if postgres_bin is None and not (args.no_postgres or args.only_hostile or args.only_pqc):
        log("no pg_ctl found: skipping the comparison with PostgreSQL (8)")
    build()
    log("measuring the machine's RSA-2048 signing rate (openssl speed, one core) …")
    openssl_rate = openssl_rsa2048_signs_per_second()
    rows, facts, comparison, names, pqc_lines = [], [], [], [], []
    if not (args.only_hostile or args.only_postgres or args.only_pqc):
        measure_everything_but_hostile(args, openssl_rate, rows, facts)
    if not (args.only_postgres or args.only_pqc):
        hostile(args, facts)
    if postgres_bin is not None:
        postgres = Postgres(postgres_bin)
        try:
            facts.append(("the comparison's PostgreSQL (8)", postgres.describe()))
            names = compare_backends(args, postgres, comparison, facts)
        finally:
            postgres.stop()
    if not (args.only_hostile or args.only_postgres):
        pqc(args, openssl_rate, pqc_lines)
    print_results(args, openssl_rate, rows, facts, names, comparison, pqc_lines)


def measure_everything_but_hostile(args, openssl_rate, rows, facts):
    """Sections 1 to 6: throughput, latency, the CLI, start-up and memory."""
    seconds = args.seconds
    with tempfile.TemporaryDirectory(prefix="picoauth-bench-") as workdir:
        # What agents may be given for the admin, the user of the token-exchange run (2c).
        server = Server(workdir, {"PICOAUTH_AGENT_SCOPES": "superadmin=bench:*"})
        # Idle: past the few seconds the hashing threads keep memory after the admin's hash.
        time.sleep(7)
        facts.append(("RSS idle", f"{server.rss_mib():.1f} MiB"))

        log("1. GET /jwks")
        row(rows, "GET /jwks", wrk(server, "/api/v1/auth/jwks", seconds, 64))

        log("2. POST /fleet/sessions")
        peak_rss = [0.0]
        sampling = threading.Event()

        def sample_rss():
            while not sampling.is_set():
                peak_rss[0] = max(peak_rss[0], server.rss_mib())
                time.sleep(0.2)

        sampler = threading.Thread(target=sample_rss)
        sampler.start()
        body = {"session_id": "bench-session", "agent_id": "bench-agent", "ttl": 3600}
        fleet = wrk(server, "/api/v1/auth/fleet/sessions", seconds, 16, method="POST", body=body,
                    secret=FLEET_SECRET)
        sampling.set()
        sampler.join()
        row(rows, "POST /fleet/sessions (RS256 mint + audit row)", fleet, ratio_to=openssl_rate)
        facts.append(("RSS under mint load (peak)", f"{peak_rss[0]:.1f} MiB"))
        client_credentials = client_credentials_mint(server, workdir, seconds, rows, facts, fleet)
        token_exchange_mint(server, workdir, seconds, rows, facts, client_credentials)

        log("3. wallet sign-in (challenge + sign-in)")
        for algorithm in ("Ed25519", "ML-DSA-65"):
            row(rows, f"wallet sign-in flow, {algorithm}",
                loadgen(server, algorithm, seconds, 8), ratio_to=openssl_rate)

        log("4. POST /login (argon2id m=19 MiB, t=2, p=1)")
        http(server, "POST", "/api/v1/auth/register",
             {"email": "bench@example.com", "password": USER_PASSWORD})
        login = {"email": "bench@example.com", "password": USER_PASSWORD}
        login_rate = row(rows, "POST /login (8 connections)",
                         wrk(server, "/api/v1/auth/login", seconds, 8, method="POST", body=login))
        cores = os.cpu_count() or 1

        def hashing(threads):
            output = subprocess.run([str(LOADGEN), "argon2", "20", str(threads)],
                                    capture_output=True, text=True, check=True).stdout
            return json.loads(output)

        one_hash_ms = hashing(1)["ms"]
        all_cores_rate = hashing(cores)["per_second"]
        facts.append(("one argon2id hash (m=19 MiB, t=2, p=1) alone, median", f"{one_hash_ms:.1f} ms"))
        facts.append(("argon2id hashes on every core at once, no server", f"{all_cores_rate:.0f}/s"))
        facts.append(("login throughput ÷ (cores ÷ one hash)",
                      f"{login_rate / (cores * 1000 / one_hash_ms):.2f}"))
        facts.append(("login throughput ÷ hashes on every core at once",
                      f"{login_rate / all_cores_rate:.2f}"))

        log("5. GET /revoked-jtis with 100,000 live revocations; list-mints on 1,000,000 rows")
        fill_audit_and_denylist(Path(workdir) / "picoauth.db", 1_000_000, 100_000)
        service = cli(workdir, "mint-fleet", "--session-id", "bench-poller", "--agent-id",
                      "bench", "--role", "service", "--ttl", "1h")
        status, listing = http(server, "GET", "/api/v1/auth/revoked-jtis",
                               headers={"Authorization": f"Bearer {service}"})
        assert status == 200 and len(listing["items"]) >= 100_000, status
        row(rows, "GET /revoked-jtis (100,000 entries)",
            wrk(server, "/api/v1/auth/revoked-jtis", seconds, 4, bearer=service))
        env = dict(os.environ, PICOAUTH_DB=str(Path(workdir) / "picoauth.db"),
                   PICOAUTH_KEY_DIR=str(Path(workdir) / "keys"))
        list_mints_ms = timed_runs([str(BINARY), "list-mints", "--limit", "50"], 30, env)
        facts.append(("`picoauth list-mints --limit 50`, 1,000,000 rows (whole process, median)",
                      f"{list_mints_ms:.1f} ms"))

        log("6. whole processes")
        mint_ms = timed_runs([str(BINARY), "mint-fleet", "--session-id", "ci", "--agent-id",
                              "bench"], 30, env)
        facts.append(("`picoauth mint-fleet` (whole process, median)", f"{mint_ms:.1f} ms"))
        server.stop()
        facts.append(("`picoauth serve` start to healthy /healthz (median)",
                      f"{start_to_healthy_ms(workdir, 10):.1f} ms"))



def client_credentials_mint(server, workdir, seconds, rows, facts, fleet):
    """2b. `POST /token` with `client_credentials` (issue 15) beside the fleet-secret mint of the
    same run: the same RS256 signature and audit row, plus the client's lookup and its secret's
    HMAC (target: at least 0.8 times the fleet mints per second)."""
    log("2b. POST /token (client_credentials, HTTP Basic)")
    secret = cli(workdir, "clients", "add", "bench-client", "--scopes", "bench:read bench:write")
    basic = base64.b64encode(f"bench-client:{secret}".encode()).decode()
    minted = wrk(server, "/api/v1/auth/token", seconds, 16, method="POST",
                 form="grant_type=client_credentials", basic=basic)
    row(rows, "POST /token client_credentials (RS256 mint + audit row)", minted)
    fleet_rate = fleet["requests"] / fleet["seconds"]
    client_rate = minted["requests"] / minted["seconds"]
    facts.append(("client-credentials mints ÷ fleet-secret mints, same run (target ≥ 0.8×)",
                  f"{client_rate / fleet_rate:.2f}×"))
    return minted


TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"


def token_exchange_mint(server, workdir, seconds, rows, facts, client_credentials):
    """2c. `POST /token` with the RFC 8693 token-exchange grant (issue 15), beside the
    client-credentials mint of the same run: the client's secret checked the same way, plus the
    subject token's signature check, its account read, and the chain's denylist check in the
    write transaction that audits the agent token. The subject is the admin's access token
    (agent_scopes grants `bench:*` to superadmins on this server)."""
    log("2c. POST /token (token exchange, HTTP Basic)")
    secret = cli(workdir, "clients", "add", "bench-agent", "--role", "agent", "--scopes",
                 "bench:*")
    basic = base64.b64encode(f"bench-agent:{secret}".encode()).decode()
    status, session = http(server, "POST", "/api/v1/auth/login",
                           {"email": "admin@pico.local", "password": ADMIN_PASSWORD})
    assert status == 200, f"the admin's login answered {status}"
    form = urllib.parse.urlencode({
        "grant_type": TOKEN_EXCHANGE,
        "subject_token": session["access_token"],
        "subject_token_type": ACCESS_TOKEN_TYPE,
        "scope": "bench:read",
        "task_id": "bench-task",
        "spend_limit": "100.00",
    })
    # One exchange first: a refused one would make wrk measure error answers.
    request = urllib.request.Request(server.url("/api/v1/auth/token"), data=form.encode(),
                                     headers={"Authorization": f"Basic {basic}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.loads(response.read())
    assert answer["issued_token_type"] == ACCESS_TOKEN_TYPE and answer["scope"] == "bench:read", answer
    exchanged = wrk(server, "/api/v1/auth/token", seconds, 16, method="POST", form=form,
                    basic=basic)
    row(rows, "POST /token token exchange (RS256 verify + mint + audit row)", exchanged)
    client_rate = client_credentials["requests"] / client_credentials["seconds"]
    exchange_rate = exchanged["requests"] / exchanged["seconds"]
    facts.append(("token exchanges ÷ client-credentials mints, same run",
                  f"{exchange_rate / client_rate:.2f}×"))
    facts.append(("token exchange p99 / client-credentials p99, same run",
                  f"{exchanged['p99']:.2f} ms / {client_credentials['p99']:.2f} ms"))
    return exchanged


def hostile(args, facts):
    """Section 7: good clients while hostile ones attack, against a clean baseline."""
    log(f"7. good and hostile clients together ({args.hostile_seconds} s each)")
    with tempfile.TemporaryDirectory(prefix="picoauth-bench-") as workdir:
        # The default request-rate limit (100/s per client and endpoint group), as in production:
        # the good clients are a fleet on 32 addresses (127.0.1.x), each under it; the hostile
        # clients (127.0.0.2-8) meet it and the login and fleet-secret back-off.
        server = Server(workdir, {"PICOAUTH_RATE_LIMIT_PER_SECOND": "100"})
        time.sleep(1)
        rss_before = server.rss_mib()
        output = subprocess.run([str(LOADGEN), "mixed", server.address, FLEET_SECRET,
                                 str(args.hostile_seconds)],
                                capture_output=True, text=True, check=True).stdout
        mixed = json.loads(output)
        rss_after = server.rss_mib()
        alive = server.process.poll() is None
        # Issue 10: queued work of abandoned requests once kept shutdown waiting.
        stop_started = time.perf_counter()
        server.stop()
        stop_seconds = time.perf_counter() - stop_started
        statuses = mixed["hostile_statuses"]
        server_errors = sum(count for status, count in statuses.items() if int(status) >= 500)
        broken = statuses.get("0", 0)
        facts.append(("good fleet mints alone / with hostile clients",
                      f"{mixed['clean_per_second']:,.0f}/s / {mixed['mixed_per_second']:,.0f}/s"
                      f" ({mixed['mixed_per_second'] / max(mixed['clean_per_second'], 1):.2f}×)"))
        facts.append(("hostile requests answered (statuses)",
                      f"{mixed['hostile_per_second']:,.0f}/s "
                      + ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))))
        facts.append(("5xx answers / broken connections / server alive",
                      f"{server_errors} / {broken} / {'yes' if alive else 'NO'}"))
        facts.append(("RSS before / after the hostile run", f"{rss_before:.1f} / {rss_after:.1f} MiB"))
        facts.append(("victim's login after the aborted-login attack (status)",
                      f"{mixed['owner_login_status']} ({mixed['aborted_logins_sent']:,} aborted logins sent)"))
        facts.append(("long-email logins answered (statuses)",
                      ", ".join(f"{status}: {count}" for status, count
                                in sorted(mixed["long_email_statuses"].items()))))
        facts.append(("slow-header connections closed by the server",
                      f"{mixed['slow_connections_closed_by_server']:,}"))
        facts.append(("SIGTERM to exit after the hostile run", f"{stop_seconds:.2f} s"))


# ---------------------------------------------------------------------------------------------
# 9. Post-quantum tokens (issue 13): ML-DSA fleet mints, the wallet flow with ML-DSA tokens and
# the JWKS with an AKP key, against OpenSSL's ML-DSA signing rate and nginx, in one run.

MLDSA_SIGN = ROOT / "target" / "release" / "examples" / "mldsa_sign"
TOKEN_ALGORITHMS = ("RS256", "ML-DSA-65", "ML-DSA-87")
PQC_VENV = Path(tempfile.gettempdir()) / "picoauth-bench-cryptography"

# Run by a Python whose `cryptography` has ML-DSA: OpenSSL's signing rate on one core (Python
# is one thread), hedged signing as FIPS 204 and aws-lc do, median of interleaved rounds.
OPENSSL_MLDSA_RATE = r"""
import json, statistics, sys, time
from cryptography.hazmat.backends.openssl.backend import backend
from cryptography.hazmat.primitives.asymmetric import mldsa
message = open(sys.argv[1], "rb").read()
seconds, rounds = float(sys.argv[2]), int(sys.argv[3])
keys = {"ML-DSA-65": mldsa.MLDSA65PrivateKey.generate(),
        "ML-DSA-87": mldsa.MLDSA87PrivateKey.generate()}
rates = {name: [] for name in keys}
for _ in range(rounds):
    for name, key in keys.items():
        started, signs = time.perf_counter(), 0
        while time.perf_counter() - started < seconds:
            key.sign(message)
            signs += 1
        rates[name].append(signs / (time.perf_counter() - started))
import cryptography
print(json.dumps({"version": f"{backend.openssl_version_text()} (Python cryptography "
                             f"{cryptography.__version__})",
                  **{name: statistics.median(values) for name, values in rates.items()}}))
"""


def python_with_mldsa():
    """A Python whose `cryptography` signs ML-DSA (it ships OpenSSL ≥ 3.5 in its wheels): this
    interpreter, else a venv under /tmp made from PyPI (kept for the next run); None if
    neither works. Returns (python, how it was found)."""
    probe = "from cryptography.hazmat.primitives.asymmetric import mldsa"
    for python, how in ((sys.executable, "this Python's cryptography"),
                        (PQC_VENV / "bin" / "python", f"the venv {PQC_VENV}")):
        if Path(python).exists() and subprocess.run([str(python), "-c", probe],
                                                    capture_output=True).returncode == 0:
            return str(python), how
    log(f"  this Python's cryptography has no ML-DSA: making a venv in {PQC_VENV} from PyPI …")
    made = subprocess.run([sys.executable, "-m", "venv", str(PQC_VENV)], capture_output=True)
    if made.returncode == 0:
        subprocess.run([str(PQC_VENV / "bin" / "pip"), "install", "--quiet", "--upgrade",
                        "cryptography"], capture_output=True)
        python = PQC_VENV / "bin" / "python"
        if subprocess.run([str(python), "-c", probe], capture_output=True).returncode == 0:
            return str(python), f"the venv {PQC_VENV} (cryptography from PyPI)"
    return None, None


def openssl_speed_mldsa():
    """`openssl speed` of the system OpenSSL if it is 3.5 or later (it has ML-DSA then):
    {"ML-DSA-65": signs/s, "ML-DSA-87": signs/s, "version": …}, or None."""
    version = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout
    match = re.match(r"OpenSSL (\d+)\.(\d+)", version)
    if not match or (int(match.group(1)), int(match.group(2))) < (3, 5):
        return None
    rates = {"version": version.strip() + " (openssl speed)"}
    for name in ("ML-DSA-65", "ML-DSA-87"):
        output = subprocess.run(["openssl", "speed", "-seconds", "2", name.lower()],
                                capture_output=True, text=True).stdout
        lines = output.splitlines()
        # A header naming the columns (… sign/s …), then a row per algorithm.
        header = next((line.split() for line in lines if "sign/s" in line), None)
        row = next((line.split() for line in lines if line.strip().upper().startswith(name)), None)
        if not header or not row:
            return None
        values = row[-len(header):]
        rates[name] = float(values[header.index("sign/s")])
    return rates


def openssl_mldsa_rates(python, message_file, seconds=2, rounds=3):
    """OpenSSL's ML-DSA-65 and ML-DSA-87 signs per second on one core, or None."""
    if python:
        done = subprocess.run([python, "-c", OPENSSL_MLDSA_RATE, str(message_file),
                               str(seconds), str(rounds)], capture_output=True, text=True)
        if done.returncode == 0:
            return json.loads(done.stdout)
        log(f"  OpenSSL's ML-DSA rate through {python} failed: {done.stderr.strip()[-300:]}")
    return openssl_speed_mldsa()


def rust_mldsa_rates(message_file, count):
    """aws-lc-rs and the `ml-dsa` crate, signs per second on one thread (bench/mldsa_sign.rs)."""
    output = subprocess.run([str(MLDSA_SIGN), str(message_file), str(count)],
                            capture_output=True, text=True, check=True).stdout
    return json.loads(output)


def http_raw(address, path):
    """GET `path` on a fresh connection, nothing but Host: returns (status, headers, body
    bytes), the body read to the connection's end."""
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(f"GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
                           .encode())
        response = b""
        while chunk := connection.recv(65536):
            response += chunk
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in
               (line.partition(":") for line in lines[1:])}
    return int(lines[0].split(" ")[1]), headers, body


class Nginx:
    """nginx serving `files` ({url path: bytes}) as static files from a temp directory on a free
    loopback port: a worker per core, keep-alive, sendfile and the open-file cache on (as a
    static site is served), and its default access log (a line per request to a file) unless
    `access_log` is False. Stopped by `stop` and at exit."""

    def __init__(self, binary, files, access_log=True):
        self.dir = Path(tempfile.mkdtemp(prefix="picoauth-bench-nginx-"))
        # The workers run as `nobody` when nginx starts as root: they must read the files.
        self.dir.chmod(0o755)
        root = self.dir / "www"
        for path, content in files.items():
            target = root / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        for directory in [root, *root.rglob("*")]:
            directory.chmod(0o755 if directory.is_dir() else 0o644)
        self.process, self.log = None, None
        atexit.register(self.stop)
        locations = "\n".join(f"    location = {path} {{ default_type application/json; }}"
                              for path in files)
        for _ in range(5):
            self.port = free_port()
            config = self.dir / "nginx.conf"
            temp = self.dir / "temp"
            temp.mkdir(exist_ok=True)
            config.write_text(f"""
worker_processes {os.cpu_count() or 1};
daemon off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log {f"{self.dir}/access.log" if access_log else "off"};
  client_body_temp_path {temp}/body;
  proxy_temp_path {temp}/proxy;
  fastcgi_temp_path {temp}/fastcgi;
  uwsgi_temp_path {temp}/uwsgi;
  scgi_temp_path {temp}/scgi;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65s;
  keepalive_requests 1000000;
  open_file_cache max=64 inactive=60s;
  server {{
    listen 127.0.0.1:{self.port};
    root {root};
{locations}
  }}
}}
""")
            self.log = open(self.dir / "stderr.log", "ab")
            self.process = subprocess.Popen([binary, "-p", str(self.dir), "-c", str(config)],
                                            stdout=subprocess.DEVNULL, stderr=self.log)
            self.address = f"127.0.0.1:{self.port}"
            self.host = "127.0.0.1"
            for _ in range(100):
                if self.process.poll() is not None:
                    break
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return
                except OSError:
                    time.sleep(0.05)
            self.stop_process()
        raise RuntimeError(f"nginx did not start; see {self.dir}/error.log and stderr.log")

    def url(self, path):
        return f"http://{self.address}{path}"

    def version(self, binary):
        return subprocess.run([binary, "-v"], capture_output=True, text=True).stderr.strip()

    def stop_process(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self.log:
            self.log.close()

    def stop(self):
        """Stops nginx (SIGTERM: the master stops its workers) and removes its directory."""
        self.stop_process()
        shutil.rmtree(self.dir, ignore_errors=True)


def rate_of(result):
    return result["requests"] / (result["seconds"] or 1)


def medians(runs):
    return {"rate": statistics.median(rate_of(run) for run in runs),
            "p50": statistics.median(run["p50"] for run in runs),
            "p90": statistics.median(run["p90"] for run in runs),
            "p99": statistics.median(run["p99"] for run in runs),
            "errors": sum(run["errors"] for run in runs)}


def pqc(args, rsa_rate, lines):
    """Section 9: signing rates (OpenSSL, aws-lc-rs, the `ml-dsa` crate), fleet mints and the
    wallet flow on servers of each token algorithm, the JWKS with an AKP key against nginx;
    `--rounds` rounds, each load on each server back to back in turning order. Appends Markdown
    to `lines`."""
    seconds, cores = args.seconds, os.cpu_count() or 1
    fleet_body = {"session_id": "bench-session", "agent_id": "bench-agent", "ttl": 3600}
    facts = []
    with tempfile.TemporaryDirectory(prefix="picoauth-bench-pqc-") as workdir:
        servers, nginxes = {}, []
        try:
            for algorithm in TOKEN_ALGORITHMS:
                directory = Path(workdir) / algorithm
                directory.mkdir()
                servers[algorithm] = Server(directory, {"PICOAUTH_TOKEN_ALGORITHM": algorithm})
            # A real token's signing input (header.payload), signed by every implementation.
            status, minted = http(servers["ML-DSA-65"], "POST", "/api/v1/auth/fleet/sessions",
                                  fleet_body, {"X-Fleet-Secret": FLEET_SECRET})
            assert status == 200, status
            token = minted["session_token"]
            header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
            assert header["alg"] == "ML-DSA-65", header
            message_file = Path(workdir) / "signing-input"
            message_file.write_bytes(token.rsplit(".", 1)[0].encode())
            facts.append(("an ML-DSA-65 fleet token: signing input / whole token",
                          f"{message_file.stat().st_size:,} / {len(token):,} bytes"))

            log("9. post-quantum tokens: OpenSSL's ML-DSA signing rate (one core) …")
            python, how = python_with_mldsa()
            openssl_runs = []
            first = openssl_mldsa_rates(python, message_file)
            if first:
                openssl_runs.append(first)
                log(f"  {first['version']}: ML-DSA-65 {first['ML-DSA-65']:,.0f}/s, "
                    f"ML-DSA-87 {first['ML-DSA-87']:,.0f}/s")
            else:
                log("  no OpenSSL with ML-DSA found (neither Python cryptography with ML-DSA nor "
                    "openssl ≥ 3.5): skipping the ratios to OpenSSL")
            log("  aws-lc-rs and the ml-dsa crate, one thread …")
            rust_runs = [rust_mldsa_rates(message_file, 300)]

            mints = {algorithm: [] for algorithm in TOKEN_ALGORITHMS}
            wallets = {(algorithm, wallet): [] for algorithm in TOKEN_ALGORITHMS
                       for wallet in ("Ed25519", "ML-DSA-65")}
            # The JWKS with one AKP key: picoauth with its request log (the default) and with
            # log_level = warn, nginx with its access log (the default) and without, so that
            # each is compared with the other doing the same work per request.
            status, _, jwks_body = http_raw(servers["ML-DSA-65"].address, "/api/v1/auth/jwks")
            assert status == 200 and json.loads(jwks_body)["keys"][0]["kty"] == "AKP", status
            quiet = {"PICOAUTH_TOKEN_ALGORITHM": "ML-DSA-65", "PICOAUTH_LOG_LEVEL": "warn"}
            builds = [("", None)]
            if args.baseline_binary:
                builds.append((", baseline binary", Path(args.baseline_binary).resolve()))
            jwks_targets = []
            for suffix, binary in builds:
                for logged in (True, False):
                    key = f"picoauth{suffix}{'' if logged else ', log_level = warn'}"
                    if logged and not binary:
                        servers[key] = servers["ML-DSA-65"]
                    else:
                        directory = Path(workdir) / key.replace(" ", "").replace(",", "-")
                        directory.mkdir()
                        servers[key] = Server(directory, quiet if not logged else
                                              {"PICOAUTH_TOKEN_ALGORITHM": "ML-DSA-65"},
                                              binary=binary)
                    jwks_targets.append((key, servers[key], logged))
            nginx_binary = shutil.which("nginx") or next(
                (path for path in ("/usr/sbin/nginx", "/usr/local/nginx/sbin/nginx")
                 if Path(path).exists()), None)
            if nginx_binary:
                for logged in (True, False):
                    one = Nginx(nginx_binary, {"/api/v1/auth/jwks": jwks_body}, access_log=logged)
                    nginxes.append(one)
                    _, _, served = http_raw(one.address, "/api/v1/auth/jwks")
                    assert served == jwks_body, "nginx serves other bytes than picoauth"
                    jwks_targets.append((f"nginx{'' if logged else ', access_log off'}", one,
                                         logged))
                facts.append(("the JWKS (one ML-DSA-65 AKP key), identity encoding",
                              f"{len(jwks_body):,} bytes, the same bytes from nginx"))
                facts.append(("nginx", f"{nginxes[0].version(nginx_binary)}, {cores} workers, "
                                       "keep-alive, sendfile, open_file_cache"))
            else:
                log("  no nginx found (apt-get install nginx): skipping the JWKS comparison")
            jwks_runs = {name: [] for name, _, _ in jwks_targets}

            for round_number in range(args.rounds):
                log(f"  round {round_number + 1} of {args.rounds}")
                shift = round_number % len(TOKEN_ALGORITHMS)
                order = TOKEN_ALGORITHMS[shift:] + TOKEN_ALGORITHMS[:shift]
                for algorithm in order:
                    result = wrk(servers[algorithm], "/api/v1/auth/fleet/sessions", seconds, 16,
                                 method="POST", body=fleet_body, secret=FLEET_SECRET)
                    mints[algorithm].append(result)
                    log(f"    fleet mint, {algorithm}: {rate_of(result):,.0f}/s "
                        f"p99 {result['p99']:.2f} ms errors {result['errors']}")
                for algorithm in order:
                    for wallet in ("Ed25519", "ML-DSA-65"):
                        result = loadgen(servers[algorithm], wallet, seconds, 8)
                        wallets[(algorithm, wallet)].append(result)
                        log(f"    wallet flow, {wallet} wallet, {algorithm} tokens: "
                            f"{rate_of(result):,.0f}/s errors {result['errors']}")
                shift = round_number % len(jwks_targets)
                for name, target, _ in jwks_targets[shift:] + jwks_targets[:shift]:
                    result = wrk(target, "/api/v1/auth/jwks", seconds, 64)
                    jwks_runs[name].append(result)
                    log(f"    GET /jwks, {name}: {rate_of(result):,.0f}/s "
                        f"p99 {result['p99']:.2f} ms errors {result['errors']}")

            log("  the signing rates again, after the loads …")
            last = openssl_mldsa_rates(python, message_file) if openssl_runs else None
            if last:
                openssl_runs.append(last)
            rust_runs.append(rust_mldsa_rates(message_file, 300))
            alive = all(server.process.poll() is None for server in servers.values())
            facts.append(("servers alive after the run", "yes" if alive else "NO"))
        finally:
            for server in set(servers.values()):
                if server.process.poll() is None:
                    server.stop()
            for one in nginxes:
                one.stop()

    # The per-core signing rates of the run: the median of the measurements before and after.
    openssl = ({name: statistics.median(run[name] for run in openssl_runs)
                for name in ("ML-DSA-65", "ML-DSA-87")} if openssl_runs else None)
    rust = {implementation: {name: statistics.median(run[implementation][name] for run in rust_runs)
                             for name in ("ML-DSA-65", "ML-DSA-87")}
            for implementation in ("aws-lc-rs", "ml-dsa")}
    one_core = {"RS256": {"openssl": rsa_rate, "aws-lc-rs": None}}
    for name in ("ML-DSA-65", "ML-DSA-87"):
        one_core[name] = {"openssl": openssl[name] if openssl else None,
                          "aws-lc-rs": rust["aws-lc-rs"][name]}

    rounds = f", median of {args.rounds} rounds" if args.rounds > 1 else ""
    lines.append(f"Post-quantum tokens (9), {cores} cores, {seconds} s per load{rounds}.\n")
    lines.append("Signing rates on one core, the same signing input (an ML-DSA-65 fleet token's "
                 "header.payload), before and after the loads (median):\n")
    lines.append("| implementation | ML-DSA-65 signs/s | ML-DSA-87 signs/s | before / after (65) |")
    lines.append("|---|---:|---:|---:|")
    if openssl:
        lines.append(f"| {openssl_runs[0]['version']}, via {how if python else 'openssl speed'} "
                     f"| {openssl['ML-DSA-65']:,.0f} | {openssl['ML-DSA-87']:,.0f} | "
                     + " / ".join(f"{run['ML-DSA-65']:,.0f}" for run in openssl_runs) + " |")
    for implementation, label in (("aws-lc-rs", "aws-lc-rs (`PqdsaKeyPair`, the server's)"),
                                  ("ml-dsa", "RustCrypto `ml-dsa` (expanded key)")):
        lines.append(f"| {label} | {rust[implementation]['ML-DSA-65']:,.0f} | "
                     f"{rust[implementation]['ML-DSA-87']:,.0f} | "
                     + " / ".join(f"{run[implementation]['ML-DSA-65']:,.0f}" for run in rust_runs)
                     + " |")
    lines.append("")
    for name in ("ML-DSA-65", "ML-DSA-87"):
        facts.append((f"{name}: aws-lc-rs ÷ ml-dsa crate, one thread",
                      f"{rust['aws-lc-rs'][name] / rust['ml-dsa'][name]:.2f}×"))
        if openssl:
            facts.append((f"{name}: aws-lc-rs ÷ OpenSSL, one core",
                          f"{rust['aws-lc-rs'][name] / openssl[name]:.2f}×"))

    lines.append("| load | throughput | p50 ms | p90 ms | p99 ms | errors "
                 "| ÷ (cores × OpenSSL one core) | ÷ (cores × aws-lc-rs one thread) |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")

    def table_row(name, figures, algorithm=None):
        bases = one_core.get(algorithm, {})
        ratios = [f"{figures['rate'] / (cores * bases[base]):.2f}×" if bases.get(base) else ""
                  for base in ("openssl", "aws-lc-rs")]
        lines.append(f"| {name} | {figures['rate']:,.0f}/s | {figures['p50']:.2f} | "
                     f"{figures['p90']:.2f} | {figures['p99']:.2f} | {figures['errors']} | "
                     + " | ".join(ratios) + " |")

    mint = {algorithm: medians(runs) for algorithm, runs in mints.items()}
    for algorithm in TOKEN_ALGORITHMS:
        table_row(f"POST /fleet/sessions, {algorithm} tokens (16 connections)", mint[algorithm],
                  algorithm)
    for (algorithm, wallet), runs in wallets.items():
        table_row(f"wallet sign-in flow, {wallet} wallet, {algorithm} tokens (8)",
                  medians(runs), algorithm)
    lines.append("")
    jwks = {name: medians(runs) for name, runs in jwks_runs.items() if runs}
    logs = {name: logged for name, _, logged in jwks_targets}
    nginx_of = {logged: name for name, _, logged in jwks_targets if name.startswith("nginx")}
    if jwks:
        lines.append("`GET /jwks` with one ML-DSA-65 (AKP) key, 64 connections; each picoauth "
                     "figure ÷ nginx doing the same logging:\n")
        lines.append("| server | logs every request | throughput | p50 ms | p90 ms | p99 ms "
                     "| errors | ÷ nginx |")
        lines.append("|---|---|---:|---:|---:|---:|---:|---:|")
        for name, figures in jwks.items():
            nginx_name = nginx_of.get(logs[name])
            ratio = (f"{figures['rate'] / jwks[nginx_name]['rate']:.2f}×"
                     if nginx_name and not name.startswith("nginx") else "")
            lines.append(f"| {name} | {'yes' if logs[name] else 'no'} | {figures['rate']:,.0f}/s "
                         f"| {figures['p50']:.2f} | {figures['p90']:.2f} | {figures['p99']:.2f} "
                         f"| {figures['errors']} | {ratio} |")
        lines.append("")
    if openssl:
        facts.append(("ML-DSA-65 fleet mint ÷ (cores × OpenSSL ML-DSA-65 one core) "
                      "(target ≥ 0.8×)",
                      f"{mint['ML-DSA-65']['rate'] / (cores * openssl['ML-DSA-65']):.2f}×"))
    for logged in (True, False):
        name = "picoauth" if logged else "picoauth, log_level = warn"
        if nginx_of.get(logged) in jwks:
            facts.append((f"GET /jwks with an AKP key ÷ nginx, same bytes, "
                          f"{'both logging every request' if logged else 'neither logging'} "
                          "(target ≥ 0.9×)",
                          f"{jwks[name]['rate'] / jwks[nginx_of[logged]]['rate']:.2f}×"))
    facts.append(("ML-DSA-65 ÷ RS256 fleet mint, same run",
                  f"{mint['ML-DSA-65']['rate'] / mint['RS256']['rate']:.2f}×"))
    lines.append("| measure | value |\n|---|---:|")
    for name, value in facts:
        lines.append(f"| {name} | {value} |")
    lines.append("")


def print_results(args, openssl_rate, rows, facts, names, comparison, pqc_lines=()):
    """The Markdown table of throughput rows, the backend comparison, the post-quantum tokens
    (9), then the facts."""
    seconds = args.seconds
    print(f"openssl speed rsa2048, one core: **{openssl_rate:,.0f} signs/s**"
          f" ({os.cpu_count()} cores, {seconds} s per run)\n")
    if rows:
        print("| load | throughput | p50 ms | p90 ms | p99 ms | errors | ÷ openssl |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for cells in rows:
            print("| " + " | ".join(cells) + " |")
        print()
    if comparison:
        rounds = f", median of {args.rounds} rounds" if args.rounds > 1 else ""
        print(f"SQLite and PostgreSQL side by side ({seconds} s per load and setup{rounds}):\n")
        print_comparison(names, comparison, facts)
        print()
    for line in pqc_lines:
        print(line)
    if facts:
        print("| measure | value |\n|---|---:|")
        for name, value in facts:
            print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
