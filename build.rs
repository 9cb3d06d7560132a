//! Build script: tells the test code which real services were named when it was built, so that
//! a test needing a service nobody started is reported by `cargo test` as ignored, with the
//! reason, instead of counted as passed. `.ci/run` starts PostgreSQL and a Python with
//! pico-client-auth and exports their variables before `cargo test`.

fn main() {
    for (variable, cfg) in [
        ("PICOAUTH_TEST_POSTGRES", "picoauth_test_postgres"),
        ("PICOAUTH_TEST_PYTHON", "picoauth_test_python"),
    ] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        println!("cargo::rerun-if-env-changed={variable}");
        if std::env::var_os(variable).is_some_and(|value| !value.is_empty()) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
