//! The socket: a connected byte stream, plain TCP ([`Tcp`]) or TLS ([`TlsStream`]), shared by
//! one reader and writers (any thread, one at a time). A leaf: it imports neither the client
//! (which drives it) nor `tls` (which builds the TLS configuration, runs the handshake and
//! diagnoses its failures); it returns I/O errors (over TLS, a `rustls::Error` inside).
//!
//! Files: `stream.rs` the [`Transport`] trait both streams implement, and plain TCP;
//! `tls.rs` the TLS stream.

mod stream;
mod tls;

pub(crate) use stream::{is_timeout, AfterHandshake, Tcp, Transport};
pub(crate) use tls::TlsStream;
