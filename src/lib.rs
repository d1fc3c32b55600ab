//! esme: an SMPP 3.4 client (ESME) library.
//!
//! Layers, bottom up (see CONTRIBUTING.md, "Layout"):
//! - [`pdu`]: sans-IO codec: framing, every SMPP 3.4 PDU, TLVs, status codes.
//! - [`text`]: GSM 03.38, Latin-1, UCS-2, segmentation and reassembly.
//! - [`receipt`]: delivery receipt parsing.
//! - [`sim`]: an SMSC simulator (SMPP server) for tests, demos and benchmarks.
//! - [`config`]: channel configuration (Genesys SMS driver option names).
//! - [`session`]: the sans-IO SMPP session; [`client`]: the blocking client on top of it.
//! - [`tls`]: TLS configuration, client identities (PKCS#12 files), the handshake and its
//!   diagnosis; `transport`: the socket (TCP or TLS) both `client` and `tls` use, a leaf.
//! - [`pii`]: PII masking of message text (Genesys DataByGroup / DataByRule / DataByRegEx).
//! - [`trace`]: the masked one-line-per-PDU log of the client and the simulator.
//! - `ffi`: the C ABI (the only place `unsafe` is allowed).
#![deny(unsafe_code)]
#![warn(missing_debug_implementations)]

// Only `ffi` is C API: cbindgen skips the other modules.
/// cbindgen:ignore
pub mod client;
/// cbindgen:ignore
pub mod config;
/// cbindgen:ignore
pub mod error;
pub mod ffi;
/// cbindgen:ignore
mod files;
/// cbindgen:ignore
mod idhash;
/// cbindgen:ignore
pub mod log;
/// cbindgen:ignore
pub mod pdu;
/// cbindgen:ignore
pub mod pii;
/// cbindgen:ignore
pub mod receipt;
/// cbindgen:ignore
pub mod session;
/// cbindgen:ignore
pub mod sim;
/// cbindgen:ignore
pub mod text;
/// cbindgen:ignore
pub mod tls;
/// cbindgen:ignore
pub mod trace;
/// cbindgen:ignore
mod transport;

pub use client::{Client, Event, Message, Outcome};
pub use error::Error;

/// The README's Rust examples, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The Rust examples of docs/client.md, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/client.md")]
pub struct ClientDocDoctests;

/// The Rust examples of docs/configuration.md, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/configuration.md")]
pub struct ConfigurationDocDoctests;

/// The Rust examples of docs/pii.md, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/pii.md")]
pub struct PiiDocDoctests;
