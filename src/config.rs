//! Configuration: every setting of API.md §7, declared once in [`SETTINGS`], and how the layers
//! combine.
//!
//! Each entry of [`SETTINGS`] gives a setting's config-file key, from which its `PICOAUTH_*`
//! variable and its flag are spelt, where it may be a flag, its default (shown as written
//! there), its help, and its parser; the CLI door builds the flags, `--help`, the man pages,
//! the completions and the README's table from it.
//!
//! Precedence is command-line flag > environment `PICOAUTH_<NAME>` > TOML file > default.
//! This module does not read the process environment or the command line itself: the CLI door
//! hands both in, so resolution is a pure function that tests can drive.
//!
//! # Invariants
//! - An unknown key in the file, or an invalid value from any layer, is an error naming the key
//!   and where the value came from; an unknown key is answered with the nearest real one.
//! - Secrets (`admin_password`, `fleet_mint_secret`) are never accepted as flags and print as
//!   `[redacted]` in `Debug`.
//! - Unset, `issuer` follows `listen`, so every command reading the same file and environment
//!   stamps the same issuer.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::keys::SigningAlgorithm;
use crate::roles::Role;
use crate::wallet::{WalletAlgorithm, WalletSubject};

/// A secret string (password, shared secret) that never shows up in logs or `Debug` output.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself; call only where it is used, never to print it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether no secret was configured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Every setting, resolved and validated. Durations are whole seconds.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address `serve` binds to.
    pub listen: SocketAddr,
    /// The SQLite database file shared by `serve` and every other subcommand.
    pub db: PathBuf,
    /// The directory holding the signing keys and the refresh-token hashing key.
    pub key_dir: PathBuf,
    /// On PostgreSQL: the file holding the key-encryption key that seals the private keys
    /// kept in the database (API.md §11).
    pub key_encryption_key_file: Option<PathBuf>,
    /// The `iss` of every token and the base of the discovery document's URLs.
    pub issuer: String,
    /// The `aud` of every token.
    pub audience: String,
    /// The algorithm of the signing key made on first start (API.md §8).
    pub token_algorithm: SigningAlgorithm,
    /// Lifetime of user and wallet access tokens.
    pub access_token_ttl: u64,
    /// Absolute lifetime of a refresh-token chain, counted from the login.
    pub refresh_token_ttl: u64,
    /// Whether `POST /register` is open.
    pub registration_enabled: bool,
    /// Whether the first start creates a superadmin.
    pub auto_create_admin: bool,
    /// Email of the bootstrapped superadmin.
    pub admin_email: String,
    /// Password of the bootstrapped superadmin; empty means generate one and show it once.
    pub admin_password: Secret,
    /// Lifetime of a wallet challenge.
    pub challenge_ttl: u64,
    /// Wallet challenges pending at once, across all clients; one client may hold 1% of them.
    /// At the bound, new challenges evict the largest holder's oldest (never a refusal).
    pub max_pending_challenges: u64,
    /// Wallet algorithms accepted by `/sign-in`.
    pub wallet_algorithms: Vec<WalletAlgorithm>,
    /// What wallet tokens name a wallet by: its address (API.md §5) or its public key's hex
    /// (pico-server-auth 0.2, API.md §9).
    pub wallet_subject: WalletSubject,
    /// Shared secrets for `POST /fleet/sessions`; several may be valid at once. Empty: endpoint off.
    pub fleet_mint_secrets: Vec<Secret>,
    /// Default lifetime of a fleet token.
    pub fleet_session_ttl: u64,
    /// Longest lifetime a fleet token may be given.
    pub fleet_max_ttl: u64,
    /// Roles the fleet secret may mint.
    pub fleet_allowed_roles: Vec<Role>,
    /// Tokens living at least this long are recorded in the mint audit.
    pub mint_audit_min_ttl: u64,
    /// How long a machine client's previous secret keeps working after `clients rotate-secret`.
    pub client_secret_grace: u64,
    /// How long an audit row outlives its token's expiry before `prune` deletes it; 0 deletes
    /// it as soon as the token has expired.
    pub mint_audit_retention: u64,
    /// Which log lines are written, as a `tracing` filter (`info`, `debug`, `picoauth=debug`);
    /// unset, `serve` logs at `info` and the other commands only warnings.
    pub log_level: Option<String>,
    /// `text` (for people) or `json` (one object per line, for log pipelines).
    pub log_format: LogFormat,
    /// Where Prometheus metrics are served (`GET /metrics`); `None` (the default) turns them off.
    pub metrics_listen: Option<SocketAddr>,
    /// Requests per second one client IP may make to each abuse-prone endpoint (login,
    /// register, refresh, challenge, sign-in, fleet sessions), with bursts of twice that;
    /// 0 turns the limit off.
    pub rate_limit_per_second: u32,
    /// Wrong passwords one client may send for an account before each further one makes it
    /// wait, twice as long each time; the account from all clients, and the client on all
    /// accounts, get 20 times as many.
    pub login_free_failures: u32,
    /// The longest such wait: the back-off never becomes a lockout.
    pub login_max_delay: u64,
    /// Proxies whose `X-Forwarded-For` is believed (IPs or CIDR ranges); none by default.
    pub trusted_proxies: Vec<IpNet>,
    /// Connections served at once; more wait to be accepted.
    pub max_connections: usize,
    /// How long a client may take to send a request's headers, or its body.
    pub request_timeout: u64,
    /// Connections one client address (an IPv6 /64) may hold at once; `trusted_proxies` are
    /// exempt.
    pub max_connections_per_client: usize,
    /// PEM certificate chain `serve` presents; with `tls_key_file` it speaks HTTPS (API.md §12).
    pub tls_cert_file: Option<PathBuf>,
    /// PEM private key of `tls_cert_file`.
    pub tls_key_file: Option<PathBuf>,
    /// The scope patterns an agent acting for a user may be delegated, by the user's role
    /// (RFC 8693 token exchange, API.md §10); a role without an entry delegates nothing.
    pub agent_scopes: Vec<(Role, Vec<String>)>,
    /// The most token exchanges one delegation chain may hold (1 to 16).
    pub max_delegation_depth: u32,
}

