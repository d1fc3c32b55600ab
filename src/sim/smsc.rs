//! [`Smsc`]: a running simulator, its acceptor thread and its API.

use super::config::SimConfig;
use super::faults::Faults;
use super::records::{Arrival, SimError, Submitted};
use super::session::{Sent, Session};
use super::shared::{lock, SchedState, Shared};
use super::stats::{Counters, SimStats};
use super::tls::TlsSessionInfo;
use crate::pdu::{Address, Pdu};
use std::collections::VecDeque;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A running simulator. Dropping it shuts it down (see [`Smsc::shutdown`]).
#[derive(Debug)]
pub struct Smsc {
    shared: Arc<Shared>,
    addr: SocketAddr,
    acceptor: Option<JoinHandle<()>>,
    scheduler: Option<JoinHandle<()>>,
}

impl Smsc {
    /// Binds the listener and starts serving.
    ///
    /// # Errors
    ///
    /// The listener cannot be bound, a thread cannot be started,
    /// [`SimConfig::system_id`] is longer than 15 characters, or [`SimConfig::tls`] is
    /// unusable (e.g. the key does not match the certificate; `InvalidInput`).
    pub fn start(cfg: SimConfig) -> std::io::Result<Smsc> {
        if cfg.system_id.len() > 15 || cfg.system_id.contains('\0') {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "system_id must be at most 15 characters without NUL",
            ));
        }
        let tls = match &cfg.tls {
            Some(t) => Some(super::tls::TlsShared {
                config: t.server_config()?,
                last_error: Mutex::new(None),
                handshakes: Mutex::new(VecDeque::new()),
            }),
            None => None,
        };
        let listener = TcpListener::bind(cfg.listen)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            cfg,
            faults: Faults::default(),
            stats: Counters::default(),
            stop: AtomicBool::new(false),
            sessions: Mutex::new(Vec::new()),
            next_session: AtomicU64::new(1),
            next_message_id: AtomicU64::new(1),
            next_ref: AtomicU64::new(1),
            round_robin: AtomicUsize::new(0),
            submitted: Mutex::new(VecDeque::new()),
            arrivals: Mutex::new(VecDeque::new()),
            sched: Mutex::new(SchedState::default()),
            sched_cv: Condvar::new(),
            threads: Mutex::new(Vec::new()),
            tls,
            channel: addr.to_string(),
            log_mask: std::sync::OnceLock::new(),
        });
        let sh = shared.clone();
        let scheduler = std::thread::Builder::new()
            .name("esme-sim-sched".into())
            .spawn(move || sh.run_scheduler())?;
        let mut smsc = Smsc {
            shared: shared.clone(),
            addr,
            acceptor: None,
            scheduler: Some(scheduler),
        };
        let sh = shared;
        smsc.acceptor = Some(
            std::thread::Builder::new()
                .name("esme-sim-accept".into())
                .spawn(move || accept_loop(&sh, &listener))?,
        );
        Ok(smsc)
    }

    /// The address it listens on (with the actual port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The fault switches, settable while it runs.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &SimConfig {
        &self.shared.cfg
    }

    /// Sends a mobile-originated message as deliver_sm to a bound receiver or transceiver
    /// (round robin among them). A long text is split with an 8-bit-reference UDH; the
    /// encoding is GSM 7-bit (unpacked, data_coding 0) when it can represent the text, UCS-2
    /// otherwise. `from` is alphanumeric (TON 5) unless it is digits (TON 1, NPI 1, a
    /// leading `+` removed). Returns the number of parts sent.
    ///
    /// # Errors
    ///
    /// No receiver is bound, the text cannot be segmented, or an address is too long.
    pub fn send_mo(&self, from: &str, to: &str, text: &str) -> Result<usize, SimError> {
        use crate::pdu::{Body, DeliverSm};
        use crate::text::{choose_encoding, segment_text, SegmentMethod};
        let target = self.pick_receiver(true)?;
        let enc = choose_encoding(text);
        let ref_num = self.shared.next_ref.fetch_add(1, Relaxed) as u16;
        let segs =
            segment_text(text, enc, SegmentMethod::Udh8, ref_num, 255).map_err(SimError::Text)?;
        let addr = |a: &str| {
            let digits = a.strip_prefix('+').unwrap_or(a);
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                Address::new(1, 1, digits)
            } else {
                Address::new(5, 0, a)
            }
        };
        let template = DeliverSm {
            source: addr(from),
            destination: addr(to),
            data_coding: enc.data_coding(),
            ..DeliverSm::default()
        };
        let pdus: Vec<Pdu> = segs
            .iter()
            .map(|seg| {
                let mut d = template.clone();
                d.set_segment(seg);
                Pdu::new(0, Body::DeliverSm(d))
            })
            .collect();
        let n = pdus.len();
        target.send_all(pdus, Sent::Mo, &self.shared)?;
        self.shared.stats.mo_sent.fetch_add(n as u64, Relaxed);
        Ok(n)
    }

    /// Sends any PDU to the first bound receiver or transceiver, as is, except that a
    /// request with sequence_number 0 gets the session's next sequence number. Responses to
    /// it are matched (not counted as unexpected).
    ///
    /// # Errors
    ///
    /// No receiver is bound, or the PDU cannot be encoded.
    pub fn send_pdu(&self, pdu: Pdu) -> Result<(), SimError> {
        let target = self.pick_receiver(false)?;
        target.send(pdu, Sent::Other, &self.shared)
    }

    fn pick_receiver(&self, round_robin: bool) -> Result<Arc<Session>, SimError> {
        let r = self.shared.receivers();
        if r.is_empty() {
            return Err(SimError::NoReceiver);
        }
        let i = if round_robin {
            self.shared.round_robin.fetch_add(1, Relaxed) % r.len()
        } else {
            0
        };
        Ok(r[i].clone())
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> SimStats {
        self.shared.stats.snapshot()
    }

    /// The most recent accepted submissions (at most [`SimConfig::keep_submitted`]),
    /// oldest first.
    pub fn submitted(&self) -> Vec<Submitted> {
        lock(&self.shared.submitted).iter().cloned().collect()
    }

    /// The most recent arrivals (at most [`SimConfig::keep_arrivals`]; none by default),
    /// oldest first: every submit_sm and data_sm on a bound session and what became of it,
    /// so a test can tell a message written twice from one accepted twice.
    pub fn arrivals(&self) -> Vec<Arrival> {
        lock(&self.shared.arrivals).iter().cloned().collect()
    }

    /// The text of the most recent TLS failure (see [`SimStats::tls_failures`]), naming
    /// the connection and the peer; `None` when none happened (or on a plain simulator).
    pub fn last_tls_error(&self) -> Option<String> {
        self.shared
            .tls
            .as_ref()
            .and_then(|t| lock(&t.last_error).clone())
    }

    /// The most recent completed TLS handshakes (at most 1000), oldest first: version,
    /// cipher suite, resumption, client certificate. Empty on a plain simulator.
    pub fn tls_handshakes(&self) -> Vec<TlsSessionInfo> {
        self.shared
            .tls
            .as_ref()
            .map(|t| lock(&t.handshakes).iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Polls the counters every 2 ms until `pred` holds (true) or `timeout` passes
    /// (false).
    pub fn wait_for(&self, pred: impl Fn(&SimStats) -> bool, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if pred(&self.stats()) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Closes every client connection abruptly (no unbind), e.g. to test reconnection.
    /// Delayed responses still queued are lost. The listener keeps accepting.
    pub fn disconnect_all(&self) {
        self.shared.disconnect_all();
    }

    /// Stops accepting, closes every connection abruptly and joins the threads, waiting
    /// at most about two seconds in all (a thread still stuck after that is detached).
    /// Dropping the `Smsc` does the same.
    pub fn shutdown(self) {}

    /// Stops as [`Smsc::shutdown`] does, but keeps the `Smsc` so that what it recorded up to
    /// the end ([`Smsc::submitted`], [`Smsc::arrivals`], [`Smsc::stats`]) can still be read,
    /// e.g. before a new simulator starts on the same port (an SMSC restart). Idempotent.
    pub fn stop(&mut self) {
        let sh = &self.shared;
        if sh.stop.swap(true, Relaxed) {
            return;
        }
        // Wake the blocking accept with a connection of our own (to loopback when the
        // listener is on a wildcard address).
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        let _ = std::net::TcpStream::connect_timeout(&wake, Duration::from_secs(1));
        let deadline = Instant::now() + Duration::from_secs(2);
        if let Some(h) = self.acceptor.take() {
            join_until(h, deadline);
        }
        sh.disconnect_all();
        {
            let _st = lock(&sh.sched);
            sh.sched_cv.notify_all();
        }
        if let Some(h) = self.scheduler.take() {
            join_until(h, deadline);
        }
        let threads = std::mem::take(&mut *lock(&sh.threads));
        for h in threads {
            join_until(h, deadline);
        }
    }
}

impl Drop for Smsc {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Joins `h` if it finishes before `deadline`; detaches it otherwise.
pub(super) fn join_until(h: JoinHandle<()>, deadline: Instant) {
    while !h.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    if h.is_finished() {
        let _ = h.join();
    }
}

pub(super) fn accept_loop(sh: &Arc<Shared>, listener: &TcpListener) {
    while !sh.stop.load(Relaxed) {
        match listener.accept() {
            Ok(_) if sh.stop.load(Relaxed) => break, // the wake-up connection of stop()
            Ok((stream, _)) => {
                if let Err(e) = super::session::start(sh, stream) {
                    // Out of threads or sockets: the connection is dropped (closed).
                    let _ = e;
                }
            }
            // Out of descriptors and the like: back off briefly rather than spin.
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}
