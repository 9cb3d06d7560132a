//! [`SqliteTransaction`]: the storage interface's read and write transactions on one SQLite
//! connection, each operation the SQL of its table's submodule.
//!
//! Whether it may write is decided by who lends it: `SqliteStore::read` hands it out as a
//! `&mut dyn ReadTransaction` on a reading connection, `SqliteStore::write` as a
//! `&mut dyn WriteTransaction` inside `BEGIN IMMEDIATE` on the writer.

use rusqlite::Connection;

use super::{
    challenges, clients, groups, keys, login_failures, mints, refresh, revocations,
    runtime_settings, sealed_keys, users,
};
use crate::error::Result;
use crate::roles::Role;
use crate::store::{
    ChallengeLimits, Evicted, FamilyAccessToken, Group, GroupMember, LoginFailures, MintRecord,
    MintSelection, NewChallenge, NewRefreshToken, OAuthClient, PendingChallenge, ReadTransaction,
    RefreshRecord, RefreshRotation, Revocation, RuntimeSetting, SigningKeyRecord, User, UserStatus,
    WriteTransaction,
};

/// A connection lent for one read or write transaction.
pub(super) struct SqliteTransaction<'c> {
    /// The reading connection, or the writer inside its open transaction.
    connection: &'c Connection,
}

impl<'c> SqliteTransaction<'c> {
    /// Wraps a connection that the caller has put in the right state.
    pub(super) fn new(connection: &'c Connection) -> SqliteTransaction<'c> {
        SqliteTransaction { connection }
    }
}

impl ReadTransaction for SqliteTransaction<'_> {
    fn get_user_by_id(&mut self, id: &str) -> Result<Option<User>> {
        users::get_user_by_id(self.connection, id)
    }

    fn get_user_by_email(&mut self, email: &str) -> Result<Option<User>> {
        users::get_user_by_email(self.connection, email)
    }

    fn list_users(&mut self, org_id: Option<&str>) -> Result<Vec<User>> {
        users::list_users(self.connection, org_id)
    }

    fn count_active_with_role(&mut self, role: Role) -> Result<u64> {
        users::count_active_with_role(self.connection, role)
    }

    fn count_with_role(&mut self, role: Role) -> Result<u64> {
        users::count_with_role(self.connection, role)
    }

    fn get_refresh_token(&mut self, token_hash: &[u8]) -> Result<Option<RefreshRecord>> {
        refresh::get_refresh_token(self.connection, token_hash)
    }

    fn list_family_access_tokens(&mut self, family_id: &str) -> Result<Vec<FamilyAccessToken>> {
        refresh::list_family_access_tokens(self.connection, family_id)
    }

    fn list_user_access_tokens(&mut self, user_id: &str) -> Result<Vec<FamilyAccessToken>> {
        refresh::list_user_access_tokens(self.connection, user_id)
    }

    fn has_live_session_of_access_token(&mut self, access_jti: &str, now: i64) -> Result<bool> {
        refresh::has_live_session_of_access_token(self.connection, access_jti, now)
    }

    fn list_signing_keys(&mut self) -> Result<Vec<SigningKeyRecord>> {
        keys::list_signing_keys(self.connection)
    }

    fn get_signing_keys_version(&mut self) -> Result<i64> {
        keys::get_signing_keys_version(self.connection)
    }

    fn get_sealed_key(&mut self, name: &str) -> Result<Option<Vec<u8>>> {
        sealed_keys::get_sealed_key(self.connection, name)
    }

