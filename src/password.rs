//! The one place passwords are hashed and checked: argon2id for new hashes, bcrypt accepted for
//! accounts imported from pico-auth.
//!
//! This module knows nothing of users or the database; `app` decides when to hash, and stores
//! the result. Hashing is slow and memory-hungry on purpose; how many hashes run at once is
//! bounded by the HTTP door, which knows about concurrency.
//!
//! # Invariants
//! - New hashes are argon2id with OWASP's parameters (m = 19 MiB, t = 2, p = 1), as PHC strings.
//! - A hash that is bcrypt or has weaker parameters is reported as needing a rehash, so it is
//!   upgraded at the next successful login.
//! - A login for an unknown account still costs one hash ([`burn_time`]).
//! - New passwords have 8 to 1024 characters and are not among the 5,000 most common ones
//!   (`common_passwords.txt`); there are no composition rules (NIST SP 800-63B).

use std::collections::HashSet;
use std::sync::OnceLock;

use argon2::password_hash::SaltString;
use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};

use crate::error::{Error, Result};

/// OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

/// NIST SP 800-63B §3.1.1.2: at least 8 characters for a new password, no composition rules.
pub const MIN_LENGTH: usize = 8;
/// Generous, but bounded so a single request cannot make hashing arbitrarily expensive.
pub const MAX_LENGTH: usize = 1024;

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None)
        .unwrap_or_else(|_| unreachable!("the constant argon2 parameters are valid"));
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The most common passwords (from zxcvbn's frequency list), refused for new passwords as
/// NIST SP 800-63B §3.1.1.2 asks.
fn is_common(password: &str) -> bool {
    static COMMON: OnceLock<HashSet<&'static str>> = OnceLock::new();
    COMMON
        .get_or_init(|| {
            include_str!("common_passwords.txt")
                .lines()
                .filter(|line| !line.is_empty() && !line.starts_with('#'))
                .collect()
        })
        .contains(password.to_lowercase().as_str())
}

/// Checks a new password against the rules: length, and not one of the most common.
///
/// # Errors
/// `InvalidInput` saying which rule failed.
pub fn check_new(password: &str) -> Result<()> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(Error::invalid_input(format!(
            "the password must be at least {MIN_LENGTH} characters long"
        )));
    }
    if length > MAX_LENGTH {
        return Err(Error::invalid_input(format!(
            "the password must be at most {MAX_LENGTH} characters long"
        )));
    }
    if is_common(password) {
        return Err(Error::invalid_input(
            "this password is one of the most commonly used ones, which attackers try first; choose another",
        ));
    }
    Ok(())
}

/// Hashes a password for storage.
///
/// # Errors
/// `Internal` if the random source or argon2 fails.
pub fn hash(password: &str) -> Result<String> {
    let salt_bytes = crate::keys::random_bytes::<16>()?;
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|error| Error::internal(format!("cannot encode a salt: {error}")))?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| Error::internal(format!("argon2 failed: {error}")))
}

/// The outcome of checking a password against a stored hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Wrong password (or an unreadable hash, which no password can match).
    Mismatch,
    /// Right password, hash is current.
    Match,
    /// Right password, but the hash is bcrypt or weaker than today's parameters.
    MatchNeedsRehash,
}

/// Checks `password` against a stored hash (argon2 PHC string or bcrypt `$2a$`/`$2b$`/`$2y$`).
pub fn verify(password: &str, stored: &str) -> Verdict {
    if stored.starts_with("$2") {
        // pico-auth hashed with bcrypt and cut passwords at 72 bytes; `verify` does the same.
        return match bcrypt::verify(password, stored) {
            Ok(true) => Verdict::MatchNeedsRehash,
            _ => Verdict::Mismatch,
        };
    }
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Verdict::Mismatch;
    };
    // Verification takes its parameters from the stored hash, so older hashes keep working.
    if Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_err()
    {
        return Verdict::Mismatch;
    }
    let current = parsed.algorithm.as_str() == "argon2id"
        && Params::try_from(&parsed)
            .is_ok_and(|params| params.m_cost() >= MEMORY_KIB && params.t_cost() >= ITERATIONS);
    if current {
        Verdict::Match
    } else {
        Verdict::MatchNeedsRehash
    }
}

/// Spends the time of one verification, so that a login for an unknown email takes as long as
/// one for a known email with a wrong password.
pub fn burn_time(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(dummy) = DUMMY.get_or_init(|| hash("picoauth-timing-equaliser").ok()) {
        let _ = verify(password, dummy);
    }
}

/// A random password for the bootstrapped admin: 24 URL-safe characters (144 bits).
///
/// # Errors
/// `Internal` if the random source fails.
pub fn generate() -> Result<String> {
    use base64::Engine;
    let bytes = crate::keys::random_bytes::<18>()?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip() {
        let stored = hash("correct horse battery").unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert_eq!(verify("correct horse battery", &stored), Verdict::Match);
        assert_eq!(verify("correct horse batterY", &stored), Verdict::Mismatch);
    }

    #[test]
    fn bcrypt_from_pico_auth_matches_and_asks_for_rehash() {
        let stored = bcrypt::hash("legacy-password", 4).unwrap();
        assert_eq!(
            verify("legacy-password", &stored),
            Verdict::MatchNeedsRehash
        );
        assert_eq!(verify("legacy-passwore", &stored), Verdict::Mismatch);
    }

    #[test]
    fn weaker_argon2_parameters_ask_for_rehash() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(4096, 1, 1, None).unwrap(),
        );
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let stored = weak
            .hash_password(b"some password", &salt)
            .unwrap()
            .to_string();
        assert_eq!(verify("some password", &stored), Verdict::MatchNeedsRehash);
    }

    #[test]
    fn garbage_hashes_never_match() {
        assert_eq!(verify("", ""), Verdict::Mismatch);
        assert_eq!(verify("x", "$2b$garbage"), Verdict::Mismatch);
        assert_eq!(verify("x", "$argon2id$nonsense"), Verdict::Mismatch);
    }

    #[test]
    fn length_and_commonness_rules() {
        assert!(check_new("h7#kq2z").is_err(), "seven characters");
        assert!(check_new("h7#kq2zP").is_ok());
        assert!(check_new(&"x".repeat(MAX_LENGTH + 1)).is_err());
        for common in ["12345678", "password", "Password", "iloveyou", "qwertyuiop"] {
            assert!(check_new(common).is_err(), "{common}");
        }
    }

    #[test]
    fn generated_passwords_are_long_and_distinct() {
        let first = generate().unwrap();
        assert_eq!(first.len(), 24);
        assert_ne!(first, generate().unwrap());
    }
}
