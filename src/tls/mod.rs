//! TLS over rustls (ring provider): the channel's TLS options ([`crate::config::TlsConfig`]) → a
//! `rustls::ClientConfig`, the trust sources, and the handshake with a diagnosis for each failure
//! (`handshake.rs`, `diagnose.rs`). The connection it gives is a `transport::TlsStream`, which
//! shares it between the reader thread and the writers. `tls` knows nothing of the client.
//!
//! Trust, in this order (documented in docs/tls.md): the PEM certificates of
//! [`Opt::TlsCaFile`](crate::config::Opt::TlsCaFile); plus the CA certificates inside the
//! PKCS#12 file when [`Opt::TlsTrustPkcs12Cas`](crate::config::Opt::TlsTrustPkcs12Cas) is
//! true; when neither is configured, the operating system's store. Never trust-all. Hostname
//! checking is on unless
//! [`Opt::TlsSkipHostnameVerification`](crate::config::Opt::TlsSkipHostnameVerification) is
//! true.

mod certs;
mod diagnose;
mod error;
mod handshake;
mod pem_files;
pub mod pkcs12;
mod setup;
#[cfg(test)]
mod tests;
mod verify;

pub(crate) use certs::{cert_facts, show_time};
pub(crate) use diagnose::looks_like_tls;
pub use error::{CertProblem, TlsError};
pub use handshake::HandshakeInfo;
pub(crate) use handshake::{handshake, HandshakeError};
pub use setup::TlsReport;
pub(crate) use setup::{setup, TlsSetup};