impl Config {
    /// The scope patterns `agent_scopes` grants agents acting for an account of `role`.
    pub fn agent_scopes_of(&self, role: Role) -> &[String] {
        self.agent_scopes
            .iter()
            .find(|(granted, _)| *granted == role)
            .map_or(&[], |(_, patterns)| patterns.as_slice())
    }
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// An IP network in CIDR notation (`10.0.0.0/8`, `fd00::/8`); a bare IP is a /32 or /128.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpNet {
    address: std::net::IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Parses `a.b.c.d`, `a.b.c.d/n`, an IPv6 address, or `v6/n`.
    ///
    /// # Errors
    /// A sentence naming the text.
    pub fn parse(text: &str) -> std::result::Result<IpNet, String> {
        let bad = || format!("`{text}` is not an IP address or CIDR range");
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: std::net::IpAddr = address.trim().parse().map_err(|_| bad())?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        // `::ffff:a.b.c.d/n` (n ≥ 96) is the IPv4 network a.b.c.d/(n - 96): peers are mapped to
        // IPv4 before they are compared, so the network is too.
        let (address, offset) = match address.to_canonical() {
            v4 @ std::net::IpAddr::V4(_) if address.is_ipv6() => (v4, 96),
            _ => (address, 0),
        };
        let prefix = match prefix {
            Some(prefix) => prefix
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|prefix| *prefix <= max)
                .ok_or_else(bad)?,
            None => max,
        };
        if offset > 0 && prefix < offset {
            // Wider than the mapped range: an IPv6 network, which mapped peers may still be in.
            let address = match address {
                std::net::IpAddr::V4(v4) => std::net::IpAddr::V6(v4.to_ipv6_mapped()),
                v6 => v6,
            };
            return Ok(IpNet { address, prefix });
        }
        Ok(IpNet {
            address,
            prefix: prefix - offset,
        })
    }

    /// Whether `ip` lies in this network; an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, what
    /// a dual-stack socket reports for an IPv4 peer) is taken as the IPv4 address it carries.
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr;
        let ip = ip.to_canonical();
        // An IPv6 network (`::/0`, `::ffff:0:0/95`) may hold IPv4 peers by their mapped form.
        let ip = match (self.address, ip) {
            (IpAddr::V6(_), IpAddr::V4(v4)) => IpAddr::V6(v4.to_ipv6_mapped()),
            _ => ip,
        };
        match (self.address, ip) {
            (IpAddr::V4(network), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(network) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(network), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(network) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl Default for Config {
    /// The configuration with no flag, variable or file: every setting's default from
    /// [`SETTINGS`], and the issuer derived from the default `listen`.
    fn default() -> Config {
        let mut config = Config::blank();
        for setting in &SETTINGS {
            if let DefaultValue::Value(text) = setting.default {
                // The unit tests check that every default parses.
                let applied = (setting.apply)(&mut config, text);
                debug_assert!(applied.is_ok(), "default of {}: {applied:?}", setting.key);
            }
        }
        config.issuer = config.derived_issuer();
        config
    }
}

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// The default `listen`; its port is also the issuer's when `listen` names port 0.
const DEFAULT_LISTEN: &str = "127.0.0.1:8100";

/// Which command lines take a setting as a flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flag {
    /// `--<name>` on every subcommand, before or after its name: where the files are and
    /// how tokens are stamped, which the admin commands need as much as `serve`.
    Everywhere,
    /// `--<name>` on `serve` only: how the server runs.
    Serve,
    /// No flag: a secret, which a command line would show to every user of the machine.
    Never,
}

/// What kind of value a setting takes: its placeholder in help and man pages, and what a
/// shell may complete for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An IP address and port.
    Address,
    /// A file path.
    File,
    /// A directory path.
    Dir,
    /// An http(s) URL.
    Url,
    /// Free text.
    Text,
    /// An email address.
    Email,
    /// A duration (`90s`, `15m`, `24h`, `7d`).
    Duration,
    /// `true` or `false` (also `yes`/`no`, `on`/`off`, `1`/`0`).
    Bool,
    /// A whole number.
    Number,
    /// Role names, comma-separated.
    Roles,
    /// Wallet algorithm names, comma-separated.
    WalletAlgorithms,
    /// `text` or `json`.
    LogFormat,
    /// A `tracing` filter.
    Filter,
    /// IP addresses or CIDR ranges, comma-separated.
    Networks,
    /// A secret, or several comma-separated.
    Secret,
    /// A token signing algorithm (`RS256`, `ML-DSA-65`, `ML-DSA-87`).
    TokenAlgorithm,
    /// `address` or `public_key`.
    WalletSubject,
    /// Scope patterns by role: a TOML table (`viewer = ["docs:read"]`), or as text
    /// `viewer=docs:read docs:list;operator=treasury:*`.
    RoleScopes,
}

impl Kind {
    /// The placeholder shown for the value (`--db <FILE>`).
    pub fn placeholder(self) -> &'static str {
        match self {
            Kind::Address => "ADDR",
            Kind::File => "FILE",
            Kind::Dir => "DIR",
            Kind::Url => "URL",
            Kind::Text => "TEXT",
            Kind::Email => "EMAIL",
            Kind::Duration => "DURATION",
            Kind::Bool => "BOOL",
            Kind::Number => "N",
            Kind::Roles => "ROLES",
            Kind::WalletAlgorithms => "ALGORITHMS",
            Kind::LogFormat => "FORMAT",
            Kind::Filter => "FILTER",
            Kind::Networks => "CIDRS",
            Kind::Secret => "SECRET",
            Kind::TokenAlgorithm => "ALG",
            Kind::WalletSubject => "SUBJECT",
            Kind::RoleScopes => "ROLE=SCOPES",
        }
    }

    /// Whether the value is a comma-separated list.
    pub fn is_list(self) -> bool {
        matches!(
            self,
            Kind::Roles | Kind::WalletAlgorithms | Kind::Networks | Kind::Secret
        )
    }
}

/// The words `true`/`false` settings accept, in either letter case; the first of each is the
/// one help and completions offer.
pub const BOOL_WORDS: [(&str, bool); 8] = [
    ("true", true),
    ("false", false),
    ("yes", true),
    ("no", false),
    ("on", true),
    ("off", false),
    ("1", true),
    ("0", false),
];

/// The log formats `log_format` accepts.
pub const LOG_FORMATS: [(&str, LogFormat); 2] =
    [("text", LogFormat::Text), ("json", LogFormat::Json)];

/// A setting's default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultValue {
    /// A value, in the same text form a flag, variable or file gives; it is parsed like them.
    Value(&'static str),
    /// No value: the setting is off or empty, or derived from others; the text says which.
    Unset(&'static str),
}

/// One setting: everything the file, the environment, the flags, `--help`, the man pages, the
/// completions and the README's table know about it comes from its entry in [`SETTINGS`].
pub struct Setting {
    /// The config-file key; the flag is `--` and the key with `-` for `_`, the variable
    /// `PICOAUTH_` and the key in capitals.
    pub key: &'static str,
    /// Where the setting may be a flag.
    pub flag: Flag,
    /// The kind of value.
    pub kind: Kind,
    /// The default, shown as given here in `--help`, the man pages and the README.
    pub default: DefaultValue,
    /// One line for `--help` and the README's table.
    pub help: &'static str,
    /// More for the README, the man pages and `--help` (not `-h`); may be empty.
    pub more: &'static str,
    /// The admin subcommands (besides `serve`, which reads everything) that read this setting,
    /// for their man pages' ENVIRONMENT section.
    pub read_by: &'static [&'static str],
    /// Parses a value in its text form into the configuration.
    apply: fn(&mut Config, &str) -> std::result::Result<(), String>,
}

impl Setting {
    /// The environment variable that sets it.
    pub fn env(&self) -> String {
        env_name(self.key)
    }

    /// The long flag's name, without the dashes (`access-token-ttl`).
    pub fn flag_name(&self) -> String {
        self.key.replace('_', "-")
    }

    /// The default as text: a value, or what its absence means.
    pub fn default_text(&self) -> &'static str {
        match self.default {
            DefaultValue::Value(text) | DefaultValue::Unset(text) => text,
        }
    }

    /// The help line with `more` appended, when there is more.
    pub fn long_help(&self) -> String {
        if self.more.is_empty() {
            self.help.to_owned()
        } else {
            format!("{} {}", self.help, self.more)
        }
    }
}

impl fmt::Debug for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Setting")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// Every admin subcommand that opens the database.
const ADMIN_COMMANDS: &[&str] = &[
    "keygen",
    "users",
    "groups",
    "mint-fleet",
    "revoke",
    "list-mints",
    "inspect",
    "migrate-db",
    "clients",
];
/// Those that use the longest token lifetime (key grace periods, how long a revocation is kept).
const LONGEST_TTL_READERS: &[&str] = &["keygen", "mint-fleet", "revoke", "clients"];

