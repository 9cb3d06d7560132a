#!/usr/bin/env python3
"""picoauth against the real pico-client-auth (PyPI 0.7.1), over HTTPS.

Drives a running `picoauth serve` that speaks TLS itself (API.md §12) with the
resource-server side of the pico ecosystem exactly as a deployment uses it:
pico-client-auth's own TokenValidator, JWKSClient and RevocationCache, and its
FastAPI middleware (AuthFastapiConfigurer) in front of a small ASGI app, called
through httpx's ASGI transport, built by hand and wired by pico-ioc from `auth_client`
settings (resource_server.py). Nothing of pico-client-auth is patched: its HTTP
requests are only observed (headers in and out) by wrapping httpx's transport.

The CA is trusted the way the README tells operators to: `SSL_CERT_FILE=ca.crt`
(httpx, which pico-client-auth uses, reads SSL_CERT_FILE and SSL_CERT_DIR, not
REQUESTS_CA_BUNDLE). The caller sets it; this script checks that it is set.

Usage (tests/clients.rs runs it so):
    SSL_CERT_FILE=ca.crt python pico_client_auth_check.py \
        --issuer https://localhost:PORT --picoauth target/debug/picoauth \
        --db picoauth.db --key-dir keys --admin-password PASSWORD \
        --fleet-secret SECRET --ca ca.crt \
        [--env PICOAUTH_KEY_ENCRYPTION_KEY_FILE=kek]   # on PostgreSQL, --db being its URL

Prints one line per check (`ok   <name>` or `FAIL <name>: <why>`) and a closing
`N passed, N failed`; exits 0 only when every check passed.
"""

import sys

# The checkout stays clean: no __pycache__ beside the scripts.
sys.dont_write_bytecode = True

import argparse  # noqa: E402 - after the bytecode switch on purpose
import asyncio
import base64
import json
import os
import secrets
import ssl
import subprocess
import time
import traceback
import types

import httpx
from fastapi import FastAPI

import pico_client_auth
from pico_client_auth import (
    AgentContext,
    AuthClientSettings,
    SecurityContext,
    TokenExpiredError,
    TokenInvalidError,
    allow_anonymous,
    requires_group,
    requires_role,
    requires_scope,
)
from pico_client_auth.configurer import AuthFastapiConfigurer
from pico_client_auth.jwks_client import JWKSClient
from pico_client_auth.revocation_cache import RevocationCache
from pico_client_auth.role_resolver import DefaultRoleResolver
from pico_client_auth.token_validator import TokenValidator

EXPECTED_VERSION = "0.7.1"

# --- ML-DSA verification under pico-client-auth -------------------------------------
#
# pico-client-auth verifies ML-DSA tokens (`pqc_jwt`) with liboqs-python, whose first import
# builds liboqs from source over the network: not possible offline in CI. Its `oqs.Signature`
# API is small, so this stands in for it over OpenSSL 3.5 (Python `cryptography`): every other
# step (the header, the JWKS lookup by kid, the AKP `pub`, the claims) is pico-client-auth's
# own code, and the signature check is still an implementation other than picoauth's aws-lc.

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import mldsa


class _OpenSslOqs(types.ModuleType):
    class Signature:
        _KEYS = {"ML-DSA-65": mldsa.MLDSA65PublicKey, "ML-DSA-87": mldsa.MLDSA87PublicKey}

        def __init__(self, algorithm):
            self._key = self._KEYS[algorithm]

        def verify(self, message, signature, public_key):
            try:
                self._key.from_public_bytes(public_key).verify(signature, message)
            except InvalidSignature:
                return False
            return True


sys.modules.setdefault("oqs", _OpenSslOqs("oqs"))

# --- observing pico-client-auth's own HTTP requests -------------------------------

# Every exchange pico-client-auth makes through httpx: (method, url, request headers,
# status, response headers). Appended by the wrapped transport below.
EXCHANGES = []
_original_handle = httpx.AsyncHTTPTransport.handle_async_request


async def _observed_handle(self, request):
    response = await _original_handle(self, request)
    EXCHANGES.append(
        (
            request.method,
            str(request.url),
            dict(request.headers),
            response.status_code,
            dict(response.headers),
        )
    )
    return response


httpx.AsyncHTTPTransport.handle_async_request = _observed_handle


def exchanges_to(path):
    return [exchange for exchange in EXCHANGES if exchange[1].split("?")[0].endswith(path)]


# --- the checks --------------------------------------------------------------------


class Failed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failed(message)


