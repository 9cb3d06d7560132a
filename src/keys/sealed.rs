//! Private keys sealed for the database: the key-encryption key (KEK) read from the file that
//! `key_encryption_key_file` names, and AES-256-GCM sealing of the signing keys and the
//! refresh-token key, for deployments on PostgreSQL, whose replicas share no key directory
//! (API.md §11).
//!
//! A sealed key is `"pak1"` ‖ a 96-bit random nonce ‖ the ciphertext and its 128-bit tag. The
//! additional authenticated data is the key's name in the database (`signing:<kid>`,
//! `refresh`), so a sealed key moved to another name does not open.
//!
//! # Invariants
//! - The KEK and every opened private key stay in this module (and in aws-lc-rs); the KEK prints
//!   `[redacted]`, plaintext buffers are zeroed when dropped.
//! - A key that does not open (another KEK, a damaged or moved row) is a `Keys` error naming
//!   the key-encryption key, never a key used anyway.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use zeroize::Zeroizing;

use super::{RefreshKey, SigningAlgorithm, SigningKey, open_regular_file, random_bytes};
use crate::error::{Error, ErrorKind, Result};

/// What every sealed key starts with: the format, so a later one can be told apart.
const MAGIC: &[u8; 4] = b"pak1";
/// The database name of the refresh-token key.
pub const REFRESH_KEY_NAME: &str = "refresh";
/// A KEK file is a line of base64; anything longer is not one (and is not read whole).
const MAX_KEK_FILE: u64 = 1024;

/// The database name of the signing key `kid`.
pub fn signing_key_name(kid: &str) -> String {
    format!("signing:{kid}")
}

/// The key-encryption key: 32 bytes that seal and open the private keys kept in the database.
pub struct KeyEncryptionKey {
    key: LessSafeKey,
    /// The file it was read from, for messages.
    path: PathBuf,
}

impl fmt::Debug for KeyEncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyEncryptionKey([redacted])")
    }
}

impl KeyEncryptionKey {
    /// Reads the KEK from `path`: 32 bytes in base64 (with or without padding), surrounding
    /// whitespace ignored, as `openssl rand -base64 32` writes them.
    ///
    /// # Errors
    /// `Keys`, naming the file and `key_encryption_key_file`, if it cannot be read or does not
    /// hold exactly 32 bytes in base64.
    pub fn load(path: &Path) -> Result<KeyEncryptionKey> {
        let invalid = |why: &str| {
            Error::new(
                ErrorKind::Keys,
                format!(
                    "the key-encryption key file {} (key_encryption_key_file) {why}; make one with \
                     `openssl rand -base64 32 > {}` and keep it secret",
                    path.display(),
                    path.display()
                ),
            )
        };
        let mut text = Zeroizing::new(String::new());
        open_regular_file(path)
            .and_then(|file| file.take(MAX_KEK_FILE + 1).read_to_string(&mut text))
            .map_err(|error| invalid("cannot be read").with_source(error))?;
        if text.len() as u64 > MAX_KEK_FILE {
            return Err(invalid("is too long to be a key"));
        }
        let encoded = text.trim();
        let bytes = Zeroizing::new(
            STANDARD
                .decode(encoded)
                .or_else(|_| STANDARD_NO_PAD.decode(encoded))
                .map_err(|_| invalid("is not base64"))?,
        );
        if bytes.len() != 32 {
            return Err(invalid(&format!(
                "holds {} bytes, not the 32 of an AES-256 key",
                bytes.len()
            )));
        }
        KeyEncryptionKey::from_bytes(&bytes, path)
    }

    fn from_bytes(bytes: &[u8], path: &Path) -> Result<KeyEncryptionKey> {
        let key = UnboundKey::new(&AES_256_GCM, bytes)
            .map_err(|_| Error::new(ErrorKind::Keys, "cannot use the key-encryption key"))?;
        Ok(KeyEncryptionKey {
            key: LessSafeKey::new(key),
            path: path.to_owned(),
        })
    }

