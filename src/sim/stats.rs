//! [`SimStats`]: what the simulator counted, and the atomic counters behind it.

#[cfg(doc)]
use super::smsc::Smsc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

macro_rules! stats {
    ($( $(#[$m:meta])* $name:ident, )*) => {
        /// Counters since start (and two gauges: `open_connections`, `bound_sessions`).
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct SimStats {
            $( $(#[$m])* pub $name: u64, )*
        }

        #[derive(Debug, Default)]
        pub(crate) struct Counters {
            $( pub(crate) $name: AtomicU64, )*
        }

        impl Counters {
            pub(super) fn snapshot(&self) -> SimStats {
                SimStats { $( $name: self.$name.load(Relaxed), )* }
            }
        }
    };
}

stats! {
    /// TCP connections accepted.
    connections,
    /// Connections open now (gauge).
    open_connections,
    /// Sessions bound now (gauge).
    bound_sessions,
    /// Binds accepted.
    binds_ok,
    /// Binds refused (bad credentials, already bound, or the refuse_binds fault).
    binds_refused,
    /// submit_sm, data_sm and submit_multi received (including refused ones).
    submits,
    /// Responses written (generic_nacks included; delayed ones when written).
    responses_sent,
    /// Delivery receipts (deliver_sm) written.
    receipts_sent,
    /// deliver_sm_resp ESME_ROK received for receipts.
    receipts_acked,
    /// MO deliver_sm parts written by [`Smsc::send_mo`].
    mo_sent,
    /// deliver_sm_resp ESME_ROK received for MO parts.
    mo_acked,
    /// enquire_link received.
    enquire_links_received,
    /// enquire_link sent by the simulator.
    enquire_links_sent,
    /// enquire_link_resp received for those.
    enquire_link_resps_received,
    /// unbind received.
    unbinds,
    /// generic_nack sent.
    generic_nacks_sent,
    /// generic_nack received.
    generic_nacks_received,
    /// PDUs received whose body broke a field rule, or with impossible framing.
    malformed_received,
    /// Responses received that match nothing the simulator sent.
    unexpected_responses,
    /// TLS handshakes completed (resumptions included).
    tls_sessions,
    /// TLS handshakes that resumed an earlier session.
    tls_resumed,
    /// TLS connections closed on a TLS error: a failed handshake (plain SMPP sent,
    /// untrusted or missing client certificate, no common version, the client closing
    /// mid-handshake, …) or a TLS error later on. See [`Smsc::last_tls_error`].
    tls_failures,
}
