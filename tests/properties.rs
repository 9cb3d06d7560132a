//! Property tests of the pure parts of the library: durations, hex, wallet addresses and
//! signatures, and minted tokens, over generated inputs (proptest).
//!
//! They call the library directly, not the binary: each property is about one function's
//! contract, for every input rather than the handful a unit test names.

use k256::ecdsa::signature::hazmat::PrehashSigner;
use picoauth::config::parse_duration;
use picoauth::keys::{KeyRing, SigningAlgorithm, SigningKey, hex};
use picoauth::roles::Role;
use picoauth::tokens::{self, Stamp};
use picoauth::wallet::{WalletAddress, WalletAlgorithm, address_matches, decode_hex};
use proptest::prelude::*;

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;
const WEEK: u64 = 7 * DAY;
const HUNDRED_YEARS: u64 = 100 * 365 * DAY;
const UNITS: [(&str, u64); 6] = [
    ("", 1),
    ("s", 1),
    ("m", MINUTE),
    ("h", HOUR),
    ("d", DAY),
    ("w", WEEK),
];

/// The address of API.md §5, computed here independently of `WalletAddress`.
fn expected_address(canonical: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical);
    format!("0x{}", &hex(digest.as_ref())[..40])
}

fn sha256(message: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, message)
        .as_ref()
        .to_vec()
}

/// secp256k1 signing keys from 32 random bytes; the rare invalid scalars (zero, ≥ n) are skipped.
fn secp256k1_key() -> impl Strategy<Value = k256::ecdsa::SigningKey> {
    any::<[u8; 32]>().prop_filter_map("not a valid scalar", |bytes| {
        k256::ecdsa::SigningKey::from_slice(&bytes).ok()
    })
}

