//! Every clap definition of the command line. Doc comments here are the help text operators
//! read, the man pages and the completions; there is no logic here.
//!
//! The settings' flags are not written here: [`CommonSettings`] (every subcommand) and
//! [`ServeSettings`] (`serve` only) build them from [`config::SETTINGS`], with the help,
//! placeholder, default and completion each entry declares.

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Arg, ArgMatches, Args as ClapArgs, FromArgMatches, Parser, Subcommand, ValueHint};

use crate::config::{self, Flag, Kind};
use crate::keys::SigningAlgorithm;
use crate::roles::Role;
use crate::wallet::{WalletAlgorithm, WalletSubject};

/// picoauth: a JWT auth server and its admin tool, on one SQLite file and one key directory.
///
/// `picoauth serve` runs the HTTP API. Every other subcommand works directly on the same
/// database and key directory, and is safe to run while the server is up.
#[derive(Debug, Parser)]
#[command(
    name = "picoauth",
    version,
    propagate_version = true,
    // A flag given twice takes the last value, so a wrapper's defaults can be overridden.
    args_override_self = true,
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
        after_help = "Examples:\n  picoauth serve\n  picoauth serve --config /etc/picoauth.toml\n  PICOAUTH_ADMIN_PASSWORD=… picoauth serve --listen 0.0.0.0:8100 --issuer https://auth.example.com"
    )]
    Serve(ServeArgs),

    /// Manage the signing keys: create the first, rotate, list, retire.
    ///
    /// After a rotation the new key signs and the old one stays in the JWKS until every token
    /// it signed has expired; a running server picks the change up within a second.
    #[command(
        after_help = "Examples:\n  picoauth keygen --rotate\n  picoauth keygen --list\n  picoauth keygen --retire Upe4NJ8qZJU11mBPCs1dSmZu85rjXrIdFnddnxcVyks"
    )]
    Keygen(KeygenArgs),

    /// Manage user accounts: list, add, set-role, passwd, disable, enable, delete, import,
    /// and the registration switch.
    #[command(
        subcommand,
        after_help = "Examples:\n  picoauth users list\n  picoauth users add ada@example.com --role operator\n  PICOAUTH_DB=/var/lib/picoauth/picoauth.db picoauth users disable ada@example.com"
    )]
    Users(UsersCommand),

    /// Manage groups of accounts and their members: list, add, show, rename, delete, members.
    ///
    /// A group is named by its id, or by its name when one group has it (narrow with --org).
    /// User tokens carry the ids of their account's groups in the `groups` claim; a change
    /// shows in the next token the account gets (login or refresh).
    #[command(
        subcommand,
        after_help = "Examples:\n  picoauth groups add ops --description \"on-call engineers\"\n  picoauth groups members add ops ada@example.com\n  picoauth groups show ops --json"
    )]
    Groups(GroupsCommand),
    /// Manage OAuth 2.0 machine clients: add, list, rotate-secret, delete.
    ///
    /// A client gets tokens from `POST /api/v1/auth/token` (client_credentials) with its id
    /// and secret, by HTTP Basic or client_secret_post. Its secret is shown once, by `add` and
    /// `rotate-secret`, and stored only as a keyed hash.
    #[command(
        subcommand,
        after_help = "Examples:\n  SECRET=$(picoauth clients add billing --role service --scopes \"invoices:read invoices:write\" --ttl 1h)\n  picoauth clients list --json\n  picoauth clients rotate-secret billing --grace 24h\n  picoauth clients delete billing"
    )]
    Clients(ClientsCommand),

    /// Mint a fleet token for an agent session; stdout is the token alone.
    ///
    /// Works on the database and key directory directly: the server need not be running.
    #[command(
        after_help = "Examples:\n  T=$(picoauth mint-fleet --session-id ci-1234 --agent-id builder --ttl 1h)\n  picoauth mint-fleet --session-id poller --agent-id billing --role service --ttl 30d --json"
    )]
    MintFleet(MintFleetArgs),

    /// Revoke tokens by jti (or give the whole token); a running server refuses them on their
    /// next use.
    ///
    /// Shows what each jti was (kind, subject, expiry, from the mint audit) and refuses, with
    /// exit 1 and writing nothing, a jti this deployment does not know (not in the audit, not
    /// the access token of a live session) unless --force is given. Revoking is idempotent:
    /// revoking again keeps the first entry.
    #[command(
        after_help = "Examples:\n  picoauth revoke \"$JTI\" --reason \"leaked in CI log\"\n  picoauth revoke \"$(cat leaked-token.txt)\"\n  picoauth list-mints --active --json | jq -r '.items[] | select(.agent_id==\"builder\") | .jti' | xargs -r picoauth revoke"
    )]
    Revoke(RevokeArgs),

    /// Decode a token and say whether this server would accept it now, and why not.
    ///
    /// Prints the header and claims (times in human form), the signing key's state here
    /// (active, grace, retired, unknown), whether the jti is revoked or audited, and the
    /// verdict: the same checks a request with this bearer token gets. Exit 0 if the server
    /// would accept the token, 1 if not, 2 for a usage error.
    #[command(
        after_help = "Examples:\n  picoauth inspect \"$TOKEN\"\n  printf '%s' \"$TOKEN\" | picoauth inspect\n  picoauth inspect \"$TOKEN\" --json | jq -r .claims.jti"
    )]
    Inspect(InspectArgs),

    /// Show the mint audit: every token minted with a lifetime of at least mint_audit_min_ttl.
    #[command(
        after_help = "Examples:\n  picoauth list-mints --active\n  picoauth list-mints --limit 1000 --json"
    )]
    ListMints(ListMintsArgs),

    /// Copy this SQLite deployment (db and key_dir) into an empty PostgreSQL database.
    ///
    /// Users, refresh tokens, signing keys, the mint audit and the denylist are copied in one
    /// transaction; the private keys are sealed under the key-encryption key
    /// (key_encryption_key_file) on the way in, so tokens and refresh tokens issued before keep
    /// working. A target that is not empty is refused with nothing written. The SQLite file and
    /// key directory are only read: stop `serve` first so that nothing written after the copy
    /// is left behind. Pending wallet challenges are not copied (they live minutes).
    #[command(after_help = "Examples:
  openssl rand -base64 32 > /etc/picoauth/kek && chmod 600 /etc/picoauth/kek
  PICOAUTH_KEY_ENCRYPTION_KEY_FILE=/etc/picoauth/kek picoauth migrate-db --db /var/lib/picoauth/picoauth.db --key-dir /var/lib/picoauth/keys --to postgres://picoauth@db.internal/picoauth")]
    MigrateDb(MigrateDbArgs),

    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  picoauth completions bash > ~/.local/share/bash-completion/completions/picoauth\n  picoauth completions zsh > ~/.zfunc/_picoauth\n  picoauth completions fish > ~/.config/fish/completions/picoauth.fish"
    )]
    Completions {
        /// The shell to complete for.
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },

    /// Write the man pages and completion scripts into DIR/man and DIR/completions (for
    /// maintainers: `cargo run -- generate-docs .` refreshes the committed copies).
    #[command(hide = true)]
    GenerateDocs {
        /// The repository root.
        #[arg(value_hint = ValueHint::DirPath)]
        dir: std::path::PathBuf,
    },
}