/// Every setting, in the order help, man pages and the README list them (API.md §7).
///
/// A new setting is a field of [`Config`], its blank value in `Config::blank`, and one entry
/// here; nothing else is written by hand.
pub static SETTINGS: [Setting; 38] = [
    Setting {
        key: "listen",
        flag: Flag::Serve,
        kind: Kind::Address,
        default: DefaultValue::Value(DEFAULT_LISTEN),
        help: "Address and port `serve` binds to.",
        more: "Unless `issuer` is set, tokens name this address as their issuer.",
        read_by: &["mint-fleet", "inspect"],
        apply: |config, value| {
            config.listen = parse_address(value)?;
            Ok(())
        },
    },
    Setting {
        key: "db",
        flag: Flag::Everywhere,
        kind: Kind::File,
        default: DefaultValue::Value("picoauth.db"),
        help: "The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend.",
        more: "",
        read_by: ADMIN_COMMANDS,
        apply: |config, value| {
            config.db = non_empty_path(value)?;
            Ok(())
        },
    },
    Setting {
        key: "key_dir",
        flag: Flag::Everywhere,
        kind: Kind::Dir,
        default: DefaultValue::Value("keys"),
        help: "The key directory (created mode 0700; private keys 0600).",
        more: "",
        read_by: ADMIN_COMMANDS,
        apply: |config, value| {
            config.key_dir = non_empty_path(value)?;
            Ok(())
        },
    },
    Setting {
        key: "key_encryption_key_file",
        flag: Flag::Everywhere,
        kind: Kind::File,
        default: DefaultValue::Unset("none"),
        help: "On PostgreSQL: the file with the key-encryption key (32 random bytes in base64).",
        more: "Required when `db` is a PostgreSQL URL: the signing keys and the refresh-token key live in the database, their private parts sealed with AES-256-GCM under this key; make it with `openssl rand -base64 32`. Unused with SQLite, whose keys stay in `key_dir`.",
        read_by: ADMIN_COMMANDS,
        apply: |config, value| {
            config.key_encryption_key_file = optional_path(value);
            Ok(())
        },
    },
    Setting {
        key: "issuer",
        flag: Flag::Everywhere,
        kind: Kind::Url,
        default: DefaultValue::Unset("from listen"),
        help: "`iss` of every token and base of the discovery URLs.",
        more: "Resource servers must configure the same string. Unset, it is `http://` (`https://` with `tls_cert_file`) and `listen`, with `localhost` for 127.0.0.1, ::1 and 0.0.0.0, and port 8100 when `listen` asks for any free port (0).",
        read_by: &["mint-fleet", "inspect"],
        apply: |config, value| {
            config.issuer = parse_issuer(value)?;
            Ok(())
        },
    },
    Setting {
        key: "audience",
        flag: Flag::Everywhere,
        kind: Kind::Text,
        default: DefaultValue::Value("pico"),
        help: "`aud` of every token.",
        more: "",
        read_by: &["mint-fleet", "inspect"],
        apply: |config, value| {
            config.audience = non_empty(value)?.to_owned();
            Ok(())
        },
    },
    Setting {
        key: "token_algorithm",
        flag: Flag::Serve,
        kind: Kind::TokenAlgorithm,
        default: DefaultValue::Value("RS256"),
        help: "Algorithm of the signing key made on first start: RS256, ML-DSA-65 or ML-DSA-87.",
        more: "Only the first key: later keys keep the active key's algorithm unless `keygen --rotate --algorithm` names another (API.md §8). ML-DSA tokens need resource servers that accept them (pico-client-auth ≥ 0.4 with `accepted_algorithms`).",
        read_by: &["keygen"],
        apply: |config, value| {
            config.token_algorithm =
                SigningAlgorithm::parse(value).map_err(|error| error.detail().to_owned())?;
            Ok(())
        },
    },
    Setting {
        key: "access_token_ttl",
        flag: Flag::Serve,
        kind: Kind::Duration,
        default: DefaultValue::Value("15m"),
        help: "Lifetime of access tokens.",
        more: "",
        read_by: LONGEST_TTL_READERS,
        apply: |config, value| {
            config.access_token_ttl = parse_duration(value)?;
            Ok(())
        },
    },
    Setting {
        key: "refresh_token_ttl",
        flag: Flag::Serve,
        kind: Kind::Duration,
        default: DefaultValue::Value("7d"),
        help: "Absolute lifetime of a login's refresh chain, counted from the login.",
        more: "",
        read_by: &[],
        apply: |config, value| {
            config.refresh_token_ttl = parse_duration(value)?;
            Ok(())
        },
    },
    Setting {
        key: "registration_enabled",
        flag: Flag::Serve,
        kind: Kind::Bool,
        default: DefaultValue::Value("true"),
        help: "Whether `POST /register` is open.",
        more: "",
        read_by: &[],
        apply: |config, value| {
            config.registration_enabled = parse_bool(value)?;
            Ok(())
        },
    },
    Setting {
        key: "auto_create_admin",
        flag: Flag::Serve,
        kind: Kind::Bool,
        default: DefaultValue::Value("true"),
        help: "Whether the first start creates a superadmin.",
        more: "",
        read_by: &[],
        apply: |config, value| {
            config.auto_create_admin = parse_bool(value)?;
            Ok(())
        },
    },
    Setting {
        key: "admin_email",
        flag: Flag::Serve,
        kind: Kind::Email,
        default: DefaultValue::Value("admin@pico.local"),
        help: "Email of the superadmin the first start creates.",
        more: "",
        read_by: &[],
        apply: |config, value| {
            config.admin_email = non_empty(value)?.to_ascii_lowercase();
            Ok(())
        },
    },
    Setting {
        key: "admin_password",
        flag: Flag::Never,
        kind: Kind::Secret,
        default: DefaultValue::Unset("empty"),
        help: "Password of that superadmin; empty means a random one, shown once.",
        more: "Environment or file only, never a flag; not applied to an existing account.",
        read_by: &[],
        apply: |config, value| {
            config.admin_password = Secret::new(value);
            Ok(())
        },
    },
    Setting {
        key: "challenge_ttl",
        flag: Flag::Serve,
        kind: Kind::Duration,
        default: DefaultValue::Value("60s"),
        help: "Lifetime of a wallet challenge.",
        more: "",
        read_by: &[],
        apply: |config, value| {
            config.challenge_ttl = parse_duration(value)?;
            Ok(())
        },
    },
    Setting {
        key: "max_pending_challenges",
        flag: Flag::Serve,
        kind: Kind::Number,
        default: DefaultValue::Value("100000"),
        help: "Wallet challenges pending at once.",
        more: "One client (an IPv4 address or IPv6 /64) may hold 1% of them and then loses its own oldest; when the table is full, the client holding the most loses its oldest.",
        read_by: &[],
        apply: |config, value| {
            config.max_pending_challenges = parse_number::<u64>(value)?.max(1);
            Ok(())
        },
    },
    Setting {
        key: "wallet_algorithms",
        flag: Flag::Serve,
        kind: Kind::WalletAlgorithms,
        default: DefaultValue::Value("ML-DSA-65,Ed25519,secp256k1"),
        help: "Wallet algorithms accepted, comma-separated.",
        more: "",
        read_by: &[],
        apply: |config, value| {
            config.wallet_algorithms = list(value)
                .map(WalletAlgorithm::parse)
                .collect::<std::result::Result<_, _>>()?;
            Ok(())
        },
    },
    Setting {
        key: "wallet_subject",
        flag: Flag::Serve,
        kind: Kind::WalletSubject,
        default: DefaultValue::Value("address"),
        help: "What wallet tokens name a wallet by: `address` or `public_key`.",
        more: "`address` (API.md §5): `sub`, `wallet_address` and the `address` of `/sign-in` are `0x` and 40 hex digits of SHA-256 of the key. `public_key`, for pico-server-auth 0.2 clients: they are the lowercase hex of the public key as the client sent it. Sessions keep the subject they signed in with across refreshes.",
        read_by: &[],
        apply: |config, value| {
            config.wallet_subject = WalletSubject::parse(value)?;
            Ok(())
        },
    },
    Setting {
        key: "fleet_mint_secret",
        flag: Flag::Never,
        kind: Kind::Secret,
        default: DefaultValue::Unset("empty"),
        help: "Shared secrets for `POST /fleet/sessions`, comma-separated; empty turns the endpoint off.",
        more: "Several may be valid during a rotation. Environment or file only, never a flag.",
        read_by: &[],
        apply: |config, value| {
            config.fleet_mint_secrets = list(value).map(Secret::new).collect();
            Ok(())
        },
    },
    Setting {
        key: "fleet_session_ttl",
        flag: Flag::Serve,
        kind: Kind::Duration,
        default: DefaultValue::Value("24h"),
        help: "Default lifetime of fleet tokens.",
        more: "",
        read_by: &["mint-fleet"],
        apply: |config, value| {
            config.fleet_session_ttl = parse_duration(value)?;
            Ok(())
        },
    },
    Setting {
        key: "fleet_max_ttl",
        flag: Flag::Serve,
        kind: Kind::Duration,
        default: DefaultValue::Value("30d"),
        help: "Longest lifetime of fleet tokens.",
        more: "",
        read_by: LONGEST_TTL_READERS,
        apply: |config, value| {
            config.fleet_max_ttl = parse_duration(value)?;
            Ok(())
        },
    },
    Setting {
        key: "fleet_allowed_roles",
        flag: Flag::Serve,
        kind: Kind::Roles,
        default: DefaultValue::Value("agent,service"),
        help: "Roles the fleet secret may mint, comma-separated.",
        more: "The CLI may mint any role.",
        read_by: &[],
        apply: |config, value| {
            config.fleet_allowed_roles = list(value)
                .map(Role::parse)
                .collect::<std::result::Result<_, _>>()?;
            Ok(())
        },
    },
    Setting {
        key: "mint_audit_min_ttl",
        flag: Flag::Serve,
        kind: Kind::Duration,
        default: DefaultValue::Value("5m"),
        help: "Tokens living at least this long are recorded in the mint audit; `0` records every token.",
        more: "",
        read_by: &["mint-fleet"],
        apply: |config, value| {
            config.mint_audit_min_ttl = parse_duration_or_zero(value)?;
            Ok(())
        },
    },
    Setting {
        key: "client_secret_grace",
        flag: Flag::Serve,
        kind: Kind::Duration,
        default: DefaultValue::Value("1h"),
        help: "How long a machine client's previous secret keeps working after `clients rotate-secret`; `0` ends it at once.",
        more: "Read when the secret is rotated; `rotate-secret --grace` overrides it for one rotation.",
        read_by: &["clients"],
        apply: |config, value| {
            config.client_secret_grace = parse_duration_or_zero(value)?;
            Ok(())
        },
    },
    Setting {
        key: "mint_audit_retention",
        flag: Flag::Serve,
        kind: Kind::Duration,
        default: DefaultValue::Value("90d"),
        help: "How long the mint audit keeps a token after it has expired; `0` deletes it at expiry.",
        more: "`serve` prunes every minute, in transactions of at most 10,000 rows.",
        read_by: &[],
        apply: |config, value| {
            config.mint_audit_retention = parse_duration_or_zero(value)?;
            Ok(())
        },
    },
    Setting {
        key: "log_level",
        flag: Flag::Serve,
        kind: Kind::Filter,
        default: DefaultValue::Unset("info for serve, warn for the other commands"),
        help: "Log filter (`debug`, `picoauth=debug`, `audit=info`, ...); logs go to stderr.",
        more: "",
        read_by: ADMIN_COMMANDS,
        apply: |config, value| {
            config.log_level = Some(non_empty(value)?.to_owned());
            Ok(())
        },
    },
    Setting {
        key: "log_format",
        flag: Flag::Serve,
        kind: Kind::LogFormat,
        default: DefaultValue::Value("text"),
        help: "`text`, or `json` for one JSON object per line.",
        more: "",
        read_by: ADMIN_COMMANDS,
        apply: |config, value| {
            config.log_format = LOG_FORMATS
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(value))
                .map(|(_, format)| *format)
                .ok_or_else(|| format!("`{value}` is not text or json"))?;
            Ok(())
        },
    },
    Setting {
        key: "metrics_listen",
        flag: Flag::Serve,
        kind: Kind::Address,
        default: DefaultValue::Unset("off"),
        help: "Address for Prometheus metrics (`GET /metrics`).",
        more: "No authentication, so bind it privately; empty turns them off.",
        read_by: &[],
        apply: |config, value| {
            config.metrics_listen = if value.is_empty() {
                None
            } else {
                Some(parse_address(value)?)
            };
            Ok(())
        },
    },
    Setting {
        key: "rate_limit_per_second",
        flag: Flag::Serve,
        kind: Kind::Number,
        default: DefaultValue::Value("100"),
        help: "Requests per second one client may make to each of login, register, refresh, challenge, sign-in and fleet/sessions; `0` turns it off.",
        more: "Bursts of twice that are allowed.",
        read_by: &[],
        apply: |config, value| {
            config.rate_limit_per_second = parse_number(value)?;
            Ok(())
        },
    },
    Setting {
        key: "login_free_failures",
        flag: Flag::Serve,
        kind: Kind::Number,
        default: DefaultValue::Value("5"),
        help: "Wrong passwords one client may send for an account before each further attempt from it must wait (1 s, 2 s, 4 s, ...).",
        more: "The account, from all clients together, gets 20 times as many (100 by default, NIST SP 800-63B's cap), and so does a client across all accounts. The account's counts are kept in the database, shared by every serve on it; a client's own stay per process.",
        read_by: &[],
        apply: |config, value| {
            config.login_free_failures = parse_number(value)?;
            Ok(())
        },
    },
    Setting {
        key: "login_max_delay",
        flag: Flag::Serve,
        kind: Kind::Duration,
        default: DefaultValue::Value("15m"),
        help: "The longest wait after wrong passwords; there is never a permanent lockout.",
        more: "",
        read_by: &[],
        apply: |config, value| {
            config.login_max_delay = parse_duration(value)?;
            Ok(())
        },
    },
    Setting {
        key: "trusted_proxies",
        flag: Flag::Serve,
        kind: Kind::Networks,
        default: DefaultValue::Unset("none"),
        help: "Proxies (IPs or CIDRs, comma-separated) whose `X-Forwarded-For` is believed.",
        more: "",
        read_by: &[],
        apply: |config, value| {
            config.trusted_proxies = list(value)
                .map(IpNet::parse)
                .collect::<std::result::Result<_, _>>()?;
            Ok(())
        },
    },
    Setting {
        key: "max_connections",
        flag: Flag::Serve,
        kind: Kind::Number,
        default: DefaultValue::Value("1024"),
        help: "Connections served at once.",
        more: "At the cap, the connection idle the longest (between requests, or still sending its headers) is closed to make room, else the one stalled longest (its client reads nothing and no request is being handled); only when every connection is busy do new ones wait.",
        read_by: &[],
        apply: |config, value| {
            config.max_connections = parse_number::<usize>(value)?.max(1);
            Ok(())
        },
    },
    Setting {
        key: "request_timeout",
        flag: Flag::Serve,
        kind: Kind::Duration,
        default: DefaultValue::Value("10s"),
        help: "Time a client has to send a request's headers, and then its body.",
        more: "",
        read_by: &[],
        apply: |config, value| {
            config.request_timeout = parse_duration(value)?;
            Ok(())
        },
    },
    Setting {
        key: "max_connections_per_client",
        flag: Flag::Serve,
        kind: Kind::Number,
        default: DefaultValue::Value("64"),
        help: "Connections one client address (an IPv6 /64) may hold at once.",
        more: "`trusted_proxies` are exempt: one proxy carries many clients.",
        read_by: &[],
        apply: |config, value| {
            config.max_connections_per_client = parse_number::<usize>(value)?.max(1);
            Ok(())
        },
    },
    Setting {
        key: "tls_cert_file",
        flag: Flag::Serve,
        kind: Kind::File,
        default: DefaultValue::Unset("none"),
        help: "PEM certificate chain: with `tls_key_file`, `serve` speaks HTTPS (API.md §12).",
        more: "The default issuer is then https.",
        read_by: &["mint-fleet", "inspect"],
        apply: |config, value| {
            config.tls_cert_file = optional_path(value);
            Ok(())
        },
    },
    Setting {
        key: "tls_key_file",
        flag: Flag::Serve,
        kind: Kind::File,
        default: DefaultValue::Unset("none"),
        help: "PEM private key of that certificate.",
        more: "",
        read_by: &[],
        apply: |config, value| {
            config.tls_key_file = optional_path(value);
            Ok(())
        },
    },
    Setting {
        key: "agent_scopes",
        flag: Flag::Serve,
        kind: Kind::RoleScopes,
        default: DefaultValue::Unset("none: agents acting for users get no scope"),
        help: "The scope patterns an agent acting for a user may be delegated, by the user's role (RFC 8693 token exchange).",
        more: "In the config file a table, `[agent_scopes]` then `viewer = [\"docs:read\"]`, `operator = [\"treasury:*\"]`; as a variable or flag `viewer=docs:read;operator=treasury:* billing:read`. A pattern is `:`-separated segments, `*` only as a whole last segment; `treasury:*` covers `treasury`, `treasury:write` and `treasury:write:*`.",
        read_by: &[],
        apply: |config, value| {
            config.agent_scopes = parse_role_scopes(value)?;
            Ok(())
        },
    },
    Setting {
        key: "max_delegation_depth",
        flag: Flag::Serve,
        kind: Kind::Number,
        default: DefaultValue::Value("4"),
        help: "The most token exchanges one delegation chain may hold (1 to 16).",
        more: "With 2, a user's token can be exchanged, and the result exchanged once more.",
        read_by: &[],
        apply: |config, value| {
            let depth = parse_number::<u32>(value)?;
            if !(1..=MAX_DELEGATION_DEPTH).contains(&depth) {
                return Err(format!(
                    "`{value}` is not between 1 and {MAX_DELEGATION_DEPTH}"
                ));
            }
            config.max_delegation_depth = depth;
            Ok(())
        },
    },
];

