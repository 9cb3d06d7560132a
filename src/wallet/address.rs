//! Wallet addresses: `0x` + the first 40 lowercase hex characters of SHA-256 of the canonical
//! public key bytes (API.md §5).

use std::fmt;

use super::WalletKey;

/// A canonical wallet address; the `sub` and `wallet_address` of wallet tokens.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WalletAddress(String);

impl WalletAddress {
    /// The address of a public key.
    pub fn of(key: &dyn WalletKey) -> WalletAddress {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &key.canonical_bytes());
        let hex = crate::keys::hex(digest.as_ref());
        WalletAddress(format!("0x{}", &hex[..40]))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WalletAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a client's `claimed` address names this key: the canonical address in any letter
/// case, or the hex of the public key exactly as the client sent it (newer pico-server-auth
/// clients send that).
pub fn address_matches(claimed: &str, address: &WalletAddress, public_key_hex: &str) -> bool {
    let claimed = claimed.trim();
    let strip = |text: &str| -> String {
        let text = text.trim();
        text.strip_prefix("0x")
            .or_else(|| text.strip_prefix("0X"))
            .unwrap_or(text)
            .to_ascii_lowercase()
    };
    claimed.eq_ignore_ascii_case(address.as_str()) || strip(claimed) == strip(public_key_hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;
    impl WalletKey for Fixed {
        fn canonical_bytes(&self) -> Vec<u8> {
            b"abc".to_vec()
        }
        fn verify(&self, _: &[u8], _: &[u8]) -> bool {
            false
        }
    }

    #[test]
    fn address_is_the_sha256_prefix() {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        let address = WalletAddress::of(&Fixed);
        assert_eq!(
            address.as_str(),
            "0xba7816bf8f01cfea414140de5dae2223b00361a3"
        );
        assert!(address_matches(
            "0xBA7816BF8F01CFEA414140DE5DAE2223B00361A3",
            &address,
            "616263"
        ));
        assert!(address_matches("616263", &address, "616263"));
        assert!(address_matches("0x616263", &address, "616263"));
        assert!(!address_matches(
            "0xba7816bf8f01cfea414140de5dae2223b00361a4",
            &address,
            "616263"
        ));
        assert!(!address_matches("", &address, "616263"));
    }
}