/// `picoauth keygen`: without an option, creates the first key (an error if one exists).
#[derive(Debug, ClapArgs)]
pub struct KeygenArgs {
    /// Make a new key the signing key; the old one stays published for its grace period.
    #[arg(long, conflicts_with_all = ["list", "retire"])]
    pub rotate: bool,
    /// The new key's algorithm (the first key's, or with --rotate the next one's); without it,
    /// the first key takes token_algorithm and a rotation keeps the active key's algorithm.
    #[arg(long, value_name = "ALG", value_parser = PossibleValuesParser::new(token_algorithms()).try_map(|name| SigningAlgorithm::parse(&name).map_err(|error| error.to_string())), conflicts_with_all = ["list", "retire"])]
    pub algorithm: Option<SigningAlgorithm>,
    /// List the keys with their state (active, grace until …, retired).
    #[arg(long, conflicts_with = "retire")]
    pub list: bool,
    /// Take a key out of the JWKS now; tokens it signed stop verifying.
    #[arg(long, value_name = "KID", allow_hyphen_values = true, value_hint = ValueHint::Other)]
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
        after_help = "Examples:\n  picoauth users add ada@example.com --role operator --display-name Ada\n  picoauth users add bob@acme.example --role org_admin --org acme\n  printf '%s\\n' \"$PASSWORD\" | picoauth users add ci@example.com --password-stdin"
    )]
    Add {
        /// The email, which is the login name.
        #[arg(value_name = "EMAIL", value_hint = ValueHint::EmailAddress)]
        email: String,
        /// The account's role.
        #[arg(long, value_name = "ROLE", default_value = "viewer", value_parser = user_roles())]
        role: String,
        /// The name shown to people.
        #[arg(long, value_name = "NAME", value_hint = ValueHint::Other)]
        display_name: Option<String>,
        /// The account's organisation (1 to 64 ASCII letters, digits, `-`, `_`, `.`) [default: default].
        #[arg(long, value_name = "ORG_ID", value_hint = ValueHint::Other)]
        org: Option<String>,
        /// Read the password from the first line of stdin instead of asking.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Change an account's role; its sessions end.
    #[command(after_help = "Examples:\n  picoauth users set-role ada@example.com org_admin")]
    SetRole {
        /// The account's email or id.
        #[arg(value_name = "EMAIL_OR_ID", value_hint = ValueHint::Other)]
        user: String,
        /// The new role.
        #[arg(value_name = "ROLE", value_parser = user_roles())]
        role: String,
    },
    /// Set an account's password; its sessions end.
    #[command(
        after_help = "Examples:\n  picoauth users passwd ada@example.com\n  printf '%s\\n' \"$NEW_PASSWORD\" | picoauth users passwd ada@example.com --password-stdin"
    )]
    Passwd {
        /// The account's email or id.
        #[arg(value_name = "EMAIL_OR_ID", value_hint = ValueHint::Other)]
        user: String,
        /// Read the password from the first line of stdin instead of asking.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account: its logins are refused (403) and its sessions end.
    #[command(after_help = "Examples:\n  picoauth users disable ada@example.com")]
    Disable {
        /// The account's email or id.
        #[arg(value_name = "EMAIL_OR_ID", value_hint = ValueHint::Other)]
        user: String,
    },
    /// Enable a disabled account.
    #[command(after_help = "Examples:\n  picoauth users enable ada@example.com")]
    Enable {
        /// The account's email or id.
        #[arg(value_name = "EMAIL_OR_ID", value_hint = ValueHint::Other)]
        user: String,
    },
    /// Delete an account and its sessions; asks for confirmation on a terminal.
    #[command(
        after_help = "Examples:\n  picoauth users delete ada@example.com\n  picoauth users delete 4f1c2a9be0d3 --yes"
    )]
    Delete {
        /// The account's email or id.
        #[arg(value_name = "EMAIL_OR_ID", value_hint = ValueHint::Other)]
        user: String,
        /// Delete without asking.
        #[arg(long)]
        yes: bool,
    },
    /// Show whether `POST /register` is open, or open or close it for every server on the
    /// database (from its next request, across restarts).
    ///
    /// Once set here or with `PUT /api/v1/auth/users/registration`, the switch wins over the
    /// registration_enabled setting, which is only its initial value.
    #[command(
        after_help = "Examples:\n  picoauth users registration\n  picoauth users registration --disable\n  picoauth users registration --json"
    )]
    Registration {
        /// Open registration.
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        /// Close registration.
        #[arg(long)]
        disable: bool,
        /// Print the `/users/registration` response object.
        #[arg(long)]
        json: bool,
    },
    /// Import the accounts of a pico-auth database, keeping ids and passwords; idempotent.
    #[command(
        after_help = "Examples:\n  picoauth users import --from-pico-auth ~/.pico-auth/auth.db"
    )]
    Import {
        /// The pico-auth SQLite file.
        #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
        from_pico_auth: PathBuf,
    },
}