class Lab:
    """What the checks share: the server's coordinates and a CLI runner."""

    def __init__(self, args):
        self.issuer = args.issuer.rstrip("/")
        self.api = f"{self.issuer}/api/v1/auth"
        self.args = args
        self.audience = args.audience

    def cli(self, *argv, check=True):
        command = [
            self.args.picoauth,
            "--db",
            self.args.db,
            "--key-dir",
            self.args.key_dir,
            "--issuer",
            self.issuer,
            "--audience",
            self.audience,
            *argv,
        ]
        environment = {k: v for k, v in os.environ.items() if not k.startswith("PICOAUTH_")}
        environment.update(self.args.env)
        environment["NO_COLOR"] = "1"
        run = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=60)
        if check and run.returncode != 0:
            raise Failed(f"{' '.join(command)} exited {run.returncode}: {run.stderr.strip()}")
        return run

    def mint_fleet(self, session_id, agent_id, role, *extra):
        run = self.cli(
            "mint-fleet",
            "--session-id",
            session_id,
            "--agent-id",
            agent_id,
            "--role",
            role,
            "--json",
            *extra,
        )
        return json.loads(run.stdout)

    def settings(self, **overrides):
        values = dict(issuer=self.issuer, audience=self.audience)
        values.update(overrides)
        return AuthClientSettings(**values)

    def validator(self, **overrides):
        settings = self.settings(**overrides)
        return TokenValidator(settings, JWKSClient(settings), RevocationCache(settings))


def jwt_parts(token):
    def decode(part):
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))

    header, payload, _ = token.split(".")
    return decode(header), decode(payload)


async def refused(validator, token):
    """The error pico-client-auth raises for `token`, or None when it accepts it."""
    try:
        await validator.validate(token)
    except (TokenInvalidError, TokenExpiredError) as error:
        return error
    return None


def build_app(lab, validator):
    """A resource server as pico-client-auth's users write one, its middleware in front."""
    app = FastAPI()

    @app.get("/public")
    @allow_anonymous
    async def public():
        return {"anonymous": True}

    @app.get("/me")
    async def me():
        claims = SecurityContext.require()
        agent = AgentContext.get()
        return {
            "sub": claims.sub,
            "role": claims.role,
            "email": claims.email,
            "org_id": claims.org_id,
            "jti": claims.jti,
            "roles": SecurityContext.get_roles(),
            "agent": None
            if agent is None
            else {
                "sub": agent.sub,
                "role": agent.role,
                "session_id": agent.session_id,
                "scopes": list(agent.scopes),
            },
        }

    @app.get("/admin")
    @requires_role("superadmin", "org_admin")
    async def admin():
        return {"ok": True}

    @app.get("/agents")
    @requires_role("agent", "service")
    async def agents():
        return {"ok": True}

    @app.get("/scoped")
    @requires_scope("fleet:read")
    async def scoped():
        return {"ok": True}

    settings = validator._settings
    AuthFastapiConfigurer(settings, validator, DefaultRoleResolver()).configure_app(app)
    return app


