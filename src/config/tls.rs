//! The TLS material a configuration names, read and checked at load like token files: the
//! listener's certificate chain and private key (`[tls]`), and the certificate authorities the
//! upstream client trusts (`[client]`). Every failure names the absolute path it tried; none
//! ever quotes a key file's contents (a PEM parser's message can quote the line it choked on,
//! so key errors are reworded, never passed through).

use rustls::RootCertStore;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;

/// The protocols the listener offers over ALPN, preferred first.
pub const ALPN: [&[u8]; 2] = [b"h2", b"http/1.1"];

/// The crypto provider every rustls configuration here is built on: ring, as for the client.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Reads every certificate of a PEM file; one without any is an error.
pub fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let shown = path.display();
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("{shown}: {}", pem_error(&e)))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{shown}: {}", pem_error(&e)))?;
    if certs.is_empty() {
        return Err(format!("{shown}: no PEM certificate in it"));
    }
    Ok(certs)
}

/// Reads the first private key of a PEM file (PKCS#8, PKCS#1 or SEC1).
pub fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, String> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| {
        let why = match e {
            pem::Error::Io(io) => io.to_string(),
            pem::Error::NoItemsFound => {
                "no PEM private key in it (PKCS#8, PKCS#1 or SEC1)".to_owned()
            }
            // The parser's own message may quote the file's bytes: never for a key.
            _ => "not a readable PEM private key".to_owned(),
        };
        format!("{}: {why}", path.display())
    })
}

fn pem_error(e: &pem::Error) -> String {
    match e {
        pem::Error::Io(io) => io.to_string(),
        pem::Error::NoItemsFound => "no PEM certificate in it".to_owned(),
        other => format!("not a readable PEM file ({other})"),
    }
}

/// The listener's rustls configuration from a certificate chain and its key, offering HTTP/2
/// and HTTP/1.1 over ALPN. Errors are `(key, message)` pairs.
pub fn server_config(
    cert_file: &Path,
    key_file: &Path,
) -> Result<rustls::ServerConfig, Vec<(&'static str, String)>> {
    let certs = certificates(cert_file).map_err(|m| ("tls.cert_file", m));
    let key = private_key(key_file).map_err(|m| ("tls.key_file", m));
    let (certs, key) = match (certs, key) {
        (Ok(c), Ok(k)) => (c, k),
        (c, k) => return Err(c.err().into_iter().chain(k.err()).collect()),
    };
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| vec![("tls", e.to_string())])?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| {
            vec![(
                "tls.key_file",
                format!(
                    "{}: does not go with the certificate in {} ({})",
                    key_file.display(),
                    cert_file.display(),
                    key_mismatch(&e)
                ),
            )]
        })?;
    config.alpn_protocols = ALPN.iter().map(|p| p.to_vec()).collect();
    Ok(config)
}

/// A rustls error about a key, said without the key.
fn key_mismatch(e: &rustls::Error) -> String {
    match e {
        rustls::Error::InconsistentKeys(_) => "the key is not the certificate's".into(),
        rustls::Error::General(m) => m.clone(),
        _ => "the key cannot sign for the certificate".into(),
    }
}

/// Problems by configuration key: `(key, message)`.
pub type Problems = Vec<(String, String)>;

/// The client's trust anchors: the bundled web PKI roots, the system store when asked, and
/// every certificate of `ca_files`. Also returns a fingerprint of what was added, so that a
/// reload can tell a changed CA file. Errors are `(key, message)` pairs.
pub fn client_roots(
    system_roots: bool,
    ca_files: &[std::path::PathBuf],
) -> Result<(RootCertStore, [u8; 32]), Problems> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let mut problems = Vec::new();
    let mut digest = Sha256::new();
    digest.update([u8::from(system_roots)]);
    if system_roots {
        let found = rustls_native_certs::load_native_certs();
        if found.certs.is_empty() {
            let why = found
                .errors
                .first()
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            problems.push((
                "client.system_roots".to_owned(),
                format!("no certificate was found in the system store{why}"),
            ));
        }
        // A system store holds the odd certificate webpki cannot parse; the others are kept.
        roots.add_parsable_certificates(found.certs);
    }
    for (i, file) in ca_files.iter().enumerate() {
        let key = format!("client.ca_files[{i}]");
        match certificates(file) {
            Ok(certs) => {
                for cert in certs {
                    digest.update(cert.as_ref());
                    if let Err(e) = roots.add(cert) {
                        problems.push((
                            key.clone(),
                            format!("{}: a certificate is not a usable CA ({e})", file.display()),
                        ));
                    }
                }
            }
            Err(m) => problems.push((key, m)),
        }
    }
    if problems.is_empty() {
        Ok((roots, digest.finalize().into()))
    } else {
        Err(problems)
    }
}