/// `picoauth groups …`.
#[derive(Debug, Subcommand)]
pub enum GroupsCommand {
    /// List the groups.
    #[command(
        after_help = "Examples:\n  picoauth groups list\n  picoauth groups list --org acme --json"
    )]
    List {
        /// Only this organisation's groups.
        #[arg(long, value_name = "ORG_ID", value_hint = ValueHint::Other)]
        org: Option<String>,
        /// Print the `/groups` response object instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Create a group; prints its id.
    #[command(
        after_help = "Examples:\n  picoauth groups add ops\n  picoauth groups add billing --org acme --description \"invoices and refunds\""
    )]
    Add {
        /// The name, unique within the organisation.
        #[arg(value_name = "NAME", value_hint = ValueHint::Other)]
        name: String,
        /// What the group is for.
        #[arg(long, value_name = "TEXT", value_hint = ValueHint::Other)]
        description: Option<String>,
        /// The organisation [default: default].
        #[arg(long, value_name = "ORG_ID", value_hint = ValueHint::Other)]
        org: Option<String>,
        /// Print the `POST /groups` response object instead of the id.
        #[arg(long)]
        json: bool,
    },
    /// Show a group and its members.
    #[command(
        after_help = "Examples:\n  picoauth groups show ops\n  picoauth groups show 3f9a1c2b7d4e --json"
    )]
    Show {
        /// The group's id or name.
        #[arg(value_name = "GROUP", value_hint = ValueHint::Other)]
        group: String,
        /// The group's organisation: where a name is looked for, and where an id must be.
        #[arg(long, value_name = "ORG_ID", value_hint = ValueHint::Other)]
        org: Option<String>,
        /// Print the `/groups/{id}` response object instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Rename a group, or change its description.
    #[command(
        after_help = "Examples:\n  picoauth groups rename ops sre\n  picoauth groups rename ops --description \"site reliability\""
    )]
    Rename {
        /// The group's id or name.
        #[arg(value_name = "GROUP", value_hint = ValueHint::Other)]
        group: String,
        /// The new name.
        #[arg(value_name = "NEW_NAME", required_unless_present = "description", value_hint = ValueHint::Other)]
        new_name: Option<String>,
        /// A new description.
        #[arg(long, value_name = "TEXT", value_hint = ValueHint::Other)]
        description: Option<String>,
        /// The group's organisation: where a name is looked for, and where an id must be.
        #[arg(long, value_name = "ORG_ID", value_hint = ValueHint::Other)]
        org: Option<String>,
    },
    /// Delete a group and its memberships; tokens minted afterwards no longer carry it.
    #[command(after_help = "Examples:\n  picoauth groups delete ops")]
    Delete {
        /// The group's id or name.
        #[arg(value_name = "GROUP", value_hint = ValueHint::Other)]
        group: String,
        /// The group's organisation: where a name is looked for, and where an id must be.
        #[arg(long, value_name = "ORG_ID", value_hint = ValueHint::Other)]
        org: Option<String>,
    },
    /// Add or remove members.
    #[command(subcommand)]
    Members(GroupMembersCommand),
}