/// The highest `max_delegation_depth`: it bounds the jtis every agent token carries and every
/// check of it reads.
pub const MAX_DELEGATION_DEPTH: u32 = 16;

/// The most patterns `agent_scopes` may grant one role.
const MAX_ROLE_SCOPES: usize = 100;

/// Parses `agent_scopes`' text form: `role=pattern pattern;role=pattern` (what the config
/// file's table is turned into). An empty text grants nothing.
fn parse_role_scopes(text: &str) -> std::result::Result<Vec<(Role, Vec<String>)>, String> {
    let mut table: Vec<(Role, Vec<String>)> = Vec::new();
    for entry in text
        .split(';')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
    {
        let Some((role, patterns)) = entry.split_once('=') else {
            return Err(format!(
                "`{entry}` is not `role=patterns` (e.g. `viewer=docs:read docs:list`)"
            ));
        };
        let role = Role::parse(role.trim())?;
        if table.iter().any(|(known, _)| *known == role) {
            return Err(format!("role `{role}` is given twice"));
        }
        let patterns: Vec<String> = patterns
            .split([' ', ','])
            .filter(|pattern| !pattern.is_empty())
            .map(str::to_owned)
            .collect();
        if patterns.len() > MAX_ROLE_SCOPES {
            return Err(format!(
                "role `{role}` is given more than {MAX_ROLE_SCOPES} patterns"
            ));
        }
        for pattern in &patterns {
            crate::scopes::check(pattern)?;
        }
        table.push((role, crate::scopes::minimal(patterns)));
    }
    Ok(table)
}

