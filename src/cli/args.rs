//! Every clap definition of the command line. Doc comments here are the help text operators
//! read, the man pages and the completions; there is no logic here.

use std::path::PathBuf;

use clap::{Args as ClapArgs, Parser, Subcommand};

/// picoauth: a JWT auth server and its admin tool, on one SQLite file and one key directory.
///
/// `picoauth serve` runs the HTTP API. Every other subcommand works directly on the same
/// database and key directory, and is safe to run while the server is up.
#[derive(Debug, Parser)]
#[command(
    name = "picoauth",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(
    after_help = "Examples:\n  picoauth serve\n  PICOAUTH_ADMIN_PASSWORD=… picoauth serve --listen 0.0.0.0:8100 --issuer https://auth.example.com"
)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,

    /// Options every subcommand shares.
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP API (creates the database, a signing key and the admin on first start).
    #[command(
        after_help = "Examples:\n  picoauth serve\n  picoauth serve --config /etc/picoauth.toml --listen 0.0.0.0:8100"
    )]
    Serve,

    /// Manage the signing keys: create the first, rotate, list, retire.
    ///
    /// After a rotation the new key signs and the old one stays in the JWKS until every token
    /// it signed has expired; a running server picks the change up within a second.
    #[command(
        after_help = "Examples:\n  picoauth keygen --rotate\n  picoauth keygen --list\n  picoauth keygen --retire Upe4NJ8qZJU11mBPCs1dSmZu85rjXrIdFnddnxcVyks"
    )]
    Keygen(KeygenArgs),

    /// Manage user accounts: list, add, set-role, passwd, disable, enable, delete, import.
    #[command(subcommand)]
    Users(UsersCommand),

    /// Mint a fleet token for an agent session; stdout is the token alone.
    ///
    /// Works on the database and key directory directly: the server need not be running.
    #[command(
        after_help = "Examples:\n  T=$(picoauth mint-fleet --session-id ci-1234 --agent-id builder --ttl 1h)\n  picoauth mint-fleet --session-id poller --agent-id billing --role service --ttl 30d --json"
    )]
    MintFleet(MintFleetArgs),

    /// Revoke tokens by jti; a running server refuses them on their next use.
    ///
    /// Revoking is idempotent: revoking again keeps the first entry.
    #[command(
        after_help = "Examples:\n  picoauth revoke 3f9c0d6e2b1a4c5d8e7f6a5b4c3d2e1f --reason \"leaked in CI log\"\n  picoauth list-mints --active --json | jq -r '.items[] | select(.agent_id==\"builder\") | .jti' | xargs picoauth revoke"
    )]
    Revoke(RevokeArgs),

    /// Show the mint audit: every token minted with a lifetime of at least mint_audit_min_ttl.
    #[command(
        after_help = "Examples:\n  picoauth list-mints --active\n  picoauth list-mints --limit 1000 --json"
    )]
    ListMints(ListMintsArgs),

    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  picoauth completions bash > /etc/bash_completion.d/picoauth\n  picoauth completions fish > ~/.config/fish/completions/picoauth.fish"
    )]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },

    /// Write the man pages and completion scripts into DIR/man and DIR/completions (for
    /// maintainers: `cargo run -- generate-docs .` refreshes the committed copies).
    #[command(hide = true)]
    GenerateDocs {
        /// The repository root.
        dir: std::path::PathBuf,
    },
}

/// `picoauth keygen`: without an option, creates the first key (an error if one exists).
#[derive(Debug, ClapArgs)]
pub struct KeygenArgs {
    /// Make a new key the signing key; the old one stays published for its grace period.
    #[arg(long, conflicts_with_all = ["list", "retire"])]
    pub rotate: bool,
    /// List the keys with their state (active, grace until …, retired).
    #[arg(long, conflicts_with = "retire")]
    pub list: bool,
    /// Take a key out of the JWKS now; tokens it signed stop verifying.
    #[arg(long, value_name = "KID", allow_hyphen_values = true)]
    pub retire: Option<String>,
    /// With --list: print `{"keys": [...]}`.
    #[arg(long, requires = "list")]
    pub json: bool,
}

