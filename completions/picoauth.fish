# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_picoauth_global_optspecs
    string join \n config= listen= db= key-dir= issuer= audience= access-token-ttl= refresh-token-ttl= registration-enabled= auto-create-admin= admin-email= challenge-ttl= wallet-algorithms= fleet-session-ttl= fleet-max-ttl= fleet-allowed-roles= mint-audit-min-ttl= log-level= h/help V/version
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
complete -c picoauth -n "__fish_picoauth_needs_command" -l listen -d 'Address and port to listen on [default: 127.0.0.1:8100]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l db -d 'SQLite database file [default: picoauth.db]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l key-dir -d 'Directory of the signing keys [default: keys]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l issuer -d '`iss` of every token; resource servers must use the same string [default: http://localhost:8100]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l audience -d '`aud` of every token [default: pico]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l access-token-ttl -d 'Lifetime of access tokens, e.g. 15m [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l refresh-token-ttl -d 'Absolute lifetime of a login\'s refresh chain [default: 7d]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l registration-enabled -d 'Whether POST /register is open [default: true]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l auto-create-admin -d 'Whether the first start creates a superadmin [default: true]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l admin-email -d 'Email of the bootstrapped superadmin [default: admin@pico.local]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l challenge-ttl -d 'Lifetime of a wallet challenge [default: 60s]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l wallet-algorithms -d 'Wallet algorithms accepted, comma-separated [default: ML-DSA-65,Ed25519,secp256k1]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l fleet-session-ttl -d 'Default lifetime of fleet tokens [default: 24h]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l fleet-max-ttl -d 'Longest lifetime of fleet tokens [default: 30d]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l fleet-allowed-roles -d 'Roles the fleet secret may mint, comma-separated [default: agent,service]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l mint-audit-min-ttl -d 'Tokens living at least this long are audited [default: 5m]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_needs_command" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "serve" -d 'Run the HTTP API (creates the database, a signing key and the admin on first start)'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "mint-fleet" -d 'Mint a fleet token for an agent session; stdout is the token alone'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "revoke" -d 'Revoke tokens by jti; a running server refuses them on their next use'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "list-mints" -d 'Show the mint audit: every token minted with a lifetime of at least mint_audit_min_ttl'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "generate-docs" -d 'Write the man pages and completion scripts into DIR/man and DIR/completions (for maintainers: `cargo run -- generate-docs .` refreshes the committed copies)'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l listen -d 'Address and port to listen on [default: 127.0.0.1:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l db -d 'SQLite database file [default: picoauth.db]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l key-dir -d 'Directory of the signing keys [default: keys]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l issuer -d '`iss` of every token; resource servers must use the same string [default: http://localhost:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l audience -d '`aud` of every token [default: pico]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l access-token-ttl -d 'Lifetime of access tokens, e.g. 15m [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l refresh-token-ttl -d 'Absolute lifetime of a login\'s refresh chain [default: 7d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l registration-enabled -d 'Whether POST /register is open [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l auto-create-admin -d 'Whether the first start creates a superadmin [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l admin-email -d 'Email of the bootstrapped superadmin [default: admin@pico.local]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l challenge-ttl -d 'Lifetime of a wallet challenge [default: 60s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l wallet-algorithms -d 'Wallet algorithms accepted, comma-separated [default: ML-DSA-65,Ed25519,secp256k1]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l fleet-session-ttl -d 'Default lifetime of fleet tokens [default: 24h]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l fleet-max-ttl -d 'Longest lifetime of fleet tokens [default: 30d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l fleet-allowed-roles -d 'Roles the fleet secret may mint, comma-separated [default: agent,service]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l mint-audit-min-ttl -d 'Tokens living at least this long are audited [default: 5m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -s h -l help -d 'Print help'
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l session-id -d 'The session the token is for (its `sub` and `session_id`)' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l agent-id -d 'The agent holding the session (`agent_id`)' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l role -d 'The role; the CLI may mint any role' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l ttl -d 'Lifetime, e.g. 90s, 15m, 24h, 7d [default: fleet_session_ttl]; clamped to [1m, fleet_max_ttl]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l scope -d 'What the token is for (`scope` claim)' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l listen -d 'Address and port to listen on [default: 127.0.0.1:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l db -d 'SQLite database file [default: picoauth.db]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l key-dir -d 'Directory of the signing keys [default: keys]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l issuer -d '`iss` of every token; resource servers must use the same string [default: http://localhost:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l audience -d '`aud` of every token [default: pico]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l access-token-ttl -d 'Lifetime of access tokens, e.g. 15m [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l refresh-token-ttl -d 'Absolute lifetime of a login\'s refresh chain [default: 7d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l registration-enabled -d 'Whether POST /register is open [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l auto-create-admin -d 'Whether the first start creates a superadmin [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l admin-email -d 'Email of the bootstrapped superadmin [default: admin@pico.local]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l challenge-ttl -d 'Lifetime of a wallet challenge [default: 60s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l wallet-algorithms -d 'Wallet algorithms accepted, comma-separated [default: ML-DSA-65,Ed25519,secp256k1]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l fleet-session-ttl -d 'Default lifetime of fleet tokens [default: 24h]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l fleet-max-ttl -d 'Longest lifetime of fleet tokens [default: 30d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l fleet-allowed-roles -d 'Roles the fleet secret may mint, comma-separated [default: agent,service]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l mint-audit-min-ttl -d 'Tokens living at least this long are audited [default: 5m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l json -d 'Print the `/fleet/sessions` response object instead of the bare token'
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l reason -d 'Why, for the denylist and whoever reads it' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l listen -d 'Address and port to listen on [default: 127.0.0.1:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l db -d 'SQLite database file [default: picoauth.db]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l key-dir -d 'Directory of the signing keys [default: keys]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l issuer -d '`iss` of every token; resource servers must use the same string [default: http://localhost:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l audience -d '`aud` of every token [default: pico]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l access-token-ttl -d 'Lifetime of access tokens, e.g. 15m [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l refresh-token-ttl -d 'Absolute lifetime of a login\'s refresh chain [default: 7d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l registration-enabled -d 'Whether POST /register is open [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l auto-create-admin -d 'Whether the first start creates a superadmin [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l admin-email -d 'Email of the bootstrapped superadmin [default: admin@pico.local]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l challenge-ttl -d 'Lifetime of a wallet challenge [default: 60s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l wallet-algorithms -d 'Wallet algorithms accepted, comma-separated [default: ML-DSA-65,Ed25519,secp256k1]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l fleet-session-ttl -d 'Default lifetime of fleet tokens [default: 24h]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l fleet-max-ttl -d 'Longest lifetime of fleet tokens [default: 30d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l fleet-allowed-roles -d 'Roles the fleet secret may mint, comma-separated [default: agent,service]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l mint-audit-min-ttl -d 'Tokens living at least this long are audited [default: 5m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l json -d 'Print one `/revoke` response object per jti, one per line'
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l limit -d 'How many of the newest entries to show (at most 1000)' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l listen -d 'Address and port to listen on [default: 127.0.0.1:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l db -d 'SQLite database file [default: picoauth.db]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l key-dir -d 'Directory of the signing keys [default: keys]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l issuer -d '`iss` of every token; resource servers must use the same string [default: http://localhost:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l audience -d '`aud` of every token [default: pico]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l access-token-ttl -d 'Lifetime of access tokens, e.g. 15m [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l refresh-token-ttl -d 'Absolute lifetime of a login\'s refresh chain [default: 7d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l registration-enabled -d 'Whether POST /register is open [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l auto-create-admin -d 'Whether the first start creates a superadmin [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l admin-email -d 'Email of the bootstrapped superadmin [default: admin@pico.local]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l challenge-ttl -d 'Lifetime of a wallet challenge [default: 60s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l wallet-algorithms -d 'Wallet algorithms accepted, comma-separated [default: ML-DSA-65,Ed25519,secp256k1]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l fleet-session-ttl -d 'Default lifetime of fleet tokens [default: 24h]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l fleet-max-ttl -d 'Longest lifetime of fleet tokens [default: 30d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l fleet-allowed-roles -d 'Roles the fleet secret may mint, comma-separated [default: agent,service]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l mint-audit-min-ttl -d 'Tokens living at least this long are audited [default: 5m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l active -d 'Only tokens that are neither expired nor revoked'
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l json -d 'Print the `/mints` response object instead of a table'
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -s h -l help -d 'Print help'
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l listen -d 'Address and port to listen on [default: 127.0.0.1:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l db -d 'SQLite database file [default: picoauth.db]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l key-dir -d 'Directory of the signing keys [default: keys]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l issuer -d '`iss` of every token; resource servers must use the same string [default: http://localhost:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l audience -d '`aud` of every token [default: pico]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l access-token-ttl -d 'Lifetime of access tokens, e.g. 15m [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l refresh-token-ttl -d 'Absolute lifetime of a login\'s refresh chain [default: 7d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l registration-enabled -d 'Whether POST /register is open [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l auto-create-admin -d 'Whether the first start creates a superadmin [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l admin-email -d 'Email of the bootstrapped superadmin [default: admin@pico.local]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l challenge-ttl -d 'Lifetime of a wallet challenge [default: 60s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l wallet-algorithms -d 'Wallet algorithms accepted, comma-separated [default: ML-DSA-65,Ed25519,secp256k1]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l fleet-session-ttl -d 'Default lifetime of fleet tokens [default: 24h]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l fleet-max-ttl -d 'Longest lifetime of fleet tokens [default: 30d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l fleet-allowed-roles -d 'Roles the fleet secret may mint, comma-separated [default: agent,service]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l mint-audit-min-ttl -d 'Tokens living at least this long are audited [default: 5m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -s h -l help -d 'Print help'
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l listen -d 'Address and port to listen on [default: 127.0.0.1:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l db -d 'SQLite database file [default: picoauth.db]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l key-dir -d 'Directory of the signing keys [default: keys]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l issuer -d '`iss` of every token; resource servers must use the same string [default: http://localhost:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l audience -d '`aud` of every token [default: pico]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l access-token-ttl -d 'Lifetime of access tokens, e.g. 15m [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l refresh-token-ttl -d 'Absolute lifetime of a login\'s refresh chain [default: 7d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l registration-enabled -d 'Whether POST /register is open [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l auto-create-admin -d 'Whether the first start creates a superadmin [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l admin-email -d 'Email of the bootstrapped superadmin [default: admin@pico.local]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l challenge-ttl -d 'Lifetime of a wallet challenge [default: 60s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l wallet-algorithms -d 'Wallet algorithms accepted, comma-separated [default: ML-DSA-65,Ed25519,secp256k1]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l fleet-session-ttl -d 'Default lifetime of fleet tokens [default: 24h]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l fleet-max-ttl -d 'Longest lifetime of fleet tokens [default: 30d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l fleet-allowed-roles -d 'Roles the fleet secret may mint, comma-separated [default: agent,service]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l mint-audit-min-ttl -d 'Tokens living at least this long are audited [default: 5m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -s h -l help -d 'Print help'
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve mint-fleet revoke list-mints completions generate-docs help" -f -a "serve" -d 'Run the HTTP API (creates the database, a signing key and the admin on first start)'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve mint-fleet revoke list-mints completions generate-docs help" -f -a "mint-fleet" -d 'Mint a fleet token for an agent session; stdout is the token alone'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve mint-fleet revoke list-mints completions generate-docs help" -f -a "revoke" -d 'Revoke tokens by jti; a running server refuses them on their next use'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve mint-fleet revoke list-mints completions generate-docs help" -f -a "list-mints" -d 'Show the mint audit: every token minted with a lifetime of at least mint_audit_min_ttl'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve mint-fleet revoke list-mints completions generate-docs help" -f -a "completions" -d 'Print a shell completion script'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve mint-fleet revoke list-mints completions generate-docs help" -f -a "generate-docs" -d 'Write the man pages and completion scripts into DIR/man and DIR/completions (for maintainers: `cargo run -- generate-docs .` refreshes the committed copies)'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve mint-fleet revoke list-mints completions generate-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