    /// Seals a signing key for the database under [`signing_key_name`].
    ///
    /// # Errors
    /// `Keys` if the key cannot be encoded or sealed.
    pub fn seal_signing_key(&self, key: &SigningKey) -> Result<Vec<u8>> {
        let der = key.private_der()?;
        self.seal(&signing_key_name(key.kid()), &der)
    }

    /// Opens the sealed signing key `kid` and checks it is that key.
    ///
    /// # Errors
    /// `Keys` if it does not open under this KEK, or holds another key.
    pub fn open_signing_key(
        &self,
        kid: &str,
        algorithm: SigningAlgorithm,
        sealed: &[u8],
    ) -> Result<SigningKey> {
        let der = self.open(&signing_key_name(kid), sealed)?;
        let key = SigningKey::from_pkcs8(&der, algorithm).map_err(|error| {
            Error::new(
                ErrorKind::Keys,
                format!(
                    "the sealed signing key {kid} (an {algorithm} key, says signing_keys): {}",
                    error.detail()
                ),
            )
        })?;
        if key.kid() != kid {
            return Err(Error::new(
                ErrorKind::Keys,
                format!("the sealed signing key {kid} holds key {}", key.kid()),
            ));
        }
        Ok(key)
    }

    /// A new refresh-token key (32 random bytes), sealed for the database under
    /// [`REFRESH_KEY_NAME`].
    ///
    /// # Errors
    /// `Keys` or `Internal` if randomness or sealing fails.
    pub fn new_sealed_refresh_key(&self) -> Result<Vec<u8>> {
        let secret = Zeroizing::new(random_bytes::<32>()?);
        self.seal(REFRESH_KEY_NAME, secret.as_slice())
    }

    /// Seals the refresh-token key of a key directory (for `migrate-db`), if it has one.
    ///
    /// # Errors
    /// `Keys` if the file is unreadable or malformed.
    pub fn seal_refresh_key_file(&self, key_dir: &Path) -> Result<Option<Vec<u8>>> {
        match RefreshKey::read_secret(key_dir)? {
            Some(secret) => Ok(Some(self.seal(REFRESH_KEY_NAME, &secret)?)),
            None => Ok(None),
        }
    }

    /// Opens the sealed refresh-token key.
    ///
    /// # Errors
    /// `Keys` if it does not open under this KEK.
    pub fn open_refresh_key(&self, sealed: &[u8]) -> Result<RefreshKey> {
        let secret = self.open(REFRESH_KEY_NAME, sealed)?;
        RefreshKey::from_secret(&secret, REFRESH_KEY_NAME)
    }