/// `picoauth groups members …`.
#[derive(Debug, Subcommand)]
pub enum GroupMembersCommand {
    /// Add an account to a group; its next token carries the group.
    #[command(after_help = "Examples:\n  picoauth groups members add ops ada@example.com")]
    Add {
        /// The group's id or name.
        #[arg(value_name = "GROUP", value_hint = ValueHint::Other)]
        group: String,
        /// The account's email or id.
        #[arg(value_name = "EMAIL_OR_ID", value_hint = ValueHint::Other)]
        user: String,
        /// The group's organisation: where a name is looked for, and where an id must be.
        #[arg(long, value_name = "ORG_ID", value_hint = ValueHint::Other)]
        org: Option<String>,
    },
    /// Remove an account from a group.
    #[command(after_help = "Examples:\n  picoauth groups members remove ops ada@example.com")]
    Remove {
        /// The group's id or name.
        #[arg(value_name = "GROUP", value_hint = ValueHint::Other)]
        group: String,
        /// The account's email or id.
        #[arg(value_name = "EMAIL_OR_ID", value_hint = ValueHint::Other)]
        user: String,
        /// The group's organisation: where a name is looked for, and where an id must be.
        #[arg(long, value_name = "ORG_ID", value_hint = ValueHint::Other)]
        org: Option<String>,
    },
}

