//! An SMSC simulator: a real SMPP 3.4 server over TCP, for tests, demos and benchmarks.
//!
//! ```
//! use esme::sim::{SimConfig, Smsc};
//! let smsc = Smsc::start(SimConfig::default()).unwrap(); // 127.0.0.1, ephemeral port
//! let addr = smsc.addr();                                 // connect an ESME here
//! smsc.faults().throttle(3);                              // next 3 submits: ESME_RTHROTTLED
//! assert_eq!(smsc.stats().submits, 0);
//! drop(smsc);                                             // shuts down, never hangs
//! # let _ = addr;
//! ```
//!
//! # Behaviour
//!
//! * Binds (transmitter, receiver, transceiver, any interface_version) are answered with
//!   [`SimConfig::system_id`](crate::sim::SimConfig::system_id) and the `sc_interface_version` TLV
//!   (0x34). Unknown system_id: ESME_RINVSYSID; wrong password: ESME_RINVPASWD; a second bind:
//!   ESME_RALYBND.
//! * Before a bind, requests other than bind and enquire_link get their response (or
//!   generic_nack) with ESME_RINVBNDSTS; so do submissions on a receiver bind.
//! * submit_sm, data_sm and submit_multi get a fresh message id: an uppercase hex counter (`1`,
//!   `2`, … `A`, …) unique per simulator. An empty destination_addr gets ESME_RINVDSTADR. Accepted
//!   submit_sm and data_sm are kept in [`Smsc::submitted`](crate::sim::Smsc::submitted).
//! * `registered_delivery & 0x01`: after
//!   [`SimConfig::receipt_delay`](crate::sim::SimConfig::receipt_delay) (and never before the
//!   submit_sm_resp is due) a deliver_sm receipt (esm_class 0x04, `stat:DELIVRD`,
//!   `receipted_message_id` and `message_state` TLVs) goes to the submitting connection when it is
//!   a transceiver, else to a receiver or transceiver bound with the same system_id. When none is
//!   bound the receipt waits until one binds.
//! * query_sm: DELIVERED for ids this simulator issued, ESME_RQUERYFAIL otherwise.
//!   cancel_sm, replace_sm: ESME_ROK.
//! * enquire_link is answered; unbind is answered and the connection closed. Unknown
//!   commands get generic_nack ESME_RINVCMDID; bodies breaking a field rule get generic_nack
//!   with [`crate::pdu::DecodeError::status`]; impossible framing closes the connection.
//! * Responses from the ESME are matched to what the simulator sent and counted; responses to
//!   nothing are counted in
//!   [`SimStats::unexpected_responses`](crate::sim::SimStats::unexpected_responses) and otherwise
//!   ignored.
//!
//! # Design
//!
//! One acceptor thread (a blocking accept, woken at shutdown by a connection of its own, so a
//! new client is served at once), one scheduler thread (receipts due later, receipts waiting for a
//! receiver, the simulator's own enquire_link), and two threads per connection:
//!
//! * the reader decodes every PDU of one `read` and encodes all their responses into one
//!   buffer, handed to the writer in one step (a buffer swap, no copy when the writer is
//!   idle);
//! * the writer writes whatever has accumulated in one `write` (so bursts coalesce), and
//!   holds delayed responses in a timer heap, so a response delay never blocks reading.
//!
//! Sockets have TCP_NODELAY; buffers are reused.
//!
//! # Logs
//!
//! Through esme's log sink (`esme smsc --log LEVEL`), target `esme::sim`, channel the
//! listening address: connections, binds (never the password) and closes at info, every PDU
//! in both directions at debug, masked as the client masks its own (message and receipt text
//! by the built-in PII rules, numeric addresses down to their last 3 digits).
//!
//! # TLS
//!
//! With [`SimConfig::tls`](crate::sim::SimConfig::tls) every connection speaks TLS (1.2 and 1.3 by
//! default, rustls with the ring provider; one `ServerConfig` per simulator, so clients can resume
//! sessions). Each connection's `rustls::ServerConnection` sits behind a mutex shared by its two
//! threads: the reader reads ciphertext without the lock, then locks it to decrypt; the writer
//! locks it only to encrypt a batch and writes the records after unlocking. Records the reader
//! causes (the handshake, session tickets, alerts) are written by the writer as well, so they stay
//! in order; the handshake runs inside this loop, never in the acceptor. A failed handshake (plain
//! SMPP sent, untrusted or missing client certificate, no common version, …) closes that connection
//! only and is counted in [`SimStats::tls_failures`](crate::sim::SimStats::tls_failures) with its
//! text in [`Smsc::last_tls_error`](crate::sim::Smsc::last_tls_error); completed handshakes are
//! listed by [`Smsc::tls_handshakes`](crate::sim::Smsc::tls_handshakes). Plain connections take no
//! TLS cost.
//!
//! Files: `smsc.rs` the running [`Smsc`](crate::sim::Smsc) and its API; `config.rs`
//! [`SimConfig`](crate::sim::SimConfig); `shared.rs` the state the threads share and the receipt
//! scheduler; `session.rs` one connection and its threads; `conn.rs` the requests a connection
//! receives; `outbox.rs` what its writer writes; `receipts.rs` delivery receipts; `records.rs` what
//! is kept and reported; `stats.rs` [`SimStats`](crate::sim::SimStats); `faults.rs` fault
//! injection; `tls.rs` TLS; `log.rs` its log records.

mod config;
mod conn;
mod faults;
mod log;
mod outbox;
mod receipts;
mod records;
mod session;
mod shared;
mod smsc;
mod stats;
mod tls;

pub use config::SimConfig;
pub use faults::{Faults, Malformed};
pub use records::{Answer, Arrival, SimError, Submitted};
pub use smsc::Smsc;
pub use stats::SimStats;
pub use tls::{SimTls, TlsSessionInfo};
