//! The server's own keys: the signing keys (RS256, ML-DSA-65, ML-DSA-87; `signing`), the JWKS,
//! and the secret that
//! hashes refresh tokens; as files in the key directory (SQLite deployments) or sealed for the
//! database under the key-encryption key (`sealed`, PostgreSQL deployments).
//!
//! This module reads and writes key files, seals and opens keys, and does the private-key
//! operations. It does not
//! decide which keys exist: the `signing_keys` table does, and `app` creates the first key under
//! the database's write lock. JWT claims and validation rules live in `tokens`.
//!
//! # Invariants
//! - Private key bytes never leave this module; types holding them print `[redacted]` in `Debug`.
//! - A signing key is parsed once, when the ring is loaded, and kept ready for every token.
//! - RSA private-key operations run in aws-lc-rs, which blinds them (the pure-Rust `rsa` crate
//!   carries RUSTSEC-2023-0071 and is not used).
//! - The key directory is created 0700 and every private file 0600, written whole then renamed,
//!   so a reader never sees half a key.
//! - A key file is read only if it is a regular file of at most [`MAX_KEY_FILE`] bytes, opened
//!   without blocking: a FIFO, a device or a huge file in the key directory is refused, never
//!   waited on or read whole (a `/readyz` probe reads the active key each time).

use std::fmt;
use std::fs::{self, DirBuilder, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use aws_lc_rs::rand::SecureRandom;

use crate::error::{Error, ErrorKind, Result};

mod sealed;
mod signing;

pub use sealed::{KeyEncryptionKey, REFRESH_KEY_NAME, signing_key_name};
pub use signing::{Jwk, PrivateKeyDer, SigningAlgorithm, SigningKey};

/// The signing keys loaded from the key directory: the first signs, all are published.
#[derive(Debug)]
pub struct KeyRing {
    /// Newest first; `keys[0]` signs new tokens.
    keys: Vec<SigningKey>,
    /// The JWKS document, serialized once because every resource server fetches it.
    jwks_json: Vec<u8>,
    /// A strong validator of `jwks_json` for HTTP caches (RFC 9110 §8.8.3), quoted.
    jwks_etag: String,
}

impl KeyRing {
    /// Builds a ring from keys, newest first.
    ///
    /// # Errors
    /// `Keys` if `keys` is empty.
    pub fn new(keys: Vec<SigningKey>) -> Result<KeyRing> {
        if keys.is_empty() {
            return Err(Error::new(ErrorKind::Keys, "no signing key"));
        }
        let jwks =
            serde_json::json!({ "keys": keys.iter().map(SigningKey::jwk).collect::<Vec<_>>() });
        let jwks_json = jwks.to_string().into_bytes();
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &jwks_json);
        let jwks_etag = format!("\"{}\"", hex(&digest.as_ref()[..16]));
        Ok(KeyRing {
            keys,
            jwks_json,
            jwks_etag,
        })
    }

    /// The key that signs new tokens.
    pub fn active(&self) -> &SigningKey {
        &self.keys[0]
    }

    /// Every published key, the signing one first.
    pub fn keys(&self) -> &[SigningKey] {
        &self.keys
    }

    /// The published key with this kid.
    pub fn find(&self, kid: &str) -> Option<&SigningKey> {
        self.keys.iter().find(|key| key.kid() == kid)
    }

    /// Every algorithm of a published key, each once, the signing key's first (discovery's
    /// `id_token_signing_alg_values_supported`).
    pub fn algorithms(&self) -> Vec<SigningAlgorithm> {
        let mut algorithms = Vec::with_capacity(SigningAlgorithm::ALL.len());
        for key in &self.keys {
            if !algorithms.contains(&key.algorithm()) {
                algorithms.push(key.algorithm());
            }
        }
        algorithms
    }

    /// The JWKS document (`{"keys": [...]}`) as JSON bytes.
    pub fn jwks_json(&self) -> &[u8] {
        &self.jwks_json
    }

    /// The entity tag of [`KeyRing::jwks_json`], quoted, changing whenever the key set does.
    pub fn jwks_etag(&self) -> &str {
        &self.jwks_etag
    }
}

/// Creates the key directory (mode 0700) if missing, and warns if an existing one is open to
/// others.
///
/// # Errors
/// `Keys` if it cannot be created or is not a directory.
pub fn ensure_key_dir(key_dir: &Path) -> Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(key_dir)
        .map_err(|error| {
            Error::new(
                ErrorKind::Keys,
                format!("cannot create key directory {}", key_dir.display()),
            )
            .with_source(error)
        })?;
    let metadata = fs::metadata(key_dir).map_err(|error| unreadable(key_dir, error))?;
    if metadata.permissions().mode() & 0o077 != 0 {
        tracing::warn!(
            key_dir = %key_dir.display(),
            "the key directory is accessible to other users; chmod 700 it"
        );
    }
    Ok(())
}