    fn seal(&self, name: &str, plaintext: &[u8]) -> Result<Vec<u8>> {
        let nonce = random_bytes::<NONCE_LEN>()?;
        let mut in_out = plaintext.to_vec();
        let sealing = self.key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(name.as_bytes()),
            &mut in_out,
        );
        if sealing.is_err() {
            zeroize::Zeroize::zeroize(&mut in_out);
            return Err(Error::new(ErrorKind::Keys, format!("cannot seal {name}")));
        }
        let mut sealed = Vec::with_capacity(MAGIC.len() + NONCE_LEN + in_out.len());
        sealed.extend_from_slice(MAGIC);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&in_out);
        Ok(sealed)
    }

    fn open(&self, name: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let wrong = || {
            Error::new(
                ErrorKind::Keys,
                format!(
                    "the key-encryption key in {} does not open the key {name} in the database: it \
                     is not the key-encryption key the keys were sealed with (or the row is damaged)",
                    self.path.display()
                ),
            )
        };
        let rest = sealed.strip_prefix(MAGIC.as_slice()).ok_or_else(wrong)?;
        if rest.len() < NONCE_LEN {
            return Err(wrong());
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| wrong())?;
        let mut in_out = Zeroizing::new(ciphertext.to_vec());
        let plaintext_len = self
            .key
            .open_in_place(nonce, Aad::from(name.as_bytes()), &mut in_out)
            .map_err(|_| wrong())?
            .len();
        in_out.truncate(plaintext_len);
        Ok(in_out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn kek(byte: u8) -> KeyEncryptionKey {
        KeyEncryptionKey::from_bytes(&[byte; 32], Path::new("kek")).unwrap()
    }

    #[test]
    fn a_sealed_signing_key_opens_under_its_kek_and_name_only() {
        let (key, _) = SigningKey::generate(SigningAlgorithm::MlDsa65).unwrap();
        let sealed = kek(1).seal_signing_key(&key).unwrap();
        let opened = kek(1)
            .open_signing_key(key.kid(), key.algorithm(), &sealed)
            .unwrap();
        assert_eq!(opened.kid(), key.kid());
        assert!(
            !sealed
                .windows(8)
                .any(|w| key.private_der().unwrap().windows(8).any(|d| d == w))
        );

        let other_kek = kek(2)
            .open_signing_key(key.kid(), key.algorithm(), &sealed)
            .unwrap_err();
        assert_eq!(other_kek.kind(), ErrorKind::Keys);
        assert!(
            other_kek.detail().contains("key-encryption key"),
            "{other_kek}"
        );
        // The kid is the additional data: a row moved to another name does not open.
        assert!(
            kek(1)
                .open_signing_key("another-kid", key.algorithm(), &sealed)
                .is_err()
        );
        let mut damaged = sealed.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        assert!(
            kek(1)
                .open_signing_key(key.kid(), key.algorithm(), &damaged)
                .is_err()
        );
        assert!(
            kek(1)
                .open_signing_key(key.kid(), key.algorithm(), b"pak1")
                .is_err()
        );
        assert!(
            kek(1)
                .open_signing_key(key.kid(), key.algorithm(), b"")
                .is_err()
        );
    }

    #[test]
    fn a_sealed_refresh_key_hashes_like_the_same_secret_always() {
        let sealed = kek(3).new_sealed_refresh_key().unwrap();
        let first = kek(3).open_refresh_key(&sealed).unwrap();
        let again = kek(3).open_refresh_key(&sealed).unwrap();
        assert_eq!(first.hash("token"), again.hash("token"));
        assert!(kek(4).open_refresh_key(&sealed).is_err());
        // Two new keys differ, nonces included.
        assert_ne!(sealed, kek(3).new_sealed_refresh_key().unwrap());
    }

    #[test]
    fn the_kek_file_is_32_bytes_of_base64_and_anything_else_is_refused_by_name() {
        let dir = std::env::temp_dir().join(format!("picoauth-kek-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("kek");
        for good in [
            format!("{}\n", STANDARD.encode([7u8; 32])),
            format!("  {}  ", STANDARD_NO_PAD.encode([7u8; 32])),
        ] {
            fs::write(&path, good).unwrap();
            let sealed = KeyEncryptionKey::load(&path)
                .unwrap()
                .new_sealed_refresh_key()
                .unwrap();
            assert!(kek(7).open_refresh_key(&sealed).is_ok());
        }
        for bad in [
            String::new(),
            "not base64!".to_owned(),
            STANDARD.encode([7u8; 16]),
            STANDARD.encode([7u8; 64]),
            "A".repeat(2000),
        ] {
            fs::write(&path, &bad).unwrap();
            let error = KeyEncryptionKey::load(&path).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Keys);
            assert!(
                error.detail().contains("key_encryption_key_file"),
                "{error}"
            );
        }
        let missing = KeyEncryptionKey::load(&dir.join("missing")).unwrap_err();
        assert!(missing.detail().contains("cannot be read"), "{missing}");
        assert_eq!(format!("{:?}", kek(1)), "KeyEncryptionKey([redacted])");
        fs::remove_dir_all(&dir).unwrap();
    }
}