/// `picoauth clients …`.
#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// Add a machine client; stdout is its secret alone, shown this once.
    #[command(
        after_help = "Examples:\n  SECRET=$(picoauth clients add billing --scopes \"invoices:read\")\n  picoauth clients add planner --role agent --scopes \"treasury:read treasury:write:*\" --ttl 15m"
    )]
    Add {
        /// The client id: 1 to 64 of A-Z a-z 0-9 - . _ ~ (its tokens' `sub` and `client_id`).
        #[arg(value_name = "CLIENT_ID", value_hint = ValueHint::Other)]
        client_id: String,
        /// The role its tokens carry.
        #[arg(long, value_name = "ROLE", default_value = "service", value_parser = client_roles())]
        role: String,
        /// The scopes it may ask for, space-separated; a token gets all of them when it asks for none.
        #[arg(long, value_name = "SCOPES", value_hint = ValueHint::Other)]
        scopes: Option<String>,
        /// Its tokens' lifetime, e.g. 15m, 1h, 24h [default: 1h]; at most fleet_max_ttl.
        #[arg(long, value_name = "DURATION", value_hint = ValueHint::Other)]
        ttl: Option<String>,
    },
    /// List the machine clients (never a secret).
    #[command(after_help = "Examples:\n  picoauth clients list\n  picoauth clients list --json")]
    List {
        /// Print `{clients:[{client_id, role, scopes, ttl, created_at}]}` instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Give a client a new secret (stdout, shown this once); the old one works for the grace period.
    #[command(
        after_help = "Examples:\n  picoauth clients rotate-secret billing\n  picoauth clients rotate-secret billing --grace 0   # the old secret leaked: end it now"
    )]
    RotateSecret {
        /// The client id.
        #[arg(value_name = "CLIENT_ID", value_hint = ValueHint::Other)]
        client_id: String,
        /// How long the old secret keeps working, e.g. 0, 10m, 24h [default: client_secret_grace].
        #[arg(long, value_name = "DURATION", value_hint = ValueHint::Other)]
        grace: Option<String>,
    },
    /// Delete a machine client: its secrets stop working and this server refuses its tokens.
    #[command(after_help = "Examples:\n  picoauth clients delete billing")]
    Delete {
        /// The client id.
        #[arg(value_name = "CLIENT_ID", value_hint = ValueHint::Other)]
        client_id: String,
    },
}

/// `picoauth mint-fleet`.
#[derive(Debug, ClapArgs)]
pub struct MintFleetArgs {
    /// The session the token is for (its `sub` and `session_id`).
    #[arg(long, value_name = "ID", value_hint = ValueHint::Other)]
    pub session_id: String,
    /// The agent holding the session (`agent_id`).
    #[arg(long, value_name = "ID", value_hint = ValueHint::Other)]
    pub agent_id: String,
    /// The role; the CLI may mint any role.
    #[arg(long, value_name = "ROLE", default_value = "agent", value_parser = all_roles())]
    pub role: String,
    /// Lifetime, e.g. 90s, 15m, 24h, 7d [default: fleet_session_ttl]; clamped to [1m, fleet_max_ttl].
    #[arg(long, value_name = "DURATION", value_hint = ValueHint::Other)]
    pub ttl: Option<String>,
    /// What the token is for (`scope` claim).
    #[arg(long, value_name = "TEXT", value_hint = ValueHint::Other)]
    pub scope: Option<String>,
    /// Print the `/fleet/sessions` response object instead of the bare token.
    #[arg(long)]
    pub json: bool,
}

