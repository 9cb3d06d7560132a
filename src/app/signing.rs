//! The signing-key life cycle: the first key, rotation, retirement, and keeping the keys a
//! process has loaded in step with the database.
//!
//! A key signs from its creation until a newer key replaces it (`keygen --rotate`); it then
//! stays published in the JWKS for the longest lifetime a token of this server can have, so
//! every token it signed keeps verifying, and drops out by itself. `keygen --retire` drops it
//! at once.
//!
//! # Invariants
//! - Exactly one key signs: the newest one that has not been deactivated.
//! - Key changes happen in write transactions (serializable), so two processes never both
//!   rotate, and the first key is recorded only if none is (`insert_first_signing_key`), so two
//!   processes starting at once agree on one. A key is generated before or at most once for
//!   its transaction, and its file is written under its kid, so a retried transaction rewrites
//!   the same file rather than leaving another key behind.
//! - Every use of the keys first reads the signing keys' version (bumped by schema triggers
//!   on every change of the table) and reloads when it moved or a grace period ended, so a
//!   rotation or retirement by another process is seen by the very next request. On
//!   PostgreSQL the uses that arrive together share one read (`shared_read`), which starts
//!   after each of them did, so none sees less than a read of its own would.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use super::{App, seconds};
use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::keys::{
    self, KeyEncryptionKey, KeyRing, REFRESH_KEY_NAME, RefreshKey, SigningAlgorithm, SigningKey,
};
use crate::store::{DbLocation, ReadTransaction, SigningKeyRecord, WriteTransaction};

/// Where the private keys are kept, which the backend decides (API.md §11).
#[derive(Debug)]
pub(super) enum KeyVault {
    /// SQLite: `<kid>.pem` and `refresh.key` in the key directory.
    Directory(PathBuf),
    /// PostgreSQL: sealed in the database under the key-encryption key, so that replicas
    /// share no directory; `None` when `key_encryption_key_file` is unset, which every use of
    /// the keys refuses.
    Database(Option<KeyEncryptionKey>),
}

