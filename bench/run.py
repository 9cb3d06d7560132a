#!/usr/bin/env python3
"""picoauth benchmark suite: starts the release binary on fresh files and measures it.

Usage: python3 bench/run.py [--seconds N]
Needs: cargo, wrk, openssl, python3 (standard library only). Prints a Markdown table.

Every HTTP figure is throughput and latency percentiles over keep-alive connections on
loopback, with the load generator on the same machine. Mint figures are also given as a ratio
to this machine's own RSA-2048 signing rate (`openssl speed rsa2048`, one core), measured in
the same run, so results compare across noisy or different machines.
"""

import argparse
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
    subprocess.run(["cargo", "build", "--release", "--bin", "picoauth", "--example", "loadgen"],
                   cwd=ROOT, check=True)


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

    def __init__(self, workdir, extra_env=None):
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
        self.stderr = open(self.workdir / "server.log", "ab")
        self.started = time.perf_counter()
        self.process = subprocess.Popen([str(BINARY), "serve", "--listen", "127.0.0.1:0"],
                                        stdout=subprocess.PIPE, stderr=self.stderr, env=env)
        line = self.process.stdout.readline().decode()
        match = re.match(r"listening on http://(\S+)", line)
        if not match:
            raise RuntimeError(f"the server did not start; see {self.workdir / 'server.log'}")
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


def wrk(server, path, seconds, connections, method="GET", body=None, bearer=None, secret=None):
    env = dict(os.environ, WRK_METHOD=method)
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
    parser.add_argument("--only-hostile", action="store_true",
                        help="run only the good-and-hostile run (7), e.g. after a change to the defences")
    args = parser.parse_args()
    for tool in ("cargo", "wrk", "openssl"):
        if not shutil.which(tool):
            sys.exit(f"bench/run.py needs {tool} on the PATH (wrk: apt-get install wrk)")
    build()
    seconds = args.seconds
    log("measuring the machine's RSA-2048 signing rate (openssl speed, one core) …")
    openssl_rate = openssl_rsa2048_signs_per_second()
    rows, facts = [], []
    if not args.only_hostile:
        measure_everything_but_hostile(args, openssl_rate, rows, facts)
    hostile(args, facts)
    print_results(args, openssl_rate, rows, facts)


def measure_everything_but_hostile(args, openssl_rate, rows, facts):
    """Sections 1 to 6: throughput, latency, the CLI, start-up and memory."""
    seconds = args.seconds
    with tempfile.TemporaryDirectory(prefix="picoauth-bench-") as workdir:
        server = Server(workdir)
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


def print_results(args, openssl_rate, rows, facts):
    """The Markdown table of throughput rows, then the facts."""
    seconds = args.seconds
    print(f"openssl speed rsa2048, one core: **{openssl_rate:,.0f} signs/s**"
          f" ({os.cpu_count()} cores, {seconds} s per run)\n")
    print("| load | throughput | p50 ms | p90 ms | p99 ms | errors | ÷ openssl |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for cells in rows:
        print("| " + " | ".join(cells) + " |")
    print("\n| measure | value |\n|---|---:|")
    for name, value in facts:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
