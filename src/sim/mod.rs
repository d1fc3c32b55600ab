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

mod faults;
mod session;
mod tls;

pub use faults::{Faults, Malformed};
pub use tls::{SimTls, TlsSessionInfo};

use crate::pdu::{Address, CommandId, CommandStatus, EncodeError, Pdu, Tlv};
use crate::text::TextError;
use session::{Sent, Session};
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::fmt;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

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
            fn snapshot(&self) -> SimStats {
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

/// One accepted submit_sm or data_sm, as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// The message_id the simulator answered with.
    pub message_id: String,
    /// The system_id of the session it came on.
    pub system_id: String,
    /// Its sequence_number.
    pub sequence_number: u32,
    /// `SubmitSm` or `DataSm`.
    pub command_id: CommandId,
    /// source_addr.
    pub source: Address,
    /// destination_addr.
    pub destination: Address,
    /// esm_class.
    pub esm_class: u8,
    /// registered_delivery.
    pub registered_delivery: u8,
    /// data_coding.
    pub data_coding: u8,
    /// short_message (empty for data_sm).
    pub short_message: Vec<u8>,
    /// Optional parameters.
    pub tlvs: Vec<Tlv>,
}

impl Submitted {
    /// The message body: `short_message`, or the `message_payload` TLV when that is used.
    pub fn payload(&self) -> &[u8] {
        payload(&self.short_message, &self.tlvs)
    }
}

/// `short_message`, or the `message_payload` TLV when `short_message` is empty and it is there.
fn payload<'a>(short_message: &'a [u8], tlvs: &'a [Tlv]) -> &'a [u8] {
    use crate::pdu::{Tag, TlvList};
    if short_message.is_empty() {
        if let Some(p) = tlvs.get_octets(Tag::MessagePayload) {
            return p;
        }
    }
    short_message
}

/// One submit_sm or data_sm as it arrived on a bound session, with what the simulator did
/// with it: accepted, refused (a fault or a field rule), or the connection closed on it
/// ([`Faults::close_after`]). See [`Smsc::arrivals`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    /// The connection it came on: 1, 2, … in accept order, per simulator.
    pub connection: u64,
    /// Its sequence_number.
    pub sequence_number: u32,
    /// `SubmitSm` or `DataSm`.
    pub command_id: CommandId,
    /// The message body: `short_message`, or the `message_payload` TLV when that is used.
    pub payload: Vec<u8>,
    /// What the simulator did with it.
    pub answer: Answer,
}

/// What the simulator did with an [`Arrival`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Accepted with this message_id (and kept in [`Smsc::submitted`]).
    Accepted {
        /// The message_id of the response.
        message_id: String,
        /// [`Faults::drop_responses`] withheld the response.
        response_dropped: bool,
    },
    /// Refused with this status (ESME_RTHROTTLED from [`Faults::throttle`], …).
    Refused(CommandStatus),
    /// [`Faults::close_after`] closed the connection on it: neither accepted nor answered.
    Closed,
}

/// Why [`Smsc::send_mo`] or [`Smsc::send_pdu`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SimError {
    /// No session is bound as receiver or transceiver.
    NoReceiver,
    /// The text cannot be encoded or segmented.
    Text(TextError),
    /// The PDU breaks a field rule (e.g. an address longer than 20 characters).
    Encode(EncodeError),
    /// The chosen connection closed meanwhile.
    Closed,
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::NoReceiver => f.write_str("no session is bound as receiver or transceiver"),
            SimError::Text(e) => write!(f, "cannot build the message: {e}"),
            SimError::Encode(e) => write!(f, "cannot encode the PDU: {e}"),
            SimError::Closed => f.write_str("the connection closed"),
        }
    }
}

impl std::error::Error for SimError {}

/// A receipt to deliver.
#[derive(Debug)]
struct Job {
    due: Instant,
    order: u64,
    system_id: String,
    /// The submitting session, when it can receive.
    prefer: Option<u64>,
    pdu: Pdu,
}