/// `picoauth users …`.
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List the accounts.
    #[command(after_help = "Examples:\n  picoauth users list\n  picoauth users list --json")]
    List {
        /// Print the `/users` response object instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Create an account; prints its id. The password is asked twice on a terminal.
    #[command(
        after_help = "Examples:\n  picoauth users add ada@example.com --role operator --display-name Ada\n  printf '%s\\n' \"$PASSWORD\" | picoauth users add ci@example.com --password-stdin"
    )]
    Add {
        /// The email, which is the login name.
        email: String,
        /// superadmin, org_admin, operator or viewer.
        #[arg(long, value_name = "ROLE", default_value = "viewer")]
        role: String,
        /// The name shown to people.
        #[arg(long, value_name = "NAME")]
        display_name: Option<String>,
        /// Read the password from the first line of stdin instead of asking.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Change an account's role; its sessions end.
    #[command(after_help = "Examples:\n  picoauth users set-role ada@example.com org_admin")]
    SetRole {
        /// The account's email or id.
        #[arg(value_name = "EMAIL_OR_ID")]
        user: String,
        /// superadmin, org_admin, operator or viewer.
        role: String,
    },
    /// Set an account's password; its sessions end.
    #[command(
        after_help = "Examples:\n  picoauth users passwd ada@example.com\n  printf '%s\\n' \"$NEW_PASSWORD\" | picoauth users passwd ada@example.com --password-stdin"
    )]
    Passwd {
        /// The account's email or id.
        #[arg(value_name = "EMAIL_OR_ID")]
        user: String,
        /// Read the password from the first line of stdin instead of asking.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account: its logins are refused (403) and its sessions end.
    #[command(after_help = "Examples:\n  picoauth users disable ada@example.com")]
    Disable {
        /// The account's email or id.
        #[arg(value_name = "EMAIL_OR_ID")]
        user: String,
    },
    /// Enable a disabled account.
    #[command(after_help = "Examples:\n  picoauth users enable ada@example.com")]
    Enable {
        /// The account's email or id.
        #[arg(value_name = "EMAIL_OR_ID")]
        user: String,
    },
    /// Delete an account and its sessions; asks for confirmation on a terminal.
    #[command(
        after_help = "Examples:\n  picoauth users delete ada@example.com\n  picoauth users delete 4f1c2a9be0d3 --yes"
    )]
    Delete {
        /// The account's email or id.
        #[arg(value_name = "EMAIL_OR_ID")]
        user: String,
        /// Delete without asking.
        #[arg(long)]
        yes: bool,
    },
    /// Import the accounts of a pico-auth database, keeping ids and passwords; idempotent.
    #[command(
        after_help = "Examples:\n  picoauth users import --from-pico-auth ~/.pico-auth/auth.db"
    )]
    Import {
        /// The pico-auth SQLite file.
        #[arg(long, value_name = "FILE")]
        from_pico_auth: PathBuf,
    },
}

/// `picoauth mint-fleet`.
#[derive(Debug, ClapArgs)]
pub struct MintFleetArgs {
    /// The session the token is for (its `sub` and `session_id`).
    #[arg(long, value_name = "ID")]
    pub session_id: String,
    /// The agent holding the session (`agent_id`).
    #[arg(long, value_name = "ID")]
    pub agent_id: String,
    /// The role; the CLI may mint any role.
    #[arg(long, value_name = "ROLE", default_value = "agent")]
    pub role: String,
    /// Lifetime, e.g. 90s, 15m, 24h, 7d [default: fleet_session_ttl]; clamped to [1m, fleet_max_ttl].
    #[arg(long, value_name = "DURATION")]
    pub ttl: Option<String>,
    /// What the token is for (`scope` claim).
    #[arg(long, value_name = "TEXT")]
    pub scope: Option<String>,
    /// Print the `/fleet/sessions` response object instead of the bare token.
    #[arg(long)]
    pub json: bool,
}

/// `picoauth revoke`.
#[derive(Debug, ClapArgs)]
pub struct RevokeArgs {
    /// The jtis of the tokens to revoke.
    #[arg(required = true, value_name = "JTI")]
    pub jtis: Vec<String>,
    /// Why, for the denylist and whoever reads it.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Print one `/revoke` response object per jti, one per line.
    #[arg(long)]
    pub json: bool,
}

