//! One signing key of the server: its algorithm (RS256, ML-DSA-65 or ML-DSA-87, API.md §8), its
//! kid and JWK, and the two private-key operations: signing a JWT, and checking a signature.
//!
//! # Invariants
//! - Every private-key operation runs in aws-lc-rs: RSA blinded, ML-DSA (FIPS 204, pure mode,
//!   empty context) constant-time with respect to the key. The pure-Rust `rsa` crate (RUSTSEC-
//!   2023-0071) is not used.
//! - A key has exactly one algorithm; a signature is checked only by the algorithm of the key
//!   the token's `kid` names (`tokens::verify` also compares the header's `alg`).
//! - The kid is the RFC 7638 thumbprint over the JWK's required members: `e`, `kty`, `n` for
//!   RSA; `alg`, `kty`, `pub` for AKP (draft-ietf-cose-dilithium).
//! - An ML-DSA private key is kept as its 32-byte seed, in the PKCS#8 seed form of the IETF
//!   LAMPS ML-DSA private-key format (`[0] IMPLICIT OCTET STRING`), which OpenSSL 3.5 and
//!   Python `cryptography` read.

use std::fmt;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{
    KeyPair as _, ML_DSA_65, ML_DSA_65_SIGNING, ML_DSA_87, ML_DSA_87_SIGNING, ParsedPublicKey,
    PqdsaKeyPair, PqdsaSigningAlgorithm, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256,
    VerificationAlgorithm,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind, Result};

/// The JWS algorithm of a signing key (API.md §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SigningAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256, RSA-2048 (RFC 7518 §3.3): what every client knows.
    Rs256,
    /// ML-DSA-65 (FIPS 204): post-quantum, about 4.6 KB per token.
    MlDsa65,
    /// ML-DSA-87 (FIPS 204): the higher security level, about 6.5 KB per token.
    MlDsa87,
}

impl SigningAlgorithm {
    /// Every algorithm, in the order help texts list them.
    pub const ALL: [SigningAlgorithm; 3] = [
        SigningAlgorithm::Rs256,
        SigningAlgorithm::MlDsa65,
        SigningAlgorithm::MlDsa87,
    ];

    /// The JOSE name (`alg`), as tokens, the JWKS and the database carry it.
    pub fn name(self) -> &'static str {
        match self {
            SigningAlgorithm::Rs256 => "RS256",
            SigningAlgorithm::MlDsa65 => "ML-DSA-65",
            SigningAlgorithm::MlDsa87 => "ML-DSA-87",
        }
    }

    /// The algorithm a JOSE name names, exactly (`RS256`, `ML-DSA-65`, `ML-DSA-87`).
    pub fn from_name(name: &str) -> Option<SigningAlgorithm> {
        SigningAlgorithm::ALL
            .into_iter()
            .find(|algorithm| algorithm.name() == name)
    }

    /// Reads a setting or flag value: the JOSE name, case-insensitively.
    ///
    /// # Errors
    /// `InvalidInput` naming the accepted values.
    pub fn parse(text: &str) -> Result<SigningAlgorithm> {
        SigningAlgorithm::ALL
            .into_iter()
            .find(|algorithm| algorithm.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                Error::invalid_input(format!(
                    "unknown token algorithm `{text}`: expected one of RS256, ML-DSA-65, ML-DSA-87"
                ))
            })
    }

    fn ml_dsa(
        self,
    ) -> Option<(
        &'static PqdsaSigningAlgorithm,
        &'static dyn VerificationAlgorithm,
    )> {
        match self {
            SigningAlgorithm::Rs256 => None,
            SigningAlgorithm::MlDsa65 => Some((&ML_DSA_65_SIGNING, &ML_DSA_65)),
            SigningAlgorithm::MlDsa87 => Some((&ML_DSA_87_SIGNING, &ML_DSA_87)),
        }
    }
}

impl fmt::Display for SigningAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The private half of a signing key.
enum PrivateKey {
    Rsa(RsaKeyPair),
    MlDsa(PqdsaKeyPair),
}

/// One signing key, parsed once and ready to sign and verify.
pub struct SigningKey {
    kid: String,
    algorithm: SigningAlgorithm,
    private_key: PrivateKey,
    /// The public half, parsed for verification.
    public_key: ParsedPublicKey,
    /// The token header is the same for every token this key signs, so it is encoded once.
    encoded_header: String,
    jwk: Jwk,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .field("private_key", &"[redacted]")
            .finish()
    }
}

