//! Ed25519 wallets (RFC 8032): 32-byte keys, 64-byte signatures, strict verification (no
//! small-order keys, canonical S).

use ed25519_dalek::{Signature, VerifyingKey};

use super::WalletKey;

struct Ed25519Key(VerifyingKey);

/// Parses a raw 32-byte public key.
pub(super) fn parse(public_key: &[u8]) -> Result<Box<dyn WalletKey>, String> {
    let bytes: &[u8; 32] = public_key.try_into().map_err(|_| {
        format!(
            "an Ed25519 public key is 32 bytes, not {}",
            public_key.len()
        )
    })?;
    let key =
        VerifyingKey::from_bytes(bytes).map_err(|_| "not a valid Ed25519 public key".to_owned())?;
    Ok(Box::new(Ed25519Key(key)))
}

impl WalletKey for Ed25519Key {
    fn canonical_bytes(&self) -> Vec<u8> {
        self.0.to_bytes().to_vec()
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        Signature::from_slice(signature)
            .is_ok_and(|signature| self.0.verify_strict(message, &signature).is_ok())
    }
}
