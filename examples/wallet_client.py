#!/usr/bin/env python3
"""Sign in to picoauth with a wallet key: ML-DSA-65, Ed25519 or secp256k1 (README, "Wallet sign-in").

Each run makes a new key per algorithm, asks for a challenge, signs it and prints the session.

    pip install 'cryptography>=48'            # 48 is the first release whose wheels sign ML-DSA
    python3 examples/wallet_client.py         # all three algorithms, against localhost:8100
    python3 examples/wallet_client.py Ed25519 secp256k1
    PICOAUTH_URL=https://auth.example.com python3 examples/wallet_client.py ML-DSA-65

Ed25519 and secp256k1 work with any recent `cryptography`; ML-DSA-65 needs 48 or newer
(47 has the module, but its wheels' OpenSSL cannot use it).
"""

import hashlib
import json
import os
import sys
import urllib.error
import urllib.request

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

AUTH = os.environ.get("PICOAUTH_URL", "http://localhost:8100").rstrip("/") + "/api/v1/auth"


def post(path, body):
    """POSTs `body` as JSON; returns the answer, or exits with picoauth's error."""
    request = urllib.request.Request(
        AUTH + path, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        sys.exit(f"{path}: {error.code} {error.read().decode(errors='replace')}")


def wallet(algorithm):
    """A new key: its public key bytes (canonical form) and a function that signs bytes."""
    if algorithm == "ML-DSA-65":
        try:
            from cryptography.hazmat.primitives.asymmetric.mldsa import MLDSA65PrivateKey

            key = MLDSA65PrivateKey.generate()
        except Exception as error:  # ImportError before 47, UnsupportedAlgorithm in 47
            sys.exit(f"ML-DSA-65 needs cryptography 48 or newer ({error})")
        # Pure ML-DSA with an empty context (FIPS 204), as picoauth verifies it.
        return key.public_key().public_bytes_raw(), key.sign
    if algorithm == "Ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
        return key.public_key().public_bytes_raw(), key.sign
    if algorithm == "secp256k1":
        key = ec.generate_private_key(ec.SECP256K1())
        public = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
        return public, lambda message: key.sign(message, ec.ECDSA(hashes.SHA256()))
    sys.exit(f"unknown algorithm {algorithm!r}: ML-DSA-65, Ed25519 or secp256k1")


def sign_in(algorithm):
    """One challenge, signed and traded for a session."""
    public_key, sign = wallet(algorithm)
    address = "0x" + hashlib.sha256(public_key).hexdigest()[:40]
    challenge = post("/challenge", {"address": address})["challenge"]
    return post(
        "/sign-in",
        {
            "address": address,
            "public_key": public_key.hex(),
            "signature": sign(challenge.encode()).hex(),
            "challenge": challenge,
            "algorithm": algorithm,
        },
    )


for algorithm in sys.argv[1:] or ["ML-DSA-65", "Ed25519", "secp256k1"]:
    session = sign_in(algorithm)
    print(algorithm, session["address"], session["access_token"][:24] + "…")