/// `picoauth list-mints`.
#[derive(Debug, ClapArgs)]
pub struct ListMintsArgs {
    /// How many of the newest entries to show (at most 1000).
    #[arg(long, value_name = "N", default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: u32,
    /// Only tokens that are neither expired nor revoked.
    #[arg(long)]
    pub active: bool,
    /// Print the `/mints` response object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Options of every subcommand: the config file and the settings of API.md §7.
#[derive(Debug, ClapArgs)]
pub struct GlobalArgs {
    /// TOML file with settings (keys as in the README's configuration table).
    #[arg(long, global = true, env = "PICOAUTH_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Settings given as flags.
    #[command(flatten)]
    pub settings: SettingsArgs,
}

/// Settings as flags. Each is also `PICOAUTH_<NAME>` in the environment and `<name>` in the
/// config file; a flag wins over the environment, which wins over the file. Secrets
/// (`admin_password`, `fleet_mint_secret`) are deliberately not flags: a command line is visible
/// to every user of the machine.
#[derive(Debug, Default, ClapArgs)]
#[command(next_help_heading = "Settings (also PICOAUTH_<NAME> or the config file)")]
pub struct SettingsArgs {
    /// Address and port to listen on [default: 127.0.0.1:8100].
    #[arg(long, global = true, value_name = "ADDR")]
    pub listen: Option<String>,
    /// SQLite database file [default: picoauth.db].
    #[arg(long, global = true, value_name = "FILE")]
    pub db: Option<String>,
    /// Directory of the signing keys [default: keys].
    #[arg(long, global = true, value_name = "DIR")]
    pub key_dir: Option<String>,
    /// `iss` of every token; resource servers must use the same string [default: http://localhost:8100].
    #[arg(long, global = true, value_name = "URL")]
    pub issuer: Option<String>,
    /// `aud` of every token [default: pico].
    #[arg(long, global = true, value_name = "AUD")]
    pub audience: Option<String>,
    /// Lifetime of access tokens, e.g. 15m [default: 15m].
    #[arg(long, global = true, value_name = "DURATION")]
    pub access_token_ttl: Option<String>,
    /// Absolute lifetime of a login's refresh chain [default: 7d].
    #[arg(long, global = true, value_name = "DURATION")]
    pub refresh_token_ttl: Option<String>,
    /// Whether POST /register is open [default: true].
    #[arg(long, global = true, value_name = "BOOL")]
    pub registration_enabled: Option<String>,
    /// Whether the first start creates a superadmin [default: true].
    #[arg(long, global = true, value_name = "BOOL")]
    pub auto_create_admin: Option<String>,
    /// Email of the bootstrapped superadmin [default: admin@pico.local].
    #[arg(long, global = true, value_name = "EMAIL")]
    pub admin_email: Option<String>,
    /// Lifetime of a wallet challenge [default: 60s].
    #[arg(long, global = true, value_name = "DURATION")]
    pub challenge_ttl: Option<String>,
    /// Wallet algorithms accepted, comma-separated [default: ML-DSA-65,Ed25519,secp256k1].
    #[arg(long, global = true, value_name = "LIST")]
    pub wallet_algorithms: Option<String>,
    /// Default lifetime of fleet tokens [default: 24h].
    #[arg(long, global = true, value_name = "DURATION")]
    pub fleet_session_ttl: Option<String>,
    /// Longest lifetime of fleet tokens [default: 30d].
    #[arg(long, global = true, value_name = "DURATION")]
    pub fleet_max_ttl: Option<String>,
    /// Roles the fleet secret may mint, comma-separated [default: agent,service].
    #[arg(long, global = true, value_name = "LIST")]
    pub fleet_allowed_roles: Option<String>,
    /// Tokens living at least this long are audited [default: 5m].
    #[arg(long, global = true, value_name = "DURATION")]
    pub mint_audit_min_ttl: Option<String>,
    /// Log filter, e.g. info, debug, picoauth=debug [default: info for serve, warn otherwise].
    #[arg(long, global = true, value_name = "FILTER")]
    pub log_level: Option<String>,
    /// Log lines as text or json [default: text].
    #[arg(long, global = true, value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// Address for Prometheus metrics (GET /metrics) [default: off].
    #[arg(long, global = true, value_name = "ADDR")]
    pub metrics_listen: Option<String>,
    /// Requests per second per client IP to each abuse-prone endpoint, 0 for no limit [default: 100].
    #[arg(long, global = true, value_name = "N")]
    pub rate_limit_per_second: Option<String>,
    /// Wrong passwords before each further one doubles the wait [default: 5].
    #[arg(long, global = true, value_name = "N")]
    pub login_free_failures: Option<String>,
    /// The longest wait after wrong passwords [default: 15m].
    #[arg(long, global = true, value_name = "DURATION")]
    pub login_max_delay: Option<String>,
    /// Proxies whose X-Forwarded-For is believed, comma-separated IPs or CIDRs [default: none].
    #[arg(long, global = true, value_name = "LIST")]
    pub trusted_proxies: Option<String>,
    /// Connections served at once [default: 1024].
    #[arg(long, global = true, value_name = "N")]
    pub max_connections: Option<String>,
    /// Time allowed to send a request's headers, and its body [default: 10s].
    #[arg(long, global = true, value_name = "DURATION")]
    pub request_timeout: Option<String>,
    /// Connections one client address may hold; trusted proxies are exempt [default: 64].
    #[arg(long, global = true, value_name = "N")]
    pub max_connections_per_client: Option<String>,
    /// PEM certificate chain: serve HTTPS (with --tls-key-file) [default: plain HTTP].
    #[arg(long, global = true, value_name = "FILE")]
    pub tls_cert_file: Option<String>,
    /// PEM private key of --tls-cert-file [default: none].
    #[arg(long, global = true, value_name = "FILE")]
    pub tls_key_file: Option<String>,
}

impl SettingsArgs {
    /// The settings given as flags, by config key.
    pub fn given(&self) -> Vec<(&'static str, String)> {
        let flags = [
            ("listen", &self.listen),
            ("db", &self.db),
            ("key_dir", &self.key_dir),
            ("issuer", &self.issuer),
            ("audience", &self.audience),
            ("access_token_ttl", &self.access_token_ttl),
            ("refresh_token_ttl", &self.refresh_token_ttl),
            ("registration_enabled", &self.registration_enabled),
            ("auto_create_admin", &self.auto_create_admin),
            ("admin_email", &self.admin_email),
            ("challenge_ttl", &self.challenge_ttl),
            ("wallet_algorithms", &self.wallet_algorithms),
            ("fleet_session_ttl", &self.fleet_session_ttl),
            ("fleet_max_ttl", &self.fleet_max_ttl),
            ("fleet_allowed_roles", &self.fleet_allowed_roles),
            ("mint_audit_min_ttl", &self.mint_audit_min_ttl),
            ("log_level", &self.log_level),
            ("log_format", &self.log_format),
            ("metrics_listen", &self.metrics_listen),
            ("rate_limit_per_second", &self.rate_limit_per_second),
            ("login_free_failures", &self.login_free_failures),
            ("login_max_delay", &self.login_max_delay),
            ("trusted_proxies", &self.trusted_proxies),
            ("max_connections", &self.max_connections),
            ("request_timeout", &self.request_timeout),
            (
                "max_connections_per_client",
                &self.max_connections_per_client,
            ),
            ("tls_cert_file", &self.tls_cert_file),
            ("tls_key_file", &self.tls_key_file),
        ];
        flags
            .into_iter()
            .filter_map(|(key, value)| value.clone().map(|value| (key, value)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definitions_are_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn settings_flags_work_before_and_after_the_subcommand() {
        let args = Args::try_parse_from([
            "picoauth",
            "--db",
            "a.db",
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .unwrap();
        assert_eq!(
            args.global.settings.given(),
            vec![
                ("listen", "127.0.0.1:0".to_owned()),
                ("db", "a.db".to_owned())
            ]
        );
    }

    #[test]
    fn every_flag_is_a_config_key_and_secrets_are_not_flags() {
        let settings = SettingsArgs::default();
        let _ = settings.given();
        let command = Args::command();
        let serve = command.find_subcommand("serve").unwrap();
        for key in crate::config::KEYS {
            let flag = key.replace('_', "-");
            let present = serve
                .get_arguments()
                .any(|arg| arg.get_long() == Some(flag.as_str()))
                || command
                    .get_arguments()
                    .any(|arg| arg.get_long() == Some(flag.as_str()));
            assert_eq!(present, !crate::config::SECRET_KEYS.contains(&key), "{key}");
        }
    }

    #[test]
    fn passwords_are_not_accepted_as_arguments() {
        assert!(Args::try_parse_from(["picoauth", "serve", "--admin-password", "x"]).is_err());
    }
}
