//! Configuration: every setting of API.md §7, its default, and how the layers combine.
//!
//! Precedence is command-line flag > environment `PICOAUTH_<NAME>` > TOML file > default.
//! This module does not read the process environment or the command line itself: the CLI door
//! hands both in, so resolution is a pure function that tests can drive.
//!
//! # Invariants
//! - An unknown key in the file, or an invalid value from any layer, is an error naming the key
//!   and where the value came from.
//! - Secrets (`admin_password`, `fleet_mint_secret`) are never accepted as flags and print as
//!   `[redacted]` in `Debug`.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::roles::Role;
use crate::wallet::WalletAlgorithm;

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
    /// The `iss` of every token and the base of the discovery document's URLs.
    pub issuer: String,
    /// The `aud` of every token.
    pub audience: String,
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
    /// Wallet algorithms accepted by `/sign-in`.
    pub wallet_algorithms: Vec<WalletAlgorithm>,
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
    /// Wrong passwords an account (or client IP) may send before each further one makes it
    /// wait, twice as long each time.
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
    /// PEM certificate chain for HTTPS (API.md §12); set together with `tls_key_file`.
    pub tls_cert_file: Option<PathBuf>,
    /// PEM private key of `tls_cert_file`.
    pub tls_key_file: Option<PathBuf>,
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
        let prefix = match prefix {
            Some(prefix) => prefix
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|prefix| *prefix <= max)
                .ok_or_else(bad)?,
            None => max,
        };
        Ok(IpNet { address, prefix })
    }

    /// Whether `ip` lies in this network.
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr;
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
    fn default() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8100)),
            db: PathBuf::from("picoauth.db"),
            key_dir: PathBuf::from("keys"),
            issuer: "http://localhost:8100".to_owned(),
            audience: "pico".to_owned(),
            access_token_ttl: 15 * MINUTE,
            refresh_token_ttl: 7 * DAY,
            registration_enabled: true,
            auto_create_admin: true,
            admin_email: "admin@pico.local".to_owned(),
            admin_password: Secret::default(),
            challenge_ttl: 60,
            wallet_algorithms: WalletAlgorithm::ALL.to_vec(),
            fleet_mint_secrets: Vec::new(),
            fleet_session_ttl: DAY,
            fleet_max_ttl: 30 * DAY,
            fleet_allowed_roles: vec![Role::Agent, Role::Service],
            mint_audit_min_ttl: 5 * MINUTE,
            log_level: None,
            log_format: LogFormat::Text,
            metrics_listen: None,
            rate_limit_per_second: 100,
            login_free_failures: 5,
            login_max_delay: 15 * MINUTE,
            trusted_proxies: Vec::new(),
            max_connections: 1024,
            request_timeout: 10,
            max_connections_per_client: 64,
            tls_cert_file: None,
            tls_key_file: None,
        }
    }
}

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// Every key the file, the environment and the flags may set.
pub const KEYS: [&str; 30] = [
    "listen",
    "db",
    "key_dir",
    "issuer",
    "audience",
    "access_token_ttl",
    "refresh_token_ttl",
    "registration_enabled",
    "auto_create_admin",
    "admin_email",
    "admin_password",
    "challenge_ttl",
    "wallet_algorithms",
    "fleet_mint_secret",
    "fleet_session_ttl",
    "fleet_max_ttl",
    "fleet_allowed_roles",
    "mint_audit_min_ttl",
    "log_level",
    "log_format",
    "metrics_listen",
    "rate_limit_per_second",
    "login_free_failures",
    "login_max_delay",
    "trusted_proxies",
    "max_connections",
    "request_timeout",
    "max_connections_per_client",
    "tls_cert_file",
    "tls_key_file",
];

/// Keys that hold secrets: accepted from the environment and the file, never as flags.
pub const SECRET_KEYS: [&str; 2] = ["admin_password", "fleet_mint_secret"];

/// The environment variable that sets `key`.
pub fn env_name(key: &str) -> String {
    format!("PICOAUTH_{}", key.to_ascii_uppercase())
}