/// The entry of `key`, if it is a setting.
pub fn setting(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|setting| setting.key == key)
}

/// The environment variable that sets `key`.
pub fn env_name(key: &str) -> String {
    format!("PICOAUTH_{}", key.to_ascii_uppercase())
}

/// The variable naming the config file; not a setting, but read by every command.
pub const CONFIG_ENV: &str = "PICOAUTH_CONFIG";

/// One warning line for each `PICOAUTH_*` variable among `names` that picoauth does not read,
/// naming the nearest real one: a misspelt variable is otherwise silently ignored.
pub fn unknown_variables<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut warnings = Vec::new();
    for name in names {
        let Some(suffix) = name.strip_prefix("PICOAUTH_") else {
            continue;
        };
        if name == CONFIG_ENV || SETTINGS.iter().any(|setting| setting.env() == name) {
            continue;
        }
        // Compared without the prefix they all share, which would make every name look near.
        let candidates = SETTINGS.iter().map(|setting| setting.key).chain(["config"]);
        let hint = match nearest(suffix, candidates) {
            Some(nearest) => format!("; did you mean {}?", env_name(nearest)),
            None => String::new(),
        };
        warnings.push(format!(
            "{name} is not a picoauth setting and is ignored{hint}"
        ));
    }
    warnings
}

/// The candidate nearest to `given` by edit distance, if it is near enough to be a likely typo
/// (within half the length of the shorter, or one contains the other).
fn nearest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let given_lower = given.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            let lower = candidate.to_ascii_lowercase();
            let distance = edit_distance(&given_lower, &lower);
            let related = lower.contains(&given_lower) || given_lower.contains(&lower);
            (candidate, distance, related)
        })
        .filter(|(candidate, distance, related)| {
            *related || *distance <= given.len().min(candidate.len()) / 2
        })
        .min_by_key(|(_, distance, _)| *distance)
        .map(|(candidate, _, _)| candidate)
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, a_char) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, b_char) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(a_char != *b_char);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// Where a setting's value came from, so an error can point at it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Origin {
    Flag,
    Env,
    File(PathBuf),
}

impl Origin {
    fn describe(&self, key: &str) -> String {
        match self {
            Origin::Flag => format!("--{}", key.replace('_', "-")),
            Origin::Env => env_name(key),
            Origin::File(path) => format!("{key} in {}", path.display()),
        }
    }
}

/// The inputs of [`Config::resolve`]: flag values, an environment lookup and the config file.
pub struct Layers<'a> {
    /// Values given as flags, by key.
    pub flags: Vec<(&'static str, String)>,
    /// Looks up an environment variable by name.
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// The config file's path and text, if one was given.
    pub file: Option<(PathBuf, String)>,
}

impl Config {
    /// Combines the layers into a validated configuration.
    ///
    /// # Errors
    /// `InvalidInput` naming the key for an unknown file key, a secret given as a flag, an
    /// unparsable file, or an invalid value.
    pub fn resolve(layers: &Layers<'_>) -> Result<Config> {
        Config::resolve_with_warnings(layers).map(|(config, _)| config)
    }

    /// [`Config::resolve`], with the warnings `serve` should print: an issuer derived from a
    /// `listen` that clients may not reach, or that the admin commands cannot see.
    ///
    /// # Errors
    /// As [`Config::resolve`].
    pub fn resolve_with_warnings(layers: &Layers<'_>) -> Result<(Config, Vec<String>)> {
        let mut chosen: BTreeMap<&'static str, (String, Origin)> = BTreeMap::new();
        if let Some((path, text)) = &layers.file {
            for (key, value) in parse_file(path, text)? {
                chosen.insert(key, (value, Origin::File(path.clone())));
            }
        }
        for setting in &SETTINGS {
            if let Some(value) = (layers.env)(&setting.env()) {
                chosen.insert(setting.key, (value, Origin::Env));
            }
        }
        for (key, value) in &layers.flags {
            let Some(setting) = setting(key) else {
                return Err(Error::invalid_input(format!("unknown setting `{key}`")));
            };
            if setting.flag == Flag::Never {
                return Err(Error::invalid_input(format!(
                    "{key} cannot be given on the command line; set {} or put it in the config file",
                    setting.env()
                )));
            }
            chosen.insert(setting.key, (value.clone(), Origin::Flag));
        }
        let mut config = Config::default();
        for (key, (value, origin)) in &chosen {
            let Some(setting) = setting(key) else {
                continue;
            };
            (setting.apply)(&mut config, value.trim()).map_err(|why| {
                Error::invalid_input(format!("invalid value for {}: {why}", origin.describe(key)))
            })?;
        }
        let mut warnings = Vec::new();
        if !chosen.contains_key("issuer") {
            config.issuer = config.derived_issuer();
            warnings.extend(
                config.derived_issuer_warnings(chosen.get("listen").map(|(_, origin)| origin)),
            );
        }
        config.check().map_err(Error::invalid_input)?;
        Ok((config, warnings))
    }