/// The file that holds the private key `kid`.
pub fn private_key_path(key_dir: &Path, kid: &str) -> PathBuf {
    key_dir.join(format!("{kid}.pem"))
}

/// Reads the private key `kid` from the key directory and checks it is that key.
///
/// # Errors
/// `Keys` if the file is missing, unreadable, malformed, or holds another key.
pub fn load_signing_key(
    key_dir: &Path,
    kid: &str,
    algorithm: SigningAlgorithm,
) -> Result<SigningKey> {
    let path = private_key_path(key_dir, kid);
    let text = read_key_file(&path)?;
    let key = SigningKey::from_pem(&text, algorithm).map_err(|error| {
        Error::new(
            ErrorKind::Keys,
            format!("{}: {}", path.display(), error.detail()),
        )
    })?;
    if key.kid() != kid {
        return Err(Error::new(
            ErrorKind::Keys,
            format!(
                "{} holds key {}, not the key {kid} its name says",
                path.display(),
                key.kid()
            ),
        ));
    }
    Ok(key)
}

/// Writes a private key to `<key_dir>/<kid>.pem` (PKCS#8 PEM, mode 0600).
///
/// # Errors
/// `Keys` if the file cannot be written.
pub fn save_signing_key(key_dir: &Path, kid: &str, der: &PrivateKeyDer) -> Result<()> {
    let text = zeroize::Zeroizing::new(pem::encode(&pem::Pem::new("PRIVATE KEY", der.0.to_vec())));
    write_private_file(&private_key_path(key_dir, kid), text.as_bytes())
}

/// The secret that turns refresh tokens into the keyed hashes the database stores, so a copy of
/// the database alone cannot be used to forge or recognise refresh tokens.
pub struct RefreshKey {
    key: aws_lc_rs::hmac::Key,
}

impl fmt::Debug for RefreshKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RefreshKey([redacted])")
    }
}

const REFRESH_KEY_FILE: &str = "refresh.key";

impl RefreshKey {
    /// Reads `<key_dir>/refresh.key`, creating it with 32 random bytes if it does not exist.
    /// Run it under the database's write lock so two processes never both create one.
    ///
    /// # Errors
    /// `Keys` if the file cannot be read, written, or is malformed.
    pub fn load_or_create(key_dir: &Path) -> Result<RefreshKey> {
        let path = key_dir.join(REFRESH_KEY_FILE);
        let secret = match RefreshKey::read_secret(key_dir)? {
            Some(secret) => secret,
            None => {
                let secret = zeroize::Zeroizing::new(random_bytes::<32>()?.to_vec());
                write_private_file(&path, hex(&secret).as_bytes())?;
                secret
            }
        };
        RefreshKey::from_secret(&secret, &path.display().to_string())
    }

    /// The secret in `<key_dir>/refresh.key`, or `None` if there is no such file.
    fn read_secret(key_dir: &Path) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>> {
        let path = key_dir.join(REFRESH_KEY_FILE);
        if matches!(fs::symlink_metadata(&path), Err(error) if error.kind() == std::io::ErrorKind::NotFound)
        {
            return Ok(None);
        }
        let bytes = read_key_file(&path)?;
        let hex_text = zeroize::Zeroizing::new(String::from_utf8_lossy(&bytes).into_owned());
        let bytes = unhex(hex_text.trim())
            .filter(|bytes| bytes.len() >= 32)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Keys,
                    format!("{} is not 32 or more hex-encoded bytes", path.display()),
                )
            })?;
        Ok(Some(zeroize::Zeroizing::new(bytes)))
    }

    /// The key of `secret` (32 bytes or more), which came from `origin`.
    fn from_secret(secret: &[u8], origin: &str) -> Result<RefreshKey> {
        if secret.len() < 32 {
            return Err(Error::new(
                ErrorKind::Keys,
                format!("the refresh-token key from {origin} is shorter than 32 bytes"),
            ));
        }
        Ok(RefreshKey {
            key: aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret),
        })
    }

    /// The keyed hash (HMAC-SHA-256) of a refresh token, as stored.
    pub fn hash(&self, token: &str) -> Vec<u8> {
        aws_lc_rs::hmac::sign(&self.key, token.as_bytes())
            .as_ref()
            .to_vec()
    }

    /// The keyed hash of a machine client's secret, as stored (API.md §10): HMAC-SHA-256 of a
    /// fixed prefix, the client id and the secret. The prefix holds a NUL, which no refresh
    /// token's text does, so no use of this key meets another; the id binds the hash to its
    /// client, so one client's hash is no use under another's id.
    pub fn client_secret_hash(&self, client_id: &str, secret: &str) -> [u8; 32] {
        let mut context = aws_lc_rs::hmac::Context::with_key(&self.key);
        context.update(b"picoauth client secret\0");
        context.update(client_id.as_bytes());
        context.update(b"\0");
        context.update(secret.as_bytes());
        let mut hash = [0u8; 32];
        hash.copy_from_slice(context.sign().as_ref());
        hash
    }

    /// The key a failed-login counter named `name` is stored under: HMAC-SHA-256 of a fixed
    /// prefix and `name`. Keyed, so that what a stranger typed as an email (now and then a
    /// password) is never stored as a plain digest that a copy of the database could be
    /// searched with; the prefix holds a NUL, which no refresh token's text does, so the two
    /// uses of this key never meet.
    pub fn login_failure_key(&self, name: &[u8]) -> [u8; 32] {
        let mut context = aws_lc_rs::hmac::Context::with_key(&self.key);
        context.update(b"picoauth login failures\0");
        context.update(name);
        let mut key = [0u8; 32];
        key.copy_from_slice(context.sign().as_ref());
        key
    }
}

