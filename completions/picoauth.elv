
use builtin;
use str;

set edit:completion:arg-completer[picoauth] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'picoauth'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'picoauth'= {
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand serve 'Run the HTTP API (creates the database, a signing key and the admin on first start)'
            cand keygen 'Manage the signing keys: create the first, rotate, list, retire'
            cand users 'Manage user accounts: list, add, set-role, passwd, disable, enable, delete, import, and the registration switch'
            cand groups 'Manage groups of accounts and their members: list, add, show, rename, delete, members'
            cand clients 'Manage OAuth 2.0 machine clients: add, list, rotate-secret, delete'
            cand mint-fleet 'Mint a fleet token for an agent session; stdout is the token alone'
            cand revoke 'Revoke tokens by jti (or give the whole token); a running server refuses them on their next use'
            cand inspect 'Decode a token and say whether this server would accept it now, and why not'
            cand list-mints 'Show the mint audit: every token minted with a lifetime of at least mint_audit_min_ttl'
            cand migrate-db 'Copy this SQLite deployment (db and key_dir) into an empty PostgreSQL database'
            cand completions 'Print a shell completion script'
            cand generate-docs 'Write the man pages and completion scripts into DIR/man and DIR/completions (for maintainers: `cargo run -- generate-docs .` refreshes the committed copies)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'picoauth;serve'= {
            cand --listen 'Address and port `serve` binds to. [default: 127.0.0.1:8100] [env: PICOAUTH_LISTEN]'
            cand --token-algorithm 'Algorithm of the signing key made on first start: RS256, ML-DSA-65 or ML-DSA-87. [default: RS256] [env: PICOAUTH_TOKEN_ALGORITHM]'
            cand --access-token-ttl 'Lifetime of access tokens. [default: 15m] [env: PICOAUTH_ACCESS_TOKEN_TTL]'
            cand --refresh-token-ttl 'Absolute lifetime of a login''s refresh chain, counted from the login. [default: 7d] [env: PICOAUTH_REFRESH_TOKEN_TTL]'
            cand --registration-enabled 'Whether `POST /register` is open. [default: true] [env: PICOAUTH_REGISTRATION_ENABLED]'
            cand --auto-create-admin 'Whether the first start creates a superadmin. [default: true] [env: PICOAUTH_AUTO_CREATE_ADMIN]'
            cand --admin-email 'Email of the superadmin the first start creates. [default: admin@pico.local] [env: PICOAUTH_ADMIN_EMAIL]'
            cand --challenge-ttl 'Lifetime of a wallet challenge. [default: 60s] [env: PICOAUTH_CHALLENGE_TTL]'
            cand --max-pending-challenges 'Wallet challenges pending at once. [default: 100000] [env: PICOAUTH_MAX_PENDING_CHALLENGES]'
            cand --wallet-algorithms 'Wallet algorithms accepted, comma-separated. [default: ML-DSA-65,Ed25519,secp256k1] [env: PICOAUTH_WALLET_ALGORITHMS]'
            cand --wallet-subject 'What wallet tokens name a wallet by: `address` or `public_key`. [default: address] [env: PICOAUTH_WALLET_SUBJECT]'
            cand --fleet-session-ttl 'Default lifetime of fleet tokens. [default: 24h] [env: PICOAUTH_FLEET_SESSION_TTL]'
            cand --fleet-max-ttl 'Longest lifetime of fleet tokens. [default: 30d] [env: PICOAUTH_FLEET_MAX_TTL]'
            cand --fleet-allowed-roles 'Roles the fleet secret may mint, comma-separated. [default: agent,service] [env: PICOAUTH_FLEET_ALLOWED_ROLES]'
            cand --mint-audit-min-ttl 'Tokens living at least this long are recorded in the mint audit; `0` records every token. [default: 5m] [env: PICOAUTH_MINT_AUDIT_MIN_TTL]'
            cand --client-secret-grace 'How long a machine client''s previous secret keeps working after `clients rotate-secret`; `0` ends it at once. [default: 1h] [env: PICOAUTH_CLIENT_SECRET_GRACE]'
            cand --mint-audit-retention 'How long the mint audit keeps a token after it has expired; `0` deletes it at expiry. [default: 90d] [env: PICOAUTH_MINT_AUDIT_RETENTION]'
            cand --log-level 'Log filter (`debug`, `picoauth=debug`, `audit=info`, ...); logs go to stderr. [default: info for serve, warn for the other commands] [env: PICOAUTH_LOG_LEVEL]'
            cand --log-format '`text`, or `json` for one JSON object per line. [default: text] [env: PICOAUTH_LOG_FORMAT]'
            cand --metrics-listen 'Address for Prometheus metrics (`GET /metrics`). [default: off] [env: PICOAUTH_METRICS_LISTEN]'
            cand --rate-limit-per-second 'Requests per second one client may make to each of login, register, refresh, challenge, sign-in and fleet/sessions; `0` turns it off. [default: 100] [env: PICOAUTH_RATE_LIMIT_PER_SECOND]'
            cand --login-free-failures 'Wrong passwords one client may send for an account before each further attempt from it must wait (1 s, 2 s, 4 s, ...). [default: 5] [env: PICOAUTH_LOGIN_FREE_FAILURES]'
            cand --login-max-delay 'The longest wait after wrong passwords; there is never a permanent lockout. [default: 15m] [env: PICOAUTH_LOGIN_MAX_DELAY]'
            cand --trusted-proxies 'Proxies (IPs or CIDRs, comma-separated) whose `X-Forwarded-For` is believed. [default: none] [env: PICOAUTH_TRUSTED_PROXIES]'
            cand --max-connections 'Connections served at once. [default: 1024] [env: PICOAUTH_MAX_CONNECTIONS]'
            cand --request-timeout 'Time a client has to send a request''s headers, and then its body. [default: 10s] [env: PICOAUTH_REQUEST_TIMEOUT]'
            cand --max-connections-per-client 'Connections one client address (an IPv6 /64) may hold at once. [default: 64] [env: PICOAUTH_MAX_CONNECTIONS_PER_CLIENT]'
            cand --tls-cert-file 'PEM certificate chain: with `tls_key_file`, `serve` speaks HTTPS (API.md §12). [default: none] [env: PICOAUTH_TLS_CERT_FILE]'
            cand --tls-key-file 'PEM private key of that certificate. [default: none] [env: PICOAUTH_TLS_KEY_FILE]'
            cand --agent-scopes 'The scope patterns an agent acting for a user may be delegated, by the user''s role (RFC 8693 token exchange). [default: none: agents acting for users get no scope] [env: PICOAUTH_AGENT_SCOPES]'
            cand --max-delegation-depth 'The most token exchanges one delegation chain may hold (1 to 16). [default: 4] [env: PICOAUTH_MAX_DELEGATION_DEPTH]'
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;keygen'= {
            cand --algorithm 'The new key''s algorithm (the first key''s, or with --rotate the next one''s); without it, the first key takes token_algorithm and a rotation keeps the active key''s algorithm'
            cand --retire 'Take a key out of the JWKS now; tokens it signed stop verifying'
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand --rotate 'Make a new key the signing key; the old one stays published for its grace period'
            cand --list 'List the keys with their state (active, grace until …, retired)'
            cand --json 'With --list: print `{"keys": [...]}`'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;users'= {
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the accounts'
            cand add 'Create an account; prints its id. The password is asked twice on a terminal'
            cand set-role 'Change an account''s role; its sessions end'
            cand passwd 'Set an account''s password; its sessions end'
            cand disable 'Disable an account: its logins are refused (403) and its sessions end'
            cand enable 'Enable a disabled account'
            cand delete 'Delete an account and its sessions; asks for confirmation on a terminal'
            cand registration 'Show whether `POST /register` is open, or open or close it for every server on the database (from its next request, across restarts)'
            cand import 'Import the accounts of a pico-auth database, keeping ids and passwords; idempotent'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'picoauth;users;list'= {
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand --json 'Print the `/users` response object instead of a table'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;users;add'= {
            cand --role 'The account''s role'
            cand --display-name 'The name shown to people'
            cand --org 'The account''s organisation (1 to 64 ASCII letters, digits, `-`, `_`, `.`) [default: default]'
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand --password-stdin 'Read the password from the first line of stdin instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;users;set-role'= {
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;users;passwd'= {
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand --password-stdin 'Read the password from the first line of stdin instead of asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;users;disable'= {
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;users;enable'= {
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;users;delete'= {
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand --yes 'Delete without asking'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;users;registration'= {
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand --enable 'Open registration'
            cand --disable 'Close registration'
            cand --json 'Print the `/users/registration` response object'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;users;import'= {
            cand --from-pico-auth 'The pico-auth SQLite file'
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;users;help'= {
            cand list 'List the accounts'
            cand add 'Create an account; prints its id. The password is asked twice on a terminal'
            cand set-role 'Change an account''s role; its sessions end'
            cand passwd 'Set an account''s password; its sessions end'
            cand disable 'Disable an account: its logins are refused (403) and its sessions end'
            cand enable 'Enable a disabled account'
            cand delete 'Delete an account and its sessions; asks for confirmation on a terminal'
            cand registration 'Show whether `POST /register` is open, or open or close it for every server on the database (from its next request, across restarts)'
            cand import 'Import the accounts of a pico-auth database, keeping ids and passwords; idempotent'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'picoauth;users;help;list'= {
        }
        &'picoauth;users;help;add'= {
        }
        &'picoauth;users;help;set-role'= {
        }
        &'picoauth;users;help;passwd'= {
        }
        &'picoauth;users;help;disable'= {
        }
        &'picoauth;users;help;enable'= {
        }
        &'picoauth;users;help;delete'= {
        }
        &'picoauth;users;help;registration'= {
        }
        &'picoauth;users;help;import'= {
        }
        &'picoauth;users;help;help'= {
        }
        &'picoauth;groups'= {
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the groups'
            cand add 'Create a group; prints its id'
            cand show 'Show a group and its members'
            cand rename 'Rename a group, or change its description'
            cand delete 'Delete a group and its memberships; tokens minted afterwards no longer carry it'
            cand members 'Add or remove members'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'picoauth;groups;list'= {
            cand --org 'Only this organisation''s groups'
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand --json 'Print the `/groups` response object instead of a table'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;groups;add'= {
            cand --description 'What the group is for'
            cand --org 'The organisation [default: default]'
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand --json 'Print the `POST /groups` response object instead of the id'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;groups;show'= {
            cand --org 'The group''s organisation: where a name is looked for, and where an id must be'
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand --json 'Print the `/groups/{id}` response object instead of a table'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;groups;rename'= {
            cand --description 'A new description'
            cand --org 'The group''s organisation: where a name is looked for, and where an id must be'
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;groups;delete'= {
            cand --org 'The group''s organisation: where a name is looked for, and where an id must be'
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;groups;members'= {
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand add 'Add an account to a group; its next token carries the group'
            cand remove 'Remove an account from a group'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'picoauth;groups;members;add'= {
            cand --org 'The group''s organisation: where a name is looked for, and where an id must be'
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;groups;members;remove'= {
            cand --org 'The group''s organisation: where a name is looked for, and where an id must be'
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;groups;members;help'= {
            cand add 'Add an account to a group; its next token carries the group'
            cand remove 'Remove an account from a group'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'picoauth;groups;members;help;add'= {
        }
        &'picoauth;groups;members;help;remove'= {
        }
        &'picoauth;groups;members;help;help'= {
        }
        &'picoauth;groups;help'= {
            cand list 'List the groups'
            cand add 'Create a group; prints its id'
            cand show 'Show a group and its members'
            cand rename 'Rename a group, or change its description'
            cand delete 'Delete a group and its memberships; tokens minted afterwards no longer carry it'
            cand members 'Add or remove members'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'picoauth;groups;help;list'= {
        }
        &'picoauth;groups;help;add'= {
        }
        &'picoauth;groups;help;show'= {
        }
        &'picoauth;groups;help;rename'= {
        }
        &'picoauth;groups;help;delete'= {
        }
        &'picoauth;groups;help;members'= {
            cand add 'Add an account to a group; its next token carries the group'
            cand remove 'Remove an account from a group'
        }
        &'picoauth;groups;help;members;add'= {
        }
        &'picoauth;groups;help;members;remove'= {
        }
        &'picoauth;groups;help;help'= {
        }
        &'picoauth;clients'= {
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand add 'Add a machine client; stdout is its secret alone, shown this once'
            cand list 'List the machine clients (never a secret)'
            cand rotate-secret 'Give a client a new secret (stdout, shown this once); the old one works for the grace period'
            cand delete 'Delete a machine client: its secrets stop working and this server refuses its tokens'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'picoauth;clients;add'= {
            cand --role 'The role its tokens carry'
            cand --scopes 'The scopes it may ask for, space-separated; a token gets all of them when it asks for none'
            cand --ttl 'Its tokens'' lifetime, e.g. 15m, 1h, 24h [default: 1h]; at most fleet_max_ttl'
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;clients;list'= {
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand --json 'Print `{clients:[{client_id, role, scopes, ttl, created_at}]}` instead of a table'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;clients;rotate-secret'= {
            cand --grace 'How long the old secret keeps working, e.g. 0, 10m, 24h [default: client_secret_grace]'
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;clients;delete'= {
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;clients;help'= {
            cand add 'Add a machine client; stdout is its secret alone, shown this once'
            cand list 'List the machine clients (never a secret)'
            cand rotate-secret 'Give a client a new secret (stdout, shown this once); the old one works for the grace period'
            cand delete 'Delete a machine client: its secrets stop working and this server refuses its tokens'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'picoauth;clients;help;add'= {
        }
        &'picoauth;clients;help;list'= {
        }
        &'picoauth;clients;help;rotate-secret'= {
        }
        &'picoauth;clients;help;delete'= {
        }
        &'picoauth;clients;help;help'= {
        }
        &'picoauth;mint-fleet'= {
            cand --session-id 'The session the token is for (its `sub` and `session_id`)'
            cand --agent-id 'The agent holding the session (`agent_id`)'
            cand --role 'The role; the CLI may mint any role'
            cand --ttl 'Lifetime, e.g. 90s, 15m, 24h, 7d [default: fleet_session_ttl]; clamped to [1m, fleet_max_ttl]'
            cand --scope 'What the token is for (`scope` claim)'
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand --json 'Print the `/fleet/sessions` response object instead of the bare token'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;revoke'= {
            cand --reason 'Why, for the denylist and whoever reads it'
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand --force 'Revoke even a jti this deployment does not know (a token living less than mint_audit_min_ttl is never audited)'
            cand --json 'Print one `/revoke` response object per jti, one per line'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;inspect'= {
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand --json 'Print one JSON object: accepted, reason, detail, header, claims, kid, key_state, revoked, revocation, mint'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;list-mints'= {
            cand --limit 'How many of the newest entries to show (at most 1000)'
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand --active 'Only tokens that are neither expired nor revoked'
            cand --json 'Print the `/mints` response object instead of a table'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;migrate-db'= {
            cand --to 'The PostgreSQL database to copy into (`postgres://…` or `postgresql://…`); it must be empty. Visible to other users of this host in the process list if it carries a password'
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand --json 'Print what was copied as JSON instead of a table'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;completions'= {
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;generate-docs'= {
            cand --config 'TOML file with settings (keys as in the README''s configuration table)'
            cand --db 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]'
            cand --key-dir 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]'
            cand --key-encryption-key-file 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]'
            cand --issuer '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]'
            cand --audience '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'picoauth;help'= {
            cand serve 'Run the HTTP API (creates the database, a signing key and the admin on first start)'
            cand keygen 'Manage the signing keys: create the first, rotate, list, retire'
            cand users 'Manage user accounts: list, add, set-role, passwd, disable, enable, delete, import, and the registration switch'
            cand groups 'Manage groups of accounts and their members: list, add, show, rename, delete, members'
            cand clients 'Manage OAuth 2.0 machine clients: add, list, rotate-secret, delete'
            cand mint-fleet 'Mint a fleet token for an agent session; stdout is the token alone'
            cand revoke 'Revoke tokens by jti (or give the whole token); a running server refuses them on their next use'
            cand inspect 'Decode a token and say whether this server would accept it now, and why not'
            cand list-mints 'Show the mint audit: every token minted with a lifetime of at least mint_audit_min_ttl'
            cand migrate-db 'Copy this SQLite deployment (db and key_dir) into an empty PostgreSQL database'
            cand completions 'Print a shell completion script'
            cand generate-docs 'Write the man pages and completion scripts into DIR/man and DIR/completions (for maintainers: `cargo run -- generate-docs .` refreshes the committed copies)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'picoauth;help;serve'= {
        }
        &'picoauth;help;keygen'= {
        }
        &'picoauth;help;users'= {
            cand list 'List the accounts'
            cand add 'Create an account; prints its id. The password is asked twice on a terminal'
            cand set-role 'Change an account''s role; its sessions end'
            cand passwd 'Set an account''s password; its sessions end'
            cand disable 'Disable an account: its logins are refused (403) and its sessions end'
            cand enable 'Enable a disabled account'
            cand delete 'Delete an account and its sessions; asks for confirmation on a terminal'
            cand registration 'Show whether `POST /register` is open, or open or close it for every server on the database (from its next request, across restarts)'
            cand import 'Import the accounts of a pico-auth database, keeping ids and passwords; idempotent'
        }
        &'picoauth;help;users;list'= {
        }
        &'picoauth;help;users;add'= {
        }
        &'picoauth;help;users;set-role'= {
        }
        &'picoauth;help;users;passwd'= {
        }
        &'picoauth;help;users;disable'= {
        }
        &'picoauth;help;users;enable'= {
        }
        &'picoauth;help;users;delete'= {
        }
        &'picoauth;help;users;registration'= {
        }
        &'picoauth;help;users;import'= {
        }
        &'picoauth;help;groups'= {
            cand list 'List the groups'
            cand add 'Create a group; prints its id'
            cand show 'Show a group and its members'
            cand rename 'Rename a group, or change its description'
            cand delete 'Delete a group and its memberships; tokens minted afterwards no longer carry it'
            cand members 'Add or remove members'
        }
        &'picoauth;help;groups;list'= {
        }
        &'picoauth;help;groups;add'= {
        }
        &'picoauth;help;groups;show'= {
        }
        &'picoauth;help;groups;rename'= {
        }
        &'picoauth;help;groups;delete'= {
        }
        &'picoauth;help;groups;members'= {
            cand add 'Add an account to a group; its next token carries the group'
            cand remove 'Remove an account from a group'
        }
        &'picoauth;help;groups;members;add'= {
        }
        &'picoauth;help;groups;members;remove'= {
        }
        &'picoauth;help;clients'= {
            cand add 'Add a machine client; stdout is its secret alone, shown this once'
            cand list 'List the machine clients (never a secret)'
            cand rotate-secret 'Give a client a new secret (stdout, shown this once); the old one works for the grace period'
            cand delete 'Delete a machine client: its secrets stop working and this server refuses its tokens'
        }
        &'picoauth;help;clients;add'= {
        }
        &'picoauth;help;clients;list'= {
        }
        &'picoauth;help;clients;rotate-secret'= {
        }
        &'picoauth;help;clients;delete'= {
        }
        &'picoauth;help;mint-fleet'= {
        }
        &'picoauth;help;revoke'= {
        }
        &'picoauth;help;inspect'= {
        }
        &'picoauth;help;list-mints'= {
        }
        &'picoauth;help;migrate-db'= {
        }
        &'picoauth;help;completions'= {
        }
        &'picoauth;help;generate-docs'= {
        }
        &'picoauth;help;help'= {
        }
    ]
    $completions[$command]
}
