//! Does a port speak TLS? A ClientHello on a fresh connection (nothing secret in it), and a
//! look at the first octets of the answer. Used when a plain SMPP bind met a close or a reset
//! without a word: a TLS record in answer to the hello names a TLS port.

use super::diagnose::looks_like_tls;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

/// What the port answered a TLS hello with, when it is TLS (`a TLS handshake record`, `a TLS
/// alert record`); `None` when it answered nothing within `timeout`, closed, or answered
/// something else.
pub(crate) fn answers_tls(sock: TcpStream, timeout: Duration) -> Option<String> {
    let config = rustls::ClientConfig::builder_with_provider(super::setup::provider())
        .with_safe_default_protocol_versions()
        .ok()?
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("esme-probe.invalid").ok()?;
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name).ok()?;
    let mut hello = Vec::new();
    while conn.wants_write() {
        conn.write_tls(&mut hello).ok()?;
    }
    let _ = sock.set_write_timeout(Some(timeout));
    let _ = sock.set_read_timeout(Some(timeout));
    (&sock).write_all(&hello).ok()?;
    let mut head = [0u8; 5];
    let mut got = 0;
    while got < head.len() {
        match (&sock).read(&mut head[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    let _ = sock.shutdown(std::net::Shutdown::Both);
    looks_like_tls(&head[..got]).then(|| {
        format!(
            "a TLS {} record",
            if head[0] == 0x15 {
                "alert"
            } else {
                "handshake"
            }
        )
    })
}
