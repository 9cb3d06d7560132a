//! Moving a SQLite deployment to PostgreSQL (`picoauth migrate-db`, API.md §11): the database
//! copied into an empty PostgreSQL database, the private keys of the key directory sealed under
//! the key-encryption key on the way in, so that every token and refresh token issued before
//! keeps working on the replicas.
//!
//! # Invariants
//! - The source is only read: the SQLite file and the key directory are left as they were, so
//!   going back is pointing `db` at the file again.
//! - Nothing reaches the target unless all of it does (`Store::copy_into` is one transaction,
//!   and refuses a target that is not empty), and the copy is checked by loading its keys
//!   with the key-encryption key, as a replica will.

use std::path::Path;

use serde::Serialize;

use super::App;
use super::signing::{KeyVault, is_published, record_algorithm};
use crate::error::{Error, ErrorKind, Result};
use crate::keys::{self, KeyEncryptionKey, REFRESH_KEY_NAME};
use crate::store::{CopiedTable, DbLocation, SealedKey, Store};

/// What `migrate-db` copied.
#[derive(Debug, Serialize)]
pub struct Migration {
    /// Rows per table, in the order they were copied (`sealed_keys` last).
    pub tables: Vec<MigratedTable>,
    /// The key that signs on the target, if the source had one.
    pub active_kid: Option<String>,
    /// Retired keys whose file was gone: listed on the target, never loaded (they sign and
    /// verify nothing).
    pub retired_keys_without_file: Vec<String>,
}

/// One table's count, as printed.
#[derive(Debug, Serialize)]
pub struct MigratedTable {
    /// The table.
    pub table: &'static str,
    /// Rows copied.
    pub rows: u64,
}

impl App {
    /// Copies this SQLite deployment (`db` and `key_dir`) into the empty PostgreSQL database
    /// at `target`, sealing its keys under the key-encryption key `key_encryption_key_file`
    /// names.
    ///
    /// # Errors
    /// `InvalidInput` if this deployment is not on SQLite, `target` is not a PostgreSQL URL or
    /// there is no key-encryption key; `Conflict` if the target is not empty; `Keys` if a key
    /// file of a published key is missing or unreadable; `Storage`/`Unavailable` if a database
    /// fails.
    pub fn migrate_to(&self, target: &str, now: i64) -> Result<Migration> {
        let KeyVault::Directory(key_dir) = &self.vault else {
            return Err(Error::invalid_input(
                "db is already a PostgreSQL database; migrate-db copies a SQLite deployment \
                 (point --db at its file and --key-dir at its keys)",
            ));
        };
        let location = DbLocation::migration_target(target)?;
        let target_vault = KeyVault::for_location(&location, &self.config)?;
        target_vault.require()?;
        let KeyVault::Database(Some(kek)) = target_vault else {
            return Err(Error::internal("a PostgreSQL vault without its key"));
        };
        let (sealed, active_kid, retired_keys_without_file) = self.seal_keys(key_dir, &kek, now)?;
        let target_store = Store::open(&location)?;
        let copied = self.store.copy_into(&target_store, &sealed, now)?;

        // The copy as a replica will open it: every published key and the refresh-token key
        // open under the key-encryption key.
        let mut config = self.config.clone();
        config.db = target.into();
        let replica = App::with_store(config, target_store, KeyVault::Database(Some(kek)));
        if active_kid.is_some() {
            replica.keys(now)?;
        }
        Ok(Migration {
            tables: copied
                .into_iter()
                .map(|CopiedTable { table, rows }| MigratedTable { table, rows })
                .collect(),
            active_kid,
            retired_keys_without_file,
        })
    }

    /// Every key of the key directory that the database lists, and the refresh-token key,
    /// sealed; the active kid; the retired kids whose file is gone.
    fn seal_keys(
        &self,
        key_dir: &Path,
        kek: &KeyEncryptionKey,
        now: i64,
    ) -> Result<(Vec<SealedKey>, Option<String>, Vec<String>)> {
        let records = self
            .store
            .read(|transaction| transaction.list_signing_keys())?;
        let mut sealed = Vec::with_capacity(records.len() + 1);
        let mut missing = Vec::new();
        for record in &records {
            let loaded = record_algorithm(record)
                .and_then(|algorithm| keys::load_signing_key(key_dir, &record.kid, algorithm));
            match loaded {
                Ok(key) => sealed.push(SealedKey {
                    name: keys::signing_key_name(&record.kid),
                    sealed: kek.seal_signing_key(&key)?,
                }),
                // A retired key signs and verifies nothing: its file may be gone.
                Err(_) if record.deactivated_at.is_some() && !is_published(record, now) => {
                    missing.push(record.kid.clone());
                }
                Err(error) => return Err(error),
            }
        }
        match kek.seal_refresh_key_file(key_dir)? {
            Some(refresh) => sealed.push(SealedKey {
                name: REFRESH_KEY_NAME.to_owned(),
                sealed: refresh,
            }),
            // Refused before anything is copied: a target with signing keys and no
            // refresh-token key is refused by every replica (which makes no new one), and the
            // check after the copy would fail with the copy committed.
            None if !records.is_empty() => {
                return Err(Error::new(
                    ErrorKind::Keys,
                    format!(
                        "the key directory {} holds no refresh.key (the refresh-token key): \
                         restore it, or start `picoauth serve` on the SQLite deployment once \
                         to make a new one (which voids its refresh tokens), then migrate",
                        key_dir.display()
                    ),
                ));
            }
            None => {}
        }
        let active_kid = records
            .iter()
            .find(|record| record.deactivated_at.is_none())
            .map(|record| record.kid.clone());
        Ok((sealed, active_kid, missing))
    }
}