/// A [`KeyVault`] whose keys can be used: its directory, or its key-encryption key.
enum Place<'v> {
    Directory(&'v Path),
    Database(&'v KeyEncryptionKey),
}

impl KeyVault {
    /// The vault of a deployment on `location`.
    ///
    /// # Errors
    /// `Keys` if `key_encryption_key_file` is set for PostgreSQL but does not hold a key.
    pub(super) fn for_location(location: &DbLocation, config: &Config) -> Result<KeyVault> {
        Ok(match location {
            DbLocation::Sqlite(_) => KeyVault::Directory(config.key_dir.clone()),
            DbLocation::Postgres(_) => KeyVault::Database(
                config
                    .key_encryption_key_file
                    .as_deref()
                    .map(KeyEncryptionKey::load)
                    .transpose()?,
            ),
        })
    }

    /// Checks that the keys can be used: on PostgreSQL, that there is a key-encryption key.
    ///
    /// # Errors
    /// `InvalidInput`, naming the setting, when there is none.
    pub(super) fn require(&self) -> Result<()> {
        self.place().map(drop)
    }

    /// Where the keys are, ready for use.
    fn place(&self) -> Result<Place<'_>> {
        match self {
            KeyVault::Directory(dir) => Ok(Place::Directory(dir)),
            KeyVault::Database(Some(kek)) => Ok(Place::Database(kek)),
            KeyVault::Database(None) => Err(Error::invalid_input(
                "db is a PostgreSQL database, where picoauth keeps its signing keys sealed under \
                 a key-encryption key: set key_encryption_key_file (PICOAUTH_KEY_ENCRYPTION_KEY_FILE) \
                 to a file holding 32 random bytes in base64, the same file on every replica \
                 (make it once with `openssl rand -base64 32 > picoauth.kek`)",
            )),
        }
    }

    /// Makes the vault ready for new keys (the key directory, mode 0700).
    fn prepare(&self) -> Result<()> {
        match self.place()? {
            Place::Directory(dir) => keys::ensure_key_dir(dir),
            Place::Database(_) => Ok(()),
        }
    }

    /// Creates the refresh-token key unless it exists. Runs inside the first key's write
    /// transaction, so two processes starting at once keep one key (the file is created
    /// under SQLite's write lock; the row `ON CONFLICT DO NOTHING`). In the database only while
    /// no signing key is recorded: a populated database that lost its refresh-token row is
    /// damaged, and is refused when the keys load, never given a new key (which would void
    /// every refresh token and reset every failed-login counter, whose names it keys).
    fn create_refresh_key(&self, transaction: &mut dyn WriteTransaction, now: i64) -> Result<()> {
        match self.place()? {
            Place::Directory(dir) => RefreshKey::load_or_create(dir).map(drop),
            Place::Database(kek) => {
                if transaction.get_sealed_key(REFRESH_KEY_NAME)?.is_none()
                    && transaction.list_signing_keys()?.is_empty()
                {
                    transaction.insert_sealed_key(
                        REFRESH_KEY_NAME,
                        &kek.new_sealed_refresh_key()?,
                        now,
                    )?;
                }
                Ok(())
            }
        }
    }

    /// Keeps a new signing key: its file, or its sealed row in `transaction`. The same key on
    /// every run of a retried closure, so a retry rewrites the same file.
    fn store_signing_key(
        &self,
        transaction: &mut dyn WriteTransaction,
        key: &SigningKey,
        der: &keys::PrivateKeyDer,
        now: i64,
    ) -> Result<()> {
        match self.place()? {
            Place::Directory(dir) => keys::save_signing_key(dir, key.kid(), der),
            Place::Database(kek) => {
                let name = keys::signing_key_name(key.kid());
                transaction.insert_sealed_key(&name, &kek.seal_signing_key(key)?, now)?;
                Ok(())
            }
        }
    }

    /// Loads the private key of the signing key `record` and checks it is that key.
    fn load_signing_key(
        &self,
        transaction: &mut dyn ReadTransaction,
        record: &SigningKeyRecord,
    ) -> Result<SigningKey> {
        let kid = record.kid.as_str();
        let algorithm = record_algorithm(record)?;
        match self.place()? {
            Place::Directory(dir) => keys::load_signing_key(dir, kid, algorithm),
            Place::Database(kek) => {
                let sealed = transaction
                    .get_sealed_key(&keys::signing_key_name(kid))?
                    .ok_or_else(|| {
                        Error::new(
                            ErrorKind::Keys,
                            format!("the database lists signing key {kid} but holds no sealed key for it"),
                        )
                    })?;
                kek.open_signing_key(kid, algorithm, &sealed)
            }
        }
    }

    /// Loads the refresh-token key.
    fn load_refresh_key(&self, transaction: &mut dyn ReadTransaction) -> Result<RefreshKey> {
        match self.place()? {
            Place::Directory(dir) => RefreshKey::load_or_create(dir),
            Place::Database(kek) => {
                let sealed = transaction
                    .get_sealed_key(REFRESH_KEY_NAME)?
                    .ok_or_else(|| {
                        Error::new(
                            ErrorKind::Keys,
                            "the database holds no refresh-token key (the `refresh` row of \
                             sealed_keys): on a new database start `picoauth serve` once; on one \
                             with signing keys restore the row from a backup (a new key would \
                             void every refresh token)",
                        )
                    })?;
                kek.open_refresh_key(&sealed)
            }
        }
    }

    /// Where the keys are, for messages.
    fn describe(&self) -> String {
        match self {
            KeyVault::Directory(dir) => dir.display().to_string(),
            KeyVault::Database(_) => "the database".to_owned(),
        }
    }
}

/// The keys a process signs and hashes with, parsed once.
#[derive(Debug)]
pub struct KeyMaterial {
    /// The published signing keys; the active one first.
    pub key_ring: KeyRing,
    /// Hashes refresh tokens before they reach the store.
    pub(super) refresh_key: RefreshKey,
    /// The signing keys' version this was loaded at; a reload is due when it moves.
    version: i64,
    /// When the first key in its grace period drops out, making a reload due.
    next_expiry: Option<i64>,
}

/// A signing key as `keygen --list` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyInfo {
    /// The key's id.
    pub kid: String,
    /// `RS256`, `ML-DSA-65` or `ML-DSA-87`.
    pub algorithm: String,
    /// `active` (signs), `grace` (published, no longer signs) or `retired` (gone from JWKS).
    pub state: &'static str,
    /// Unix seconds.
    pub created_at: i64,
    /// For keys in grace or retired: until when it was (or is) published.
    pub published_until: Option<i64>,
}