    fn list_mints(
        &mut self,
        selections: &[MintSelection<'_>],
        limit: u32,
        active_at: Option<i64>,
    ) -> Result<Vec<MintRecord>> {
        mints::list_mints(self.connection, selections, limit, active_at)
    }

    fn is_mint_in(&mut self, jti: &str, selections: &[MintSelection<'_>]) -> Result<bool> {
        mints::is_mint_in(self.connection, jti, selections)
    }

    fn get_mint_exp(&mut self, jti: &str) -> Result<Option<i64>> {
        mints::get_mint_exp(self.connection, jti)
    }

    fn get_mint(&mut self, jti: &str) -> Result<Option<MintRecord>> {
        mints::get_mint(self.connection, jti)
    }

    fn is_revoked(&mut self, jti: &str) -> Result<bool> {
        revocations::is_revoked(self.connection, jti)
    }

    fn is_any_revoked(&mut self, jtis: &[&str]) -> Result<bool> {
        revocations::is_any_revoked(self.connection, jtis)
    }

    fn get_revocation(&mut self, jti: &str) -> Result<Option<Revocation>> {
        revocations::get_revocation(self.connection, jti)
    }

    fn list_revocations(&mut self, since: i64, now: i64) -> Result<Vec<Revocation>> {
        revocations::list_revocations(self.connection, since, now)
    }

    fn get_revocations_version(&mut self) -> Result<i64> {
        revocations::get_revocations_version(self.connection)
    }

    fn count_challenges(&mut self) -> Result<u64> {
        challenges::count_challenges(self.connection)
    }

    fn count_client_challenges(&mut self, client: &str) -> Result<u64> {
        challenges::count_client_challenges(self.connection, client)
    }

    fn get_login_failures(&mut self, key: &[u8; 32]) -> Result<Option<LoginFailures>> {
        login_failures::get_login_failures(self.connection, key)
    }

    fn count_login_failures(&mut self) -> Result<u64> {
        login_failures::count_login_failures(self.connection)
    }

    fn get_group(&mut self, id: &str) -> Result<Option<Group>> {
        groups::get_group(self.connection, id)
    }

    fn list_groups(&mut self, org_id: Option<&str>) -> Result<Vec<Group>> {
        groups::list_groups(self.connection, org_id)
    }

    fn list_groups_named(&mut self, name: &str, org_id: Option<&str>) -> Result<Vec<Group>> {
        groups::list_groups_named(self.connection, name, org_id)
    }

    fn list_group_members(&mut self, group_id: &str) -> Result<Vec<GroupMember>> {
        groups::list_group_members(self.connection, group_id)
    }

    fn list_user_group_ids(&mut self, user_id: &str) -> Result<Vec<String>> {
        groups::list_user_group_ids(self.connection, user_id)
    }

    fn count_groups(&mut self, org_id: &str) -> Result<u64> {
        groups::count_groups(self.connection, org_id)
    }

    fn count_group_members(&mut self, group_id: &str) -> Result<u64> {
        groups::count_group_members(self.connection, group_id)
    }

    fn count_user_groups(&mut self, user_id: &str) -> Result<u64> {
        groups::count_user_groups(self.connection, user_id)
    }

    fn is_group_member(&mut self, group_id: &str, user_id: &str) -> Result<bool> {
        groups::is_group_member(self.connection, group_id, user_id)
    }

    fn get_registration_enabled(&mut self) -> Result<Option<RuntimeSetting<bool>>> {
        runtime_settings::get_registration_enabled(self.connection)
    }

    fn get_client(&mut self, client_id: &str) -> Result<Option<OAuthClient>> {
        clients::get_client(self.connection, client_id)
    }

    fn list_clients(&mut self) -> Result<Vec<OAuthClient>> {
        clients::list_clients(self.connection)
    }
}

impl WriteTransaction for SqliteTransaction<'_> {
    fn insert_user(&mut self, user: &User) -> Result<()> {
        users::insert_user(self.connection, user)
    }

    fn insert_user_if_absent(&mut self, user: &User) -> Result<bool> {
        users::insert_user_if_absent(self.connection, user)
    }

    fn update_role(&mut self, id: &str, role: Role) -> Result<()> {
        users::update_role(self.connection, id, role)
    }

    fn update_password_hash(&mut self, id: &str, password_hash: &str) -> Result<()> {
        users::update_password_hash(self.connection, id, password_hash)
    }

    fn update_status(&mut self, id: &str, status: UserStatus) -> Result<()> {
        users::update_status(self.connection, id, status)
    }

    fn delete_user(&mut self, id: &str) -> Result<()> {
        users::delete_user(self.connection, id)
    }

    fn update_last_login(&mut self, id: &str, now: i64) -> Result<()> {
        users::update_last_login(self.connection, id, now)
    }

    fn insert_refresh_token(&mut self, token: &NewRefreshToken<'_>) -> Result<()> {
        refresh::insert_refresh_token(self.connection, token)
    }

    fn rotate_refresh_token(&mut self, token_hash: &[u8], now: i64) -> Result<RefreshRotation> {
        refresh::rotate_refresh_token(self.connection, token_hash, now)
    }

    fn delete_family(&mut self, family_id: &str) -> Result<()> {
        refresh::delete_family(self.connection, family_id)
    }

    fn delete_families_of_access_token(&mut self, access_jti: &str) -> Result<usize> {
        refresh::delete_families_of_access_token(self.connection, access_jti)
    }

    fn delete_user_refresh_tokens(&mut self, user_id: &str) -> Result<usize> {
        refresh::delete_user_refresh_tokens(self.connection, user_id)
    }

    fn delete_expired_refresh_tokens(&mut self, now: i64) -> Result<usize> {
        refresh::delete_expired_refresh_tokens(self.connection, now)
    }

    fn insert_signing_key(&mut self, record: &SigningKeyRecord) -> Result<()> {
        keys::insert_signing_key(self.connection, record)
    }

    fn insert_first_signing_key(&mut self, record: &SigningKeyRecord) -> Result<bool> {
        keys::insert_first_signing_key(self.connection, record)
    }

    fn update_key_retirement(&mut self, kid: &str, now: i64, published_until: i64) -> Result<()> {
        keys::update_key_retirement(self.connection, kid, now, published_until)
    }

    fn insert_sealed_key(&mut self, name: &str, sealed: &[u8], now: i64) -> Result<bool> {
        sealed_keys::insert_sealed_key(self.connection, name, sealed, now)
    }

    fn insert_mint(&mut self, record: &MintRecord) -> Result<()> {
        mints::insert_mint(self.connection, record)
    }

    fn delete_expired_mints(&mut self, expired_by: i64, limit: usize) -> Result<usize> {
        mints::delete_expired_mints(self.connection, expired_by, limit)
    }

    fn insert_revocation(
        &mut self,
        revocation: &Revocation,
        expires_at: i64,
    ) -> Result<Revocation> {
        revocations::insert_revocation(self.connection, revocation, expires_at)
    }

    fn delete_expired_revocations(&mut self, now: i64) -> Result<usize> {
        revocations::delete_expired_revocations(self.connection, now)
    }

    fn revoke_descendants(
        &mut self,
        revocation: &Revocation,
        max_depth: u32,
        limit: u32,
    ) -> Result<usize> {
        revocations::revoke_descendants(self.connection, revocation, max_depth, limit)
    }

    fn insert_challenge(
        &mut self,
        new: &NewChallenge<'_>,
        limits: ChallengeLimits,
    ) -> Result<Evicted> {
        challenges::insert_challenge(self.connection, new, limits)
    }

    fn take_challenge(&mut self, challenge: &str) -> Result<Option<PendingChallenge>> {
        challenges::take_challenge(self.connection, challenge)
    }

    fn delete_expired_challenges(&mut self, now: i64) -> Result<usize> {
        challenges::delete_expired_challenges(self.connection, now)
    }

    fn record_login_failure(
        &mut self,
        key: &[u8; 32],
        now_ms: i64,
        forget_before_ms: i64,
    ) -> Result<u32> {
        login_failures::record_login_failure(self.connection, key, now_ms, forget_before_ms)
    }

    fn delete_login_failures(&mut self, key: &[u8; 32]) -> Result<usize> {
        login_failures::delete_login_failures(self.connection, key)
    }

    fn delete_expired_login_failures(&mut self, failed_before_ms: i64) -> Result<usize> {
        login_failures::delete_expired_login_failures(self.connection, failed_before_ms)
    }

    fn delete_excess_login_failures(&mut self, max_rows: u64) -> Result<usize> {
        login_failures::delete_excess_login_failures(self.connection, max_rows)
    }

    fn insert_group(&mut self, group: &Group) -> Result<bool> {
        groups::insert_group(self.connection, group)
    }

    fn update_group(&mut self, group: &Group) -> Result<bool> {
        groups::update_group(self.connection, group)
    }

    fn delete_group(&mut self, id: &str) -> Result<bool> {
        groups::delete_group(self.connection, id)
    }

    fn insert_group_member(&mut self, member: &GroupMember) -> Result<bool> {
        groups::insert_group_member(self.connection, member)
    }

    fn delete_group_member(&mut self, group_id: &str, user_id: &str) -> Result<bool> {
        groups::delete_group_member(self.connection, group_id, user_id)
    }

    fn set_registration_enabled(&mut self, setting: &RuntimeSetting<bool>) -> Result<()> {
        runtime_settings::set_registration_enabled(self.connection, setting)
    }

    fn insert_client(&mut self, client: &OAuthClient) -> Result<()> {
        clients::insert_client(self.connection, client)
    }

    fn update_client_secret(
        &mut self,
        client_id: &str,
        secret_hash: &[u8],
        previous_secret_hash: Option<&[u8]>,
        previous_valid_until: Option<i64>,
    ) -> Result<()> {
        clients::update_client_secret(
            self.connection,
            client_id,
            secret_hash,
            previous_secret_hash,
            previous_valid_until,
        )
    }

    fn delete_client(&mut self, client_id: &str) -> Result<bool> {
        clients::delete_client(self.connection, client_id)
    }
}