impl PartialEq for Job {
    fn eq(&self, o: &Self) -> bool {
        (self.due, self.order) == (o.due, o.order)
    }
}
impl Eq for Job {}
impl PartialOrd for Job {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Job {
    /// Reversed, so the max-heap pops the earliest.
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (o.due, o.order).cmp(&(self.due, self.order))
    }
}

#[derive(Debug, Default)]
struct SchedState {
    jobs: BinaryHeap<Job>,
    /// Receipts with no receiver bound, retried when one binds.
    parked: VecDeque<Job>,
    order: u64,
    /// Set when a session that can receive binds.
    rebind: bool,
}

/// At most this many receipts wait for a receiver; older ones are dropped.
const MAX_PARKED: usize = 100_000;

/// State shared by every thread of one simulator.
#[derive(Debug)]
pub(crate) struct Shared {
    cfg: SimConfig,
    faults: Faults,
    stats: Counters,
    stop: AtomicBool,
    sessions: Mutex<Vec<Arc<Session>>>,
    next_session: AtomicU64,
    next_message_id: AtomicU64,
    next_ref: AtomicU64,
    round_robin: AtomicUsize,
    submitted: Mutex<VecDeque<Submitted>>,
    arrivals: Mutex<VecDeque<Arrival>>,
    sched: Mutex<SchedState>,
    sched_cv: Condvar,
    threads: Mutex<Vec<JoinHandle<()>>>,
    /// `Some` on a TLS simulator.
    tls: Option<tls::TlsShared>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    fn new_message_id(&self) -> String {
        format!("{:X}", self.next_message_id.fetch_add(1, Relaxed))
    }

    /// Whether `id` is one this simulator issued.
    fn issued(&self, id: &str) -> bool {
        u64::from_str_radix(id, 16).is_ok_and(|n| n >= 1 && n < self.next_message_id.load(Relaxed))
    }

    fn record(&self, s: Submitted) {
        let cap = self.cfg.keep_submitted;
        if cap == 0 {
            return;
        }
        let mut q = lock(&self.submitted);
        while q.len() >= cap {
            q.pop_front();
        }
        q.push_back(s);
    }

    fn record_arrival(&self, a: Arrival) {
        let cap = self.cfg.keep_arrivals;
        if cap == 0 {
            return;
        }
        let mut q = lock(&self.arrivals);
        while q.len() >= cap {
            q.pop_front();
        }
        q.push_back(a);
    }

    fn spawn(
        self: &Arc<Self>,
        name: &str,
        f: impl FnOnce() + Send + 'static,
    ) -> std::io::Result<()> {
        let h = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(f)?;
        let mut t = lock(&self.threads);
        t.retain(|h| !h.is_finished());
        t.push(h);
        Ok(())
    }

    /// Bound sessions that can receive deliver_sm, in connection order.
    fn receivers(&self) -> Vec<Arc<Session>> {
        lock(&self.sessions)
            .iter()
            .filter(|s| s.bound().is_some_and(|(k, _)| k.can_receive()))
            .cloned()
            .collect()
    }

    /// Queues a receipt for the scheduler.
    fn schedule_receipt(&self, due: Instant, system_id: String, prefer: Option<u64>, pdu: Pdu) {
        let mut st = lock(&self.sched);
        let order = st.order;
        st.order += 1;
        let earliest = st.jobs.peek().is_none_or(|j| due < j.due);
        st.jobs.push(Job {
            due,
            order,
            system_id,
            prefer,
            pdu,
        });
        drop(st);
        if earliest {
            self.sched_cv.notify_one();
        }
    }

    /// A session that can receive has bound: retry parked receipts.
    fn receiver_bound(&self) {
        let mut st = lock(&self.sched);
        if !st.parked.is_empty() {
            st.rebind = true;
            drop(st);
            self.sched_cv.notify_one();
        }
    }

    fn deliver_job(&self, job: Job, receivers: &[Arc<Session>]) -> Option<Job> {
        let target = job
            .prefer
            .and_then(|id| receivers.iter().find(|s| s.id == id))
            .or_else(|| {
                receivers
                    .iter()
                    .find(|s| s.bound().is_some_and(|(_, sys)| sys == job.system_id))
            });
        match target {
            Some(s) => {
                if s.send(job.pdu.clone(), Sent::Receipt, &self.stats).is_err() {
                    return Some(job);
                }
                None
            }
            None => Some(job),
        }
    }

