//! HTTPS (API.md §12): the certificate and key from `tls_cert_file` and `tls_key_file`, the
//! rustls configuration, and their reloading.
//!
//! pico-client-auth refuses a plain-HTTP JWKS or denylist URL for any host but localhost, so a
//! deployment without a TLS-terminating proxy needs `serve` to speak TLS itself.
//!
//! # Invariants
//! - TLS 1.2 and 1.3 only (RFC 8996 retired 1.0 and 1.1), with rustls' aws-lc-rs provider and
//!   its default cipher suites, all with forward secrecy; no `ring`.
//! - The certificate is chosen per handshake (`Certificates` is rustls' resolver), so a reload
//!   affects the next handshake and never an open connection.
//! - A file that fails to load never replaces a working certificate: the old one is served, the
//!   failure is logged, and `/readyz` answers 503 with the reason until a good file is loaded.
//! - Key material is never logged; messages name the file, not its contents.
//! - A reload reads at most [`MAX_PEM_BYTES`] of each file, and only regular files, opened
//!   without blocking: a huge file, a FIFO or a device is a failed load (the old certificate
//!   stays, `/readyz` 503), never an unbounded read or a reloader stuck on an open.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio_rustls::TlsAcceptor;

use crate::error::{Error, ErrorKind, Result};

/// The TLS side of `serve`: what the accept loop hands each new connection to.
pub struct Tls {
    acceptor: TlsAcceptor,
    certificates: Arc<Certificates>,
}

/// The certificate in use and what the last reload found; shared by rustls (which asks it for
/// a certificate at each handshake) and the reloader.
struct Certificates {
    cert_file: PathBuf,
    key_file: PathBuf,
    provider: Arc<CryptoProvider>,
    /// What new handshakes are given.
    current: RwLock<Arc<CertifiedKey>>,
    /// The file contents last read, so that an unchanged pair is not parsed again.
    last_read: Mutex<(Vec<u8>, Vec<u8>)>,
    /// Why the files on disk are not the ones in use; `None` while they are.
    problem: Mutex<Option<String>>,
}

impl fmt::Debug for Certificates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificates")
            .field("cert_file", &self.cert_file)
            .field("key_file", &self.key_file)
            .finish_non_exhaustive()
    }
}

impl ResolvesServerCert for Certificates {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let current = self
            .current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Some(Arc::clone(&current))
    }
}

impl Tls {
    /// Loads the certificate chain and key (PEM) and builds the server configuration.
    ///
    /// # Errors
    /// `InvalidInput` naming `tls_cert_file` or `tls_key_file` if a file is unreadable, not a
    /// regular file, larger than [`MAX_PEM_BYTES`], holds no certificate or key, or the key does
    /// not belong to the certificate.
    pub fn load(cert_file: &Path, key_file: &Path) -> Result<Tls> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let (cert_pem, key_pem) = read_files(cert_file, key_file).map_err(Error::invalid_input)?;
        let certified = certified_key(&cert_pem, &key_pem, cert_file, key_file, &provider)
            .map_err(Error::invalid_input)?;
        let certificates = Arc::new(Certificates {
            cert_file: cert_file.to_owned(),
            key_file: key_file.to_owned(),
            provider: Arc::clone(&provider),
            current: RwLock::new(Arc::new(certified)),
            last_read: Mutex::new((cert_pem, key_pem)),
            problem: Mutex::new(None),
        });
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|error| {
                Error::new(ErrorKind::Internal, "cannot configure TLS").with_source(error)
            })?
            .with_no_client_auth()
            .with_cert_resolver(Arc::clone(&certificates) as Arc<dyn ResolvesServerCert>);
        // Only HTTP/1.1 is spoken; a client offering h2 first is told so (RFC 7301).
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            certificates,
        })
    }

    /// What the accept loop hands each new connection to.
    pub fn acceptor(&self) -> &TlsAcceptor {
        &self.acceptor
    }

    /// Why the certificate files on disk are not being served, if they are not: which setting
    /// names the broken file (the path and the parser's complaint are in the log).
    pub fn problem(&self) -> Option<String> {
        let problem = self
            .certificates
            .problem
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let problem = problem.as_deref()?;
        let cert_at = problem.find("tls_cert_file").unwrap_or(usize::MAX);
        let key_at = problem.find("tls_key_file").unwrap_or(usize::MAX);
        let setting = if key_at < cert_at {
            "tls_key_file"
        } else {
            "tls_cert_file"
        };
        Some(format!(
            "the file of {setting} cannot be loaded; the previous certificate is still served"
        ))
    }

    fn has_problem(&self) -> bool {
        self.certificates
            .problem
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .is_some()
    }

    /// Reads the files again and, if they changed (or `forced`, for SIGHUP), loads them for the
    /// next handshakes. A pair that does not load keeps the old certificate. Blocking file I/O:
    /// run it on the blocking pool.
    pub fn reload(&self, forced: bool, trigger: &str) {
        let certificates = &self.certificates;
        let (cert_file, key_file) = (&certificates.cert_file, &certificates.key_file);
        let outcome = read_files(cert_file, key_file).and_then(|(cert_pem, key_pem)| {
            let mut last_read = certificates
                .last_read
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let unchanged = last_read.0 == cert_pem && last_read.1 == key_pem;
            let was_broken = self.has_problem();
            if unchanged && !forced {
                return Ok(false);
            }
            if unchanged && was_broken {
                // The same bytes that failed before fail again; say so once, not every second.
                return Ok(false);
            }
            *last_read = (cert_pem.clone(), key_pem.clone());
            let certified = certified_key(
                &cert_pem,
                &key_pem,
                cert_file,
                key_file,
                &certificates.provider,
            )?;
            *certificates
                .current
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(certified);
            Ok(true)
        });
        let mut problem = certificates
            .problem
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match outcome {
            Ok(true) => {
                tracing::info!(
                    trigger,
                    cert_file = %cert_file.display(),
                    "reloaded the TLS certificate; new connections get it"
                );
                *problem = None;
            }
            Ok(false) => {}
            Err(why) => {
                if problem.as_deref() != Some(why.as_str()) {
                    tracing::error!(
                        trigger,
                        error = why,
                        "cannot reload the TLS certificate; still serving the previous one"
                    );
                }
                *problem = Some(why);
            }
        }
    }
}