    /// Every field at a zero value, before the defaults of [`SETTINGS`] are applied.
    fn blank() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            db: PathBuf::new(),
            key_dir: PathBuf::new(),
            key_encryption_key_file: None,
            issuer: String::new(),
            audience: String::new(),
            token_algorithm: SigningAlgorithm::Rs256,
            access_token_ttl: 0,
            refresh_token_ttl: 0,
            registration_enabled: false,
            auto_create_admin: false,
            admin_email: String::new(),
            admin_password: Secret::default(),
            challenge_ttl: 0,
            max_pending_challenges: 0,
            wallet_algorithms: Vec::new(),
            wallet_subject: WalletSubject::Address,
            fleet_mint_secrets: Vec::new(),
            fleet_session_ttl: 0,
            fleet_max_ttl: 0,
            fleet_allowed_roles: Vec::new(),
            mint_audit_min_ttl: 0,
            client_secret_grace: 0,
            mint_audit_retention: 0,
            log_level: None,
            log_format: LogFormat::Text,
            metrics_listen: None,
            rate_limit_per_second: 0,
            login_free_failures: 0,
            login_max_delay: 0,
            trusted_proxies: Vec::new(),
            max_connections: 0,
            request_timeout: 0,
            max_connections_per_client: 0,
            tls_cert_file: None,
            tls_key_file: None,
            agent_scopes: Vec::new(),
            max_delegation_depth: 0,
        }
    }

    /// The issuer when none is set: the `listen` address as a URL, https with a certificate.
    ///
    /// The loopback and unspecified addresses are named `localhost` (so the default is API.md
    /// §7's `http://localhost:8100`). Port 0 asks for any free port, which only the running
    /// server learns; a token cannot name it, and `mint-fleet` in another process could not
    /// agree on it, so the default port stands in.
    fn derived_issuer(&self) -> String {
        let scheme = if self.tls_cert_file.is_some() {
            "https"
        } else {
            "http"
        };
        let port = match self.listen.port() {
            0 => parse_address(DEFAULT_LISTEN).map_or(0, |address| address.port()),
            port => port,
        };
        let ip = self.listen.ip();
        let host = if is_local_name(ip) {
            "localhost".to_owned()
        } else {
            SocketAddr::new(ip, port)
                .to_string()
                .rsplit_once(':')
                .map_or_else(String::new, |(host, _)| host.to_owned())
        };
        format!("{scheme}://{host}:{port}")
    }

    /// Warnings about an issuer derived from `listen` (which came from `listen_origin`).
    fn derived_issuer_warnings(&self, listen_origin: Option<&Origin>) -> Vec<String> {
        let mut warnings = Vec::new();
        if !self.listen.ip().is_loopback() {
            warnings.push(format!(
                "issuer is not set, so tokens name {} (from listen {}); clients that reach this server by another name will refuse them: set issuer",
                self.issuer, self.listen
            ));
        }
        // What a command that does not see the flag derives (the default listen, when the
        // environment and the file name none).
        let mut without_flag = self.clone();
        without_flag.listen = Config::default().listen;
        if listen_origin == Some(&Origin::Flag) && self.issuer != without_flag.derived_issuer() {
            warnings.push(format!(
                "issuer {} follows --listen, which the admin commands do not take: tokens they mint name the listen of PICOAUTH_LISTEN or the config file; set listen (or issuer) there",
                self.issuer
            ));
        }
        warnings
    }

    /// Checks the relations between settings.
    fn check(&self) -> std::result::Result<(), String> {
        if self.tls_cert_file.is_some() != self.tls_key_file.is_some() {
            return Err(
                "tls_cert_file and tls_key_file must be set together (or neither)".to_owned(),
            );
        }
        if self.fleet_session_ttl > self.fleet_max_ttl {
            return Err(format!(
                "fleet_session_ttl ({}s) is longer than fleet_max_ttl ({}s)",
                self.fleet_session_ttl, self.fleet_max_ttl
            ));
        }
        Ok(())
    }

    /// The longest lifetime of any token this server issues: how long a signing key stays
    /// published after it stops signing, and how long a revocation of an unknown jti is kept.
    pub fn longest_token_ttl(&self) -> u64 {
        self.access_token_ttl.max(self.fleet_max_ttl)
    }
}

/// Whether `ip` is best named `localhost` in a URL: the usual loopback addresses, and the
/// unspecified ones, which listen on loopback among others.
fn is_local_name(ip: IpAddr) -> bool {
    ip.is_unspecified()
        || ip == IpAddr::from([127, 0, 0, 1])
        || ip == IpAddr::from(std::net::Ipv6Addr::LOCALHOST)
}

/// Reads the TOML file into `(key, value as text)` pairs, refusing unknown keys.
fn parse_file(path: &Path, text: &str) -> Result<Vec<(&'static str, String)>> {
    let table: toml::Table = text.parse().map_err(|error: toml::de::Error| {
        Error::invalid_input(format!(
            "cannot parse config file {}: {}",
            path.display(),
            error.message()
        ))
    })?;
    let mut pairs = Vec::new();
    for (key, value) in table {
        let Some(known) = setting(&key) else {
            let hint = match nearest(&key, SETTINGS.iter().map(|setting| setting.key)) {
                Some(nearest) => format!("; did you mean `{nearest}`?"),
                None => String::new(),
            };
            return Err(Error::invalid_input(format!(
                "unknown setting `{key}` in config file {}{hint}",
                path.display()
            )));
        };
        let text = match value {
            toml::Value::String(text) => text,
            toml::Value::Integer(number) => number.to_string(),
            toml::Value::Boolean(flag) => flag.to_string(),
            toml::Value::Array(items) => {
                let mut texts = Vec::new();
                for item in items {
                    match item {
                        toml::Value::String(text) => texts.push(text),
                        _ => {
                            return Err(Error::invalid_input(format!(
                                "invalid value for {key} in {}: expected a list of strings",
                                path.display()
                            )));
                        }
                    }
                }
                texts.join(",")
            }
            toml::Value::Table(table) if known.kind == Kind::RoleScopes => {
                role_scopes_text(&key, path, table)?
            }
            _ => {
                return Err(Error::invalid_input(format!(
                    "invalid value for {key} in {}: expected a string, number, boolean or list",
                    path.display()
                )));
            }
        };
        pairs.push((known.key, text));
    }
    Ok(pairs)
}

/// A `role → list of patterns` table of the config file in its text form,
/// `role=pattern pattern;role=pattern`.
fn role_scopes_text(key: &str, path: &Path, table: toml::Table) -> Result<String> {
    let mut entries = Vec::new();
    for (role, patterns) in table {
        let patterns = match patterns {
            toml::Value::String(text) => text,
            toml::Value::Array(items) => {
                let mut texts = Vec::new();
                for item in items {
                    let toml::Value::String(text) = item else {
                        return Err(Error::invalid_input(format!(
                            "invalid value for {key}.{role} in {}: expected a list of strings",
                            path.display()
                        )));
                    };
                    texts.push(text);
                }
                texts.join(" ")
            }
            _ => {
                return Err(Error::invalid_input(format!(
                    "invalid value for {key}.{role} in {}: expected a list of strings",
                    path.display()
                )));
            }
        };
        entries.push(format!("{role}={patterns}"));
    }
    Ok(entries.join(";"))
}

/// Parses a duration: plain seconds (`90`) or a number with a unit (`90s`, `15m`, `24h`, `7d`,
/// `2w`). Zero is refused: no setting or token can usefully last no time at all.
///
/// # Errors
/// A sentence saying what is wrong, for the caller to wrap with the key's name.
pub fn parse_duration(text: &str) -> std::result::Result<u64, String> {
    let text = text.trim();
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(digits_end);
    let multiplier = match unit.trim() {
        "" | "s" => 1,
        "m" => MINUTE,
        "h" => HOUR,
        "d" => DAY,
        "w" => 7 * DAY,
        _ => {
            return Err(format!(
                "`{text}` is not a duration (use e.g. 90s, 15m, 24h, 7d)"
            ));
        }
    };
    let amount: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (use e.g. 90s, 15m, 24h, 7d)"))?;
    let seconds = amount
        .checked_mul(multiplier)
        .filter(|seconds| *seconds <= 100 * 365 * DAY)
        .ok_or_else(|| format!("`{text}` is longer than 100 years"))?;
    if seconds == 0 {
        return Err("a duration must be longer than zero".to_owned());
    }
    Ok(seconds)
}

/// Like [`parse_duration`], but zero (`0`, `0s`, `0m`, …) is allowed: for settings where
/// zero means "no threshold" (`mint_audit_min_ttl = 0` audits every token, API.md §7).
pub fn parse_duration_or_zero(text: &str) -> std::result::Result<u64, String> {
    let text = text.trim();
    let amount = text
        .strip_suffix(['s', 'm', 'h', 'd', 'w'])
        .unwrap_or(text)
        .trim_end();
    if !amount.is_empty() && amount.bytes().all(|byte| byte == b'0') {
        return Ok(0);
    }
    parse_duration(text)
}

fn parse_number<T: std::str::FromStr>(text: &str) -> std::result::Result<T, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not a whole number"))
}

fn parse_bool(text: &str) -> std::result::Result<bool, String> {
    BOOL_WORDS
        .iter()
        .find(|(word, _)| word.eq_ignore_ascii_case(text))
        .map(|(_, value)| *value)
        .ok_or_else(|| format!("`{text}` is not true or false"))
}