/// A public key as published in the JWKS: RSA (RFC 7517 §4, RFC 7518 §6.3.1) or AKP
/// (draft-ietf-cose-dilithium: `alg` and the raw public key in `pub`).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Jwk {
    /// `RSA` or `AKP`.
    pub kty: &'static str,
    /// The key's id, its RFC 7638 thumbprint.
    pub kid: String,
    /// The key's algorithm.
    pub alg: &'static str,
    /// Always `sig`.
    #[serde(rename = "use")]
    pub key_use: &'static str,
    /// RSA: the modulus, base64url of the unsigned big-endian bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// RSA: the public exponent, base64url of the unsigned big-endian bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    /// AKP: the raw public key, base64url.
    #[serde(rename = "pub", skip_serializing_if = "Option::is_none")]
    pub public: Option<String>,
}

/// PKCS#8 DER bytes of a private key, on their way to a file.
pub struct PrivateKeyDer(pub(super) Zeroizing<Vec<u8>>);

impl fmt::Debug for PrivateKeyDer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

fn keys_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Keys, message)
}

impl SigningKey {
    /// Generates a new key of `algorithm` (RSA-2048 for RS256, a fresh random seed for
    /// ML-DSA). Returns it with its PKCS#8 DER encoding, for saving.
    ///
    /// # Errors
    /// `Keys` if aws-lc-rs fails.
    pub fn generate(algorithm: SigningAlgorithm) -> Result<(SigningKey, PrivateKeyDer)> {
        let private_key = match algorithm.ml_dsa() {
            None => PrivateKey::Rsa(
                RsaKeyPair::generate(KeySize::Rsa2048)
                    .map_err(|_| keys_error("cannot generate an RSA key"))?,
            ),
            Some((signing, _)) => PrivateKey::MlDsa(
                PqdsaKeyPair::generate(signing)
                    .map_err(|_| keys_error(format!("cannot generate an {algorithm} key")))?,
            ),
        };
        let key = SigningKey::from_private_key(algorithm, private_key)?;
        let der = key.private_der()?;
        Ok((key, PrivateKeyDer(der)))
    }

    /// Parses a PEM private key of `algorithm`: PKCS#8 (`PRIVATE KEY`; for ML-DSA the seed or
    /// the expanded form), or for RSA also PKCS#1 (`RSA PRIVATE KEY`).
    ///
    /// # Errors
    /// `Keys` if the text is not such a key.
    pub fn from_pem(text: &[u8], algorithm: SigningAlgorithm) -> Result<SigningKey> {
        let pem =
            pem::parse(text).map_err(|error| keys_error("not a PEM file").with_source(error))?;
        match (pem.tag(), algorithm) {
            ("PRIVATE KEY", _) => SigningKey::from_pkcs8(pem.contents(), algorithm),
            ("RSA PRIVATE KEY", SigningAlgorithm::Rs256) => {
                let key_pair = RsaKeyPair::from_der(pem.contents()).map_err(|rejected| {
                    keys_error(format!("not a usable RSA private key ({rejected})"))
                })?;
                SigningKey::from_private_key(algorithm, PrivateKey::Rsa(key_pair))
            }
            (other, _) => Err(keys_error(format!(
                "expected an {algorithm} private key, found a PEM `{other}` block"
            ))),
        }
    }

    /// Parses a PKCS#8 DER private key of `algorithm` (as a file or the database holds it).
    ///
    /// # Errors
    /// `Keys` if it is not a usable key of that algorithm.
    pub(super) fn from_pkcs8(der: &[u8], algorithm: SigningAlgorithm) -> Result<SigningKey> {
        let private_key = match algorithm.ml_dsa() {
            None => PrivateKey::Rsa(RsaKeyPair::from_pkcs8(der).map_err(|rejected| {
                keys_error(format!("not a usable RSA private key ({rejected})"))
            })?),
            Some((signing, _)) => {
                PrivateKey::MlDsa(PqdsaKeyPair::from_pkcs8(signing, der).map_err(|rejected| {
                    keys_error(format!("not a usable {algorithm} private key ({rejected})"))
                })?)
            }
        };
        SigningKey::from_private_key(algorithm, private_key)
    }

