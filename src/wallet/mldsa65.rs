//! ML-DSA-65 wallets (FIPS 204): 1952-byte keys, 3309-byte signatures, pure mode with the empty
//! context.

use ml_dsa::{EncodedVerifyingKey, MlDsa65, Signature, VerifyingKey};

use super::WalletKey;

struct MlDsa65Key {
    key: VerifyingKey<MlDsa65>,
    bytes: Vec<u8>,
}

const KEY_LENGTH: usize = 1952;

/// Parses a raw 1952-byte public key.
pub(super) fn parse(public_key: &[u8]) -> Result<Box<dyn WalletKey>, String> {
    let encoded = EncodedVerifyingKey::<MlDsa65>::try_from(public_key).map_err(|_| {
        format!(
            "an ML-DSA-65 public key is {KEY_LENGTH} bytes, not {}",
            public_key.len()
        )
    })?;
    Ok(Box::new(MlDsa65Key {
        key: VerifyingKey::<MlDsa65>::decode(&encoded),
        bytes: public_key.to_vec(),
    }))
}

impl WalletKey for MlDsa65Key {
    fn canonical_bytes(&self) -> Vec<u8> {
        self.bytes.clone()
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        Signature::<MlDsa65>::try_from(signature)
            .is_ok_and(|signature| self.key.verify_with_context(message, &[], &signature))
    }
}
