//! Fuzzes configuration resolution: any config file text, environment value or flag value is
//! either a valid configuration or an `InvalidInput` error, never a panic.
//!
//! The input is tried as the whole TOML file, and as a duration. Its first line is also
//! given as the value of one setting (picked by the first byte) through the environment and
//! as a flag, with the rest as the file, so values reach every parser behind `Config::resolve`.

#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use picoauth::config::{Config, Flag, Layers, SETTINGS, parse_duration};
use picoauth::error::ErrorKind;

/// The longest duration `parse_duration` accepts.
const HUNDRED_YEARS: u64 = 100 * 365 * 24 * 60 * 60;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    if let Ok(seconds) = parse_duration(&text) {
        assert!(
            (1..=HUNDRED_YEARS).contains(&seconds),
            "parse_duration({text:?}) = {seconds}"
        );
    }

    check(&Layers {
        flags: Vec::new(),
        env: &|_| None,
        file: Some((PathBuf::from("fuzz.toml"), text.clone().into_owned())),
    });

    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let rest = String::from_utf8_lossy(rest);
    let (value, file) = rest.split_once('\n').unwrap_or((&rest, ""));
    let setting = &SETTINGS[usize::from(selector) % SETTINGS.len()];
    let key = setting.key;
    let variable = setting.env();
    check(&Layers {
        flags: Vec::new(),
        env: &|name| (name == variable).then(|| value.to_owned()),
        file: Some((PathBuf::from("fuzz.toml"), file.to_owned())),
    });
    let flagged = check(&Layers {
        flags: vec![(key, value.to_owned())],
        env: &|_| None,
        file: None,
    });
    if setting.flag == Flag::Never {
        assert!(flagged.is_none(), "the secret {key} was accepted as a flag");
    }
});

/// Resolves, and checks what must hold of any configuration that resolves.
fn check(layers: &Layers<'_>) -> Option<Config> {
    match Config::resolve(layers) {
        Ok(config) => {
            assert!(config.fleet_session_ttl <= config.fleet_max_ttl);
            for ttl in [
                config.access_token_ttl,
                config.refresh_token_ttl,
                config.challenge_ttl,
                config.fleet_session_ttl,
                config.fleet_max_ttl,
                config.mint_audit_min_ttl,
            ] {
                assert!((1..=HUNDRED_YEARS).contains(&ttl), "ttl {ttl}");
            }
            assert!(config.issuer.starts_with("http://") || config.issuer.starts_with("https://"));
            assert!(!config.audience.is_empty());
            // Secrets never show in Debug output.
            for secret in config
                .fleet_mint_secrets
                .iter()
                .chain([&config.admin_password])
            {
                assert_eq!(format!("{secret:?}"), "[redacted]");
            }
            Some(config)
        }
        Err(error) => {
            assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
            None
        }
    }
}