    /// The private key as PKCS#8 DER (an ML-DSA key in its seed form), for a file or sealing.
    pub(super) fn private_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        let der = match &self.private_key {
            PrivateKey::Rsa(key_pair) => key_pair.as_der().map(|der| der.as_ref().to_vec()),
            PrivateKey::MlDsa(key_pair) => key_pair.to_pkcs8v1().map(|der| der.as_ref().to_vec()),
        }
        .map_err(|_| keys_error(format!("cannot encode the {} key", self.algorithm)))?;
        Ok(Zeroizing::new(der))
    }

    fn from_private_key(
        algorithm: SigningAlgorithm,
        private_key: PrivateKey,
    ) -> Result<SigningKey> {
        let (jwk, public_key) = match &private_key {
            PrivateKey::Rsa(key_pair) => {
                let public = key_pair.public_key();
                let n = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
                let e = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
                let kid = thumbprint(&format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#));
                let parsed = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, public.as_ref())
                    .map_err(|_| keys_error("bad RSA public key"))?;
                let jwk = Jwk {
                    kty: "RSA",
                    kid,
                    alg: algorithm.name(),
                    key_use: "sig",
                    n: Some(n),
                    e: Some(e),
                    public: None,
                };
                (jwk, parsed)
            }
            PrivateKey::MlDsa(key_pair) => {
                let (_, verification) = algorithm
                    .ml_dsa()
                    .ok_or_else(|| Error::internal("an ML-DSA key of a non-ML-DSA algorithm"))?;
                let raw = key_pair.public_key().as_ref();
                let encoded = URL_SAFE_NO_PAD.encode(raw);
                let alg = algorithm.name();
                let kid = thumbprint(&format!(
                    r#"{{"alg":"{alg}","kty":"AKP","pub":"{encoded}"}}"#
                ));
                let parsed = ParsedPublicKey::new(verification, raw)
                    .map_err(|_| keys_error(format!("bad {algorithm} public key")))?;
                let jwk = Jwk {
                    kty: "AKP",
                    kid,
                    alg,
                    key_use: "sig",
                    n: None,
                    e: None,
                    public: Some(encoded),
                };
                (jwk, parsed)
            }
        };
        let header = serde_json::json!({ "alg": algorithm.name(), "typ": "JWT", "kid": jwk.kid });
        Ok(SigningKey {
            kid: jwk.kid.clone(),
            algorithm,
            private_key,
            public_key,
            encoded_header: URL_SAFE_NO_PAD.encode(header.to_string()),
            jwk,
        })
    }

    /// The key's id (RFC 7638 thumbprint).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The key's algorithm, which every token it signs names in `alg`.
    pub fn algorithm(&self) -> SigningAlgorithm {
        self.algorithm
    }

    /// The public half as a JWK.
    pub fn jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// Signs a JWT whose claims are the JSON `claims`: `header.payload.signature`.
    ///
    /// # Errors
    /// `Keys` if the private-key operation fails.
    pub fn sign_jwt(&self, claims: &[u8]) -> Result<String> {
        let mut token = String::with_capacity(
            self.encoded_header.len() + claims.len() * 4 / 3 + self.signature_len() * 4 / 3 + 8,
        );
        token.push_str(&self.encoded_header);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(claims, &mut token);
        let signature = self.sign(token.as_bytes())?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut token);
        Ok(token)
    }

    /// Whether `signature` is this key's signature of `message`.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        self.public_key.verify_sig(message, signature).is_ok()
    }

    fn signature_len(&self) -> usize {
        match &self.private_key {
            PrivateKey::Rsa(key_pair) => key_pair.public_modulus_len(),
            PrivateKey::MlDsa(key_pair) => key_pair.algorithm().signature_len(),
        }
    }

    /// The signature of `message`: RS256, or ML-DSA in pure mode with an empty context.
    pub(super) fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let mut signature = vec![0; self.signature_len()];
        let signed = match &self.private_key {
            PrivateKey::Rsa(key_pair) => key_pair
                .sign(
                    &RSA_PKCS1_SHA256,
                    &aws_lc_rs::rand::SystemRandom::new(),
                    message,
                    &mut signature,
                )
                .map(|()| signature.len()),
            PrivateKey::MlDsa(key_pair) => key_pair.sign(message, &mut signature),
        }
        .map_err(|_| keys_error(format!("{} signing failed", self.algorithm)))?;
        signature.truncate(signed);
        Ok(signature)
    }
}

#[cfg(test)]
impl SigningKey {
    /// A signature over any bytes, for unit tests that craft tokens with odd headers.
    pub(crate) fn sign_raw(&self, message: &[u8]) -> Result<Vec<u8>> {
        self.sign(message)
    }
}

