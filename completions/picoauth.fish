# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_picoauth_global_optspecs
    string join \n config= db= key-dir= key-encryption-key-file= issuer= audience= h/help V/version
end

function __fish_picoauth_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_picoauth_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_picoauth_using_subcommand
    set -l cmd (__fish_picoauth_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c picoauth -n "__fish_picoauth_needs_command" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_needs_command" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_needs_command" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_needs_command" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_needs_command" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_needs_command" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_needs_command" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "serve" -d 'Run the HTTP API (creates the database, a signing key and the admin on first start)'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "keygen" -d 'Manage the signing keys: create the first, rotate, list, retire'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "users" -d 'Manage user accounts: list, add, set-role, passwd, disable, enable, delete, import, and the registration switch'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "groups" -d 'Manage groups of accounts and their members: list, add, show, rename, delete, members'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "clients" -d 'Manage OAuth 2.0 machine clients: add, list, rotate-secret, delete'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "mint-fleet" -d 'Mint a fleet token for an agent session; stdout is the token alone'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "revoke" -d 'Revoke tokens by jti (or give the whole token); a running server refuses them on their next use'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "inspect" -d 'Decode a token and say whether this server would accept it now, and why not'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "list-mints" -d 'Show the mint audit: every token minted with a lifetime of at least mint_audit_min_ttl'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "migrate-db" -d 'Copy this SQLite deployment (db and key_dir) into an empty PostgreSQL database'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "generate-docs" -d 'Write the man pages and completion scripts into DIR/man and DIR/completions (for maintainers: `cargo run -- generate-docs .` refreshes the committed copies)'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l listen -d 'Address and port `serve` binds to. [default: 127.0.0.1:8100] [env: PICOAUTH_LISTEN]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l token-algorithm -d 'Algorithm of the signing key made on first start: RS256, ML-DSA-65 or ML-DSA-87. [default: RS256] [env: PICOAUTH_TOKEN_ALGORITHM]' -r -f -a "RS256\t''
ML-DSA-65\t''
ML-DSA-87\t''"
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l access-token-ttl -d 'Lifetime of access tokens. [default: 15m] [env: PICOAUTH_ACCESS_TOKEN_TTL]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l refresh-token-ttl -d 'Absolute lifetime of a login\'s refresh chain, counted from the login. [default: 7d] [env: PICOAUTH_REFRESH_TOKEN_TTL]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l registration-enabled -d 'Whether `POST /register` is open. [default: true] [env: PICOAUTH_REGISTRATION_ENABLED]' -r -f -a "true\t''
false\t''"
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l auto-create-admin -d 'Whether the first start creates a superadmin. [default: true] [env: PICOAUTH_AUTO_CREATE_ADMIN]' -r -f -a "true\t''
false\t''"
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l admin-email -d 'Email of the superadmin the first start creates. [default: admin@pico.local] [env: PICOAUTH_ADMIN_EMAIL]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l challenge-ttl -d 'Lifetime of a wallet challenge. [default: 60s] [env: PICOAUTH_CHALLENGE_TTL]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l max-pending-challenges -d 'Wallet challenges pending at once. [default: 100000] [env: PICOAUTH_MAX_PENDING_CHALLENGES]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l wallet-algorithms -d 'Wallet algorithms accepted, comma-separated. [default: ML-DSA-65,Ed25519,secp256k1] [env: PICOAUTH_WALLET_ALGORITHMS]' -r -f -a "ML-DSA-65\t''
Ed25519\t''
secp256k1\t''"
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l wallet-subject -d 'What wallet tokens name a wallet by: `address` or `public_key`. [default: address] [env: PICOAUTH_WALLET_SUBJECT]' -r -f -a "address\t''
public_key\t''"
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l fleet-session-ttl -d 'Default lifetime of fleet tokens. [default: 24h] [env: PICOAUTH_FLEET_SESSION_TTL]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l fleet-max-ttl -d 'Longest lifetime of fleet tokens. [default: 30d] [env: PICOAUTH_FLEET_MAX_TTL]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l fleet-allowed-roles -d 'Roles the fleet secret may mint, comma-separated. [default: agent,service] [env: PICOAUTH_FLEET_ALLOWED_ROLES]' -r -f -a "superadmin\t''
org_admin\t''
operator\t''
viewer\t''
wallet\t''
agent\t''
service\t''"
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l mint-audit-min-ttl -d 'Tokens living at least this long are recorded in the mint audit; `0` records every token. [default: 5m] [env: PICOAUTH_MINT_AUDIT_MIN_TTL]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l client-secret-grace -d 'How long a machine client\'s previous secret keeps working after `clients rotate-secret`; `0` ends it at once. [default: 1h] [env: PICOAUTH_CLIENT_SECRET_GRACE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l mint-audit-retention -d 'How long the mint audit keeps a token after it has expired; `0` deletes it at expiry. [default: 90d] [env: PICOAUTH_MINT_AUDIT_RETENTION]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l log-level -d 'Log filter (`debug`, `picoauth=debug`, `audit=info`, ...); logs go to stderr. [default: info for serve, warn for the other commands] [env: PICOAUTH_LOG_LEVEL]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l log-format -d '`text`, or `json` for one JSON object per line. [default: text] [env: PICOAUTH_LOG_FORMAT]' -r -f -a "text\t''
json\t''"
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l metrics-listen -d 'Address for Prometheus metrics (`GET /metrics`). [default: off] [env: PICOAUTH_METRICS_LISTEN]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l rate-limit-per-second -d 'Requests per second one client may make to each of login, register, refresh, challenge, sign-in and fleet/sessions; `0` turns it off. [default: 100] [env: PICOAUTH_RATE_LIMIT_PER_SECOND]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l login-free-failures -d 'Wrong passwords one client may send for an account before each further attempt from it must wait (1 s, 2 s, 4 s, ...). [default: 5] [env: PICOAUTH_LOGIN_FREE_FAILURES]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l login-max-delay -d 'The longest wait after wrong passwords; there is never a permanent lockout. [default: 15m] [env: PICOAUTH_LOGIN_MAX_DELAY]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l trusted-proxies -d 'Proxies (IPs or CIDRs, comma-separated) whose `X-Forwarded-For` is believed. [default: none] [env: PICOAUTH_TRUSTED_PROXIES]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l max-connections -d 'Connections served at once. [default: 1024] [env: PICOAUTH_MAX_CONNECTIONS]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l request-timeout -d 'Time a client has to send a request\'s headers, and then its body. [default: 10s] [env: PICOAUTH_REQUEST_TIMEOUT]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l max-connections-per-client -d 'Connections one client address (an IPv6 /64) may hold at once. [default: 64] [env: PICOAUTH_MAX_CONNECTIONS_PER_CLIENT]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l tls-cert-file -d 'PEM certificate chain: with `tls_key_file`, `serve` speaks HTTPS (API.md §12). [default: none] [env: PICOAUTH_TLS_CERT_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l tls-key-file -d 'PEM private key of that certificate. [default: none] [env: PICOAUTH_TLS_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l agent-scopes -d 'The scope patterns an agent acting for a user may be delegated, by the user\'s role (RFC 8693 token exchange). [default: none: agents acting for users get no scope] [env: PICOAUTH_AGENT_SCOPES]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l max-delegation-depth -d 'The most token exchanges one delegation chain may hold (1 to 16). [default: 4] [env: PICOAUTH_MAX_DELEGATION_DEPTH]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l algorithm -d 'The new key\'s algorithm (the first key\'s, or with --rotate the next one\'s); without it, the first key takes token_algorithm and a rotation keeps the active key\'s algorithm' -r -f -a "RS256\t''
ML-DSA-65\t''
ML-DSA-87\t''"
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l retire -d 'Take a key out of the JWKS now; tokens it signed stop verifying' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l rotate -d 'Make a new key the signing key; the old one stays published for its grace period'
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l list -d 'List the keys with their state (active, grace until …, retired)'
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l json -d 'With --list: print `{"keys": [...]}`'
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete registration import help" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete registration import help" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete registration import help" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete registration import help" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete registration import help" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete registration import help" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete registration import help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete registration import help" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete registration import help" -f -a "list" -d 'List the accounts'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete registration import help" -f -a "add" -d 'Create an account; prints its id. The password is asked twice on a terminal'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete registration import help" -f -a "set-role" -d 'Change an account\'s role; its sessions end'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete registration import help" -f -a "passwd" -d 'Set an account\'s password; its sessions end'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete registration import help" -f -a "disable" -d 'Disable an account: its logins are refused (403) and its sessions end'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete registration import help" -f -a "enable" -d 'Enable a disabled account'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete registration import help" -f -a "delete" -d 'Delete an account and its sessions; asks for confirmation on a terminal'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete registration import help" -f -a "registration" -d 'Show whether `POST /register` is open, or open or close it for every server on the database (from its next request, across restarts)'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete registration import help" -f -a "import" -d 'Import the accounts of a pico-auth database, keeping ids and passwords; idempotent'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete registration import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l json -d 'Print the `/users` response object instead of a table'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l role -d 'The account\'s role' -r -f -a "superadmin\t''
org_admin\t''
operator\t''
viewer\t''"
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l display-name -d 'The name shown to people' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l org -d 'The account\'s organisation (1 to 64 ASCII letters, digits, `-`, `_`, `.`) [default: default]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l password-stdin -d 'Read the password from the first line of stdin instead of asking'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l password-stdin -d 'Read the password from the first line of stdin instead of asking'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l yes -d 'Delete without asking'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from registration" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from registration" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from registration" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from registration" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from registration" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from registration" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from registration" -l enable -d 'Open registration'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from registration" -l disable -d 'Close registration'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from registration" -l json -d 'Print the `/users/registration` response object'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from registration" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from registration" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l from-pico-auth -d 'The pico-auth SQLite file' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the accounts'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "add" -d 'Create an account; prints its id. The password is asked twice on a terminal'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "set-role" -d 'Change an account\'s role; its sessions end'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "passwd" -d 'Set an account\'s password; its sessions end'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "disable" -d 'Disable an account: its logins are refused (403) and its sessions end'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "enable" -d 'Enable a disabled account'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete an account and its sessions; asks for confirmation on a terminal'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "registration" -d 'Show whether `POST /register` is open, or open or close it for every server on the database (from its next request, across restarts)'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "import" -d 'Import the accounts of a pico-auth database, keeping ids and passwords; idempotent'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and not __fish_seen_subcommand_from list add show rename delete members help" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and not __fish_seen_subcommand_from list add show rename delete members help" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and not __fish_seen_subcommand_from list add show rename delete members help" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and not __fish_seen_subcommand_from list add show rename delete members help" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and not __fish_seen_subcommand_from list add show rename delete members help" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and not __fish_seen_subcommand_from list add show rename delete members help" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and not __fish_seen_subcommand_from list add show rename delete members help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and not __fish_seen_subcommand_from list add show rename delete members help" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and not __fish_seen_subcommand_from list add show rename delete members help" -f -a "list" -d 'List the groups'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and not __fish_seen_subcommand_from list add show rename delete members help" -f -a "add" -d 'Create a group; prints its id'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and not __fish_seen_subcommand_from list add show rename delete members help" -f -a "show" -d 'Show a group and its members'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and not __fish_seen_subcommand_from list add show rename delete members help" -f -a "rename" -d 'Rename a group, or change its description'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and not __fish_seen_subcommand_from list add show rename delete members help" -f -a "delete" -d 'Delete a group and its memberships; tokens minted afterwards no longer carry it'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and not __fish_seen_subcommand_from list add show rename delete members help" -f -a "members" -d 'Add or remove members'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and not __fish_seen_subcommand_from list add show rename delete members help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from list" -l org -d 'Only this organisation\'s groups' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from list" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from list" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from list" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from list" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from list" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from list" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from list" -l json -d 'Print the `/groups` response object instead of a table'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from add" -l description -d 'What the group is for' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from add" -l org -d 'The organisation [default: default]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from add" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from add" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from add" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from add" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from add" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from add" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from add" -l json -d 'Print the `POST /groups` response object instead of the id'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from show" -l org -d 'The group\'s organisation: where a name is looked for, and where an id must be' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from show" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from show" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from show" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from show" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from show" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from show" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from show" -l json -d 'Print the `/groups/{id}` response object instead of a table'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from rename" -l description -d 'A new description' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from rename" -l org -d 'The group\'s organisation: where a name is looked for, and where an id must be' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from rename" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from rename" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from rename" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from rename" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from rename" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from rename" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from rename" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from rename" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from delete" -l org -d 'The group\'s organisation: where a name is looked for, and where an id must be' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from delete" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from delete" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from delete" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from delete" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from delete" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from delete" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from members" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from members" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from members" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from members" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from members" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from members" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from members" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from members" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from members" -f -a "add" -d 'Add an account to a group; its next token carries the group'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from members" -f -a "remove" -d 'Remove an account from a group'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from members" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the groups'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from help" -f -a "add" -d 'Create a group; prints its id'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a group and its members'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from help" -f -a "rename" -d 'Rename a group, or change its description'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a group and its memberships; tokens minted afterwards no longer carry it'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from help" -f -a "members" -d 'Add or remove members'
complete -c picoauth -n "__fish_picoauth_using_subcommand groups; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and not __fish_seen_subcommand_from add list rotate-secret delete help" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and not __fish_seen_subcommand_from add list rotate-secret delete help" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and not __fish_seen_subcommand_from add list rotate-secret delete help" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and not __fish_seen_subcommand_from add list rotate-secret delete help" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and not __fish_seen_subcommand_from add list rotate-secret delete help" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and not __fish_seen_subcommand_from add list rotate-secret delete help" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and not __fish_seen_subcommand_from add list rotate-secret delete help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and not __fish_seen_subcommand_from add list rotate-secret delete help" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and not __fish_seen_subcommand_from add list rotate-secret delete help" -f -a "add" -d 'Add a machine client; stdout is its secret alone, shown this once'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and not __fish_seen_subcommand_from add list rotate-secret delete help" -f -a "list" -d 'List the machine clients (never a secret)'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and not __fish_seen_subcommand_from add list rotate-secret delete help" -f -a "rotate-secret" -d 'Give a client a new secret (stdout, shown this once); the old one works for the grace period'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and not __fish_seen_subcommand_from add list rotate-secret delete help" -f -a "delete" -d 'Delete a machine client: its secrets stop working and this server refuses its tokens'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and not __fish_seen_subcommand_from add list rotate-secret delete help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from add" -l role -d 'The role its tokens carry' -r -f -a "service\t''
agent\t''
operator\t''"
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from add" -l scopes -d 'The scopes it may ask for, space-separated; a token gets all of them when it asks for none' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from add" -l ttl -d 'Its tokens\' lifetime, e.g. 15m, 1h, 24h [default: 1h]; at most fleet_max_ttl' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from add" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from add" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from add" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from add" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from add" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from add" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from list" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from list" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from list" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from list" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from list" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from list" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from list" -l json -d 'Print `{clients:[{client_id, role, scopes, ttl, created_at}]}` instead of a table'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from rotate-secret" -l grace -d 'How long the old secret keeps working, e.g. 0, 10m, 24h [default: client_secret_grace]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from rotate-secret" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from rotate-secret" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from rotate-secret" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from rotate-secret" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from rotate-secret" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from rotate-secret" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from rotate-secret" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from rotate-secret" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from delete" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from delete" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from delete" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from delete" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from delete" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from delete" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a machine client; stdout is its secret alone, shown this once'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the machine clients (never a secret)'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from help" -f -a "rotate-secret" -d 'Give a client a new secret (stdout, shown this once); the old one works for the grace period'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a machine client: its secrets stop working and this server refuses its tokens'
complete -c picoauth -n "__fish_picoauth_using_subcommand clients; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l session-id -d 'The session the token is for (its `sub` and `session_id`)' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l agent-id -d 'The agent holding the session (`agent_id`)' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l role -d 'The role; the CLI may mint any role' -r -f -a "superadmin\t''
org_admin\t''
operator\t''
viewer\t''
wallet\t''
agent\t''
service\t''"
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l ttl -d 'Lifetime, e.g. 90s, 15m, 24h, 7d [default: fleet_session_ttl]; clamped to [1m, fleet_max_ttl]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l scope -d 'What the token is for (`scope` claim)' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l json -d 'Print the `/fleet/sessions` response object instead of the bare token'
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l reason -d 'Why, for the denylist and whoever reads it' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l force -d 'Revoke even a jti this deployment does not know (a token living less than mint_audit_min_ttl is never audited)'
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l json -d 'Print one `/revoke` response object per jti, one per line'
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand inspect" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand inspect" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand inspect" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand inspect" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand inspect" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand inspect" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand inspect" -l json -d 'Print one JSON object: accepted, reason, detail, header, claims, kid, key_state, revoked, revocation, mint'
complete -c picoauth -n "__fish_picoauth_using_subcommand inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand inspect" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l limit -d 'How many of the newest entries to show (at most 1000)' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l active -d 'Only tokens that are neither expired nor revoked'
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l json -d 'Print the `/mints` response object instead of a table'
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand migrate-db" -l to -d 'The PostgreSQL database to copy into (`postgres://…` or `postgresql://…`); it must be empty. Visible to other users of this host in the process list if it carries a password' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand migrate-db" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand migrate-db" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand migrate-db" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand migrate-db" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand migrate-db" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand migrate-db" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand migrate-db" -l json -d 'Print what was copied as JSON instead of a table'
complete -c picoauth -n "__fish_picoauth_using_subcommand migrate-db" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand migrate-db" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l db -d 'The SQLite database file (created mode 0600), or a `postgres://` URL for the PostgreSQL backend. [default: picoauth.db] [env: PICOAUTH_DB]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l key-dir -d 'The key directory (created mode 0700; private keys 0600). [default: keys] [env: PICOAUTH_KEY_DIR]' -r -f -a "(__fish_complete_directories)"
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l key-encryption-key-file -d 'On PostgreSQL: the file with the key-encryption key (32 random bytes in base64). [default: none] [env: PICOAUTH_KEY_ENCRYPTION_KEY_FILE]' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l issuer -d '`iss` of every token and base of the discovery URLs. [default: from listen] [env: PICOAUTH_ISSUER]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l audience -d '`aud` of every token. [default: pico] [env: PICOAUTH_AUDIENCE]' -r -f
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users groups clients mint-fleet revoke inspect list-mints migrate-db completions generate-docs help" -f -a "serve" -d 'Run the HTTP API (creates the database, a signing key and the admin on first start)'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users groups clients mint-fleet revoke inspect list-mints migrate-db completions generate-docs help" -f -a "keygen" -d 'Manage the signing keys: create the first, rotate, list, retire'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users groups clients mint-fleet revoke inspect list-mints migrate-db completions generate-docs help" -f -a "users" -d 'Manage user accounts: list, add, set-role, passwd, disable, enable, delete, import, and the registration switch'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users groups clients mint-fleet revoke inspect list-mints migrate-db completions generate-docs help" -f -a "groups" -d 'Manage groups of accounts and their members: list, add, show, rename, delete, members'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users groups clients mint-fleet revoke inspect list-mints migrate-db completions generate-docs help" -f -a "clients" -d 'Manage OAuth 2.0 machine clients: add, list, rotate-secret, delete'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users groups clients mint-fleet revoke inspect list-mints migrate-db completions generate-docs help" -f -a "mint-fleet" -d 'Mint a fleet token for an agent session; stdout is the token alone'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users groups clients mint-fleet revoke inspect list-mints migrate-db completions generate-docs help" -f -a "revoke" -d 'Revoke tokens by jti (or give the whole token); a running server refuses them on their next use'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users groups clients mint-fleet revoke inspect list-mints migrate-db completions generate-docs help" -f -a "inspect" -d 'Decode a token and say whether this server would accept it now, and why not'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users groups clients mint-fleet revoke inspect list-mints migrate-db completions generate-docs help" -f -a "list-mints" -d 'Show the mint audit: every token minted with a lifetime of at least mint_audit_min_ttl'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users groups clients mint-fleet revoke inspect list-mints migrate-db completions generate-docs help" -f -a "migrate-db" -d 'Copy this SQLite deployment (db and key_dir) into an empty PostgreSQL database'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users groups clients mint-fleet revoke inspect list-mints migrate-db completions generate-docs help" -f -a "completions" -d 'Print a shell completion script'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users groups clients mint-fleet revoke inspect list-mints migrate-db completions generate-docs help" -f -a "generate-docs" -d 'Write the man pages and completion scripts into DIR/man and DIR/completions (for maintainers: `cargo run -- generate-docs .` refreshes the committed copies)'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users groups clients mint-fleet revoke inspect list-mints migrate-db completions generate-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "list" -d 'List the accounts'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "add" -d 'Create an account; prints its id. The password is asked twice on a terminal'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "set-role" -d 'Change an account\'s role; its sessions end'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "passwd" -d 'Set an account\'s password; its sessions end'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "disable" -d 'Disable an account: its logins are refused (403) and its sessions end'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "enable" -d 'Enable a disabled account'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "delete" -d 'Delete an account and its sessions; asks for confirmation on a terminal'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "registration" -d 'Show whether `POST /register` is open, or open or close it for every server on the database (from its next request, across restarts)'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "import" -d 'Import the accounts of a pico-auth database, keeping ids and passwords; idempotent'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from groups" -f -a "list" -d 'List the groups'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from groups" -f -a "add" -d 'Create a group; prints its id'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from groups" -f -a "show" -d 'Show a group and its members'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from groups" -f -a "rename" -d 'Rename a group, or change its description'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from groups" -f -a "delete" -d 'Delete a group and its memberships; tokens minted afterwards no longer carry it'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from groups" -f -a "members" -d 'Add or remove members'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from clients" -f -a "add" -d 'Add a machine client; stdout is its secret alone, shown this once'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from clients" -f -a "list" -d 'List the machine clients (never a secret)'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from clients" -f -a "rotate-secret" -d 'Give a client a new secret (stdout, shown this once); the old one works for the grace period'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from clients" -f -a "delete" -d 'Delete a machine client: its secrets stop working and this server refuses its tokens'
