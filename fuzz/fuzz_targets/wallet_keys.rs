//! Fuzzes the wallet verifiers: public keys and signatures from the client are parsed and
//! checked without panicking, addresses derive consistently, and hex decodes exactly hex.
//!
//! Every input is tried three ways:
//! - as a public key of each algorithm, whole;
//! - as text, through `decode_hex`, against a reference decoder written here;
//! - structured, so keys of the right length reach the curve and lattice code: the first byte
//!   picks the algorithm (`% 3`, and for secp256k1 its top bit picks 65 bytes over 33), the next
//!   two are the signature length (little-endian), then the key, the signature and the message.

#![no_main]

use libfuzzer_sys::fuzz_target;
use picoauth::keys::hex;
use picoauth::wallet::{WalletAddress, WalletAlgorithm, address_matches, decode_hex};

fuzz_target!(|data: &[u8]| {
    for algorithm in WalletAlgorithm::ALL {
        if let Ok(key) = algorithm.parse_key(data) {
            check_key(algorithm, data, key.as_ref());
            // Half the input as the message and half as the signature; almost always false,
            // but it must not panic.
            let (message, signature) = data.split_at(data.len() / 2);
            key.verify(message, signature);
        }
    }

    let text = String::from_utf8_lossy(data);
    check_decode_hex(&text);

    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let algorithm = WalletAlgorithm::ALL[usize::from(selector) % 3];
    let key_length = match algorithm {
        WalletAlgorithm::MlDsa65 => 1952,
        WalletAlgorithm::Ed25519 => 32,
        WalletAlgorithm::Secp256k1 if selector & 0x80 != 0 => 65,
        WalletAlgorithm::Secp256k1 => 33,
    };
    let Some((length, rest)) = rest.split_first_chunk::<2>() else {
        return;
    };
    let signature_length = usize::from(u16::from_le_bytes(*length));
    let Some((key_bytes, rest)) = rest.split_at_checked(key_length) else {
        return;
    };
    let (signature, message) = rest.split_at(signature_length.min(rest.len()));
    let Ok(key) = algorithm.parse_key(key_bytes) else {
        return;
    };
    check_key(algorithm, key_bytes, key.as_ref());
    let verdict = key.verify(message, signature);
    assert_eq!(
        key.verify(message, signature),
        verdict,
        "{algorithm}: verification is not deterministic"
    );
});

/// What must hold of every key that parses.
fn check_key(algorithm: WalletAlgorithm, key_bytes: &[u8], key: &dyn picoauth::wallet::WalletKey) {
    let address = WalletAddress::of(key);
    let text = address.as_str();
    assert_eq!(text.len(), 42, "{algorithm}: address {text}");
    assert!(text.starts_with("0x"), "{algorithm}: address {text}");
    assert!(
        text[2..]
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte)),
        "{algorithm}: address {text} is not lowercase hex"
    );
    let key_hex = hex(key_bytes);
    assert!(address_matches(text, &address, &key_hex));
    assert!(address_matches(
        &text.to_ascii_uppercase(),
        &address,
        &key_hex
    ));
    assert!(address_matches(&key_hex, &address, &key_hex));
    // The canonical bytes are a key of the same algorithm, with the same address: the identity
    // does not depend on which encoding (compressed or not) the client sent.
    let canonical = key.canonical_bytes();
    let again = algorithm
        .parse_key(&canonical)
        .unwrap_or_else(|why| panic!("{algorithm}: canonical bytes do not parse: {why}"));
    assert_eq!(again.canonical_bytes(), canonical, "{algorithm}");
    assert_eq!(WalletAddress::of(again.as_ref()), address, "{algorithm}");
}

/// `decode_hex` against a reference: trim, drop one `0x`/`0X`, then pairs of hex digits.
fn check_decode_hex(text: &str) {
    let digits = text.trim();
    let digits = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
        .unwrap_or(digits);
    let expected = (digits.len().is_multiple_of(2)
        && digits.bytes().all(|byte| byte.is_ascii_hexdigit()))
    .then(|| {
        digits
            .as_bytes()
            .chunks(2)
            .map(|pair| (nibble(pair[0]) << 4) | nibble(pair[1]))
            .collect::<Vec<u8>>()
    });
    let decoded = decode_hex("input", text);
    assert_eq!(
        decoded.as_ref().ok(),
        expected.as_ref(),
        "decode_hex({text:?})"
    );
    if let Ok(bytes) = decoded {
        assert_eq!(
            hex(&bytes),
            digits.to_ascii_lowercase(),
            "hex round trip of {text:?}"
        );
    }
}

fn nibble(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit - b'A' + 10,
    }
}
