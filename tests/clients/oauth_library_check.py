"""A real OAuth 2.0 client library (authlib, PyPI) against picoauth's token endpoint.

Driven by tests/oauth_library.rs. It finds the endpoints in the RFC 8414 metadata, fetches
client-credentials tokens with client_secret_basic and client_secret_post, sees a wrong secret
refused as invalid_client, introspects (RFC 7662) and revokes (RFC 7009) with the library's own
calls, and checks the token with pico-client-auth's TokenValidator (scopes included).

Exit 0 when every check passed, 1 when one failed, 3 when authlib is not installed (the Rust
test then says SKIPPED, loudly).
"""

import sys

sys.dont_write_bytecode = True

import argparse  # noqa: E402
import asyncio  # noqa: E402
import traceback  # noqa: E402

try:
    from authlib.integrations.httpx_client import OAuth2Client
    from authlib.integrations.base_client.errors import OAuthError
except ImportError as error:  # pragma: no cover - the environment decides
    print(f"SKIPPED: authlib is not installed in {sys.executable} ({error})")
    sys.exit(3)

import httpx  # noqa: E402

passed = 0
failed = 0


def check(name, function):
    global passed, failed
    try:
        function()
    except Exception:  # noqa: BLE001 - report every failure and go on
        failed += 1
        print(f"FAIL {name}")
        traceback.print_exc(file=sys.stdout)
    else:
        passed += 1
        print(f"ok   {name}")


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--scopes", required=True)
    arguments = parser.parse_args()
    issuer = arguments.issuer
    metadata = httpx.get(f"{issuer}/.well-known/oauth-authorization-server").json()
    state = {}

    def discovery():
        expect(metadata["issuer"] == issuer, f"issuer {metadata['issuer']!r}")
        expect("client_credentials" in metadata["grant_types_supported"], metadata)
        state["token_endpoint"] = metadata["token_endpoint"]

    def client(method, secret=None):
        return OAuth2Client(
            client_id=arguments.client_id,
            client_secret=secret or arguments.client_secret,
            token_endpoint_auth_method=method,
        )

    def basic():
        with client("client_secret_basic") as session:
            token = session.fetch_token(
                state["token_endpoint"], grant_type="client_credentials"
            )
        expect(token["token_type"].lower() == "bearer", token)
        expect(token["scope"] == arguments.scopes, token)
        expect(token["expires_in"] > 0, token)
        state["token"] = token["access_token"]

    def post():
        with client("client_secret_post") as session:
            first_scope = arguments.scopes.split()[0]
            token = session.fetch_token(
                state["token_endpoint"], grant_type="client_credentials", scope=first_scope
            )
        expect(token["scope"] == first_scope, token)

    def wrong_secret():
        with client("client_secret_basic", secret="pcs_wrong") as session:
            try:
                session.fetch_token(state["token_endpoint"], grant_type="client_credentials")
            except OAuthError as error:
                expect(error.error == "invalid_client", error.error)
                return
        raise AssertionError("a wrong secret was accepted")

    def pico_client_auth_accepts():
        from pico_client_auth import AuthClientSettings
        from pico_client_auth.jwks_client import JWKSClient
        from pico_client_auth.revocation_cache import RevocationCache
        from pico_client_auth.token_validator import TokenValidator

        settings = AuthClientSettings(issuer=issuer, audience="pico")
        validator = TokenValidator(settings, JWKSClient(settings), RevocationCache(settings))
        claims, raw = asyncio.run(validator.validate(state["token"]))
        expect(raw["sub"] == arguments.client_id, raw)
        expect(raw["client_id"] == arguments.client_id, raw)
        expect(raw["scopes"] == arguments.scopes.split(), raw)
        expect(claims.role == "service", claims)

    def introspect():
        with client("client_secret_basic") as session:
            answer = session.introspect_token(
                metadata["introspection_endpoint"], token=state["token"]
            ).json()
        expect(answer["active"] is True, answer)
        expect(answer["client_id"] == arguments.client_id, answer)

    def revoke():
        with client("client_secret_basic") as session:
            response = session.revoke_token(metadata["revocation_endpoint"], token=state["token"])
            expect(response.status_code == 200, response.text)
            answer = session.introspect_token(
                metadata["introspection_endpoint"], token=state["token"]
            ).json()
        expect(answer == {"active": False}, answer)

    check("discovery (RFC 8414)", discovery)
    check("client_credentials with client_secret_basic", basic)
    check("client_credentials with client_secret_post and a narrower scope", post)
    check("a wrong secret is invalid_client", wrong_secret)
    check("pico-client-auth validates the client token", pico_client_auth_accepts)
    check("introspection (RFC 7662)", introspect)
    check("revocation (RFC 7009)", revoke)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