/// Where a setting's value came from, so an error can point at it.
#[derive(Clone, Debug)]
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
        let mut chosen: BTreeMap<&'static str, (String, Origin)> = BTreeMap::new();
        if let Some((path, text)) = &layers.file {
            for (key, value) in parse_file(path, text)? {
                chosen.insert(key, (value, Origin::File(path.clone())));
            }
        }
        for key in KEYS {
            if let Some(value) = (layers.env)(&env_name(key)) {
                chosen.insert(key, (value, Origin::Env));
            }
        }
        for (key, value) in &layers.flags {
            if SECRET_KEYS.contains(key) {
                return Err(Error::invalid_input(format!(
                    "{key} cannot be given on the command line; set {} or put it in the config file",
                    env_name(key)
                )));
            }
            chosen.insert(key, (value.clone(), Origin::Flag));
        }
        let mut config = Config::default();
        for (key, (value, origin)) in &chosen {
            config.apply(key, value).map_err(|why| {
                Error::invalid_input(format!("invalid value for {}: {why}", origin.describe(key)))
            })?;
        }
        // Serving HTTPS, the default issuer is the https URL.
        if config.tls_cert_file.is_some() && !chosen.contains_key("issuer") {
            config.issuer = "https://localhost:8100".to_owned();
        }
        config.check().map_err(Error::invalid_input)?;
        Ok(config)
    }

    /// Sets one key from its text form.
    fn apply(&mut self, key: &str, value: &str) -> std::result::Result<(), String> {
        let value = value.trim();
        match key {
            "listen" => {
                self.listen = value
                    .parse()
                    .map_err(|_| format!("`{value}` is not an IP address and port"))?
            }
            "db" => self.db = non_empty_path(value)?,
            "key_dir" => self.key_dir = non_empty_path(value)?,
            "issuer" => self.issuer = parse_issuer(value)?,
            "audience" => self.audience = non_empty(value)?.to_owned(),
            "access_token_ttl" => self.access_token_ttl = parse_duration(value)?,
            "refresh_token_ttl" => self.refresh_token_ttl = parse_duration(value)?,
            "registration_enabled" => self.registration_enabled = parse_bool(value)?,
            "auto_create_admin" => self.auto_create_admin = parse_bool(value)?,
            "admin_email" => self.admin_email = non_empty(value)?.to_ascii_lowercase(),
            "admin_password" => self.admin_password = Secret::new(value),
            "challenge_ttl" => self.challenge_ttl = parse_duration(value)?,
            "wallet_algorithms" => self.wallet_algorithms = parse_wallet_algorithms(value)?,
            "fleet_mint_secret" => self.fleet_mint_secrets = list(value).map(Secret::new).collect(),
            "fleet_session_ttl" => self.fleet_session_ttl = parse_duration(value)?,
            "fleet_max_ttl" => self.fleet_max_ttl = parse_duration(value)?,
            "fleet_allowed_roles" => {
                self.fleet_allowed_roles = list(value)
                    .map(Role::parse)
                    .collect::<std::result::Result<_, _>>()?
            }
            "mint_audit_min_ttl" => self.mint_audit_min_ttl = parse_duration(value)?,
            "log_level" => self.log_level = Some(non_empty(value)?.to_owned()),
            "log_format" => {
                self.log_format = match value.to_ascii_lowercase().as_str() {
                    "text" => LogFormat::Text,
                    "json" => LogFormat::Json,
                    _ => return Err(format!("`{value}` is not text or json")),
                }
            }
            "metrics_listen" => {
                self.metrics_listen = if value.is_empty() {
                    None
                } else {
                    Some(
                        value
                            .parse()
                            .map_err(|_| format!("`{value}` is not an IP address and port"))?,
                    )
                }
            }
            "rate_limit_per_second" => self.rate_limit_per_second = parse_number(value)?,
            "login_free_failures" => self.login_free_failures = parse_number(value)?,
            "login_max_delay" => self.login_max_delay = parse_duration(value)?,
            "trusted_proxies" => {
                self.trusted_proxies = list(value)
                    .map(IpNet::parse)
                    .collect::<std::result::Result<_, _>>()?
            }
            "max_connections" => {
                self.max_connections = parse_number::<usize>(value)?.max(1);
            }
            "request_timeout" => self.request_timeout = parse_duration(value)?,
            "max_connections_per_client" => {
                self.max_connections_per_client = parse_number::<usize>(value)?.max(1);
            }
            "tls_cert_file" => self.tls_cert_file = optional_path(value),
            "tls_key_file" => self.tls_key_file = optional_path(value),
            _ => return Err(format!("unknown setting `{key}`")),
        }
        Ok(())
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
        let Some(known) = KEYS.iter().find(|known| **known == key) else {
            return Err(Error::invalid_input(format!(
                "unknown setting `{key}` in config file {}",
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
            _ => {
                return Err(Error::invalid_input(format!(
                    "invalid value for {key} in {}: expected a string, number, boolean or list",
                    path.display()
                )));
            }
        };
        pairs.push((*known, text));
    }
    Ok(pairs)
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

fn parse_number<T: std::str::FromStr>(text: &str) -> std::result::Result<T, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not a whole number"))
}

fn parse_bool(text: &str) -> std::result::Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!("`{text}` is not true or false")),
    }
}

fn non_empty(text: &str) -> std::result::Result<&str, String> {
    if text.is_empty() {
        Err("must not be empty".to_owned())
    } else {
        Ok(text)
    }
}

/// A path, or none for the empty string.
fn optional_path(text: &str) -> Option<PathBuf> {
    (!text.is_empty()).then(|| PathBuf::from(text))
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

fn parse_wallet_algorithms(text: &str) -> std::result::Result<Vec<WalletAlgorithm>, String> {
    list(text).map(WalletAlgorithm::parse).collect()
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
}
