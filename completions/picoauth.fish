# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_picoauth_global_optspecs
    string join \n config= listen= db= key-dir= issuer= audience= access-token-ttl= refresh-token-ttl= registration-enabled= auto-create-admin= admin-email= challenge-ttl= wallet-algorithms= fleet-session-ttl= fleet-max-ttl= fleet-allowed-roles= mint-audit-min-ttl= log-level= log-format= metrics-listen= rate-limit-per-second= login-free-failures= login-max-delay= trusted-proxies= max-connections= request-timeout= max-connections-per-client= tls-cert-file= tls-key-file= h/help V/version
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
complete -c picoauth -n "__fish_picoauth_needs_command" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info for serve, warn otherwise]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l log-format -d 'Log lines as text or json [default: text]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l metrics-listen -d 'Address for Prometheus metrics (GET /metrics) [default: off]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l rate-limit-per-second -d 'Requests per second per client IP to each abuse-prone endpoint, 0 for no limit [default: 100]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l login-free-failures -d 'Wrong passwords before each further one doubles the wait [default: 5]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l login-max-delay -d 'The longest wait after wrong passwords [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l trusted-proxies -d 'Proxies whose X-Forwarded-For is believed, comma-separated IPs or CIDRs [default: none]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l max-connections -d 'Connections served at once [default: 1024]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l request-timeout -d 'Time allowed to send a request\'s headers, and its body [default: 10s]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l max-connections-per-client -d 'Connections one client address may hold; trusted proxies are exempt [default: 64]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l tls-cert-file -d 'PEM certificate chain: serve HTTPS (with --tls-key-file) [default: plain HTTP]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -l tls-key-file -d 'PEM private key of --tls-cert-file [default: none]' -r
complete -c picoauth -n "__fish_picoauth_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_needs_command" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "serve" -d 'Run the HTTP API (creates the database, a signing key and the admin on first start)'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "keygen" -d 'Manage the signing keys: create the first, rotate, list, retire'
complete -c picoauth -n "__fish_picoauth_needs_command" -f -a "users" -d 'Manage user accounts: list, add, set-role, passwd, disable, enable, delete, import'
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
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info for serve, warn otherwise]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l log-format -d 'Log lines as text or json [default: text]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l metrics-listen -d 'Address for Prometheus metrics (GET /metrics) [default: off]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l rate-limit-per-second -d 'Requests per second per client IP to each abuse-prone endpoint, 0 for no limit [default: 100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l login-free-failures -d 'Wrong passwords before each further one doubles the wait [default: 5]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l login-max-delay -d 'The longest wait after wrong passwords [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l trusted-proxies -d 'Proxies whose X-Forwarded-For is believed, comma-separated IPs or CIDRs [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l max-connections -d 'Connections served at once [default: 1024]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l request-timeout -d 'Time allowed to send a request\'s headers, and its body [default: 10s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l max-connections-per-client -d 'Connections one client address may hold; trusted proxies are exempt [default: 64]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l tls-cert-file -d 'PEM certificate chain: serve HTTPS (with --tls-key-file) [default: plain HTTP]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -l tls-key-file -d 'PEM private key of --tls-cert-file [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -s h -l help -d 'Print help'
complete -c picoauth -n "__fish_picoauth_using_subcommand serve" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l retire -d 'Take a key out of the JWKS now; tokens it signed stop verifying' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l listen -d 'Address and port to listen on [default: 127.0.0.1:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l db -d 'SQLite database file [default: picoauth.db]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l key-dir -d 'Directory of the signing keys [default: keys]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l issuer -d '`iss` of every token; resource servers must use the same string [default: http://localhost:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l audience -d '`aud` of every token [default: pico]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l access-token-ttl -d 'Lifetime of access tokens, e.g. 15m [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l refresh-token-ttl -d 'Absolute lifetime of a login\'s refresh chain [default: 7d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l registration-enabled -d 'Whether POST /register is open [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l auto-create-admin -d 'Whether the first start creates a superadmin [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l admin-email -d 'Email of the bootstrapped superadmin [default: admin@pico.local]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l challenge-ttl -d 'Lifetime of a wallet challenge [default: 60s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l wallet-algorithms -d 'Wallet algorithms accepted, comma-separated [default: ML-DSA-65,Ed25519,secp256k1]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l fleet-session-ttl -d 'Default lifetime of fleet tokens [default: 24h]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l fleet-max-ttl -d 'Longest lifetime of fleet tokens [default: 30d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l fleet-allowed-roles -d 'Roles the fleet secret may mint, comma-separated [default: agent,service]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l mint-audit-min-ttl -d 'Tokens living at least this long are audited [default: 5m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info for serve, warn otherwise]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l log-format -d 'Log lines as text or json [default: text]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l metrics-listen -d 'Address for Prometheus metrics (GET /metrics) [default: off]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l rate-limit-per-second -d 'Requests per second per client IP to each abuse-prone endpoint, 0 for no limit [default: 100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l login-free-failures -d 'Wrong passwords before each further one doubles the wait [default: 5]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l login-max-delay -d 'The longest wait after wrong passwords [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l trusted-proxies -d 'Proxies whose X-Forwarded-For is believed, comma-separated IPs or CIDRs [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l max-connections -d 'Connections served at once [default: 1024]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l request-timeout -d 'Time allowed to send a request\'s headers, and its body [default: 10s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l max-connections-per-client -d 'Connections one client address may hold; trusted proxies are exempt [default: 64]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l tls-cert-file -d 'PEM certificate chain: serve HTTPS (with --tls-key-file) [default: plain HTTP]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l tls-key-file -d 'PEM private key of --tls-cert-file [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l rotate -d 'Make a new key the signing key; the old one stays published for its grace period'
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l list -d 'List the keys with their state (active, grace until …, retired)'
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -l json -d 'With --list: print `{"keys": [...]}`'
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c picoauth -n "__fish_picoauth_using_subcommand keygen" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l listen -d 'Address and port to listen on [default: 127.0.0.1:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l db -d 'SQLite database file [default: picoauth.db]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l key-dir -d 'Directory of the signing keys [default: keys]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l issuer -d '`iss` of every token; resource servers must use the same string [default: http://localhost:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l audience -d '`aud` of every token [default: pico]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l access-token-ttl -d 'Lifetime of access tokens, e.g. 15m [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l refresh-token-ttl -d 'Absolute lifetime of a login\'s refresh chain [default: 7d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l registration-enabled -d 'Whether POST /register is open [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l auto-create-admin -d 'Whether the first start creates a superadmin [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l admin-email -d 'Email of the bootstrapped superadmin [default: admin@pico.local]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l challenge-ttl -d 'Lifetime of a wallet challenge [default: 60s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l wallet-algorithms -d 'Wallet algorithms accepted, comma-separated [default: ML-DSA-65,Ed25519,secp256k1]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l fleet-session-ttl -d 'Default lifetime of fleet tokens [default: 24h]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l fleet-max-ttl -d 'Longest lifetime of fleet tokens [default: 30d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l fleet-allowed-roles -d 'Roles the fleet secret may mint, comma-separated [default: agent,service]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l mint-audit-min-ttl -d 'Tokens living at least this long are audited [default: 5m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info for serve, warn otherwise]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l log-format -d 'Log lines as text or json [default: text]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l metrics-listen -d 'Address for Prometheus metrics (GET /metrics) [default: off]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l rate-limit-per-second -d 'Requests per second per client IP to each abuse-prone endpoint, 0 for no limit [default: 100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l login-free-failures -d 'Wrong passwords before each further one doubles the wait [default: 5]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l login-max-delay -d 'The longest wait after wrong passwords [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l trusted-proxies -d 'Proxies whose X-Forwarded-For is believed, comma-separated IPs or CIDRs [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l max-connections -d 'Connections served at once [default: 1024]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l request-timeout -d 'Time allowed to send a request\'s headers, and its body [default: 10s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l max-connections-per-client -d 'Connections one client address may hold; trusted proxies are exempt [default: 64]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l tls-cert-file -d 'PEM certificate chain: serve HTTPS (with --tls-key-file) [default: plain HTTP]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -l tls-key-file -d 'PEM private key of --tls-cert-file [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -s h -l help -d 'Print help'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -f -a "list" -d 'List the accounts'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -f -a "add" -d 'Create an account; prints its id. The password is asked twice on a terminal'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -f -a "set-role" -d 'Change an account\'s role; its sessions end'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -f -a "passwd" -d 'Set an account\'s password; its sessions end'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -f -a "disable" -d 'Disable an account: its logins are refused (403) and its sessions end'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -f -a "enable" -d 'Enable a disabled account'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -f -a "delete" -d 'Delete an account and its sessions; asks for confirmation on a terminal'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -f -a "import" -d 'Import the accounts of a pico-auth database, keeping ids and passwords; idempotent'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and not __fish_seen_subcommand_from list add set-role passwd disable enable delete import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l listen -d 'Address and port to listen on [default: 127.0.0.1:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l db -d 'SQLite database file [default: picoauth.db]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l key-dir -d 'Directory of the signing keys [default: keys]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l issuer -d '`iss` of every token; resource servers must use the same string [default: http://localhost:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l audience -d '`aud` of every token [default: pico]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l access-token-ttl -d 'Lifetime of access tokens, e.g. 15m [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l refresh-token-ttl -d 'Absolute lifetime of a login\'s refresh chain [default: 7d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l registration-enabled -d 'Whether POST /register is open [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l auto-create-admin -d 'Whether the first start creates a superadmin [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l admin-email -d 'Email of the bootstrapped superadmin [default: admin@pico.local]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l challenge-ttl -d 'Lifetime of a wallet challenge [default: 60s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l wallet-algorithms -d 'Wallet algorithms accepted, comma-separated [default: ML-DSA-65,Ed25519,secp256k1]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l fleet-session-ttl -d 'Default lifetime of fleet tokens [default: 24h]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l fleet-max-ttl -d 'Longest lifetime of fleet tokens [default: 30d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l fleet-allowed-roles -d 'Roles the fleet secret may mint, comma-separated [default: agent,service]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l mint-audit-min-ttl -d 'Tokens living at least this long are audited [default: 5m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info for serve, warn otherwise]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l log-format -d 'Log lines as text or json [default: text]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l metrics-listen -d 'Address for Prometheus metrics (GET /metrics) [default: off]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l rate-limit-per-second -d 'Requests per second per client IP to each abuse-prone endpoint, 0 for no limit [default: 100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l login-free-failures -d 'Wrong passwords before each further one doubles the wait [default: 5]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l login-max-delay -d 'The longest wait after wrong passwords [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l trusted-proxies -d 'Proxies whose X-Forwarded-For is believed, comma-separated IPs or CIDRs [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l max-connections -d 'Connections served at once [default: 1024]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l request-timeout -d 'Time allowed to send a request\'s headers, and its body [default: 10s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l max-connections-per-client -d 'Connections one client address may hold; trusted proxies are exempt [default: 64]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l tls-cert-file -d 'PEM certificate chain: serve HTTPS (with --tls-key-file) [default: plain HTTP]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l tls-key-file -d 'PEM private key of --tls-cert-file [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -l json -d 'Print the `/users` response object instead of a table'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l role -d 'superadmin, org_admin, operator or viewer' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l display-name -d 'The name shown to people' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l listen -d 'Address and port to listen on [default: 127.0.0.1:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l db -d 'SQLite database file [default: picoauth.db]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l key-dir -d 'Directory of the signing keys [default: keys]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l issuer -d '`iss` of every token; resource servers must use the same string [default: http://localhost:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l audience -d '`aud` of every token [default: pico]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l access-token-ttl -d 'Lifetime of access tokens, e.g. 15m [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l refresh-token-ttl -d 'Absolute lifetime of a login\'s refresh chain [default: 7d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l registration-enabled -d 'Whether POST /register is open [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l auto-create-admin -d 'Whether the first start creates a superadmin [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l admin-email -d 'Email of the bootstrapped superadmin [default: admin@pico.local]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l challenge-ttl -d 'Lifetime of a wallet challenge [default: 60s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l wallet-algorithms -d 'Wallet algorithms accepted, comma-separated [default: ML-DSA-65,Ed25519,secp256k1]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l fleet-session-ttl -d 'Default lifetime of fleet tokens [default: 24h]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l fleet-max-ttl -d 'Longest lifetime of fleet tokens [default: 30d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l fleet-allowed-roles -d 'Roles the fleet secret may mint, comma-separated [default: agent,service]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l mint-audit-min-ttl -d 'Tokens living at least this long are audited [default: 5m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info for serve, warn otherwise]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l log-format -d 'Log lines as text or json [default: text]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l metrics-listen -d 'Address for Prometheus metrics (GET /metrics) [default: off]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l rate-limit-per-second -d 'Requests per second per client IP to each abuse-prone endpoint, 0 for no limit [default: 100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l login-free-failures -d 'Wrong passwords before each further one doubles the wait [default: 5]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l login-max-delay -d 'The longest wait after wrong passwords [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l trusted-proxies -d 'Proxies whose X-Forwarded-For is believed, comma-separated IPs or CIDRs [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l max-connections -d 'Connections served at once [default: 1024]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l request-timeout -d 'Time allowed to send a request\'s headers, and its body [default: 10s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l max-connections-per-client -d 'Connections one client address may hold; trusted proxies are exempt [default: 64]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l tls-cert-file -d 'PEM certificate chain: serve HTTPS (with --tls-key-file) [default: plain HTTP]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l tls-key-file -d 'PEM private key of --tls-cert-file [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -l password-stdin -d 'Read the password from the first line of stdin instead of asking'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l listen -d 'Address and port to listen on [default: 127.0.0.1:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l db -d 'SQLite database file [default: picoauth.db]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l key-dir -d 'Directory of the signing keys [default: keys]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l issuer -d '`iss` of every token; resource servers must use the same string [default: http://localhost:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l audience -d '`aud` of every token [default: pico]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l access-token-ttl -d 'Lifetime of access tokens, e.g. 15m [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l refresh-token-ttl -d 'Absolute lifetime of a login\'s refresh chain [default: 7d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l registration-enabled -d 'Whether POST /register is open [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l auto-create-admin -d 'Whether the first start creates a superadmin [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l admin-email -d 'Email of the bootstrapped superadmin [default: admin@pico.local]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l challenge-ttl -d 'Lifetime of a wallet challenge [default: 60s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l wallet-algorithms -d 'Wallet algorithms accepted, comma-separated [default: ML-DSA-65,Ed25519,secp256k1]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l fleet-session-ttl -d 'Default lifetime of fleet tokens [default: 24h]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l fleet-max-ttl -d 'Longest lifetime of fleet tokens [default: 30d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l fleet-allowed-roles -d 'Roles the fleet secret may mint, comma-separated [default: agent,service]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l mint-audit-min-ttl -d 'Tokens living at least this long are audited [default: 5m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info for serve, warn otherwise]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l log-format -d 'Log lines as text or json [default: text]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l metrics-listen -d 'Address for Prometheus metrics (GET /metrics) [default: off]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l rate-limit-per-second -d 'Requests per second per client IP to each abuse-prone endpoint, 0 for no limit [default: 100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l login-free-failures -d 'Wrong passwords before each further one doubles the wait [default: 5]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l login-max-delay -d 'The longest wait after wrong passwords [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l trusted-proxies -d 'Proxies whose X-Forwarded-For is believed, comma-separated IPs or CIDRs [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l max-connections -d 'Connections served at once [default: 1024]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l request-timeout -d 'Time allowed to send a request\'s headers, and its body [default: 10s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l max-connections-per-client -d 'Connections one client address may hold; trusted proxies are exempt [default: 64]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l tls-cert-file -d 'PEM certificate chain: serve HTTPS (with --tls-key-file) [default: plain HTTP]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -l tls-key-file -d 'PEM private key of --tls-cert-file [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -s h -l help -d 'Print help'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from set-role" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l listen -d 'Address and port to listen on [default: 127.0.0.1:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l db -d 'SQLite database file [default: picoauth.db]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l key-dir -d 'Directory of the signing keys [default: keys]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l issuer -d '`iss` of every token; resource servers must use the same string [default: http://localhost:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l audience -d '`aud` of every token [default: pico]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l access-token-ttl -d 'Lifetime of access tokens, e.g. 15m [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l refresh-token-ttl -d 'Absolute lifetime of a login\'s refresh chain [default: 7d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l registration-enabled -d 'Whether POST /register is open [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l auto-create-admin -d 'Whether the first start creates a superadmin [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l admin-email -d 'Email of the bootstrapped superadmin [default: admin@pico.local]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l challenge-ttl -d 'Lifetime of a wallet challenge [default: 60s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l wallet-algorithms -d 'Wallet algorithms accepted, comma-separated [default: ML-DSA-65,Ed25519,secp256k1]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l fleet-session-ttl -d 'Default lifetime of fleet tokens [default: 24h]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l fleet-max-ttl -d 'Longest lifetime of fleet tokens [default: 30d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l fleet-allowed-roles -d 'Roles the fleet secret may mint, comma-separated [default: agent,service]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l mint-audit-min-ttl -d 'Tokens living at least this long are audited [default: 5m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info for serve, warn otherwise]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l log-format -d 'Log lines as text or json [default: text]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l metrics-listen -d 'Address for Prometheus metrics (GET /metrics) [default: off]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l rate-limit-per-second -d 'Requests per second per client IP to each abuse-prone endpoint, 0 for no limit [default: 100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l login-free-failures -d 'Wrong passwords before each further one doubles the wait [default: 5]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l login-max-delay -d 'The longest wait after wrong passwords [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l trusted-proxies -d 'Proxies whose X-Forwarded-For is believed, comma-separated IPs or CIDRs [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l max-connections -d 'Connections served at once [default: 1024]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l request-timeout -d 'Time allowed to send a request\'s headers, and its body [default: 10s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l max-connections-per-client -d 'Connections one client address may hold; trusted proxies are exempt [default: 64]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l tls-cert-file -d 'PEM certificate chain: serve HTTPS (with --tls-key-file) [default: plain HTTP]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l tls-key-file -d 'PEM private key of --tls-cert-file [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -l password-stdin -d 'Read the password from the first line of stdin instead of asking'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -s h -l help -d 'Print help'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from passwd" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l listen -d 'Address and port to listen on [default: 127.0.0.1:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l db -d 'SQLite database file [default: picoauth.db]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l key-dir -d 'Directory of the signing keys [default: keys]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l issuer -d '`iss` of every token; resource servers must use the same string [default: http://localhost:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l audience -d '`aud` of every token [default: pico]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l access-token-ttl -d 'Lifetime of access tokens, e.g. 15m [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l refresh-token-ttl -d 'Absolute lifetime of a login\'s refresh chain [default: 7d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l registration-enabled -d 'Whether POST /register is open [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l auto-create-admin -d 'Whether the first start creates a superadmin [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l admin-email -d 'Email of the bootstrapped superadmin [default: admin@pico.local]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l challenge-ttl -d 'Lifetime of a wallet challenge [default: 60s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l wallet-algorithms -d 'Wallet algorithms accepted, comma-separated [default: ML-DSA-65,Ed25519,secp256k1]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l fleet-session-ttl -d 'Default lifetime of fleet tokens [default: 24h]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l fleet-max-ttl -d 'Longest lifetime of fleet tokens [default: 30d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l fleet-allowed-roles -d 'Roles the fleet secret may mint, comma-separated [default: agent,service]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l mint-audit-min-ttl -d 'Tokens living at least this long are audited [default: 5m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info for serve, warn otherwise]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l log-format -d 'Log lines as text or json [default: text]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l metrics-listen -d 'Address for Prometheus metrics (GET /metrics) [default: off]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l rate-limit-per-second -d 'Requests per second per client IP to each abuse-prone endpoint, 0 for no limit [default: 100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l login-free-failures -d 'Wrong passwords before each further one doubles the wait [default: 5]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l login-max-delay -d 'The longest wait after wrong passwords [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l trusted-proxies -d 'Proxies whose X-Forwarded-For is believed, comma-separated IPs or CIDRs [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l max-connections -d 'Connections served at once [default: 1024]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l request-timeout -d 'Time allowed to send a request\'s headers, and its body [default: 10s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l max-connections-per-client -d 'Connections one client address may hold; trusted proxies are exempt [default: 64]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l tls-cert-file -d 'PEM certificate chain: serve HTTPS (with --tls-key-file) [default: plain HTTP]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -l tls-key-file -d 'PEM private key of --tls-cert-file [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -s h -l help -d 'Print help'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from disable" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l listen -d 'Address and port to listen on [default: 127.0.0.1:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l db -d 'SQLite database file [default: picoauth.db]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l key-dir -d 'Directory of the signing keys [default: keys]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l issuer -d '`iss` of every token; resource servers must use the same string [default: http://localhost:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l audience -d '`aud` of every token [default: pico]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l access-token-ttl -d 'Lifetime of access tokens, e.g. 15m [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l refresh-token-ttl -d 'Absolute lifetime of a login\'s refresh chain [default: 7d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l registration-enabled -d 'Whether POST /register is open [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l auto-create-admin -d 'Whether the first start creates a superadmin [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l admin-email -d 'Email of the bootstrapped superadmin [default: admin@pico.local]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l challenge-ttl -d 'Lifetime of a wallet challenge [default: 60s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l wallet-algorithms -d 'Wallet algorithms accepted, comma-separated [default: ML-DSA-65,Ed25519,secp256k1]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l fleet-session-ttl -d 'Default lifetime of fleet tokens [default: 24h]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l fleet-max-ttl -d 'Longest lifetime of fleet tokens [default: 30d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l fleet-allowed-roles -d 'Roles the fleet secret may mint, comma-separated [default: agent,service]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l mint-audit-min-ttl -d 'Tokens living at least this long are audited [default: 5m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info for serve, warn otherwise]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l log-format -d 'Log lines as text or json [default: text]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l metrics-listen -d 'Address for Prometheus metrics (GET /metrics) [default: off]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l rate-limit-per-second -d 'Requests per second per client IP to each abuse-prone endpoint, 0 for no limit [default: 100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l login-free-failures -d 'Wrong passwords before each further one doubles the wait [default: 5]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l login-max-delay -d 'The longest wait after wrong passwords [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l trusted-proxies -d 'Proxies whose X-Forwarded-For is believed, comma-separated IPs or CIDRs [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l max-connections -d 'Connections served at once [default: 1024]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l request-timeout -d 'Time allowed to send a request\'s headers, and its body [default: 10s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l max-connections-per-client -d 'Connections one client address may hold; trusted proxies are exempt [default: 64]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l tls-cert-file -d 'PEM certificate chain: serve HTTPS (with --tls-key-file) [default: plain HTTP]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -l tls-key-file -d 'PEM private key of --tls-cert-file [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -s h -l help -d 'Print help'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from enable" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l listen -d 'Address and port to listen on [default: 127.0.0.1:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l db -d 'SQLite database file [default: picoauth.db]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l key-dir -d 'Directory of the signing keys [default: keys]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l issuer -d '`iss` of every token; resource servers must use the same string [default: http://localhost:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l audience -d '`aud` of every token [default: pico]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l access-token-ttl -d 'Lifetime of access tokens, e.g. 15m [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l refresh-token-ttl -d 'Absolute lifetime of a login\'s refresh chain [default: 7d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l registration-enabled -d 'Whether POST /register is open [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l auto-create-admin -d 'Whether the first start creates a superadmin [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l admin-email -d 'Email of the bootstrapped superadmin [default: admin@pico.local]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l challenge-ttl -d 'Lifetime of a wallet challenge [default: 60s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l wallet-algorithms -d 'Wallet algorithms accepted, comma-separated [default: ML-DSA-65,Ed25519,secp256k1]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l fleet-session-ttl -d 'Default lifetime of fleet tokens [default: 24h]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l fleet-max-ttl -d 'Longest lifetime of fleet tokens [default: 30d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l fleet-allowed-roles -d 'Roles the fleet secret may mint, comma-separated [default: agent,service]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l mint-audit-min-ttl -d 'Tokens living at least this long are audited [default: 5m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info for serve, warn otherwise]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l log-format -d 'Log lines as text or json [default: text]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l metrics-listen -d 'Address for Prometheus metrics (GET /metrics) [default: off]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l rate-limit-per-second -d 'Requests per second per client IP to each abuse-prone endpoint, 0 for no limit [default: 100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l login-free-failures -d 'Wrong passwords before each further one doubles the wait [default: 5]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l login-max-delay -d 'The longest wait after wrong passwords [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l trusted-proxies -d 'Proxies whose X-Forwarded-For is believed, comma-separated IPs or CIDRs [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l max-connections -d 'Connections served at once [default: 1024]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l request-timeout -d 'Time allowed to send a request\'s headers, and its body [default: 10s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l max-connections-per-client -d 'Connections one client address may hold; trusted proxies are exempt [default: 64]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l tls-cert-file -d 'PEM certificate chain: serve HTTPS (with --tls-key-file) [default: plain HTTP]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l tls-key-file -d 'PEM private key of --tls-cert-file [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -l yes -d 'Delete without asking'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l from-pico-auth -d 'The pico-auth SQLite file' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l config -d 'TOML file with settings (keys as in the README\'s configuration table)' -r -F
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l listen -d 'Address and port to listen on [default: 127.0.0.1:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l db -d 'SQLite database file [default: picoauth.db]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l key-dir -d 'Directory of the signing keys [default: keys]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l issuer -d '`iss` of every token; resource servers must use the same string [default: http://localhost:8100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l audience -d '`aud` of every token [default: pico]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l access-token-ttl -d 'Lifetime of access tokens, e.g. 15m [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l refresh-token-ttl -d 'Absolute lifetime of a login\'s refresh chain [default: 7d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l registration-enabled -d 'Whether POST /register is open [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l auto-create-admin -d 'Whether the first start creates a superadmin [default: true]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l admin-email -d 'Email of the bootstrapped superadmin [default: admin@pico.local]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l challenge-ttl -d 'Lifetime of a wallet challenge [default: 60s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l wallet-algorithms -d 'Wallet algorithms accepted, comma-separated [default: ML-DSA-65,Ed25519,secp256k1]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l fleet-session-ttl -d 'Default lifetime of fleet tokens [default: 24h]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l fleet-max-ttl -d 'Longest lifetime of fleet tokens [default: 30d]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l fleet-allowed-roles -d 'Roles the fleet secret may mint, comma-separated [default: agent,service]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l mint-audit-min-ttl -d 'Tokens living at least this long are audited [default: 5m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info for serve, warn otherwise]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l log-format -d 'Log lines as text or json [default: text]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l metrics-listen -d 'Address for Prometheus metrics (GET /metrics) [default: off]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l rate-limit-per-second -d 'Requests per second per client IP to each abuse-prone endpoint, 0 for no limit [default: 100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l login-free-failures -d 'Wrong passwords before each further one doubles the wait [default: 5]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l login-max-delay -d 'The longest wait after wrong passwords [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l trusted-proxies -d 'Proxies whose X-Forwarded-For is believed, comma-separated IPs or CIDRs [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l max-connections -d 'Connections served at once [default: 1024]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l request-timeout -d 'Time allowed to send a request\'s headers, and its body [default: 10s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l max-connections-per-client -d 'Connections one client address may hold; trusted proxies are exempt [default: 64]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l tls-cert-file -d 'PEM certificate chain: serve HTTPS (with --tls-key-file) [default: plain HTTP]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -l tls-key-file -d 'PEM private key of --tls-cert-file [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the accounts'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "add" -d 'Create an account; prints its id. The password is asked twice on a terminal'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "set-role" -d 'Change an account\'s role; its sessions end'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "passwd" -d 'Set an account\'s password; its sessions end'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "disable" -d 'Disable an account: its logins are refused (403) and its sessions end'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "enable" -d 'Enable a disabled account'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete an account and its sessions; asks for confirmation on a terminal'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "import" -d 'Import the accounts of a pico-auth database, keeping ids and passwords; idempotent'
complete -c picoauth -n "__fish_picoauth_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
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
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info for serve, warn otherwise]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l log-format -d 'Log lines as text or json [default: text]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l metrics-listen -d 'Address for Prometheus metrics (GET /metrics) [default: off]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l rate-limit-per-second -d 'Requests per second per client IP to each abuse-prone endpoint, 0 for no limit [default: 100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l login-free-failures -d 'Wrong passwords before each further one doubles the wait [default: 5]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l login-max-delay -d 'The longest wait after wrong passwords [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l trusted-proxies -d 'Proxies whose X-Forwarded-For is believed, comma-separated IPs or CIDRs [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l max-connections -d 'Connections served at once [default: 1024]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l request-timeout -d 'Time allowed to send a request\'s headers, and its body [default: 10s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l max-connections-per-client -d 'Connections one client address may hold; trusted proxies are exempt [default: 64]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l tls-cert-file -d 'PEM certificate chain: serve HTTPS (with --tls-key-file) [default: plain HTTP]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand mint-fleet" -l tls-key-file -d 'PEM private key of --tls-cert-file [default: none]' -r
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
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info for serve, warn otherwise]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l log-format -d 'Log lines as text or json [default: text]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l metrics-listen -d 'Address for Prometheus metrics (GET /metrics) [default: off]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l rate-limit-per-second -d 'Requests per second per client IP to each abuse-prone endpoint, 0 for no limit [default: 100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l login-free-failures -d 'Wrong passwords before each further one doubles the wait [default: 5]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l login-max-delay -d 'The longest wait after wrong passwords [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l trusted-proxies -d 'Proxies whose X-Forwarded-For is believed, comma-separated IPs or CIDRs [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l max-connections -d 'Connections served at once [default: 1024]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l request-timeout -d 'Time allowed to send a request\'s headers, and its body [default: 10s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l max-connections-per-client -d 'Connections one client address may hold; trusted proxies are exempt [default: 64]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l tls-cert-file -d 'PEM certificate chain: serve HTTPS (with --tls-key-file) [default: plain HTTP]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand revoke" -l tls-key-file -d 'PEM private key of --tls-cert-file [default: none]' -r
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
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info for serve, warn otherwise]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l log-format -d 'Log lines as text or json [default: text]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l metrics-listen -d 'Address for Prometheus metrics (GET /metrics) [default: off]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l rate-limit-per-second -d 'Requests per second per client IP to each abuse-prone endpoint, 0 for no limit [default: 100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l login-free-failures -d 'Wrong passwords before each further one doubles the wait [default: 5]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l login-max-delay -d 'The longest wait after wrong passwords [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l trusted-proxies -d 'Proxies whose X-Forwarded-For is believed, comma-separated IPs or CIDRs [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l max-connections -d 'Connections served at once [default: 1024]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l request-timeout -d 'Time allowed to send a request\'s headers, and its body [default: 10s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l max-connections-per-client -d 'Connections one client address may hold; trusted proxies are exempt [default: 64]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l tls-cert-file -d 'PEM certificate chain: serve HTTPS (with --tls-key-file) [default: plain HTTP]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand list-mints" -l tls-key-file -d 'PEM private key of --tls-cert-file [default: none]' -r
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
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info for serve, warn otherwise]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l log-format -d 'Log lines as text or json [default: text]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l metrics-listen -d 'Address for Prometheus metrics (GET /metrics) [default: off]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l rate-limit-per-second -d 'Requests per second per client IP to each abuse-prone endpoint, 0 for no limit [default: 100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l login-free-failures -d 'Wrong passwords before each further one doubles the wait [default: 5]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l login-max-delay -d 'The longest wait after wrong passwords [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l trusted-proxies -d 'Proxies whose X-Forwarded-For is believed, comma-separated IPs or CIDRs [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l max-connections -d 'Connections served at once [default: 1024]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l request-timeout -d 'Time allowed to send a request\'s headers, and its body [default: 10s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l max-connections-per-client -d 'Connections one client address may hold; trusted proxies are exempt [default: 64]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l tls-cert-file -d 'PEM certificate chain: serve HTTPS (with --tls-key-file) [default: plain HTTP]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand completions" -l tls-key-file -d 'PEM private key of --tls-cert-file [default: none]' -r
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
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l log-level -d 'Log filter, e.g. info, debug, picoauth=debug [default: info for serve, warn otherwise]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l log-format -d 'Log lines as text or json [default: text]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l metrics-listen -d 'Address for Prometheus metrics (GET /metrics) [default: off]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l rate-limit-per-second -d 'Requests per second per client IP to each abuse-prone endpoint, 0 for no limit [default: 100]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l login-free-failures -d 'Wrong passwords before each further one doubles the wait [default: 5]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l login-max-delay -d 'The longest wait after wrong passwords [default: 15m]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l trusted-proxies -d 'Proxies whose X-Forwarded-For is believed, comma-separated IPs or CIDRs [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l max-connections -d 'Connections served at once [default: 1024]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l request-timeout -d 'Time allowed to send a request\'s headers, and its body [default: 10s]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l max-connections-per-client -d 'Connections one client address may hold; trusted proxies are exempt [default: 64]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l tls-cert-file -d 'PEM certificate chain: serve HTTPS (with --tls-key-file) [default: plain HTTP]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -l tls-key-file -d 'PEM private key of --tls-cert-file [default: none]' -r
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -s h -l help -d 'Print help'
complete -c picoauth -n "__fish_picoauth_using_subcommand generate-docs" -s V -l version -d 'Print version'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users mint-fleet revoke list-mints completions generate-docs help" -f -a "serve" -d 'Run the HTTP API (creates the database, a signing key and the admin on first start)'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users mint-fleet revoke list-mints completions generate-docs help" -f -a "keygen" -d 'Manage the signing keys: create the first, rotate, list, retire'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users mint-fleet revoke list-mints completions generate-docs help" -f -a "users" -d 'Manage user accounts: list, add, set-role, passwd, disable, enable, delete, import'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users mint-fleet revoke list-mints completions generate-docs help" -f -a "mint-fleet" -d 'Mint a fleet token for an agent session; stdout is the token alone'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users mint-fleet revoke list-mints completions generate-docs help" -f -a "revoke" -d 'Revoke tokens by jti; a running server refuses them on their next use'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users mint-fleet revoke list-mints completions generate-docs help" -f -a "list-mints" -d 'Show the mint audit: every token minted with a lifetime of at least mint_audit_min_ttl'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users mint-fleet revoke list-mints completions generate-docs help" -f -a "completions" -d 'Print a shell completion script'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users mint-fleet revoke list-mints completions generate-docs help" -f -a "generate-docs" -d 'Write the man pages and completion scripts into DIR/man and DIR/completions (for maintainers: `cargo run -- generate-docs .` refreshes the committed copies)'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and not __fish_seen_subcommand_from serve keygen users mint-fleet revoke list-mints completions generate-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "list" -d 'List the accounts'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "add" -d 'Create an account; prints its id. The password is asked twice on a terminal'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "set-role" -d 'Change an account\'s role; its sessions end'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "passwd" -d 'Set an account\'s password; its sessions end'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "disable" -d 'Disable an account: its logins are refused (403) and its sessions end'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "enable" -d 'Enable a disabled account'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "delete" -d 'Delete an account and its sessions; asks for confirmation on a terminal'
complete -c picoauth -n "__fish_picoauth_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "import" -d 'Import the accounts of a pico-auth database, keeping ids and passwords; idempotent'