/// RFC 7638 §3.1: base64url of SHA-256 over the required members in lexicographic order, no
/// whitespace (`canonical`).
fn thumbprint(canonical: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.as_bytes());
    URL_SAFE_NO_PAD.encode(digest.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbprint_matches_rfc_7638_example() {
        // RFC 7638 §3.1: the example key and its thumbprint.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        assert_eq!(
            thumbprint(&format!(r#"{{"e":"AQAB","kty":"RSA","n":"{n}"}}"#)),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn every_algorithm_round_trips_through_pem_and_signs_verifiably() {
        for algorithm in SigningAlgorithm::ALL {
            let (key, der) = SigningKey::generate(algorithm).unwrap();
            let text = pem::encode(&pem::Pem::new("PRIVATE KEY", der.0.to_vec()));
            let reloaded = SigningKey::from_pem(text.as_bytes(), algorithm).unwrap();
            assert_eq!(reloaded.kid(), key.kid(), "{algorithm}");
            assert_eq!(reloaded.jwk(), key.jwk(), "{algorithm}");
            assert_eq!(key.jwk().alg, algorithm.name());

            let token = key.sign_jwt(br#"{"sub":"x"}"#).unwrap();
            let (input, signature) = token.rsplit_once('.').unwrap();
            let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
            assert!(
                reloaded.verifies(input.as_bytes(), &signature),
                "{algorithm}"
            );
            assert!(!reloaded.verifies(b"another message", &signature));
            let header: serde_json::Value = serde_json::from_slice(
                &URL_SAFE_NO_PAD
                    .decode(token.split('.').next().unwrap())
                    .unwrap(),
            )
            .unwrap();
            assert_eq!(
                header,
                serde_json::json!({ "alg": algorithm.name(), "typ": "JWT", "kid": key.kid() })
            );
            // A key of one algorithm is not read as another.
            for other in SigningAlgorithm::ALL
                .into_iter()
                .filter(|other| *other != algorithm)
            {
                assert!(
                    SigningKey::from_pem(text.as_bytes(), other).is_err(),
                    "{algorithm} as {other}"
                );
            }
        }
    }

    #[test]
    fn ml_dsa_keys_are_kept_as_their_seed_and_published_as_akp() {
        for (algorithm, oid_last, public_len, signature_len) in [
            (SigningAlgorithm::MlDsa65, 0x12, 1952, 3309),
            (SigningAlgorithm::MlDsa87, 0x13, 2592, 4627),
        ] {
            let (key, der) = SigningKey::generate(algorithm).unwrap();
            // PKCS#8 v1 with id-ml-dsa-* and the seed choice [0] of 32 bytes: 54 bytes in all.
            let mut prefix = vec![
                0x30, 0x34, 0x02, 0x01, 0x00, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
                0x03, 0x04, 0x03,
            ];
            prefix.extend([oid_last, 0x04, 0x22, 0x80, 0x20]);
            assert_eq!(der.0.len(), 54, "{algorithm}");
            assert!(
                der.0.starts_with(&prefix),
                "{algorithm}: {:02x?}",
                &der.0[..22]
            );

            let jwk = serde_json::to_value(key.jwk()).unwrap();
            let public = URL_SAFE_NO_PAD
                .decode(jwk["pub"].as_str().unwrap())
                .unwrap();
            assert_eq!(public.len(), public_len);
            assert_eq!(jwk["kty"], "AKP");
            assert_eq!(jwk["use"], "sig");
            assert!(jwk.get("n").is_none() && jwk.get("e").is_none());
            let canonical = format!(
                r#"{{"alg":"{}","kty":"AKP","pub":"{}"}}"#,
                algorithm.name(),
                jwk["pub"].as_str().unwrap()
            );
            assert_eq!(key.kid(), thumbprint(&canonical));
            assert_eq!(key.sign(b"m").unwrap().len(), signature_len);
        }
    }

    #[test]
    fn algorithm_names_parse_exactly_on_the_wire_and_loosely_in_settings() {
        assert_eq!(
            SigningAlgorithm::from_name("ML-DSA-65"),
            Some(SigningAlgorithm::MlDsa65)
        );
        assert_eq!(SigningAlgorithm::from_name("ml-dsa-65"), None);
        assert_eq!(SigningAlgorithm::from_name("ES256"), None);
        assert_eq!(
            SigningAlgorithm::parse("ml-dsa-87").unwrap(),
            SigningAlgorithm::MlDsa87
        );
        assert!(
            SigningAlgorithm::parse("dilithium3")
                .unwrap_err()
                .detail()
                .contains("ML-DSA-65")
        );
    }

    #[test]
    fn debug_output_hides_private_material() {
        let (key, der) = SigningKey::generate(SigningAlgorithm::MlDsa65).unwrap();
        assert!(format!("{key:?}").contains("[redacted]"));
        assert_eq!(format!("{der:?}"), "[redacted]");
    }
}
