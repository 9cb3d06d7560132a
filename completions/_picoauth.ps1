
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'picoauth' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'picoauth'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'picoauth' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the HTTP API (creates the database, a signing key and the admin on first start)')
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Manage the signing keys: create the first, rotate, list, retire')
            [CompletionResult]::new('users', 'users', [CompletionResultType]::ParameterValue, 'Manage user accounts: list, add, set-role, passwd, disable, enable, delete, import, and the registration switch')
            [CompletionResult]::new('groups', 'groups', [CompletionResultType]::ParameterValue, 'Manage groups of accounts and their members: list, add, show, rename, delete, members')
            [CompletionResult]::new('clients', 'clients', [CompletionResultType]::ParameterValue, 'Manage OAuth 2.0 machine clients: add, list, rotate-secret, delete')
            [CompletionResult]::new('mint-fleet', 'mint-fleet', [CompletionResultType]::ParameterValue, 'Mint a fleet token for an agent session; stdout is the token alone')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke tokens by jti (or give the whole token); a running server refuses them on their next use')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Decode a token and say whether this server would accept it now, and why not')
            [CompletionResult]::new('list-mints', 'list-mints', [CompletionResultType]::ParameterValue, 'Show the mint audit: every token minted with a lifetime of at least mint_audit_min_ttl')
            [CompletionResult]::new('migrate-db', 'migrate-db', [CompletionResultType]::ParameterValue, 'Copy this SQLite deployment (db and key_dir) into an empty PostgreSQL database')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('generate-docs', 'generate-docs', [CompletionResultType]::ParameterValue, 'Write the man pages and completion scripts into DIR/man and DIR/completions (for maintainers: `cargo run -- generate-docs .` refreshes the committed copies)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'picoauth;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address and port `serve` binds to. [default: 127.0.0.1:8100] [env: PICOAUTH_LISTEN]')
            [CompletionResult]::new('--token-algorithm', '--token-algorithm', [CompletionResultType]::ParameterName, 'Algorithm of the signing key made on first start: RS256, ML-DSA-65 or ML-DSA-87. [default: RS256] [env: PICOAUTH_TOKEN_ALGORITHM]')
            [CompletionResult]::new('--access-token-ttl', '--access-token-ttl', [CompletionResultType]::ParameterName, 'Lifetime of access tokens. [default: 15m] [env: PICOAUTH_ACCESS_TOKEN_TTL]')
            [CompletionResult]::new('--refresh-token-ttl', '--refresh-token-ttl', [CompletionResultType]::ParameterName, 'Absolute lifetime of a login''s refresh chain, counted from the login. [default: 7d] [env: PICOAUTH_REFRESH_TOKEN_TTL]')
            [CompletionResult]::new('--registration-enabled', '--registration-enabled', [CompletionResultType]::ParameterName, 'Whether `POST /register` is open. [default: true] [env: PICOAUTH_REGISTRATION_ENABLED]')
            [CompletionResult]::new('--auto-create-admin', '--auto-create-admin', [CompletionResultType]::ParameterName, 'Whether the first start creates a superadmin. [default: true] [env: PICOAUTH_AUTO_CREATE_ADMIN]')
            [CompletionResult]::new('--admin-email', '--admin-email', [CompletionResultType]::ParameterName, 'Email of the superadmin the first start creates. [default: admin@pico.local] [env: PICOAUTH_ADMIN_EMAIL]')
            [CompletionResult]::new('--challenge-ttl', '--challenge-ttl', [CompletionResultType]::ParameterName, 'Lifetime of a wallet challenge. [default: 60s] [env: PICOAUTH_CHALLENGE_TTL]')
            [CompletionResult]::new('--max-pending-challenges', '--max-pending-challenges', [CompletionResultType]::ParameterName, 'Wallet challenges pending at once. [default: 100000] [env: PICOAUTH_MAX_PENDING_CHALLENGES]')
            [CompletionResult]::new('--wallet-algorithms', '--wallet-algorithms', [CompletionResultType]::ParameterName, 'Wallet algorithms accepted, comma-separated. [default: ML-DSA-65,Ed25519,secp256k1] [env: PICOAUTH_WALLET_ALGORITHMS]')
            [CompletionResult]::new('--wallet-subject', '--wallet-subject', [CompletionResultType]::ParameterName, 'What wallet tokens name a wallet by: `address` or `public_key`. [default: address] [env: PICOAUTH_WALLET_SUBJECT]')
            [CompletionResult]::new('--fleet-session-ttl', '--fleet-session-ttl', [CompletionResultType]::ParameterName, 'Default lifetime of fleet tokens. [default: 24h] [env: PICOAUTH_FLEET_SESSION_TTL]')
            [CompletionResult]::new('--fleet-max-ttl', '--fleet-max-ttl', [CompletionResultType]::ParameterName, 'Longest lifetime of fleet tokens. [default: 30d] [env: PICOAUTH_FLEET_MAX_TTL]')
            [CompletionResult]::new('--fleet-allowed-roles', '--fleet-allowed-roles', [CompletionResultType]::ParameterName, 'Roles the fleet secret may mint, comma-separated. [default: agent,service] [env: PICOAUTH_FLEET_ALLOWED_ROLES]')
            [CompletionResult]::new('--mint-audit-min-ttl', '--mint-audit-min-ttl', [CompletionResultType]::ParameterName, 'Tokens living at least this long are recorded in the mint audit; `0` records every token. [default: 5m] [env: PICOAUTH_MINT_AUDIT_MIN_TTL]')
            [CompletionResult]::new('--client-secret-grace', '--client-secret-grace', [CompletionResultType]::ParameterName, 'How long a machine client''s previous secret keeps working after `clients rotate-secret`; `0` ends it at once. [default: 1h] [env: PICOAUTH_CLIENT_SECRET_GRACE]')
            [CompletionResult]::new('--mint-audit-retention', '--mint-audit-retention', [CompletionResultType]::ParameterName, 'How long the mint audit keeps a token after it has expired; `0` deletes it at expiry. [default: 90d] [env: PICOAUTH_MINT_AUDIT_RETENTION]')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'Log filter (`debug`, `picoauth=debug`, `audit=info`, ...); logs go to stderr. [default: info for serve, warn for the other commands] [env: PICOAUTH_LOG_LEVEL]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, '`text`, or `json` for one JSON object per line. [default: text] [env: PICOAUTH_LOG_FORMAT]')
            [CompletionResult]::new('--metrics-listen', '--metrics-listen', [CompletionResultType]::ParameterName, 'Address for Prometheus metrics (`GET /metrics`). [default: off] [env: PICOAUTH_METRICS_LISTEN]')
            [CompletionResult]::new('--rate-limit-per-second', '--rate-limit-per-second', [CompletionResultType]::ParameterName, 'Requests per second one client may make to each of login, register, refresh, challenge, sign-in and fleet/sessions; `0` turns it off. [default: 100] [env: PICOAUTH_RATE_LIMIT_PER_SECOND]')
            [CompletionResult]::new('--login-free-failures', '--login-free-failures', [CompletionResultType]::ParameterName, 'Wrong passwords one client may send for an account before each further attempt from it must wait (1 s, 2 s, 4 s, ...). [default: 5] [env: PICOAUTH_LOGIN_FREE_FAILURES]')
            [CompletionResult]::new('--login-max-delay', '--login-max-delay', [CompletionResultType]::ParameterName, 'The longest wait after wrong passwords; there is never a permanent lockout. [default: 15m] [env: PICOAUTH_LOGIN_MAX_DELAY]')
            [CompletionResult]::new('--trusted-proxies', '--trusted-proxies', [CompletionResultType]::ParameterName, 'Proxies (IPs or CIDRs, comma-separated) whose `X-Forwarded-For` is believed. [default: none] [env: PICOAUTH_TRUSTED_PROXIES]')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Connections served at once. [default: 1024] [env: PICOAUTH_MAX_CONNECTIONS]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time a client has to send a request''s headers, and then its body. [default: 10s] [env: PICOAUTH_REQUEST_TIMEOUT]')
            [CompletionResult]::new('--max-connections-per-client', '--max-connections-per-client', [CompletionResultType]::ParameterName, 'Connections one client address (an IPv6 /64) may hold at once. [default: 64] [env: PICOAUTH_MAX_CONNECTIONS_PER_CLIENT]')
            [CompletionResult]::new('--tls-cert-file', '--tls-cert-file', [CompletionResultType]::ParameterName, 'PEM certificate chain: with `tls_key_file`, `serve` speaks HTTPS (API.md §12). [default: none] [env: PICOAUTH_TLS_CERT_FILE]')
            [CompletionResult]::new('--tls-key-file', '--tls-key-file', [CompletionResultType]::ParameterName, 'PEM private key of that certificate. [default: none] [env: PICOAUTH_TLS_KEY_FILE]')
            [CompletionResult]::new('--agent-scopes', '--agent-scopes', [CompletionResultType]::ParameterName, 'The scope patterns an agent acting for a user may be delegated, by the user''s role (RFC 8693 token exchange). [default: none: agents acting for users get no scope] [env: PICOAUTH_AGENT_SCOPES]')
            [CompletionResult]::new('--max-delegation-depth', '--max-delegation-depth', [CompletionResultType]::ParameterName, 'The most token exchanges one delegation chain may hold (1 to 16). [default: 4] [env: PICOAUTH_MAX_DELEGATION_DEPTH]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;keygen' {
            [CompletionResult]::new('--algorithm', '--algorithm', [CompletionResultType]::ParameterName, 'The new key''s algorithm (the first key''s, or with --rotate the next one''s); without it, the first key takes token_algorithm and a rotation keeps the active key''s algorithm')
            [CompletionResult]::new('--retire', '--retire', [CompletionResultType]::ParameterName, 'Take a key out of the JWKS now; tokens it signed stop verifying')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('--rotate', '--rotate', [CompletionResultType]::ParameterName, 'Make a new key the signing key; the old one stays published for its grace period')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List the keys with their state (active, grace until …, retired)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'With --list: print `{"keys": [...]}`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;users' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the accounts')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create an account; prints its id. The password is asked twice on a terminal')
            [CompletionResult]::new('set-role', 'set-role', [CompletionResultType]::ParameterValue, 'Change an account''s role; its sessions end')
            [CompletionResult]::new('passwd', 'passwd', [CompletionResultType]::ParameterValue, 'Set an account''s password; its sessions end')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Disable an account: its logins are refused (403) and its sessions end')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Enable a disabled account')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete an account and its sessions; asks for confirmation on a terminal')
            [CompletionResult]::new('registration', 'registration', [CompletionResultType]::ParameterValue, 'Show whether `POST /register` is open, or open or close it for every server on the database (from its next request, across restarts)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import the accounts of a pico-auth database, keeping ids and passwords; idempotent')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'picoauth;users;list' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the `/users` response object instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;users;add' {
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'The account''s role')
            [CompletionResult]::new('--display-name', '--display-name', [CompletionResultType]::ParameterName, 'The name shown to people')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The account''s organisation (1 to 64 ASCII letters, digits, `-`, `_`, `.`) [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password from the first line of stdin instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;users;set-role' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;users;passwd' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password from the first line of stdin instead of asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;users;disable' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;users;enable' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;users;delete' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Delete without asking')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;users;registration' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('--enable', '--enable', [CompletionResultType]::ParameterName, 'Open registration')
            [CompletionResult]::new('--disable', '--disable', [CompletionResultType]::ParameterName, 'Close registration')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the `/users/registration` response object')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;users;import' {
            [CompletionResult]::new('--from-pico-auth', '--from-pico-auth', [CompletionResultType]::ParameterName, 'The pico-auth SQLite file')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;users;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the accounts')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create an account; prints its id. The password is asked twice on a terminal')
            [CompletionResult]::new('set-role', 'set-role', [CompletionResultType]::ParameterValue, 'Change an account''s role; its sessions end')
            [CompletionResult]::new('passwd', 'passwd', [CompletionResultType]::ParameterValue, 'Set an account''s password; its sessions end')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Disable an account: its logins are refused (403) and its sessions end')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Enable a disabled account')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete an account and its sessions; asks for confirmation on a terminal')
            [CompletionResult]::new('registration', 'registration', [CompletionResultType]::ParameterValue, 'Show whether `POST /register` is open, or open or close it for every server on the database (from its next request, across restarts)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import the accounts of a pico-auth database, keeping ids and passwords; idempotent')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'picoauth;users;help;list' {
            break
        }
        'picoauth;users;help;add' {
            break
        }
        'picoauth;users;help;set-role' {
            break
        }
        'picoauth;users;help;passwd' {
            break
        }
        'picoauth;users;help;disable' {
            break
        }
        'picoauth;users;help;enable' {
            break
        }
        'picoauth;users;help;delete' {
            break
        }
        'picoauth;users;help;registration' {
            break
        }
        'picoauth;users;help;import' {
            break
        }
        'picoauth;users;help;help' {
            break
        }
        'picoauth;groups' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the groups')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a group; prints its id')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a group and its members')
            [CompletionResult]::new('rename', 'rename', [CompletionResultType]::ParameterValue, 'Rename a group, or change its description')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a group and its memberships; tokens minted afterwards no longer carry it')
            [CompletionResult]::new('members', 'members', [CompletionResultType]::ParameterValue, 'Add or remove members')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'picoauth;groups;list' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Only this organisation''s groups')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the `/groups` response object instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;groups;add' {
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'What the group is for')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organisation [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the `POST /groups` response object instead of the id')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;groups;show' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The group''s organisation: where a name is looked for, and where an id must be')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the `/groups/{id}` response object instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;groups;rename' {
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'A new description')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The group''s organisation: where a name is looked for, and where an id must be')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;groups;delete' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The group''s organisation: where a name is looked for, and where an id must be')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;groups;members' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add an account to a group; its next token carries the group')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove an account from a group')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'picoauth;groups;members;add' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The group''s organisation: where a name is looked for, and where an id must be')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;groups;members;remove' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The group''s organisation: where a name is looked for, and where an id must be')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;groups;members;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add an account to a group; its next token carries the group')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove an account from a group')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'picoauth;groups;members;help;add' {
            break
        }
        'picoauth;groups;members;help;remove' {
            break
        }
        'picoauth;groups;members;help;help' {
            break
        }
        'picoauth;groups;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the groups')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a group; prints its id')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a group and its members')
            [CompletionResult]::new('rename', 'rename', [CompletionResultType]::ParameterValue, 'Rename a group, or change its description')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a group and its memberships; tokens minted afterwards no longer carry it')
            [CompletionResult]::new('members', 'members', [CompletionResultType]::ParameterValue, 'Add or remove members')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'picoauth;groups;help;list' {
            break
        }
        'picoauth;groups;help;add' {
            break
        }
        'picoauth;groups;help;show' {
            break
        }
        'picoauth;groups;help;rename' {
            break
        }
        'picoauth;groups;help;delete' {
            break
        }
        'picoauth;groups;help;members' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add an account to a group; its next token carries the group')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove an account from a group')
            break
        }
        'picoauth;groups;help;members;add' {
            break
        }
        'picoauth;groups;help;members;remove' {
            break
        }
        'picoauth;groups;help;help' {
            break
        }
        'picoauth;clients' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a machine client; stdout is its secret alone, shown this once')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the machine clients (never a secret)')
            [CompletionResult]::new('rotate-secret', 'rotate-secret', [CompletionResultType]::ParameterValue, 'Give a client a new secret (stdout, shown this once); the old one works for the grace period')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a machine client: its secrets stop working and this server refuses its tokens')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'picoauth;clients;add' {
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'The role its tokens carry')
            [CompletionResult]::new('--scopes', '--scopes', [CompletionResultType]::ParameterName, 'The scopes it may ask for, space-separated; a token gets all of them when it asks for none')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Its tokens'' lifetime, e.g. 15m, 1h, 24h [default: 1h]; at most fleet_max_ttl')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;clients;list' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print `{clients:[{client_id, role, scopes, ttl, created_at}]}` instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;clients;rotate-secret' {
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'How long the old secret keeps working, e.g. 0, 10m, 24h [default: client_secret_grace]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;clients;delete' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;clients;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a machine client; stdout is its secret alone, shown this once')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the machine clients (never a secret)')
            [CompletionResult]::new('rotate-secret', 'rotate-secret', [CompletionResultType]::ParameterValue, 'Give a client a new secret (stdout, shown this once); the old one works for the grace period')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a machine client: its secrets stop working and this server refuses its tokens')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'picoauth;clients;help;add' {
            break
        }
        'picoauth;clients;help;list' {
            break
        }
        'picoauth;clients;help;rotate-secret' {
            break
        }
        'picoauth;clients;help;delete' {
            break
        }
        'picoauth;clients;help;help' {
            break
        }
        'picoauth;mint-fleet' {
            [CompletionResult]::new('--session-id', '--session-id', [CompletionResultType]::ParameterName, 'The session the token is for (its `sub` and `session_id`)')
            [CompletionResult]::new('--agent-id', '--agent-id', [CompletionResultType]::ParameterName, 'The agent holding the session (`agent_id`)')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'The role; the CLI may mint any role')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Lifetime, e.g. 90s, 15m, 24h, 7d [default: fleet_session_ttl]; clamped to [1m, fleet_max_ttl]')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'What the token is for (`scope` claim)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the `/fleet/sessions` response object instead of the bare token')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;revoke' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why, for the denylist and whoever reads it')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Revoke even a jti this deployment does not know (a token living less than mint_audit_min_ttl is never audited)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one `/revoke` response object per jti, one per line')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;inspect' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object: accepted, reason, detail, header, claims, kid, key_state, revoked, revocation, mint')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;list-mints' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many of the newest entries to show (at most 1000)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('--active', '--active', [CompletionResultType]::ParameterName, 'Only tokens that are neither expired nor revoked')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the `/mints` response object instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;migrate-db' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The PostgreSQL database to copy into (`postgres://…` or `postgresql://…`); it must be empty. Visible to other users of this host in the process list if it carries a password')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print what was copied as JSON instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;completions' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;generate-docs' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with settings (keys as in the README''s configuration table)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]')
            [CompletionResult]::new('--key-dir', '--key-dir', [CompletionResultType]::ParameterName, 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]')
            [CompletionResult]::new('--key-encryption-key-file', '--key-encryption-key-file', [CompletionResultType]::ParameterName, 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'picoauth;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the HTTP API (creates the database, a signing key and the admin on first start)')
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Manage the signing keys: create the first, rotate, list, retire')
            [CompletionResult]::new('users', 'users', [CompletionResultType]::ParameterValue, 'Manage user accounts: list, add, set-role, passwd, disable, enable, delete, import, and the registration switch')
            [CompletionResult]::new('groups', 'groups', [CompletionResultType]::ParameterValue, 'Manage groups of accounts and their members: list, add, show, rename, delete, members')
            [CompletionResult]::new('clients', 'clients', [CompletionResultType]::ParameterValue, 'Manage OAuth 2.0 machine clients: add, list, rotate-secret, delete')
            [CompletionResult]::new('mint-fleet', 'mint-fleet', [CompletionResultType]::ParameterValue, 'Mint a fleet token for an agent session; stdout is the token alone')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke tokens by jti (or give the whole token); a running server refuses them on their next use')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Decode a token and say whether this server would accept it now, and why not')
            [CompletionResult]::new('list-mints', 'list-mints', [CompletionResultType]::ParameterValue, 'Show the mint audit: every token minted with a lifetime of at least mint_audit_min_ttl')
            [CompletionResult]::new('migrate-db', 'migrate-db', [CompletionResultType]::ParameterValue, 'Copy this SQLite deployment (db and key_dir) into an empty PostgreSQL database')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('generate-docs', 'generate-docs', [CompletionResultType]::ParameterValue, 'Write the man pages and completion scripts into DIR/man and DIR/completions (for maintainers: `cargo run -- generate-docs .` refreshes the committed copies)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'picoauth;help;serve' {
            break
        }
        'picoauth;help;keygen' {
            break
        }
        'picoauth;help;users' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the accounts')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create an account; prints its id. The password is asked twice on a terminal')
            [CompletionResult]::new('set-role', 'set-role', [CompletionResultType]::ParameterValue, 'Change an account''s role; its sessions end')
            [CompletionResult]::new('passwd', 'passwd', [CompletionResultType]::ParameterValue, 'Set an account''s password; its sessions end')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Disable an account: its logins are refused (403) and its sessions end')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Enable a disabled account')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete an account and its sessions; asks for confirmation on a terminal')
            [CompletionResult]::new('registration', 'registration', [CompletionResultType]::ParameterValue, 'Show whether `POST /register` is open, or open or close it for every server on the database (from its next request, across restarts)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import the accounts of a pico-auth database, keeping ids and passwords; idempotent')
            break
        }
        'picoauth;help;users;list' {
            break
        }
        'picoauth;help;users;add' {
            break
        }
        'picoauth;help;users;set-role' {
            break
        }
        'picoauth;help;users;passwd' {
            break
        }
        'picoauth;help;users;disable' {
            break
        }
        'picoauth;help;users;enable' {
            break
        }
        'picoauth;help;users;delete' {
            break
        }
        'picoauth;help;users;registration' {
            break
        }
        'picoauth;help;users;import' {
            break
        }
        'picoauth;help;groups' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the groups')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a group; prints its id')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a group and its members')
            [CompletionResult]::new('rename', 'rename', [CompletionResultType]::ParameterValue, 'Rename a group, or change its description')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a group and its memberships; tokens minted afterwards no longer carry it')
            [CompletionResult]::new('members', 'members', [CompletionResultType]::ParameterValue, 'Add or remove members')
            break
        }
        'picoauth;help;groups;list' {
            break
        }
        'picoauth;help;groups;add' {
            break
        }
        'picoauth;help;groups;show' {
            break
        }
        'picoauth;help;groups;rename' {
            break
        }
        'picoauth;help;groups;delete' {
            break
        }
        'picoauth;help;groups;members' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add an account to a group; its next token carries the group')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove an account from a group')
            break
        }
        'picoauth;help;groups;members;add' {
            break
        }
        'picoauth;help;groups;members;remove' {
            break
        }
        'picoauth;help;clients' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a machine client; stdout is its secret alone, shown this once')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the machine clients (never a secret)')
            [CompletionResult]::new('rotate-secret', 'rotate-secret', [CompletionResultType]::ParameterValue, 'Give a client a new secret (stdout, shown this once); the old one works for the grace period')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a machine client: its secrets stop working and this server refuses its tokens')
            break
        }
        'picoauth;help;clients;add' {
            break
        }
        'picoauth;help;clients;list' {
            break
        }
        'picoauth;help;clients;rotate-secret' {
            break
        }
        'picoauth;help;clients;delete' {
            break
        }
        'picoauth;help;mint-fleet' {
            break
        }
        'picoauth;help;revoke' {
            break
        }
        'picoauth;help;inspect' {
            break
        }
        'picoauth;help;list-mints' {
            break
        }
        'picoauth;help;migrate-db' {
            break
        }
        'picoauth;help;completions' {
            break
        }
        'picoauth;help;generate-docs' {
            break
        }
        'picoauth;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