/// `picoauth revoke`.
#[derive(Debug, ClapArgs)]
pub struct RevokeArgs {
    /// The jtis of the tokens to revoke, or whole tokens (their jti is revoked).
    #[arg(required = true, value_name = "JTI", value_hint = ValueHint::Other)]
    pub jtis: Vec<String>,
    /// Revoke even a jti this deployment does not know (a token living less than
    /// mint_audit_min_ttl is never audited).
    #[arg(long)]
    pub force: bool,
    /// Why, for the denylist and whoever reads it.
    #[arg(long, value_name = "TEXT", value_hint = ValueHint::Other)]
    pub reason: Option<String>,
    /// Print one `/revoke` response object per jti, one per line.
    #[arg(long)]
    pub json: bool,
}

/// `picoauth inspect`.
#[derive(Debug, ClapArgs)]
pub struct InspectArgs {
    /// The token; `-` or nothing reads it from stdin (when stdin is not a terminal).
    #[arg(value_name = "TOKEN")]
    pub token: Option<String>,
    /// Print one JSON object: accepted, reason, detail, header, claims, kid, key_state,
    /// revoked, revocation, mint.
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

/// `picoauth migrate-db`.
#[derive(Debug, ClapArgs)]
pub struct MigrateDbArgs {
    /// The PostgreSQL database to copy into (`postgres://…` or `postgresql://…`); it must be
    /// empty. Visible to other users of this host in the process list if it carries a password.
    #[arg(long, value_name = "URL", value_hint = ValueHint::Url)]
    pub to: String,
    /// Print what was copied as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Options of every subcommand: the config file, where the files are and how tokens are
/// stamped. Every other setting is a flag of `serve` only; all of them are also
/// `PICOAUTH_<NAME>` in the environment and `<name>` in the config file, for every command.
#[derive(Debug, ClapArgs)]
pub struct GlobalArgs {
    /// TOML file with settings (keys as in the README's configuration table).
    #[arg(long, global = true, env = config::CONFIG_ENV, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub config: Option<PathBuf>,