impl App {
    /// The key material, current with the database: loaded on first use, and loaded again
    /// when the signing keys' version has moved (another process rotated or retired a key) or
    /// a key's grace period has ended. Checking costs one read of one row, so every use of the
    /// keys (each request that signs or verifies, each `GET /jwks`) sees a change at once, the
    /// way the denylist is seen (API.md §6: what one writes, a running server sees on its next
    /// request).
    ///
    /// # Errors
    /// `Storage` if the database cannot be read, `Keys` if there is no signing key yet, or a
    /// key file is missing or unreadable (keys loaded before stay in use for the next call).
    pub fn keys(&self, now: i64) -> Result<Arc<KeyMaterial>> {
        let read = || {
            self.store
                .read(|transaction| transaction.get_signing_keys_version())
        };
        let version = match self.vault {
            // A round trip to the database server: the requests that need one at once share
            // it (a read that starts after each of them), as a group commit shares a flush.
            KeyVault::Database(_) => self.keys_version.get(read)?,
            KeyVault::Directory(_) => read()?,
        };
        if let Some(material) = self.current_keys(version, now) {
            return Ok(material);
        }
        let _reloading = self
            .key_reload
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Another request may have reloaded while this one waited.
        if let Some(material) = self.current_keys(version, now) {
            return Ok(material);
        }
        // Read after the version: a change in between makes the next call load again.
        let material = Arc::new(
            self.store
                .read(|transaction| load_key_material(&self.vault, transaction, version, now))?,
        );
        let mut slot = self.lock_keys();
        if slot.is_some() {
            tracing::info!(
                active = material.key_ring.active().kid(),
                "signing keys reloaded"
            );
        }
        *slot = Some(Arc::clone(&material));
        Ok(material)
    }

    /// The loaded material if it was loaded at `version` and no key in it has outlived its
    /// grace period at `now`.
    fn current_keys(&self, version: i64, now: i64) -> Option<Arc<KeyMaterial>> {
        self.lock_keys()
            .as_ref()
            .filter(|material| {
                material.version == version
                    && material.next_expiry.is_none_or(|expiry| expiry > now)
            })
            .map(Arc::clone)
    }

    /// Creates the first signing key, of `algorithm` (`picoauth keygen`, and `serve` on first
    /// start with `token_algorithm`). Returns its kid, or `None` if a key exists already.
    ///
    /// # Errors
    /// `Keys` if the key cannot be generated or written, `Storage`/`Unavailable` if the
    /// database fails.
    pub fn create_first_key(
        &self,
        algorithm: SigningAlgorithm,
        now: i64,
    ) -> Result<Option<String>> {
        self.vault.prepare()?;
        // Generated by the first run of the closure that needs it and kept for a retried run.
        let mut generated: Option<(SigningKey, keys::PrivateKeyDer)> = None;
        let created = self.store.write(|transaction| {
            // In the transaction, so two processes starting at once share one key; creating
            // only if absent makes this idempotent when the closure runs again.
            self.vault.create_refresh_key(transaction, now)?;
            if !transaction.list_signing_keys()?.is_empty() {
                return Ok(None);
            }
            let (key, der) = match generated {
                Some(ref generated) => generated,
                None => generated.insert(SigningKey::generate(algorithm)?),
            };
            if !transaction.insert_first_signing_key(&new_key_record(key, now))? {
                return Ok(None);
            }
            self.vault.store_signing_key(transaction, key, der, now)?;
            Ok(Some(key.kid().to_owned()))
        })?;
        // Logged after the commit: the closure may run more than once.
        if let Some(kid) = &created {
            tracing::info!(kid, "created the first signing key");
        }
        Ok(created)
    }

    /// Replaces the active key with a new one of `algorithm`, or of the active key's
    /// algorithm if `None`; the old one stays published for the longest lifetime a token can
    /// have, so tokens of both algorithms pass meanwhile (`picoauth keygen --rotate
    /// [--algorithm …]`, API.md §8). Returns the new kid.
    ///
    /// # Errors
    /// `NotFound` if there is no key to rotate, `Keys` if the new key cannot be written.
    pub fn rotate_key(&self, algorithm: Option<SigningAlgorithm>, now: i64) -> Result<String> {
        self.vault.prepare()?;
        let no_key =
            || Error::not_found("there is no signing key to rotate; run `picoauth keygen`");
        let algorithm = match algorithm {
            Some(algorithm) => algorithm,
            None => {
                let records = self
                    .store
                    .read(|transaction| transaction.list_signing_keys())?;
                record_algorithm(active_record(&records).ok_or_else(no_key)?)?
            }
        };
        // Generating takes up to tens of milliseconds: do it before taking the write lock.
        let generated = SigningKey::generate(algorithm)?;
        let grace_end = now.saturating_add(seconds(self.config.longest_token_ttl()));
        let (key, der) = &generated;
        self.store.write(|transaction| {
            let records = transaction.list_signing_keys()?;
            let active = active_record(&records).ok_or_else(no_key)?;
            transaction.update_key_retirement(&active.kid, now, grace_end)?;
            transaction.insert_signing_key(&new_key_record(key, now))?;
            self.vault.store_signing_key(transaction, key, der, now)?;
            Ok(key.kid().to_owned())
        })
    }

