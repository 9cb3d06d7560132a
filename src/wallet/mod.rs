//! Client wallets: the signature algorithms a wallet may sign in with, their public keys, and
//! the address derived from a key (API.md §5).
//!
//! This module verifies signatures and derives addresses; it does not know challenges, tokens
//! or the database (`app` does). Each algorithm is one file implementing [`WalletKey`], so a
//! fourth algorithm is one new file and one new [`WalletAlgorithm`] variant.
//!
//! # Invariants
//! - The identity is derived from the verified public key, never taken from the client.
//! - The wire names (`ML-DSA-65`, `Ed25519`, `secp256k1`) appear only in
//!   [`WalletAlgorithm::as_str`].
//! - Malformed keys and signatures are errors or `false`, never panics.

mod address;
mod ed25519;
mod mldsa65;
mod secp256k1;

use std::fmt;

pub use address::{WalletAddress, address_matches};

/// A signature algorithm wallets sign challenges with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WalletAlgorithm {
    /// FIPS 204 ML-DSA-65, pure mode, empty context (post-quantum).
    MlDsa65,
    /// Ed25519 (RFC 8032), strict verification.
    Ed25519,
    /// ECDSA over secp256k1 with SHA-256; DER or r‖s signatures, either S.
    Secp256k1,
}

/// A parsed public key of some wallet algorithm.
pub trait WalletKey {
    /// The canonical bytes the address is derived from (API.md §5).
    fn canonical_bytes(&self) -> Vec<u8>;
    /// Whether `signature` is this key's signature over `message`.
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool;
}

impl WalletAlgorithm {
    /// Every algorithm, in the order the default configuration lists them.
    pub const ALL: [WalletAlgorithm; 3] = [
        WalletAlgorithm::MlDsa65,
        WalletAlgorithm::Ed25519,
        WalletAlgorithm::Secp256k1,
    ];

    /// The wire name: the one mapping between algorithms and strings.
    pub fn as_str(self) -> &'static str {
        match self {
            WalletAlgorithm::MlDsa65 => "ML-DSA-65",
            WalletAlgorithm::Ed25519 => "Ed25519",
            WalletAlgorithm::Secp256k1 => "secp256k1",
        }
    }

    /// Parses a wire name, ignoring letter case.
    ///
    /// # Errors
    /// A sentence naming the unknown algorithm and the known ones.
    pub fn parse(text: &str) -> Result<WalletAlgorithm, String> {
        WalletAlgorithm::ALL
            .into_iter()
            .find(|algorithm| algorithm.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                format!(
                    "unknown wallet algorithm `{text}` (known: {})",
                    names(&WalletAlgorithm::ALL)
                )
            })
    }

    /// Parses a public key of this algorithm.
    ///
    /// # Errors
    /// A sentence saying what is wrong (length, encoding, not a point on the curve).
    pub fn parse_key(self, public_key: &[u8]) -> Result<Box<dyn WalletKey>, String> {
        match self {
            WalletAlgorithm::MlDsa65 => mldsa65::parse(public_key),
            WalletAlgorithm::Ed25519 => ed25519::parse(public_key),
            WalletAlgorithm::Secp256k1 => secp256k1::parse(public_key),
        }
    }
}

/// What a wallet token names its wallet by (`wallet_subject`, API.md §9): its `sub`,
/// `wallet_address` and the `address` of `/sign-in`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WalletSubject {
    /// The canonical address of API.md §5 (`0x` and 40 hex digits): the default.
    #[default]
    Address,
    /// The lowercase hex of the public key as the client sent it (pico-server-auth 0.2).
    PublicKey,
}

impl WalletSubject {
    /// Every choice, in the order help lists them.
    pub const ALL: [WalletSubject; 2] = [WalletSubject::Address, WalletSubject::PublicKey];

    /// The setting's value: the one mapping between choices and strings.
    pub fn as_str(self) -> &'static str {
        match self {
            WalletSubject::Address => "address",
            WalletSubject::PublicKey => "public_key",
        }
    }

    /// Parses the setting's value, ignoring letter case.
    ///
    /// # Errors
    /// A sentence naming the value and the choices.
    pub fn parse(text: &str) -> Result<WalletSubject, String> {
        WalletSubject::ALL
            .into_iter()
            .find(|subject| subject.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| format!("`{text}` is not address or public_key"))
    }

    /// The subject of a wallet that signed in with `public_key` (its bytes as the client sent
    /// them in hex), whose canonical address is `address`.
    pub fn of(self, address: &WalletAddress, public_key: &[u8]) -> String {
        match self {
            WalletSubject::Address => address.as_str().to_owned(),
            WalletSubject::PublicKey => crate::keys::hex(public_key),
        }
    }
}