fn parse_address(text: &str) -> std::result::Result<SocketAddr, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not an IP address and port"))
}

/// An optional path: empty means none.
fn optional_path(text: &str) -> Option<PathBuf> {
    (!text.is_empty()).then(|| PathBuf::from(text))
}

fn non_empty(text: &str) -> std::result::Result<&str, String> {
    if text.is_empty() {
        Err("must not be empty".to_owned())
    } else {
        Ok(text)
    }
}

fn non_empty_path(text: &str) -> std::result::Result<PathBuf, String> {
    non_empty(text).map(PathBuf::from)
}

/// The issuer is compared byte for byte by resource servers, so it is kept exactly as given;
/// it only has to be an http(s) URL.
fn parse_issuer(text: &str) -> std::result::Result<String, String> {
    if text.starts_with("https://") || text.starts_with("http://") {
        Ok(text.to_owned())
    } else {
        Err(format!("`{text}` is not an http:// or https:// URL"))
    }
}

fn list(text: &str) -> impl Iterator<Item = &str> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(
        flags: &[(&'static str, &str)],
        env: &[(&str, &str)],
        file: Option<&str>,
    ) -> Result<Config> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = move |name: &str| {
            env.iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        };
        Config::resolve(&Layers {
            flags: flags.iter().map(|(k, v)| (*k, v.to_string())).collect(),
            env: &lookup,
            file: file.map(|text| (PathBuf::from("picoauth.toml"), text.to_owned())),
        })
    }

    #[test]
    fn defaults_match_the_contract() {
        let config = resolve(&[], &[], None).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8100");
        assert_eq!(config.issuer, "http://localhost:8100");
        assert_eq!(config.audience, "pico");
        assert_eq!(config.access_token_ttl, 900);
        assert_eq!(config.refresh_token_ttl, 7 * 86400);
        assert_eq!(config.challenge_ttl, 60);
        assert_eq!(config.fleet_session_ttl, 86400);
        assert_eq!(config.fleet_max_ttl, 30 * 86400);
        assert_eq!(config.mint_audit_min_ttl, 300);
        assert_eq!(config.fleet_allowed_roles, vec![Role::Agent, Role::Service]);
        assert!(config.admin_password.is_empty());
        assert!(config.fleet_mint_secrets.is_empty());
    }

    #[test]
    fn agent_scopes_come_as_a_table_or_as_text() {
        let config = resolve(&[], &[], None).unwrap();
        assert!(
            config.agent_scopes.is_empty(),
            "nothing is delegated by default"
        );
        assert_eq!(config.max_delegation_depth, 4);
        let file = "max_delegation_depth = 2\n\
                    [agent_scopes]\n\
                    viewer = [\"docs:read\", \"docs:*\"]\n\
                    operator = [\"treasury:*\", \"billing:read\"]\n";
        let config = resolve(&[], &[], Some(file)).unwrap();
        assert_eq!(config.max_delegation_depth, 2);
        assert_eq!(config.agent_scopes_of(Role::Viewer), ["docs:*"], "minimal");
        assert_eq!(
            config.agent_scopes_of(Role::Operator),
            ["billing:read", "treasury:*"]
        );
        assert!(config.agent_scopes_of(Role::Superadmin).is_empty());
        let env = [(
            "PICOAUTH_AGENT_SCOPES",
            "superadmin=treasury:* ; viewer=docs:read docs:list",
        )];
        let config = resolve(&[], &env, Some(file)).unwrap();
        assert_eq!(config.agent_scopes_of(Role::Superadmin), ["treasury:*"]);
        assert_eq!(
            config.agent_scopes_of(Role::Viewer),
            ["docs:list", "docs:read"]
        );
        assert!(
            config.agent_scopes_of(Role::Operator).is_empty(),
            "env wins whole"
        );
    }

    #[test]
    fn bad_agent_scopes_and_depths_are_refused_naming_the_key() {
        for (file, needle) in [
            ("[agent_scopes]\nviewer = [\"a:*:b\"]\n", "agent_scopes"),
            ("[agent_scopes]\nadmin = [\"a\"]\n", "unknown role"),
            ("[agent_scopes]\nviewer = [1]\n", "agent_scopes.viewer"),
            ("[agent_scopes]\nviewer = 3\n", "agent_scopes.viewer"),
            ("[audience]\nviewer = [\"a\"]\n", "audience"),
            ("max_delegation_depth = 0\n", "max_delegation_depth"),
            ("max_delegation_depth = 17\n", "max_delegation_depth"),
        ] {
            let error = resolve(&[], &[], Some(file)).unwrap_err();
            assert!(error.detail().contains(needle), "{file}: {error}");
        }
        for text in ["viewer", "viewer=a;viewer=b", "viewer=a*"] {
            let error = resolve(&[], &[("PICOAUTH_AGENT_SCOPES", text)], None).unwrap_err();
            assert!(
                error.detail().contains("PICOAUTH_AGENT_SCOPES"),
                "{text}: {error}"
            );
        }
        let config = resolve(&[("max_delegation_depth", "16")], &[], None).unwrap();
        assert_eq!(config.max_delegation_depth, MAX_DELEGATION_DEPTH);
    }

    #[test]
    fn flag_beats_env_beats_file() {
        let file =
            Some("issuer = \"https://file\"\naudience = \"from-file\"\naccess_token_ttl = 120");
        let env = [
            ("PICOAUTH_ISSUER", "https://env"),
            ("PICOAUTH_AUDIENCE", "from-env"),
        ];
        let config = resolve(&[("issuer", "https://flag")], &env, file).unwrap();
        assert_eq!(config.issuer, "https://flag");
        assert_eq!(config.audience, "from-env");
        assert_eq!(config.access_token_ttl, 120);
    }

    #[test]
    fn errors_name_the_key_and_its_origin() {
        let error = resolve(&[], &[], Some("acess_token_ttl = 5")).unwrap_err();
        assert!(error.detail().contains("acess_token_ttl"), "{error}");
        let error = resolve(&[], &[("PICOAUTH_ACCESS_TOKEN_TTL", "banana")], None).unwrap_err();
        assert!(
            error.detail().contains("PICOAUTH_ACCESS_TOKEN_TTL"),
            "{error}"
        );
        let error = resolve(&[("listen", "nowhere")], &[], None).unwrap_err();
        assert!(error.detail().contains("--listen"), "{error}");
        let error = resolve(&[], &[], Some("registration_enabled = \"maybe\"")).unwrap_err();
        assert!(error.detail().contains("registration_enabled"), "{error}");
    }

    #[test]
    fn secrets_are_refused_as_flags_and_hidden_in_debug() {
        let error = resolve(&[("admin_password", "hunter2hunter2")], &[], None).unwrap_err();
        assert!(
            error.detail().contains("PICOAUTH_ADMIN_PASSWORD"),
            "{error}"
        );
        let config = resolve(
            &[],
            &[("PICOAUTH_FLEET_MINT_SECRET", "old-secret, new-secret")],
            None,
        )
        .unwrap();
        assert_eq!(config.fleet_mint_secrets.len(), 2);
        assert_eq!(config.fleet_mint_secrets[1].expose(), "new-secret");
        assert!(!format!("{config:?}").contains("old-secret"));
    }

    #[test]
    fn file_lists_and_strings_both_work() {
        let config = resolve(
            &[],
            &[],
            Some("fleet_allowed_roles = [\"agent\"]\nwallet_algorithms = \"ed25519, SECP256K1\""),
        )
        .unwrap();
        assert_eq!(config.fleet_allowed_roles, vec![Role::Agent]);
        assert_eq!(
            config.wallet_algorithms,
            vec![WalletAlgorithm::Ed25519, WalletAlgorithm::Secp256k1]
        );
    }

    #[test]
    fn abuse_settings() {
        let config = resolve(
            &[
                ("trusted_proxies", "10.0.0.0/8, ::1"),
                ("rate_limit_per_second", "0"),
            ],
            &[
                ("PICOAUTH_LOG_FORMAT", "JSON"),
                ("PICOAUTH_METRICS_LISTEN", "127.0.0.1:9100"),
            ],
            None,
        )
        .unwrap();
        assert_eq!(config.log_format, LogFormat::Json);
        assert_eq!(config.metrics_listen.unwrap().port(), 9100);
        assert_eq!(config.rate_limit_per_second, 0);
        let proxies = &config.trusted_proxies;
        assert!(proxies[0].contains("10.200.3.4".parse().unwrap()));
        assert!(!proxies[0].contains("11.0.0.1".parse().unwrap()));
        assert!(proxies[1].contains("::1".parse().unwrap()));
        assert!(!proxies[1].contains("127.0.0.1".parse().unwrap()));
        for bad in ["10.0.0.0/33", "banana", "::1/129"] {
            assert!(IpNet::parse(bad).is_err(), "{bad}");
        }
        assert!(
            IpNet::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        assert!(resolve(&[("log_format", "xml")], &[], None).is_err());
        assert!(resolve(&[("max_connections", "lots")], &[], None).is_err());
    }

    #[test]
    fn every_setting_has_a_key_a_variable_and_a_default_that_parses() {
        let (mut keys, mut variables, mut flags) = (
            std::collections::BTreeSet::new(),
            std::collections::BTreeSet::new(),
            std::collections::BTreeSet::new(),
        );
        for setting in &SETTINGS {
            assert!(!setting.key.is_empty());
            assert!(
                setting
                    .key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}",
                setting.key
            );
            assert_eq!(
                setting.env(),
                format!("PICOAUTH_{}", setting.key.to_uppercase())
            );
            assert!(!setting.help.is_empty(), "{}", setting.key);
            assert!(!setting.default_text().is_empty(), "{}", setting.key);
            assert!(keys.insert(setting.key), "{} is used twice", setting.key);
            assert!(
                variables.insert(setting.env()),
                "{} is used twice",
                setting.env()
            );
            assert!(
                flags.insert(setting.flag_name()),
                "{} is used twice",
                setting.flag_name()
            );
            if let DefaultValue::Value(text) = setting.default {
                let mut config = Config::blank();
                (setting.apply)(&mut config, text)
                    .unwrap_or_else(|why| panic!("default of {}: {why}", setting.key));
                // The default also resolves when given through each layer.
                let env_name = setting.env();
                let env = [(env_name.as_str(), text)];
                resolve(&[], &env, None).unwrap();
            }
        }
        assert!(!variables.contains(CONFIG_ENV));
        assert!(!flags.contains("config"));
    }

    #[test]
    fn secrets_and_only_secrets_have_no_flag() {
        for setting in &SETTINGS {
            let secret = setting.kind == Kind::Secret;
            assert_eq!(setting.flag == Flag::Never, secret, "{}", setting.key);
        }
        let secrets: Vec<_> = SETTINGS
            .iter()
            .filter(|setting| setting.flag == Flag::Never)
            .map(|setting| setting.key)
            .collect();
        assert_eq!(secrets, ["admin_password", "fleet_mint_secret"]);
    }

    #[test]
    fn every_command_reads_only_real_commands() {
        for setting in &SETTINGS {
            for command in setting.read_by {
                assert!(
                    ADMIN_COMMANDS.contains(command),
                    "{}: {command}",
                    setting.key
                );
            }
        }
    }

    #[test]
    fn issuer_follows_listen_unless_set() {
        let issuer = |env: &[(&str, &str)]| resolve(&[], env, None).unwrap().issuer;
        assert_eq!(issuer(&[]), "http://localhost:8100");
        assert_eq!(
            issuer(&[("PICOAUTH_LISTEN", "127.0.0.1:9000")]),
            "http://localhost:9000"
        );
        assert_eq!(
            issuer(&[("PICOAUTH_LISTEN", "127.0.0.1:0")]),
            "http://localhost:8100"
        );
        assert_eq!(
            issuer(&[
                ("PICOAUTH_LISTEN", "10.1.2.3:8443"),
                ("PICOAUTH_TLS_CERT_FILE", "c.pem"),
                ("PICOAUTH_TLS_KEY_FILE", "k.pem")
            ]),
            "https://10.1.2.3:8443"
        );
        assert_eq!(
            issuer(&[("PICOAUTH_LISTEN", "[fd00::1]:8100")]),
            "http://[fd00::1]:8100"
        );
        assert_eq!(
            issuer(&[
                ("PICOAUTH_LISTEN", "0.0.0.0:8100"),
                ("PICOAUTH_ISSUER", "https://a.example")
            ]),
            "https://a.example"
        );
    }

    #[test]
    fn a_derived_issuer_warns_when_clients_may_not_reach_it() {
        let warnings = |flags: &[(&'static str, &str)], env: &[(&str, &str)]| {
            let env: Vec<(String, String)> = env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let lookup = move |name: &str| {
                env.iter()
                    .find(|(key, _)| key == name)
                    .map(|(_, value)| value.clone())
            };
            Config::resolve_with_warnings(&Layers {
                flags: flags.iter().map(|(k, v)| (*k, v.to_string())).collect(),
                env: &lookup,
                file: None,
            })
            .unwrap()
            .1
        };
        assert!(warnings(&[], &[]).is_empty());
        assert!(warnings(&[("listen", "127.0.0.1:0")], &[]).is_empty());
        assert_eq!(
            warnings(&[], &[("PICOAUTH_LISTEN", "0.0.0.0:8100")]).len(),
            1
        );
        assert!(
            warnings(
                &[("issuer", "https://a.example")],
                &[("PICOAUTH_LISTEN", "0.0.0.0:8100")]
            )
            .is_empty()
        );
        assert!(
            warnings(
                &[("listen", "127.0.0.1:0")],
                &[
                    ("PICOAUTH_TLS_CERT_FILE", "cert.pem"),
                    ("PICOAUTH_TLS_KEY_FILE", "key.pem")
                ]
            )
            .is_empty()
        );
        let from_flag = warnings(&[("listen", "127.0.0.1:9000")], &[]);
        assert_eq!(from_flag.len(), 1);
        assert!(from_flag[0].contains("--listen"), "{from_flag:?}");
    }

    #[test]
    fn unknown_names_get_the_nearest_real_one() {
        let warnings = unknown_variables([
            "PICOAUTH_FLEET_SECRET",
            "PICOAUTH_DB",
            "PICOAUTH_CONFIG",
            "HOME",
            "PICOAUTH_ACESS_TOKEN_TTL",
        ]);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].ends_with("did you mean PICOAUTH_FLEET_MINT_SECRET?"),
            "{warnings:?}"
        );
        assert!(
            warnings[1].ends_with("did you mean PICOAUTH_ACCESS_TOKEN_TTL?"),
            "{warnings:?}"
        );
        let far = unknown_variables(["PICOAUTH_ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"]);
        assert!(!far[0].contains("did you mean"), "{far:?}");
        let error = resolve(&[], &[], Some("fleet_secret = \"x\"")).unwrap_err();
        assert!(
            error.detail().contains("did you mean `fleet_mint_secret`?"),
            "{error}"
        );
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Ok(90));
        assert_eq!(parse_duration("90s"), Ok(90));
        assert_eq!(parse_duration("15m"), Ok(900));
        assert_eq!(parse_duration("24h"), Ok(86400));
        assert_eq!(parse_duration("7d"), Ok(604800));
        assert_eq!(parse_duration("2w"), Ok(1209600));
        for bad in [
            "",
            "0",
            "0s",
            "m",
            "1.5h",
            "-5",
            "5y",
            "99999999999999999999d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn mint_audit_min_ttl_may_be_zero() {
        for zero in ["0", "0s", "00m", " 0 "] {
            let config = resolve(&[], &[("PICOAUTH_MINT_AUDIT_MIN_TTL", zero)], None).unwrap();
            assert_eq!(config.mint_audit_min_ttl, 0, "{zero:?}");
        }
        let config = resolve(&[], &[], Some("mint_audit_min_ttl = 0")).unwrap();
        assert_eq!(config.mint_audit_min_ttl, 0);
        let config = resolve(&[], &[], Some("mint_audit_min_ttl = \"90s\"")).unwrap();
        assert_eq!(config.mint_audit_min_ttl, 90);
        for bad in ["0x", "0ss", "-0", "s"] {
            assert!(
                resolve(&[], &[("PICOAUTH_MINT_AUDIT_MIN_TTL", bad)], None).is_err(),
                "{bad:?}"
            );
        }
    }
}