    /// Takes a key out of the JWKS now (`picoauth keygen --retire`): tokens it signed stop
    /// verifying. The active key cannot be retired; rotate first.
    ///
    /// # Errors
    /// `NotFound` for an unknown kid, `Conflict` for the active key.
    pub fn retire_key(&self, kid: &str, now: i64) -> Result<()> {
        self.store.write(|transaction| {
            let records = transaction.list_signing_keys()?;
            if active_record(&records).is_some_and(|active| active.kid == kid) {
                return Err(Error::new(
                    ErrorKind::Conflict,
                    format!(
                        "{kid} is the active signing key; run `picoauth keygen --rotate` first"
                    ),
                ));
            }
            transaction.update_key_retirement(kid, now, now)
        })
    }

    /// Every signing key with its state at `now`, newest first (`picoauth keygen --list`).
    ///
    /// # Errors
    /// `Storage` if the database fails.
    pub fn list_keys(&self, now: i64) -> Result<Vec<KeyInfo>> {
        let records = self
            .store
            .read(|transaction| transaction.list_signing_keys())?;
        let active_kid = active_record(&records).map(|active| active.kid.clone());
        Ok(records
            .into_iter()
            .map(|record| {
                let state = if Some(&record.kid) == active_kid.as_ref() {
                    "active"
                } else if is_published(&record, now) {
                    "grace"
                } else {
                    "retired"
                };
                KeyInfo {
                    kid: record.kid,
                    algorithm: record.algorithm,
                    state,
                    created_at: record.created_at,
                    published_until: record.published_until,
                }
            })
            .collect())
    }

    /// The key material as last loaded, without asking the database whether it is current
    /// (loading it if nothing is loaded yet): for the refresh-hashing key, which no rotation of
    /// the signing keys changes, on paths that must not cost a read (the login back-off).
    ///
    /// # Errors
    /// As [`App::keys`], when nothing was loaded yet.
    pub(super) fn loaded_keys(&self, now: i64) -> Result<Arc<KeyMaterial>> {
        let loaded = self.lock_keys().clone();
        match loaded {
            Some(material) => Ok(material),
            None => self.keys(now),
        }
    }

