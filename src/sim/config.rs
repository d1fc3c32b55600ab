//! [`SimConfig`]: the simulator's settings.

#[cfg(doc)]
use super::smsc::Smsc;
use super::tls::SimTls;
use std::net::SocketAddr;
use std::time::Duration;

/// Simulator settings. Build with struct update syntax:
/// `SimConfig { receipt_delay: Duration::from_millis(50), ..SimConfig::default() }`.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Where to listen. Default `127.0.0.1:0` (an ephemeral port; see [`Smsc::addr`]).
    /// A simulator can be restarted on the port an earlier one used (shut that one down,
    /// then start with `listen` set to its [`Smsc::addr`]): the listener reuses the address
    /// (SO_REUSEADDR on Unix), so connections of the old one in TIME_WAIT do not block it.
    pub listen: SocketAddr,
    /// The system_id reported in bind responses (≤ 15 characters). Default `esme-sim`.
    pub system_id: String,
    /// Accepted `(system_id, password)` pairs; empty (the default) accepts any bind.
    pub credentials: Vec<(String, String)>,
    /// Delay before a requested delivery receipt is sent. Default 0.
    pub receipt_delay: Duration,
    /// The simulator's own enquire_link toward bound ESMEs. Default `None`.
    pub enquire_link_interval: Option<Duration>,
    /// Largest command_length accepted; a longer PDU is a framing error. Default 65536.
    pub max_pdu_len: u32,
    /// How many accepted submissions [`Smsc::submitted`] keeps (the most recent). Default
    /// 10 000; 0 keeps none (for benchmarks).
    pub keep_submitted: usize,
    /// How many arrivals [`Smsc::arrivals`] keeps (the most recent): every submit_sm and
    /// data_sm on a bound session, whatever the answer. Default 0 (none).
    pub keep_arrivals: usize,
    /// `Some`: every connection speaks TLS with these settings. Default `None` (plain).
    pub tls: Option<SimTls>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            system_id: "esme-sim".into(),
            credentials: Vec::new(),
            receipt_delay: Duration::ZERO,
            enquire_link_interval: None,
            max_pdu_len: 65536,
            keep_submitted: 10_000,
            keep_arrivals: 0,
            tls: None,
        }
    }
}
