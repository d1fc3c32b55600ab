//! TLS over rustls (ring provider): the channel's TLS options ([`crate::config::TlsConfig`]) → a
//! `rustls::ClientConfig` (`setup.rs`), the trust and its pinning (`verify.rs`), our client
//! certificate given when asked (`resolver.rs`), the handshake (`handshake.rs`) recording what
//! it shows (`evidence.rs`), and a diagnosis for each failure decided from that evidence
//! (`diagnose.rs`, `error.rs`); `probe.rs` asks a port whether it speaks TLS. The connection
//! it gives is a `transport::TlsStream`, which shares it between the reader thread and the
//! writers. `tls` knows nothing of the client.
//!
//! The trust order is described once, in docs/tls.md ("Trust") and at `setup()`: the CA file
//! when set, else the system store plus the PKCS#12 file's trust entries, plus its CAs with
//! [`Opt::TlsTrustPkcs12Cas`](crate::config::Opt::TlsTrustPkcs12Cas). Never trust-all.

mod certs;
mod diagnose;
mod error;
mod evidence;
mod handshake;
mod pem_files;
pub mod pkcs12;
mod probe;
mod resolver;
mod setup;
#[cfg(test)]
mod tests;
mod verify;

pub use certs::days_left;
pub(crate) use certs::{cert_facts, show_time};
pub(crate) use diagnose::{describe_smpp, looks_like_tls};
pub use error::{CertProblem, TlsError};
pub use handshake::HandshakeInfo;
pub(crate) use handshake::{handshake, HandshakeError};
pub(crate) use probe::answers_tls;
pub use setup::TlsReport;
pub(crate) use setup::{setup, TlsSetup};