    fn lock_keys(&self) -> std::sync::MutexGuard<'_, Option<Arc<KeyMaterial>>> {
        // The slot holds an Arc that is swapped whole, so a poisoned lock is still consistent.
        self.key_material
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The record of a key created at `now`, which signs until a newer one replaces it.
fn new_key_record(key: &SigningKey, now: i64) -> SigningKeyRecord {
    SigningKeyRecord {
        kid: key.kid().to_owned(),
        algorithm: key.algorithm().name().to_owned(),
        created_at: now,
        deactivated_at: None,
        published_until: None,
    }
}

/// The algorithm a key record names.
///
/// # Errors
/// `Keys` for a name this picoauth does not know (a database written by a newer one).
pub(super) fn record_algorithm(record: &SigningKeyRecord) -> Result<SigningAlgorithm> {
    SigningAlgorithm::from_name(&record.algorithm).ok_or_else(|| {
        Error::new(
            ErrorKind::Keys,
            format!(
                "signing key {} has the algorithm {}, which this picoauth does not know; upgrade picoauth",
                record.kid, record.algorithm
            ),
        )
    })
}

/// The key that signs: the newest one not deactivated.
fn active_record(records: &[SigningKeyRecord]) -> Option<&SigningKeyRecord> {
    records
        .iter()
        .find(|record| record.deactivated_at.is_none())
}

pub(super) fn is_published(record: &SigningKeyRecord, now: i64) -> bool {
    record.published_until.is_none_or(|until| until > now)
}

/// Loads the active key and every key in its grace period, and the refresh-hashing key.
fn load_key_material(
    vault: &KeyVault,
    transaction: &mut dyn ReadTransaction,
    version: i64,
    now: i64,
) -> Result<KeyMaterial> {
    let records = transaction.list_signing_keys()?;
    let active = active_record(&records).ok_or_else(|| {
        Error::new(
            ErrorKind::Keys,
            format!(
                "no signing key in {} — run `picoauth keygen` or start `picoauth serve` once",
                vault.describe()
            ),
        )
    })?;
    let mut signing_keys = vec![vault.load_signing_key(transaction, active)?];
    for record in records
        .iter()
        .filter(|record| record.kid != active.kid && is_published(record, now))
    {
        signing_keys.push(vault.load_signing_key(transaction, record)?);
    }
    let next_expiry = records
        .iter()
        .filter_map(|record| record.published_until)
        .filter(|until| *until > now)
        .min();
    Ok(KeyMaterial {
        key_ring: KeyRing::new(signing_keys)?,
        refresh_key: vault.load_refresh_key(transaction)?,
        version,
        next_expiry,
    })
}

impl App {
    /// Reads and parses the active signing key again, as a restart would (`/readyz`).
    ///
    /// # Errors
    /// `Keys` if it cannot be loaded, `Storage`/`Unavailable` if the database fails.
    pub(super) fn reload_active_key(&self, kid: &str) -> Result<()> {
        self.store
            .read(|transaction| {
                let records = transaction.list_signing_keys()?;
                let record = records
                    .iter()
                    .find(|record| record.kid == kid)
                    .ok_or_else(|| {
                        Error::new(
                            ErrorKind::Keys,
                            format!("signing key {kid} is no longer listed"),
                        )
                    })?;
                self.vault.load_signing_key(transaction, record)
            })
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::{NOW, test_app};

    fn states(app: &App, now: i64) -> Vec<&'static str> {
        app.list_keys(now)
            .unwrap()
            .into_iter()
            .map(|key| key.state)
            .collect()
    }

    #[test]
    fn rotation_keeps_the_old_key_published_for_the_grace_period() {
        let test = test_app("rotate");
        let app = &test.app;
        let old_kid = app.keys(NOW).unwrap().key_ring.active().kid().to_owned();
        let grace = seconds(app.config().longest_token_ttl());
        let before = app.keys(NOW + 10).unwrap();
        let new_kid = app.rotate_key(None, NOW + 10).unwrap();
        let keys = app.keys(NOW + 10).unwrap();
        assert_eq!(keys.key_ring.active().kid(), new_kid);
        assert!(keys.key_ring.find(&old_kid).is_some());
        assert_eq!(states(app, NOW + 10), ["active", "grace"]);

        assert!(!Arc::ptr_eq(&before, &keys), "the rotation is seen at once");
        assert!(
            Arc::ptr_eq(&keys, &app.keys(NOW + 11).unwrap()),
            "nothing changed: nothing is loaded again"
        );
        assert!(
            app.keys(NOW + 10 + grace)
                .unwrap()
                .key_ring
                .find(&old_kid)
                .is_none()
        );
        assert_eq!(states(app, NOW + 10 + grace), ["active", "retired"]);
    }

    #[test]
    fn retiring_drops_a_key_at_once_but_never_the_active_one() {
        let test = test_app("retire");
        let app = &test.app;
        let old_kid = app.keys(NOW).unwrap().key_ring.active().kid().to_owned();
        let new_kid = app.rotate_key(None, NOW).unwrap();
        assert_eq!(
            app.retire_key(&new_kid, NOW).unwrap_err().kind(),
            ErrorKind::Conflict
        );
        assert_eq!(
            app.retire_key("nope", NOW).unwrap_err().kind(),
            ErrorKind::NotFound
        );
        app.retire_key(&old_kid, NOW + 1).unwrap();
        assert!(app.keys(NOW + 1).unwrap().key_ring.find(&old_kid).is_none());
        assert_eq!(states(app, NOW + 1), ["active", "retired"]);
    }

    #[test]
    fn the_first_key_is_created_once() {
        let test = test_app("first-key");
        assert_eq!(
            test.app
                .create_first_key(SigningAlgorithm::Rs256, NOW)
                .unwrap(),
            None
        );
    }
}