    /// The settings every subcommand takes as flags (`--db`, `--key-dir`, `--issuer`, `--audience`).
    #[command(flatten)]
    pub settings: CommonSettings,
}

/// `picoauth serve`.
#[derive(Debug, ClapArgs)]
pub struct ServeArgs {
    /// The server's settings as flags.
    #[command(flatten)]
    pub settings: ServeSettings,
}

/// The settings of [`config::SETTINGS`] that are flags of every subcommand, by config key.
#[derive(Clone, Debug, Default)]
pub struct CommonSettings(pub Vec<(&'static str, String)>);

/// The settings of [`config::SETTINGS`] that are flags of `serve` only, by config key.
#[derive(Clone, Debug, Default)]
pub struct ServeSettings(pub Vec<(&'static str, String)>);

impl Args {
    /// Every setting given as a flag, by config key.
    pub fn settings_given(&self) -> Vec<(&'static str, String)> {
        let mut given = self.global.settings.0.clone();
        if let Command::Serve(serve) = &self.command {
            given.extend(serve.settings.0.iter().cloned());
        }
        given
    }
}

/// Implements the clap traits for a set of setting flags: the flags come from the table, so a
/// new setting needs no code here.
macro_rules! setting_flags {
    ($type:ident, $flag:expr, $global:expr, $heading:expr) => {
        impl FromArgMatches for $type {
            fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
                Ok($type(given(matches, $flag)))
            }
            fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
                self.0.extend(given(matches, $flag));
                Ok(())
            }
        }

        impl ClapArgs for $type {
            fn augment_args(command: clap::Command) -> clap::Command {
                add_flags(command, $flag, $global, $heading)
            }
            fn augment_args_for_update(command: clap::Command) -> clap::Command {
                add_flags(command, $flag, $global, $heading)
            }
        }
    };
}

setting_flags!(CommonSettings, Flag::Everywhere, true, None);
setting_flags!(ServeSettings, Flag::Serve, false, Some("Server settings"));

/// Adds a flag for every setting whose [`Flag`] is `flag`.
fn add_flags(
    mut command: clap::Command,
    flag: Flag,
    global: bool,
    heading: Option<&'static str>,
) -> clap::Command {
    for setting in config::SETTINGS
        .iter()
        .filter(|setting| setting.flag == flag)
    {
        let suffix = format!(
            " [default: {}] [env: {}]",
            setting.default_text(),
            setting.env()
        );
        let mut arg = Arg::new(setting.key)
            .long(setting.flag_name())
            .value_name(setting.kind.placeholder())
            .help(format!("{}{suffix}", setting.help))
            .long_help(format!("{}{suffix}", setting.long_help()))
            .global(global)
            .help_heading(heading)
            .value_hint(value_hint(setting.kind))
            .num_args(1);
        if let Some(values) = possible_values(setting.kind) {
            // Roles are compared exactly; the other words in any letter case, as the
            // configuration parses them.
            arg = arg
                .value_parser(values)
                .ignore_case(setting.kind != Kind::Roles);
            if setting.kind.is_list() {
                arg = arg.value_delimiter(',');
            }
        }
        command = command.arg(arg);
    }
    command
}

/// The values of the settings whose [`Flag`] is `flag`, by key; list values are joined again
/// with commas, the form the configuration parses.
fn given(matches: &ArgMatches, flag: Flag) -> Vec<(&'static str, String)> {
    config::SETTINGS
        .iter()
        .filter(|setting| setting.flag == flag)
        .filter_map(|setting| {
            let values = matches.try_get_many::<String>(setting.key).ok()??;
            Some((setting.key, values.cloned().collect::<Vec<_>>().join(",")))
        })
        .collect()
}

/// What a shell may complete for a kind of value: files only where a file is meant.
fn value_hint(kind: Kind) -> ValueHint {
    match kind {
        Kind::File => ValueHint::FilePath,
        Kind::Dir => ValueHint::DirPath,
        Kind::Url => ValueHint::Url,
        Kind::Email => ValueHint::EmailAddress,
        _ => ValueHint::Other,
    }
}

/// The values a kind of setting accepts, for validation and completion; `None` for free text.
fn possible_values(kind: Kind) -> Option<PossibleValuesParser> {
    let values: Vec<PossibleValue> = match kind {
        // The first word of each meaning is offered; the others are accepted.
        Kind::Bool => config::BOOL_WORDS
            .iter()
            .enumerate()
            .map(|(i, (word, _))| PossibleValue::new(*word).hide(i >= 2))
            .collect(),
        Kind::LogFormat => config::LOG_FORMATS
            .iter()
            .map(|(name, _)| PossibleValue::new(*name))
            .collect(),
        Kind::Roles => Role::ALL
            .iter()
            .map(|role| PossibleValue::new(role.as_str()))
            .collect(),
        Kind::WalletAlgorithms => WalletAlgorithm::ALL
            .iter()
            .map(|algorithm| PossibleValue::new(algorithm.as_str()))
            .collect(),
        Kind::TokenAlgorithm => token_algorithms(),
        Kind::WalletSubject => WalletSubject::ALL
            .iter()
            .map(|subject| PossibleValue::new(subject.as_str()))
            .collect(),
        _ => return None,
    };
    Some(PossibleValuesParser::new(values))
}

/// The token signing algorithms, as `token_algorithm` and `keygen --algorithm` take them.
fn token_algorithms() -> Vec<PossibleValue> {
    SigningAlgorithm::ALL
        .iter()
        .map(|algorithm| PossibleValue::new(algorithm.name()))
        .collect()
}

/// The roles a user account may hold, for `users add --role` and `users set-role`.
fn user_roles() -> PossibleValuesParser {
    PossibleValuesParser::new(
        Role::ALL
            .iter()
            .filter(|role| role.is_user_role())
            .map(|role| PossibleValue::new(role.as_str())),
    )
}

/// The roles a machine client may hold, for `clients add --role`.
fn client_roles() -> PossibleValuesParser {
    PossibleValuesParser::new(
        crate::app::CLIENT_ROLES
            .iter()
            .map(|role| PossibleValue::new(role.as_str())),
    )
}

/// Every role, for `mint-fleet --role` (the CLI may mint any).
fn all_roles() -> PossibleValuesParser {
    PossibleValuesParser::new(
        Role::ALL
            .iter()
            .map(|role| PossibleValue::new(role.as_str())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn long_flags(command: &clap::Command) -> Vec<String> {
        command
            .get_arguments()
            .filter_map(|arg| arg.get_long().map(str::to_owned))
            .collect()
    }

    #[test]
    fn definitions_are_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn common_flags_work_before_and_after_the_subcommand() {
        let args = Args::try_parse_from([
            "picoauth",
            "--db",
            "a.db",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--fleet-allowed-roles",
            "agent,service",
        ])
        .unwrap();
        assert_eq!(
            args.settings_given(),
            vec![
                ("db", "a.db".to_owned()),
                ("listen", "127.0.0.1:0".to_owned()),
                ("fleet_allowed_roles", "agent,service".to_owned()),
            ]
        );
        let args = Args::try_parse_from(["picoauth", "users", "list", "--key-dir", "k"]).unwrap();
        assert_eq!(args.settings_given(), vec![("key_dir", "k".to_owned())]);
    }

    #[test]
    fn every_setting_flag_is_where_the_table_says() {
        let mut command = Args::command();
        command.build();
        let serve = command.find_subcommand("serve").unwrap();
        let revoke = command.find_subcommand("revoke").unwrap();
        let (serve_flags, revoke_flags) = (long_flags(serve), long_flags(revoke));
        for setting in &config::SETTINGS {
            let flag = setting.flag_name();
            assert_eq!(
                serve_flags.contains(&flag),
                setting.flag != Flag::Never,
                "{}",
                setting.key
            );
            assert_eq!(
                revoke_flags.contains(&flag),
                setting.flag == Flag::Everywhere,
                "{}",
                setting.key
            );
        }
    }

    #[test]
    fn server_settings_are_not_admin_flags() {
        assert!(
            Args::try_parse_from(["picoauth", "revoke", "x", "--listen", "1.2.3.4:5"]).is_err()
        );
        assert!(Args::try_parse_from(["picoauth", "--access-token-ttl", "5m", "serve"]).is_err());
    }

    #[test]
    fn choices_are_checked_and_words_ignore_case() {
        let given = |argv: &[&str]| Args::try_parse_from(argv).map(|args| args.settings_given());
        assert_eq!(
            given(&["picoauth", "serve", "--registration-enabled", "NO"]).unwrap(),
            vec![("registration_enabled", "NO".to_owned())]
        );
        assert!(given(&["picoauth", "serve", "--fleet-allowed-roles", "agent,wizard"]).is_err());
        assert!(given(&["picoauth", "serve", "--log-format", "xml"]).is_err());
        assert!(
            Args::try_parse_from(["picoauth", "users", "add", "a@b.c", "--role", "agent"]).is_err()
        );
        assert!(
            Args::try_parse_from([
                "picoauth",
                "mint-fleet",
                "--session-id",
                "s",
                "--agent-id",
                "a",
                "--role",
                "service"
            ])
            .is_ok()
        );
    }

    #[test]
    fn passwords_are_not_accepted_as_arguments() {
        assert!(Args::try_parse_from(["picoauth", "serve", "--admin-password", "x"]).is_err());
        assert!(Args::try_parse_from(["picoauth", "serve", "--fleet-mint-secret", "x"]).is_err());
    }
}