    /// The scheduler thread: due receipts, parked receipts, keepalives.
    fn run_scheduler(self: Arc<Self>) {
        let interval = self.cfg.enquire_link_interval;
        let mut last_keepalive: HashMap<u64, Instant> = HashMap::new();
        while !self.stop.load(Relaxed) {
            let now = Instant::now();
            let mut due = Vec::new();
            {
                let mut st = lock(&self.sched);
                if st.rebind {
                    st.rebind = false;
                    while let Some(mut j) = st.parked.pop_front() {
                        j.due = now;
                        st.jobs.push(j);
                    }
                }
                while st.jobs.peek().is_some_and(|j| j.due <= now) {
                    due.extend(st.jobs.pop());
                }
            }
            if !due.is_empty() {
                let receivers = self.receivers();
                let mut parked = Vec::new();
                for job in due {
                    parked.extend(self.deliver_job(job, &receivers));
                }
                if !parked.is_empty() {
                    let mut st = lock(&self.sched);
                    st.parked.extend(parked);
                    while st.parked.len() > MAX_PARKED {
                        st.parked.pop_front();
                    }
                }
            }
            if let Some(iv) = interval {
                let sessions: Vec<_> = lock(&self.sessions).clone();
                last_keepalive.retain(|id, _| sessions.iter().any(|s| s.id == *id));
                for s in sessions.iter().filter(|s| s.bound().is_some()) {
                    let last = last_keepalive.entry(s.id).or_insert(now);
                    if now.duration_since(*last) >= iv {
                        *last = now;
                        let pdu = Pdu::new(0, crate::pdu::Body::EnquireLink);
                        if s.send(pdu, Sent::EnquireLink, &self.stats).is_ok() {
                            self.stats.enquire_links_sent.fetch_add(1, Relaxed);
                        }
                    }
                }
            }
            let st = lock(&self.sched);
            if self.stop.load(Relaxed) || st.rebind {
                continue;
            }
            let mut wait = Duration::from_millis(50);
            if let Some(iv) = interval {
                wait = wait.min(iv / 4).max(Duration::from_millis(1));
            }
            if let Some(j) = st.jobs.peek() {
                wait = wait.min(j.due.saturating_duration_since(Instant::now()));
            }
            if !wait.is_zero() {
                drop(self.sched_cv.wait_timeout(st, wait));
            }
        }
    }

    fn disconnect_all(&self) {
        let sessions: Vec<_> = lock(&self.sessions).clone();
        for s in sessions {
            s.abort();
        }
    }
}

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
            Some(t) => Some(tls::TlsShared {
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
        target.send_all(pdus, Sent::Mo, &self.shared.stats)?;
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
        target.send(pdu, Sent::Other, &self.shared.stats)
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
fn join_until(h: JoinHandle<()>, deadline: Instant) {
    while !h.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    if h.is_finished() {
        let _ = h.join();
    }
}

fn accept_loop(sh: &Arc<Shared>, listener: &TcpListener) {
    while !sh.stop.load(Relaxed) {
        match listener.accept() {
            Ok(_) if sh.stop.load(Relaxed) => break, // the wake-up connection of stop()
            Ok((stream, _)) => {
                if let Err(e) = session::start(sh, stream) {
                    // Out of threads or sockets: the connection is dropped (closed).
                    let _ = e;
                }
            }
            // Out of descriptors and the like: back off briefly rather than spin.
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// Current UTC time as (year, month, day, hour, minute, second).
fn utc_now() -> (u16, u8, u8, u8, u8, u8) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
    (
        year,
        month,
        day,
        (rem / 3600) as u8,
        (rem / 60 % 60) as u8,
        (rem % 60) as u8,
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_now_is_plausible() {
        let (y, m, d, h, mi, s) = super::utc_now();
        assert!((2024..2100).contains(&y));
        assert!((1..=12).contains(&m) && (1..=31).contains(&d));
        assert!(h < 24 && mi < 60 && s < 60);
    }
}
