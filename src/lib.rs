//! picoauth: a JWT auth server (`picoauth serve`) and its admin tool (every other subcommand),
//! one core behind two front doors.
//!
//! # Layout
//! - [`cli`]: the CLI door (clap, stdout/stderr, exit codes); `serve` starts the HTTP door.
//! - [`http`]: the HTTP door (hyper): routing, JSON bodies, statuses.
//! - [`app`]: the core facade both doors call; every rule of the product lives here.
//! - [`store`]: the SQLite database, the only module with SQL.
//! - [`keys`]: signing keys, kids, JWKS, the refresh-token hashing key.
//! - [`tokens`]: JWT claims, minting and checking.
//! - [`scopes`]: scope patterns (`treasury:write:*`), which covers which, intersections.
//! - [`password`]: argon2id hashing, bcrypt verification.
//! - [`config`], [`roles`], [`error`]: settings, roles, the one error type.
//!
//! ARCHITECTURE.md at the repository root has the invariants.

pub mod app;
pub mod cli;
pub mod config;
pub mod error;
pub mod http;
pub mod keys;
pub mod password;
pub mod roles;
pub mod scopes;
pub mod store;
pub mod tokens;
pub mod wallet;
