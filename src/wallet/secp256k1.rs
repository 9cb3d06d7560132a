//! secp256k1 wallets: ECDSA over SHA-256 of the message. Keys are SEC1 points, compressed (33
//! bytes, the canonical form) or uncompressed (65 bytes); signatures are DER or 64-byte r‖s,
//! with high or low S (the challenge is single-use, so malleability gains nothing).

use k256::ecdsa::signature::hazmat::PrehashVerifier;
use k256::ecdsa::{Signature, VerifyingKey};

use super::WalletKey;

struct Secp256k1Key(VerifyingKey);

/// Parses a 33- or 65-byte SEC1 public key.
pub(super) fn parse(public_key: &[u8]) -> Result<Box<dyn WalletKey>, String> {
    if !matches!(public_key.len(), 33 | 65) {
        return Err(format!(
            "a secp256k1 public key is 33 (compressed) or 65 (uncompressed) bytes, not {}",
            public_key.len()
        ));
    }
    let key = VerifyingKey::from_sec1_bytes(public_key)
        .map_err(|_| "not a valid secp256k1 public key".to_owned())?;
    Ok(Box::new(Secp256k1Key(key)))
}

impl WalletKey for Secp256k1Key {
    fn canonical_bytes(&self) -> Vec<u8> {
        self.0.to_sec1_point(true).as_bytes().to_vec()
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let parsed = if signature.len() == 64 {
            Signature::from_slice(signature)
        } else {
            Signature::from_der(signature)
        };
        let Ok(signature) = parsed else {
            return false;
        };
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, message);
        // k256 refuses high-S signatures; both halves are valid ECDSA.
        self.0
            .verify_prehash(digest.as_ref(), &signature.normalize_s())
            .is_ok()
    }
}