proptest! {
    /// `<n><unit>` is n times the unit, for every unit, up to the hundred-year limit.
    #[test]
    fn durations_are_amount_times_unit(amount in 0u64..=10_000_000, unit in 0usize..UNITS.len(), space in "[ \t]{0,2}") {
        let (suffix, multiplier) = UNITS[unit];
        let text = format!("{space}{amount}{suffix}{space}");
        let seconds = amount * multiplier;
        if seconds == 0 || seconds > HUNDRED_YEARS {
            prop_assert!(parse_duration(&text).is_err(), "{text:?}");
        } else {
            prop_assert_eq!(parse_duration(&text), Ok(seconds), "{:?}", text);
        }
    }

    /// Rendering seconds in their largest exact unit and parsing that gives the seconds back.
    #[test]
    fn durations_round_trip_through_their_largest_unit(seconds in 1u64..=HUNDRED_YEARS) {
        let (suffix, multiplier) = UNITS
            .iter()
            .rev()
            .find(|(_, multiplier)| seconds % multiplier == 0)
            .copied()
            .unwrap();
        let text = format!("{}{suffix}", seconds / multiplier);
        prop_assert_eq!(parse_duration(&text), Ok(seconds), "{}", text);
    }

    /// Whatever the text, an accepted duration is between one second and a hundred years.
    #[test]
    fn accepted_durations_are_in_range(text in "\\PC{0,12}|[0-9]{1,22}[smhdwy]?") {
        if let Ok(seconds) = parse_duration(&text) {
            prop_assert!((1..=HUNDRED_YEARS).contains(&seconds), "{text:?} = {seconds}");
        }
    }

    /// hex and decode_hex are inverse, with or without `0x`, in either case, with spaces around.
    #[test]
    fn hex_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..64), prefix in "(0x|0X)?", upper: bool, space in "[ \t\n]{0,2}") {
        let digits = if upper { hex(&bytes).to_ascii_uppercase() } else { hex(&bytes) };
        let text = format!("{space}{prefix}{digits}{space}");
        prop_assert_eq!(decode_hex("field", &text), Ok(bytes));
    }

    /// decode_hex accepts exactly hex digits: no signs, no inner spaces, nothing else.
    #[test]
    fn only_hex_digits_decode(text in "[0-9a-fA-F+\\- _gx]{0,10}") {
        let digits = text.trim();
        let digits = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")).unwrap_or(digits);
        let is_hex = digits.len().is_multiple_of(2) && digits.bytes().all(|byte| byte.is_ascii_hexdigit());
        prop_assert_eq!(decode_hex("field", &text).is_ok(), is_hex, "{:?}", text);
    }

    /// A secp256k1 key has one address whichever encoding the client sends, and it is the
    /// SHA-256 prefix of the compressed point; its signatures verify in every accepted form.
    #[test]
    fn secp256k1_addresses_and_signatures(key in secp256k1_key(), message in proptest::collection::vec(any::<u8>(), 0..200)) {
        let compressed = key.verifying_key().to_sec1_point(true).as_bytes().to_vec();
        let uncompressed = key.verifying_key().to_sec1_point(false).as_bytes().to_vec();
        let from_compressed = WalletAlgorithm::Secp256k1.parse_key(&compressed).unwrap();
        let from_uncompressed = WalletAlgorithm::Secp256k1.parse_key(&uncompressed).unwrap();
        let address = WalletAddress::of(from_compressed.as_ref());
        prop_assert_eq!(address.as_str(), expected_address(&compressed));
        prop_assert_eq!(&WalletAddress::of(from_uncompressed.as_ref()), &address);
        prop_assert!(address_matches(&address.as_str().to_ascii_uppercase(), &address, &hex(&uncompressed)));
        prop_assert!(address_matches(&hex(&uncompressed), &address, &hex(&uncompressed)));

        let signature: k256::ecdsa::Signature = key.sign_prehash(&sha256(&message)).unwrap();
        let high_s = k256::ecdsa::Signature::from_scalars(signature.r(), -*signature.s()).unwrap();
        for form in [
            signature.to_bytes().to_vec(),
            signature.to_der().as_bytes().to_vec(),
            high_s.to_bytes().to_vec(),
            high_s.to_der().as_bytes().to_vec(),
        ] {
            prop_assert!(from_uncompressed.verify(&message, &form));
        }
        let mut other = message.clone();
        other.push(0);
        prop_assert!(!from_compressed.verify(&other, &signature.to_bytes()));
    }

    /// An Ed25519 key's address is the SHA-256 prefix of its 32 bytes; its signatures verify,
    /// and flipping any bit of one makes it fail.
    #[test]
    fn ed25519_addresses_and_signatures(seed: [u8; 32], message in proptest::collection::vec(any::<u8>(), 0..200), bit in 0usize..512) {
        use ed25519_dalek::Signer;
        let signing_key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let public = signing_key.verifying_key().to_bytes();
        let key = WalletAlgorithm::Ed25519.parse_key(&public).unwrap();
        let address = WalletAddress::of(key.as_ref());
        prop_assert_eq!(address.as_str(), expected_address(&public));
        let mut signature = signing_key.sign(&message).to_bytes().to_vec();
        prop_assert!(key.verify(&message, &signature));
        signature[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(!key.verify(&message, &signature));
    }

    /// Wire names parse back in any letter case, with spaces around.
    #[test]
    fn algorithm_names_parse_in_any_case(index in 0usize..3, flips in proptest::collection::vec(any::<bool>(), 12), space in "[ \t]{0,2}") {
        let algorithm = WalletAlgorithm::ALL[index];
        let name: String = algorithm
            .as_str()
            .chars()
            .zip(flips.iter().cycle())
            .map(|(c, flip)| if *flip { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
            .collect();
        prop_assert_eq!(WalletAlgorithm::parse(&format!("{space}{name}{space}")), Ok(algorithm));
    }
}

proptest! {
    // Each case signs with RSA-2048: fewer cases keep this under a second or two.
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// A minted token verifies to the claims it was minted from while `now < exp`, and is
    /// refused from `exp` on, or for another issuer or audience.
    #[test]
    fn minted_tokens_verify_until_they_expire(sub in "\\PC{1,40}", email in proptest::option::of("\\PC{0,40}"), role_index in 0usize..Role::ALL.len(), now in 0i64..4_000_000_000, ttl in 1u64..=HUNDRED_YEARS, age in 0u64..=HUNDRED_YEARS, key_index in 0usize..3) {
        // One key of each algorithm, as a deployment mid-rotation publishes them.
        static KEY_RING: std::sync::LazyLock<KeyRing> = std::sync::LazyLock::new(|| {
            KeyRing::new(SigningAlgorithm::ALL.iter().map(|algorithm| SigningKey::generate(*algorithm).unwrap().0).collect()).unwrap()
        });
        let (issuer, audience) = ("https://auth.example", "pico");
        let stamp = Stamp { issuer, audience, now, ttl };
        let mut claims = stamp.claims(&sub, Role::ALL[role_index]).unwrap();
        claims.email = email;
        let token = tokens::mint(&KEY_RING.keys()[key_index], &claims).unwrap();
        let at = now.saturating_add(i64::try_from(age).unwrap());
        let verdict = tokens::verify(&KEY_RING, &token, issuer, audience, at);
        if at < claims.exp {
            prop_assert_eq!(verdict.unwrap(), claims);
        } else {
            prop_assert!(verdict.is_err());
        }
        prop_assert!(tokens::verify(&KEY_RING, &token, "https://other.example", audience, now).is_err());
        prop_assert!(tokens::verify(&KEY_RING, &token, issuer, "other", now).is_err());
    }
}