async def run_checks(lab):
    results = []

    async def check(name, coroutine):
        started = time.monotonic()
        try:
            note = await coroutine
        except Failed as failure:
            results.append((name, False, str(failure)))
            print(f"FAIL {name}: {failure}", flush=True)
            return
        except Exception as error:  # noqa: BLE001 - an unexpected error is a failed check
            results.append((name, False, repr(error)))
            print(f"FAIL {name}: {error!r}", flush=True)
            traceback.print_exc()
            return
        took = time.monotonic() - started
        suffix = f" ({note})" if note else ""
        results.append((name, True, note))
        print(f"ok   {name}{suffix} [{took:.2f}s]", flush=True)

    state = {}
    ca_context = ssl.create_default_context(cafile=lab.args.ca)
    http = httpx.AsyncClient(verify=ca_context, timeout=10.0)

    async def version():
        installed = getattr(pico_client_auth, "__version__", None)
        if installed is None:
            from pico_client_auth._version import __version__ as installed
        expect(installed == EXPECTED_VERSION, f"pico-client-auth {installed}, not {EXPECTED_VERSION}")
        expect(os.environ.get("SSL_CERT_FILE"), "SSL_CERT_FILE is not set to the lab CA")
        return f"pico-client-auth {installed}, httpx {httpx.__version__}"

    async def strict_x509():
        # Python 3.13 turns on VERIFY_X509_STRICT in create_default_context (which httpx
        # uses): a lab CA that misses a critical basicConstraints, keyUsage or the
        # leaf's authority key identifier breaks there. Check with it on, on any Python.
        context = ssl.create_default_context(cafile=lab.args.ca)
        context.verify_flags |= ssl.VERIFY_X509_STRICT
        context.verify_flags |= getattr(ssl, "VERIFY_X509_PARTIAL_CHAIN", 0)
        async with httpx.AsyncClient(verify=context, timeout=10.0) as strict:
            response = await strict.get(f"{lab.issuer}/healthz")
        expect(response.status_code == 200, f"/healthz answered {response.status_code}")
        return response.extensions.get("http_version", b"").decode()

    async def ip_address_no_sni():
        # An issuer of https://127.0.0.1:PORT: the client sends no SNI for an IP address
        # (RFC 6066 §3), and the certificate's IP SAN must match.
        port = lab.issuer.rsplit(":", 1)[1]
        response = await http.get(f"https://127.0.0.1:{port}/api/v1/auth/jwks")
        expect(response.status_code == 200, f"JWKS by IP answered {response.status_code}")
        expect(response.json()["keys"], "an empty JWKS")

    async def discovery():
        response = await http.get(f"{lab.issuer}/.well-known/openid-configuration")
        expect(response.status_code == 200, f"discovery answered {response.status_code}")
        document = response.json()
        expect(document["issuer"] == lab.issuer, f"issuer {document['issuer']!r}")
        expect(
            document["jwks_uri"] == f"{lab.api}/jwks",
            f"jwks_uri {document['jwks_uri']!r} is not where pico-client-auth looks",
        )
        expect("RS256" in document["id_token_signing_alg_values_supported"], "RS256 not listed")

    async def untrusted_ca_refused():
        # Without the lab CA (certifi's bundle only) the JWKS fetch must fail the TLS check:
        # TLS verification is really on, and nothing is accepted from an unverified server.
        saved = os.environ.pop("SSL_CERT_FILE")
        try:
            session = await login(lab, http)
            error = await refused(lab.validator(), session["access_token"])
        except httpx.ConnectError as connect_error:  # the JWKS fetch escapes as-is
            error = connect_error
        finally:
            os.environ["SSL_CERT_FILE"] = saved
        expect(error is not None, "a token was accepted over an unverified TLS connection")
        state["admin"] = session
        return f"{type(error).__name__}"

    async def user_token():
        validator = lab.validator()
        state["validator"] = validator
        token = state["admin"]["access_token"]
        claims, raw = await validator.validate(token)
        expect(claims.role == "superadmin", f"role {claims.role!r}")
        expect(claims.email == lab.args.admin_email, f"email {claims.email!r}")
        expect(claims.org_id, "org_id is empty")
        expect(claims.sub and claims.jti, "sub or jti empty")
        expect(raw["iss"] == lab.issuer and raw["aud"] == lab.audience, "iss/aud")
        header, _ = jwt_parts(token)
        expect(header["alg"] == "RS256" and header.get("kid"), f"header {header}")
        fetches = exchanges_to("/api/v1/auth/jwks")
        expect(fetches, "pico-client-auth fetched no JWKS")
        method, url, sent, status, received = fetches[-1]
        expect(url == f"{lab.api}/jwks", f"JWKS fetched from {url}")
        expect(status == 200, f"JWKS answered {status}")
        state["first_kid"] = header["kid"]
        return (
            f"JWKS Accept-Encoding {sent.get('accept-encoding')!r}, "
            f"Content-Encoding {received.get('content-encoding', 'identity')!r}"
        )

    async def fleet_token_cli():
        minted = lab.mint_fleet("c1-session", "c1-agent", "agent", "--scope", "fleet:read")
        claims, raw = await state["validator"].validate(minted["session_token"])
        expect(claims.role == "agent", f"role {claims.role!r}")
        expect(claims.sub == "c1-session", f"sub {claims.sub!r}")
        expect(raw.get("agent_id") == "c1-agent", f"agent_id {raw.get('agent_id')!r}")
        expect(raw.get("scope") == "fleet:read", f"scope {raw.get('scope')!r}")
        expect(claims.jti == minted["jti"], "jti differs from mint-fleet --json")
        state["agent"] = minted

    async def fleet_token_http():
        response = await http.post(
            f"{lab.api}/fleet/sessions",
            headers={"X-Fleet-Secret": lab.args.fleet_secret},
            json={"session_id": "c1-http-session", "agent_id": "c1-http-agent", "ttl": 600},
        )
        expect(response.status_code == 200, f"/fleet/sessions answered {response.status_code}: {response.text}")
        body = response.json()
        claims, _ = await state["validator"].validate(body["session_token"])
        expect(claims.role == "agent" and claims.jti == body["jti"], f"claims {claims}")
        state["http_agent"] = body

    async def service_polls_denylist():
        service = lab.mint_fleet("c1-validator", "resource-server", "service", "--ttl", "1h")
        state["service"] = service
        validator = lab.validator(
            revocation_endpoint=f"{lab.api}/revoked-jtis",
            revocation_bearer=service["session_token"],
        )
        state["polling"] = validator
        claims, _ = await validator.validate(state["admin"]["access_token"])
        expect(claims.role == "superadmin", "the user token was refused while polling")
        polls = exchanges_to("/api/v1/auth/revoked-jtis")
        expect(polls, "pico-client-auth did not poll the denylist")
        _, url, sent, status, _ = polls[-1]
        expect(status == 200, f"the poll answered {status}")
        expect(sent.get("authorization", "").startswith("Bearer "), "the poll sent no Bearer token")
        expect(validator._revocations._last_fetch_ok, "the poll did not parse as a denylist")
        return f"GET {url.split('/api/v1/auth')[1]}"

    async def revoked_refused_after_poll():
        validator = state["polling"]
        user = state["admin"]["access_token"]
        _, user_claims = jwt_parts(user)
        agent = state["agent"]
        # One through each door: the CLI for the user token, POST /revoke for the fleet token.
        lab.cli("revoke", user_claims["jti"], "--reason", "c1: lost laptop")
        response = await http.post(
            f"{lab.api}/revoke",
            headers={"Authorization": f"Bearer {state['fresh_admin']['access_token']}"},
            json={"jti": agent["jti"], "reason": "c1: agent retired"},
        )
        expect(response.status_code == 200, f"/revoke answered {response.status_code}: {response.text}")
        # Before the next poll the cached denylist still lets them through (by design:
        # revocation_ttl_seconds bounds the window); the poll closes it.
        await validator._revocations.force_refresh()
        for label, token in (("user", user), ("fleet", agent["session_token"])):
            error = await refused(validator, token)
            expect(error is not None, f"the revoked {label} token was accepted after the poll")
            expect("revoked" in str(error), f"the {label} token was refused for {error}")
        claims, _ = await validator.validate(state["http_agent"]["session_token"])
        expect(claims.role == "agent", "an unrevoked token was refused")

    async def fresh_admin():
        state["fresh_admin"] = await login(lab, http)

    async def gzip_denylist():
        jtis = [secrets.token_hex(16) for _ in range(40)]
        lab.cli("revoke", *jtis, "--force", "--reason", "c1: bulk")
        validator = state["polling"]
        before = len(exchanges_to("/api/v1/auth/revoked-jtis"))
        await validator._revocations.force_refresh()
        polls = exchanges_to("/api/v1/auth/revoked-jtis")
        expect(len(polls) == before + 1, "no new poll")
        _, _, sent, status, received = polls[-1]
        expect(status == 200, f"the poll answered {status}")
        expect("gzip" in sent.get("accept-encoding", ""), f"httpx sent {sent.get('accept-encoding')!r}")
        expect(
            received.get("content-encoding") == "gzip",
            f"a {received.get('content-length')}-byte denylist came back {received.get('content-encoding', 'uncompressed')}",
        )
        denylist = validator._revocations._revoked
        expect(set(jtis) <= denylist, "the gzipped denylist lost entries")
        expect(await validator._revocations.is_revoked(jtis[0]), "is_revoked says no")
        return f"{len(denylist)} jtis"

    async def unknown_kid_refetch():
        validator = state["polling"]
        jwks_before = len(exchanges_to("/api/v1/auth/jwks"))
        # Twice: three RSA keys make the JWKS big enough (over 1 KiB) to come gzipped.
        lab.cli("keygen", "--rotate")
        lab.cli("keygen", "--rotate")
        minted = lab.mint_fleet("c1-after-rotation", "c1-agent", "agent")
        header, _ = jwt_parts(minted["session_token"])
        expect(header["kid"] != state["first_kid"], "keygen --rotate did not change the signing kid")
        claims, _ = await validator.validate(minted["session_token"])
        expect(claims.sub == "c1-after-rotation", "wrong claims")
        fetches = exchanges_to("/api/v1/auth/jwks")
        expect(len(fetches) == jwks_before + 1, "the JWKS was not fetched again once")
        _, _, _, status, received = fetches[-1]
        expect(status == 200, f"the JWKS refetch answered {status}")
        expect(received.get("content-encoding") == "gzip", f"a three-key JWKS came back {received}")
        old = state["http_agent"]["session_token"]
        claims, _ = await validator.validate(old)
        expect(claims.jti == state["http_agent"]["jti"], "a token of the rotated key was refused")
        state["rotated"] = minted
        return f"new kid {header['kid'][:8]}…, gzipped JWKS, old kids still published"

    async def new_user_token_after_rotation():
        session = await login(lab, http)
        header, _ = jwt_parts(session["access_token"])
        expect(header["kid"] != state["first_kid"], "login still signs with the rotated key")
        claims, _ = await state["polling"].validate(session["access_token"])
        expect(claims.role == "superadmin", "refused")
        state["new_admin"] = session

    async def retired_key_refused():
        lab.cli("keygen", "--retire", state["first_kid"])
        validator = lab.validator()  # a resource server starting now fetches the JWKS afresh
        error = await refused(validator, state["http_agent"]["session_token"])
        expect(error is not None, "a token of a retired key was accepted")
        expect("not found" in str(error), f"refused for {error}")
        claims, _ = await validator.validate(state["rotated"]["session_token"])
        expect(claims.sub == "c1-after-rotation", "the active key's token was refused")
        # The denylist poller's own service token was signed by the retired key: picoauth
        # now refuses its poll (401), and pico-client-auth fails closed on every token.
        # Operators mint the pollers' new service tokens before retiring a key (README).
        poller = state["polling"]
        await poller._revocations.force_refresh()
        polls = exchanges_to("/api/v1/auth/revoked-jtis")
        expect(polls[-1][3] == 401, f"the old service token's poll answered {polls[-1][3]}")
        error = await refused(poller, state["rotated"]["session_token"])
        expect(error is not None, "accepted a token with the denylist unknown (fail-open)")

    async def ml_dsa_accept_both():
        rsa_token = lab.mint_fleet("c1-rsa-before-pq", "c1-agent", "agent")["session_token"]
        lab.cli("keygen", "--rotate", "--algorithm", "ML-DSA-65")
        minted = lab.mint_fleet("c1-pq", "c1-agent", "agent")
        header, _ = jwt_parts(minted["session_token"])
        expect(header["alg"] == "ML-DSA-65", f"the new key signs {header}")
        both = lab.validator(accepted_algorithms=("RS256", "ML-DSA-65"))
        claims, _ = await both.validate(minted["session_token"])
        expect(claims.sub == "c1-pq", "the ML-DSA-65 token was refused")
        claims, _ = await both.validate(rsa_token)
        expect(claims.sub == "c1-rsa-before-pq", "the RS256 token in flight was refused")
        jwks = (await http.get(f"{lab.api}/jwks")).json()["keys"]
        akp = [key for key in jwks if key["kty"] == "AKP"]
        expect(len(akp) == 1 and akp[0]["alg"] == "ML-DSA-65", f"the JWKS has {jwks}")
        state["pq"] = minted
        state["rsa_before_pq"] = rsa_token
        return f"{len(minted['session_token'])}-byte token, kid {header['kid'][:8]}…"

    async def ml_dsa_only():
        only = lab.validator(accepted_algorithms=("ML-DSA-65",))
        claims, _ = await only.validate(state["pq"]["session_token"])
        expect(claims.sub == "c1-pq", "the ML-DSA-65 token was refused")
        error = await refused(only, state["rsa_before_pq"])
        expect(error is not None, "an RS256 token passed an ML-DSA-only resource server")
        # A token whose header claims RS256 but names the AKP key is refused by picoauth's own
        # check too (no cross-algorithm confusion).
        header_b64, payload_b64, signature_b64 = state["pq"]["session_token"].split(".")
        header = json.loads(base64.urlsafe_b64decode(header_b64 + "=" * (-len(header_b64) % 4)))
        header["alg"] = "RS256"
        forged_header = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
        forged = f"{forged_header}.{payload_b64}.{signature_b64}"
        response = await http.get(f"{lab.api}/me", headers={"Authorization": f"Bearer {forged}"})
        expect(response.status_code == 401, f"picoauth answered {response.status_code} to a forged alg")

    async def middleware_roles():
        app = build_app(lab, state["polling"])
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://resource") as resource:

            async def status(path, token=None, agent=None):
                headers = {}
                if token:
                    headers["Authorization"] = f"Bearer {token}"
                if agent:
                    headers["X-Agent-Authorization"] = f"Bearer {agent}"
                response = await resource.get(path, headers=headers)
                return response.status_code, response.json()

            admin = state["new_admin"]["access_token"]
            agent = state["rotated"]["session_token"]
            service = state["service"]["session_token"]
            revoked = state["admin"]["access_token"]
            table = [
                ("/public", None, None, 200),
                ("/me", None, None, 401),
                ("/me", "not-a-jwt", None, 401),
                ("/me", revoked, None, 401),
                ("/admin", admin, None, 200),
                ("/admin", agent, None, 403),
                ("/admin", service, None, 403),
                ("/agents", agent, None, 200),
                ("/agents", service, None, 200),
                ("/agents", admin, None, 403),
                ("/scoped", service, None, 401),
            ]
            for path, token, agent_token, wanted in table:
                got, body = await status(path, token, agent_token)
                expect(got == wanted, f"GET {path} answered {got}, not {wanted}: {body}")
            got, body = await status("/me", admin)
            expect(got == 200 and body["roles"] == ["superadmin"], f"/me: {got} {body}")
            expect(body["email"] == lab.args.admin_email and body["org_id"], f"/me: {body}")
            return f"{len(table) + 1} requests"

    async def requires_group_member():
        # API.md §9: user tokens carry the ids of the account's groups in `groups`, which
        # @requires_group reads. The admin joins a group made with the CLI; a registered
        # account that joined none is refused.
        group_id = lab.cli("groups", "add", "c1-readers").stdout.strip()
        lab.cli("groups", "members", "add", group_id, lab.args.admin_email)
        member = (await login(lab, http))["access_token"]
        outsider_email = "c1-outsider@example.com"
        outsider_password = "c1-outsider-password-long"
        response = await http.post(
            f"{lab.api}/register", json={"email": outsider_email, "password": outsider_password}
        )
        expect(response.status_code == 200, f"/register answered {response.status_code}: {response.text}")
        response = await http.post(
            f"{lab.api}/login", json={"email": outsider_email, "password": outsider_password}
        )
        expect(response.status_code == 200, f"/login answered {response.status_code}: {response.text}")
        outsider = response.json()["access_token"]
        app = build_app(lab, state["polling"])

        @app.get("/grouped")
        @requires_group(group_id)
        async def grouped():
            return {"ok": True}

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://resource") as resource:
            for token, wanted in [(member, 200), (outsider, 403)]:
                response = await resource.get("/grouped", headers={"Authorization": f"Bearer {token}"})
                expect(
                    response.status_code == wanted,
                    f"@requires_group answered {response.status_code}, not {wanted}: {response.text}",
                )
        return f"group {group_id}: member 200, non-member 403"

    async def agent_context():
        app = build_app(lab, state["polling"])
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://resource") as resource:
            scoped = lab.mint_fleet("c1-agent-ctx", "c1-agent", "agent", "--scope", "fleet:read")
            response = await resource.get(
                "/me",
                headers={
                    "Authorization": f"Bearer {state['service']['session_token']}",
                    "X-Agent-Authorization": f"Bearer {scoped['session_token']}",
                },
            )
            expect(response.status_code == 200, f"/me with an agent token: {response.status_code} {response.text}")
            agent = response.json()["agent"]
            expect(agent is not None, "AgentContext is empty")
            expect(agent["sub"] == "c1-agent-ctx" and agent["session_id"] == "c1-agent-ctx", f"{agent}")
            expect(agent["role"] == "agent", f"{agent}")
            response = await resource.get(
                "/me",
                headers={
                    "Authorization": f"Bearer {state['service']['session_token']}",
                    "X-Agent-Authorization": f"Bearer {state['agent']['session_token']}",
                },
            )
            expect(response.status_code == 401, f"a revoked agent token answered {response.status_code}")
            # pico-client-auth reads an agent's scopes from the `scopes` list claim (API.md §10's
            # exchanged tokens); a fleet token's `scope` is the string of API.md §2.
            response = await resource.get(
                "/scoped",
                headers={
                    "Authorization": f"Bearer {state['service']['session_token']}",
                    "X-Agent-Authorization": f"Bearer {scoped['session_token']}",
                },
            )
            return f"AgentContext.scopes {agent['scopes']}, @requires_scope answered {response.status_code}"

    async def exchanged_agent_context():
        # API.md §10: the agents are OAuth clients; the admin (whose role agent_scopes grants
        # `treasury:*`, set by tests/clients.rs) is the user; the planner exchanges the admin's
        # token at POST /token (RFC 8693), the purchaser the planner's, narrower.
        token_endpoint = f"{lab.api}/token"
        planner = lab.cli("clients", "add", "c1-planner", "--role", "agent", "--scopes", "treasury:*").stdout.strip()
        purchaser = lab.cli(
            "clients", "add", "c1-purchaser", "--role", "agent", "--scopes", "treasury:write:budget:*"
        ).stdout.strip()
        user = await login(lab, http)

        async def exchange(client_id, secret, subject, **extra):
            response = await http.post(
                token_endpoint,
                auth=(client_id, secret),
                data={
                    "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
                    "subject_token": subject,
                    "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
                    **extra,
                },
            )
            expect(response.status_code == 200, f"exchange by {client_id}: {response.status_code} {response.text}")
            body = response.json()
            expect(body["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token", f"{body}")
            return body["access_token"]

        planner_token = await exchange(
            "c1-planner",
            planner,
            user["access_token"],
            scope="treasury:write:*",
            task_type="interactive_purchase",
            task_id="po-4711",
            spend_limit="250.00",
        )
        agent_token = await exchange("c1-purchaser", purchaser, planner_token)
        # pico-client-auth's own validator, then its AgentClaims on the claims it returns.
        validator = state["polling"]
        _, raw = await validator.validate(agent_token)
        agent = pico_client_auth.AgentClaims.from_claims_dict(raw)
        user_id = jwt_parts(user["access_token"])[1]["sub"]
        expect(agent.sub == "c1-purchaser", f"sub {agent.sub!r}")
        expect(agent.user_id == user_id, f"user_id {agent.user_id!r}, not {user_id!r}")
        expect(agent.scopes == ("treasury:write:budget:*",), f"scopes {agent.scopes!r}")
        expect(agent.parent_chain == ("c1-planner",), f"parent_chain {agent.parent_chain!r}")
        expect(agent.spend_limit == "250.00", f"spend_limit {agent.spend_limit!r}")
        expect(agent.task_type == "interactive_purchase" and agent.task_id == "po-4711", f"{agent}")
        expect(agent.role == "agent" and agent.org_id == "default", f"{agent}")
        planner_claims = pico_client_auth.AgentClaims.from_claims_dict((await validator.validate(planner_token))[1])
        expect(planner_claims.parent_chain == (), f"the planner's parent_chain {planner_claims.parent_chain!r}")

        # Through the FastAPI middleware: the calling service's token in Authorization, the
        # agent's in X-Agent-Authorization; AgentContext as the handler reads it.
        app = FastAPI()

        @app.post("/budget/draft")
        @requires_role("agent", "service")
        @requires_scope("treasury:write:budget:opex")
        async def draft():
            current = AgentContext.get()
            return {
                "sub": current.sub,
                "user_id": current.user_id,
                "scopes": list(current.scopes),
                "parent_chain": list(current.parent_chain),
                "spend_limit": current.spend_limit,
                "task_id": current.task_id,
            }

        @app.get("/billing")
        @requires_role("agent", "service")
        @requires_scope("billing:read")
        async def billing():
            return {"ok": True}

        AuthFastapiConfigurer(validator._settings, validator, DefaultRoleResolver()).configure_app(app)
        service = state["service"]["session_token"]
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://resource") as resource:
            headers = {"Authorization": f"Bearer {service}", "X-Agent-Authorization": f"Bearer {agent_token}"}
            response = await resource.post("/budget/draft", headers=headers)
            expect(response.status_code == 200, f"/budget/draft: {response.status_code} {response.text}")
            seen = response.json()
            wanted = {
                "sub": "c1-purchaser",
                "user_id": user_id,
                "scopes": ["treasury:write:budget:*"],
                "parent_chain": ["c1-planner"],
                "spend_limit": "250.00",
                "task_id": "po-4711",
            }
            expect(seen == wanted, f"AgentContext {seen}, not {wanted}")
            response = await resource.get("/billing", headers=headers)
            expect(response.status_code == 403, f"a scope the agent lacks answered {response.status_code}")

            # Revoking the user's token: after the next poll, pico-client-auth refuses the
            # grandchild by its own jti (picoauth put it on the denylist with its parent).
            admin = await login(lab, http)
            response = await http.post(
                f"{lab.api}/revoke",
                json={"jti": jwt_parts(user["access_token"])[1]["jti"], "reason": "c1: session ended"},
                headers={"Authorization": f"Bearer {admin['access_token']}"},
            )
            expect(response.status_code == 200, f"POST /revoke: {response.status_code} {response.text}")
            await validator._revocations.force_refresh()
            for label, token in (("purchaser", agent_token), ("planner", planner_token)):
                error = await refused(validator, token)
                expect(error is not None, f"the {label}'s token of a revoked user token was accepted after the poll")
                expect("revoked" in str(error), f"the {label}'s token was refused for {error}")
            response = await resource.post("/budget/draft", headers=headers)
            expect(response.status_code == 401, f"/budget/draft after the revocation: {response.status_code}")
        return f"AgentClaims user_id, scopes {agent.scopes}, parent_chain {agent.parent_chain}, spend_limit {agent.spend_limit}"

    async def wired_app():
        # The deployment path: pico-ioc scans pico-fastapi, pico-client-auth and the app,
        # AuthClientSettings comes from the `auth_client` tree (the README's keys).
        from pico_ioc import DictSource, configuration, init

        container = init(
            modules=["pico_fastapi", "pico_client_auth", "resource_server"],
            config=configuration(
                DictSource(
                    {
                        "auth_client": {
                            "issuer": lab.issuer,
                            "audience": lab.audience,
                            "revocation_endpoint": f"{lab.api}/revoked-jtis",
                            "revocation_bearer": state["fresh_service"]["session_token"],
                            "revocation_ttl_seconds": 15,
                        }
                    }
                )
            ),
        )
        app = container.get(FastAPI)
        transport = httpx.ASGITransport(app=app)
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=transport, base_url="http://resource") as resource:
                table = [
                    ("/api/public", None, 200),
                    ("/api/admin", None, 401),
                    ("/api/admin", state["new_admin"]["access_token"], 200),
                    ("/api/admin", state["rotated"]["session_token"], 403),
                    ("/api/agents", state["rotated"]["session_token"], 200),
                    ("/api/admin", state["admin"]["access_token"], 401),
                ]
                for path, token, wanted in table:
                    headers = {"Authorization": f"Bearer {token}"} if token else {}
                    response = await resource.get(path, headers=headers)
                    expect(
                        response.status_code == wanted,
                        f"GET {path} answered {response.status_code}, not {wanted}: {response.text}",
                    )
                response = await resource.get(
                    "/api/admin", headers={"Authorization": f"Bearer {state['new_admin']['access_token']}"}
                )
                expect(response.json()["email"] == lab.args.admin_email, f"{response.json()}")
        return f"{len(table) + 1} requests"

    async def fresh_service():
        # A poller's service token minted after the rotation, so it survives --retire.
        state["fresh_service"] = lab.mint_fleet("c1-validator-2", "resource-server", "service", "--ttl", "1h")

    async def poll_without_service_role():
        # A bearer without the right to read the denylist: the poll is refused (403) and
        # pico-client-auth fails closed, refusing every token until a poll succeeds.
        agent = lab.mint_fleet("c1-wrong-poller", "c1-agent", "agent")
        validator = lab.validator(
            revocation_endpoint=f"{lab.api}/revoked-jtis",
            revocation_bearer=agent["session_token"],
        )
        error = await refused(validator, state["new_admin"]["access_token"])
        polls = exchanges_to("/api/v1/auth/revoked-jtis")
        expect(polls[-1][3] == 403, f"the poll answered {polls[-1][3]}")
        expect(error is not None, "accepted a token with the denylist unknown (fail-open)")

    await check("pico-client-auth version", version())
    await check("lab CA passes strict X.509 verification (Python 3.13 default)", strict_x509())
    await check("HTTPS by IP address (no SNI)", ip_address_no_sni())
    await check("discovery over HTTPS names the JWKS pico-client-auth fetches", discovery())
    await check("untrusted CA: TLS verification refuses the server", untrusted_ca_refused())
    if "admin" not in state:
        state["admin"] = await login(lab, http)
    await check("user token (POST /login) validates", user_token())
    await check("fleet token (picoauth mint-fleet) validates", fleet_token_cli())
    await check("fleet token (POST /fleet/sessions) validates", fleet_token_http())
    await check("service token polls GET /revoked-jtis", service_polls_denylist())
    await check("second admin login", fresh_admin())
    await check("revoked user and fleet tokens refused after the poll", revoked_refused_after_poll())
    await check("gzip denylist parsed", gzip_denylist())
    await check("keygen --rotate: unknown kid refetched, new token accepted", unknown_kid_refetch())
    await check("login after rotation signs with the new key", new_user_token_after_rotation())
    await check("middleware: @requires_role, @allow_anonymous, revoked", middleware_roles())
    await check("middleware: @requires_group passes a member, refuses a non-member", requires_group_member())
    await check("middleware: X-Agent-Authorization fills AgentContext", agent_context())
    await check("token exchange (RFC 8693): AgentClaims and AgentContext of a sub-agent", exchanged_agent_context())
    await check("poll with a non-service token fails closed", poll_without_service_role())
    await check("service token minted after the rotation", fresh_service())
    await check("keygen --retire: the retired kid is refused, its pollers fail closed", retired_key_refused())
    await check("pico-ioc + pico-fastapi app from auth_client settings", wired_app())
    await check("keygen --rotate --algorithm ML-DSA-65: both algorithms accepted", ml_dsa_accept_both())
    await check("accepted_algorithms [ML-DSA-65]: ML-DSA only", ml_dsa_only())
    await http.aclose()
    return results


async def login(lab, http):
    response = await http.post(
        f"{lab.api}/login",
        json={"email": lab.args.admin_email, "password": lab.args.admin_password},
    )
    if response.status_code != 200:
        raise Failed(f"/login answered {response.status_code}: {response.text}")
    body = response.json()
    expect(body["token_type"] == "Bearer" and body["refresh_token"], f"login body {body}")
    return body


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--audience", default="pico")
    parser.add_argument("--ca", required=True)
    parser.add_argument("--picoauth", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--key-dir", required=True)
    parser.add_argument("--admin-email", default="admin@pico.local")
    parser.add_argument("--admin-password", required=True)
    parser.add_argument("--fleet-secret", required=True)
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        type=lambda setting: tuple(setting.split("=", 1)),
        metavar="NAME=VALUE",
        help="a variable for every picoauth run (the harness's backend needs, e.g. the key-encryption-key file)",
    )
    lab = Lab(parser.parse_args())
    started = time.monotonic()
    results = asyncio.run(run_checks(lab))
    passed = sum(1 for _, ok, _ in results if ok)
    failed = len(results) - passed
    print(f"took {time.monotonic() - started:.1f}s")
    print(f"pico_client_auth_check: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