/// `N` bytes from the operating system's CSPRNG.
///
/// # Errors
/// `Internal` if the system's random source fails.
pub fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    aws_lc_rs::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Error::internal("the system random source failed"))?;
    Ok(bytes)
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(text.get(at..at + 2)?, 16).ok())
        .collect()
}

/// The largest key file read: an RSA-4096 PEM is about 3.3 KB, an ML-DSA seed's 132 bytes.
const MAX_KEY_FILE: u64 = 64 * 1024;

/// The key files already warned about (at most a few dozen: one per key), so that a `/readyz`
/// probe reading the active key again does not repeat the warning.
static WARNED_OPEN_FILES: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Reads a key file: a regular file of at most [`MAX_KEY_FILE`] bytes, opened without
/// blocking; warns (once per file) if other users may read it.
///
/// # Errors
/// `Keys` naming the file if it is missing, not a regular file, unreadable or too large.
fn read_key_file(path: &Path) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    let file = open_regular_file(path).map_err(|error| unreadable(path, error))?;
    let mode = file
        .metadata()
        .map_err(|error| unreadable(path, error))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        let mut warned = WARNED_OPEN_FILES
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !warned.iter().any(|known| known == path) && warned.len() < 64 {
            warned.push(path.to_owned());
            tracing::warn!(
                file = %path.display(),
                mode = format!("{:o}", mode & 0o777),
                "the key file is accessible to other users; chmod 600 it"
            );
        }
    }
    let mut bytes = zeroize::Zeroizing::new(Vec::new());
    file.take(MAX_KEY_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| unreadable(path, error))?;
    if bytes.len() as u64 > MAX_KEY_FILE {
        return Err(Error::new(
            ErrorKind::Keys,
            format!(
                "{} is too large to be a key (over {MAX_KEY_FILE} bytes)",
                path.display()
            ),
        ));
    }
    Ok(bytes)
}

/// Opens `path` for reading if it is a regular file. Opened with `O_NONBLOCK`, so a FIFO with
/// no writer does not block the open (a process would hang, never naming the file), then
/// checked on the open handle: a FIFO, a device or a directory is refused before a byte is
/// read.
fn open_regular_file(path: &Path) -> std::io::Result<fs::File> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)?;
    if file.metadata()?.is_file() {
        Ok(file)
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ))
    }
}

/// `O_NONBLOCK` of `open(2)` (the `libc` crate is not a dependency of the binary).
#[cfg(any(target_os = "linux", target_os = "android"))]
const O_NONBLOCK: i32 = 0o4000;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const O_NONBLOCK: i32 = 0x0004;

/// Writes `contents` to `path` with mode 0600: to a temporary file first, synced, then renamed.
fn write_private_file(path: &Path, contents: &[u8]) -> Result<()> {
    let temporary = path.with_extension("tmp");
    let write = || -> std::io::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temporary)?;
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&temporary, path)?;
        if let Some(parent) = path.parent() {
            fs::File::open(parent)?.sync_all()?;
        }
        Ok(())
    };
    write().map_err(|error| {
        Error::new(ErrorKind::Keys, format!("cannot write {}", path.display())).with_source(error)
    })
}

fn unreadable(path: &Path, error: std::io::Error) -> Error {
    Error::new(ErrorKind::Keys, format!("cannot read {}", path.display())).with_source(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        assert_eq!(unhex(&hex(&[0, 1, 254, 255])), Some(vec![0, 1, 254, 255]));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex("+f"), None);
    }
}