/// The most bytes a certificate chain or key file may hold: a long chain is a few tens of KiB.
pub const MAX_PEM_BYTES: u64 = 1024 * 1024;

/// Reads both files; errors name the setting.
fn read_files(
    cert_file: &Path,
    key_file: &Path,
) -> std::result::Result<(Vec<u8>, Vec<u8>), String> {
    let read = |path: &Path, key: &str| {
        read_pem_file(path)
            .map_err(|error| format!("cannot read {key} {}: {error}", path.display()))
    };
    Ok((
        read(cert_file, "tls_cert_file")?,
        read(key_file, "tls_key_file")?,
    ))
}

/// Reads a regular file of at most [`MAX_PEM_BYTES`]. Opened with `O_NONBLOCK`, so a FIFO
/// with no writer does not block the open, then checked on the open handle (no race with a
/// rename): anything but a regular file is refused before a byte is read.
fn read_pem_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let mut bytes = Vec::new();
    file.take(MAX_PEM_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_PEM_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {} KiB", MAX_PEM_BYTES / 1024),
        ));
    }
    Ok(bytes)
}

/// `O_NONBLOCK` of `open(2)` (the `libc` crate is not a dependency of the binary).
#[cfg(any(target_os = "linux", target_os = "android"))]
const O_NONBLOCK: i32 = 0o4000;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const O_NONBLOCK: i32 = 0x0004;

/// The certificate chain and key from PEM text, checked to belong together.
fn certified_key(
    cert_pem: &[u8],
    key_pem: &[u8],
    cert_file: &Path,
    key_file: &Path,
    provider: &CryptoProvider,
) -> std::result::Result<CertifiedKey, String> {
    let chain = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|error| {
            format!(
                "tls_cert_file {} is not PEM certificates: {error}",
                cert_file.display()
            )
        })?;
    if chain.is_empty() {
        return Err(format!(
            "tls_cert_file {} holds no certificate",
            cert_file.display()
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|error| {
        format!(
            "tls_key_file {} holds no PEM private key: {error}",
            key_file.display()
        )
    })?;
    CertifiedKey::from_der(chain, key, provider).map_err(|error| {
        format!(
            "tls_key_file {} does not go with tls_cert_file {}: {error}",
            key_file.display(),
            cert_file.display()
        )
    })
}

/// How often the certificate files are read for changes.
const CHECK_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// Installs the SIGHUP handler [`watch`] listens to. `serve` calls it before its readiness line,
/// so that a SIGHUP sent right after that line never meets the default action (which ends the
/// process); `None` (logged) if the handler cannot be installed.
pub fn hangup_signal() -> Option<tokio::signal::unix::Signal> {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::hangup()) {
        Ok(hangup) => Some(hangup),
        Err(error) => {
            tracing::warn!(%error, "cannot listen for SIGHUP");
            None
        }
    }
}

/// Reloads the certificate when its files change (checked every second) and on SIGHUP (from the
/// handler [`hangup_signal`] installed); without TLS, a SIGHUP is logged and ignored rather than
/// ending the process. Runs until aborted.
pub async fn watch(tls: Option<Arc<Tls>>, mut hangup: Option<tokio::signal::unix::Signal>) {
    let mut interval = tokio::time::interval(CHECK_INTERVAL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let forced = tokio::select! {
            _ = interval.tick() => false,
            Some(()) = async {
                match hangup.as_mut() {
                    Some(hangup) => hangup.recv().await,
                    None => std::future::pending().await,
                }
            } => true,
        };
        let Some(tls) = tls.as_ref() else {
            if forced {
                tracing::info!("SIGHUP received; there are no TLS files to reload");
            }
            continue;
        };
        let tls = Arc::clone(tls);
        let trigger = if forced { "SIGHUP" } else { "file change" };
        if let Err(error) = tokio::task::spawn_blocking(move || tls.reload(forced, trigger)).await {
            tracing::warn!(%error, "the TLS reload task failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_of_bounded_size_are_read() {
        let dir = std::env::temp_dir().join(format!("picoauth-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let small = dir.join("small.pem");
        std::fs::write(&small, b"pem").unwrap();
        assert_eq!(read_pem_file(&small).unwrap(), b"pem");
        let exact = dir.join("exact.pem");
        std::fs::write(&exact, vec![b'a'; MAX_PEM_BYTES as usize]).unwrap();
        assert_eq!(read_pem_file(&exact).unwrap().len() as u64, MAX_PEM_BYTES);
        let large = dir.join("large.pem");
        std::fs::write(&large, vec![b'a'; MAX_PEM_BYTES as usize + 1]).unwrap();
        assert!(read_pem_file(&large).is_err());
        // A directory and a device are not regular files; /dev/zero would never end.
        assert!(read_pem_file(&dir).is_err());
        assert!(read_pem_file(Path::new("/dev/zero")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