impl fmt::Display for WalletAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The wire names of `algorithms`, comma-separated.
pub fn names(algorithms: &[WalletAlgorithm]) -> String {
    algorithms
        .iter()
        .map(|algorithm| algorithm.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Decodes hex, with or without a `0x` prefix, in either letter case.
///
/// # Errors
/// A sentence naming `field`.
pub fn decode_hex(field: &str, text: &str) -> Result<Vec<u8>, String> {
    let digits = text.trim();
    let digits = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
        .unwrap_or(digits);
    if !digits.len().is_multiple_of(2) {
        return Err(format!("{field} is not hex: odd number of digits"));
    }
    // `from_str_radix` alone would take a leading `+` ("+f" is 15): check the digits first.
    if !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(format!("{field} is not hex"));
    }
    (0..digits.len())
        .step_by(2)
        .map(|at| {
            digits
                .get(at..at + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| format!("{field} is not hex"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Vectors {
        cases: Vec<Case>,
    }

    #[derive(Deserialize)]
    struct Case {
        algorithm: String,
        public_key: String,
        challenge: String,
        signature: String,
        address: String,
        valid: bool,
        note: String,
    }

    /// The vectors of `tests/data/wallet.json`, made with an independent implementation
    /// (Python cryptography on OpenSSL).
    #[test]
    fn independent_vectors_verify_and_derive_their_addresses() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/wallet.json");
        let text = std::fs::read_to_string(path).unwrap();
        let vectors: Vectors = serde_json::from_str(&text).unwrap();
        assert_eq!(vectors.cases.len(), 41);
        for case in vectors.cases {
            let what = format!("{} / {}", case.algorithm, case.note);
            let algorithm = WalletAlgorithm::parse(&case.algorithm).unwrap();
            let key_bytes = decode_hex("public_key", &case.public_key).unwrap();
            let key = algorithm.parse_key(&key_bytes).unwrap();
            let signature = decode_hex("signature", &case.signature).unwrap();
            assert_eq!(
                key.verify(case.challenge.as_bytes(), &signature),
                case.valid,
                "{what}"
            );
            let address = WalletAddress::of(key.as_ref());
            assert_eq!(address.as_str(), case.address, "{what}");
        }
    }

    #[test]
    fn algorithm_names_round_trip_ignoring_case() {
        for algorithm in WalletAlgorithm::ALL {
            assert_eq!(WalletAlgorithm::parse(algorithm.as_str()), Ok(algorithm));
        }
        assert_eq!(
            WalletAlgorithm::parse("ml-dsa-65"),
            Ok(WalletAlgorithm::MlDsa65)
        );
        assert!(WalletAlgorithm::parse("RSA").is_err());
    }

    #[test]
    fn wallet_subjects_parse_and_name_the_wallet() {
        for subject in WalletSubject::ALL {
            assert_eq!(WalletSubject::parse(subject.as_str()), Ok(subject));
        }
        assert_eq!(
            WalletSubject::parse(" Public_Key "),
            Ok(WalletSubject::PublicKey)
        );
        assert!(WalletSubject::parse("pubkey").is_err());
        let key = algorithm_key();
        let address = WalletAddress::of(key.as_ref());
        let sent = decode_hex("k", "0xABCD").unwrap();
        assert_eq!(WalletSubject::Address.of(&address, &sent), address.as_str());
        assert_eq!(WalletSubject::PublicKey.of(&address, &sent), "abcd");
    }

    /// Some Ed25519 key.
    fn algorithm_key() -> Box<dyn WalletKey> {
        let signing_key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        WalletAlgorithm::Ed25519
            .parse_key(signing_key.verifying_key().as_bytes())
            .unwrap()
    }

    #[test]
    fn hex_decoding() {
        assert_eq!(decode_hex("x", "0xAbCd"), Ok(vec![0xab, 0xcd]));
        assert_eq!(decode_hex("x", ""), Ok(vec![]));
        assert!(decode_hex("x", "abc").is_err());
        assert!(decode_hex("x", "zz").is_err());
        assert!(decode_hex("x", "é1").is_err());
        // Found by fuzzing: `from_str_radix` accepts a sign.
        assert!(decode_hex("x", "+f").is_err());
        assert!(decode_hex("x", "F0+FbF").is_err());
    }

    #[test]
    fn keys_of_the_wrong_length_are_refused() {
        for algorithm in WalletAlgorithm::ALL {
            for length in [0, 31, 34, 1951, 1953] {
                assert!(
                    algorithm.parse_key(&vec![2u8; length]).is_err(),
                    "{algorithm} {length}"
                );
            }
        }
    }
}
