//! Build script: tells the test code which real services were named when it was built, so that
//! a test needing a service nobody started is reported by `cargo test` as ignored, with the
//! reason, instead of counted as passed. `.ci/run` starts PostgreSQL and a Python with
//! pico-client-auth and exports their variables before `cargo test`.
//!
//! It also picks the backend of the black-box tests (`tests/util.rs`): SQLite files by default,
//! a throwaway PostgreSQL database per test with `PICOAUTH_TEST_BACKEND=postgres` (which needs
//! `PICOAUTH_TEST_POSTGRES`); tests that only make sense on SQLite are then ignored, with the
//! reason.

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

    println!("cargo::rustc-check-cfg=cfg(picoauth_test_backend_postgres)");
    println!("cargo::rerun-if-env-changed=PICOAUTH_TEST_BACKEND");
    match std::env::var("PICOAUTH_TEST_BACKEND").as_deref() {
        Err(_) | Ok("" | "sqlite") => {}
        Ok("postgres") => {
            // A PostgreSQL run without a server would fail every test; say why once, here.
            if std::env::var_os("PICOAUTH_TEST_POSTGRES").is_none_or(|value| value.is_empty()) {
                panic!(
                    "PICOAUTH_TEST_BACKEND=postgres needs PICOAUTH_TEST_POSTGRES, the admin URL \
                     of a PostgreSQL server (README: Run the tests)"
                );
            }
            println!("cargo::rustc-cfg=picoauth_test_backend_postgres");
        }
        Ok(other) => panic!(
            "PICOAUTH_TEST_BACKEND={other:?}: the black-box tests run on `sqlite` (the default) \
             or `postgres`"
        ),
    }
}
