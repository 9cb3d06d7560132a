//! The one integration test binary: black-box tests that run the real `picoauth`, and
//! property tests of the library's pure parts (`properties`).
//!
//! Each module drives one door or one concern; `util` is the harness they share.

mod util;

mod admin_users;
mod attacks;
mod attacks_admin;
mod attacks_found;
mod attacks_groups;
mod attacks_oauth;
mod attacks_pg;
mod attacks_pqc;
mod attacks_transport;
mod authz;
mod backoff;
mod cli;
mod clients;
mod config;
mod crash;
mod exchange;
mod fleet;
mod generated;
mod groups;
mod hardening;
mod keys;
mod oauth;
mod operator;
mod postgres;
mod pqc;
mod properties;
mod replicas;
mod serve;
mod transport;
mod users;
mod wallet;
