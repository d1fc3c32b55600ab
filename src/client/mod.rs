//! The blocking client: one TCP (later TLS) connection to an SMSC, bound and kept bound,
//! submitting from any number of threads, never losing a message without saying so.
//!
//! Threads: the caller's threads submit and write; one I/O thread per client reads,
//! drives timers, acknowledges inbound messages and reconnects. A write is done by whichever
//! thread holds the writer role, which picks up everything queued meanwhile, so a busy
//! window goes out in few syscalls.

mod check;
mod message;
mod stats;
mod trace;
pub(crate) mod transport;

pub use check::{check, CheckStep};
pub use message::{Content, Message, Outcome};
pub use stats::Stats;

use crate::config::{Config, OutagePolicy, TlsMode};
use crate::error::Error;
use crate::pdu::{
    Address, Bind, Body, CommandStatus, MessageState, Pdu, Tag, Tlv, TlvList, TlvValue,
};
use crate::receipt::{self, DeliveryReceipt};
use crate::session::{self, Session, SessionConfig};
use crate::text::{Incomplete, Reassembler};
use stats::Counters;
use std::collections::VecDeque;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use transport::{is_timeout, Tcp, Transport};

/// A validated configuration and what the client derives from it once: the TLS setup
/// (identity loaded, trust resolved; reused on every reconnect, so its session cache makes a
/// reconnect a resumed handshake) and the PII rules that mask the PDU log.
pub(crate) struct Resolved {
    pub config: Config,
    pub tls: Option<Arc<crate::tls::TlsSetup>>,
    /// The built-in rules plus those of `x-smpp-pii-rules`; the group applied is
    /// `config.log_mask_group` (checked to exist here).
    pub log_mask: crate::pii::RuleSet,
}

impl std::fmt::Debug for Resolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolved")
            .field("config", &self.config)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

impl Resolved {
    /// Loads what the configuration names (PII rules, TLS identity and trust). The
    /// configuration is not validated here: [`Client::connect`] and [`check`] do that first.
    pub(crate) fn new(config: Config) -> Result<Resolved, Error> {
        let rules = match &config.pii_rules {
            Some(path) => crate::pii::RuleSet::from_file(path)?.with_builtins()?,
            None => crate::pii::RuleSet::builtin(),
        };
        if rules.group_rules(&config.log_mask_group).is_none() {
            return Err(Error::Usage(format!(
                "x-smpp-log-mask-group = {}: no such PII rule group (groups: {})",
                config.log_mask_group,
                rules.groups().join(", ")
            )));
        }
        let tls = match config.tls.mode {
            TlsMode::Off => None,
            _ => Some(Arc::new(crate::tls::setup(&config.tls, &config.host)?)),
        };
        Ok(Resolved {
            config,
            tls,
            log_mask: rules,
        })
    }

    /// The level of PDU dumps: info with `x-debug-mode`, else debug.
    pub(crate) fn dump_level(&self) -> crate::log::Level {
        if self.config.debug {
            crate::log::Level::Info
        } else {
            crate::log::Level::Debug
        }
    }

    fn session_config(&self) -> SessionConfig {
        let c = &self.config;
        SessionConfig {
            window: c.window as usize,
            response_timeout: c.response_timeout,
            bind_timeout: c.connect_timeout,
            enquire_link_interval: c.enquire_link_interval,
            dead_peer_timeout: c.dead_peer_timeout,
            max_pdu_len: c.max_pdu_len,
        }
    }

    /// `host:port` (`[host]:port` for an IPv6 address), for messages.
    fn addr(&self) -> String {
        let c = &self.config;
        if c.host.contains(':') {
            format!("[{}]:{}", c.host, c.port)
        } else {
            format!("{}:{}", c.host, c.port)
        }
    }
}

/// The most events waiting in the queue: an inbound message beyond it is refused
/// (ESME_RX_T_APPN, the SMSC retries it later) rather than queued without bound.
const EVENT_CAPACITY: usize = 10_000;

/// Something the client reports through [`Client::poll_event`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The outcome of a [`Client::submit_async`] (each exactly once).
    Outcome {
        /// The ticket's id.
        ticket: u64,
        /// How it ended.
        outcome: Outcome,
    },
    /// A mobile-originated message (deliver_sm or data_sm), reassembled when concatenated.
    Message(InboundMessage),
    /// A delivery receipt.
    Receipt(Box<ReceivedReceipt>),
    /// A concatenated message whose parts stopped arriving (timed out or evicted): what
    /// arrived is here, never silently dropped.
    Incomplete(Incomplete),
    /// alert_notification.
    Alert {
        /// The mobile that became available.
        source: Address,
        /// The ESME address it concerns.
        esme: Address,
    },
    /// The connection changed state.
    Connection(ConnectionState),
    /// Something the operator should know that does not stop the client: the client
    /// certificate expires within 30 days, hostname verification is off, …
    Warning(String),
}

/// An MO message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMessage {
    /// source_addr.
    pub from: String,
    /// destination_addr.
    pub to: String,
    /// data_coding.
    pub data_coding: u8,
    /// The text, when the data_coding is a text encoding and it decoded.
    pub text: Option<String>,
    /// The user data (UDH removed; unpacked septets for packed GSM).
    pub body: Vec<u8>,
    /// How many parts it came in.
    pub parts: u8,
    /// Why the text or the concatenation could not be read, when it could not.
    pub note: Option<String>,
}

/// A delivery receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedReceipt {
    /// source_addr (the mobile).
    pub from: String,
    /// destination_addr (the original sender).
    pub to: String,
    /// The parsed receipt (TLVs preferred over the text), when it parsed.
    pub receipt: Option<DeliveryReceipt>,
    /// The short_message as received.
    pub raw: Vec<u8>,
    /// Why it did not parse, when it did not.
    pub note: Option<String>,
}

/// The connection's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    /// Connecting and binding (attempt 1 is the first reconnect).
    Connecting {
        /// Reconnect attempt number.
        attempt: u32,
    },
    /// Bound.
    Bound {
        /// The SMSC's system_id.
        system_id: String,
    },
    /// Not connected; the client will try again unless closing.
    Disconnected {
        /// Why, one line.
        why: String,
    },
    /// Closed for good.
    Closed,
}

/// Where a message's outcome lands. `waiting` says whether a thread sleeps on `cv`: the
/// I/O thread signals only then (a condvar signal is a system call even with no sleeper).
struct Slot {
    outcome: Mutex<SlotState>,
    cv: Condvar,
}

#[derive(Default)]
struct SlotState {
    outcome: Option<Outcome>,
    waiting: u32,
}

/// A handle on the outcome of one submitted message.
#[derive(Clone)]
pub struct Ticket {
    id: u64,
    slot: Arc<Slot>,
}

impl std::fmt::Debug for Ticket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ticket({})", self.id)
    }
}

impl Ticket {
    /// The id, as in [`Event::Outcome`].
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The outcome if it is known.
    pub fn outcome(&self) -> Option<Outcome> {
        lock(&self.slot.outcome).outcome.clone()
    }

    /// Waits for the outcome, at most `timeout` (None: until it is known; it always becomes
    /// known within the submit timeout plus the response timeout per part).
    pub fn wait(&self, timeout: Option<Duration>) -> Option<Outcome> {
        self.wait_with(timeout, |o| o.clone())
    }

    /// Waits for the outcome and moves it out of the slot instead of copying it: for
    /// [`Client::submit`], whose ticket nobody else ever sees.
    fn take(self) -> Option<Outcome> {
        self.wait_with(None, Option::take)
    }

    fn wait_with(
        &self,
        timeout: Option<Duration>,
        get: impl Fn(&mut Option<Outcome>) -> Option<Outcome>,
    ) -> Option<Outcome> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut g = lock(&self.slot.outcome);
        loop {
            if g.outcome.is_some() {
                return get(&mut g.outcome);
            }
            g.waiting += 1;
            match deadline {
                None => g = self.slot.cv.wait(g).unwrap_or_else(|e| e.into_inner()),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        g.waiting -= 1;
                        return None;
                    }
                    g = self
                        .slot
                        .cv
                        .wait_timeout(g, d - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
            }
            g.waiting -= 1;
        }
    }
}

/// Locks, recovering from a poisoned mutex (a panic elsewhere must not wedge the client).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

type PartKey = (u64, u16);

#[derive(Debug, Clone)]
enum PartResult {
    Accepted(String),
    Rejected(CommandStatus),
    Unknown(String),
    NotSent(String),
}

struct Part {
    /// The encoded submit_sm (its sequence number is the session's business), kept for a
    /// resubmission until the part has its result; then empty.
    pdu: Vec<u8>,
    result: Option<PartResult>,
    in_flight: bool,
    ever_sent: bool,
    attempts: u32,
    sent_at: Option<Instant>,
}

struct Sub {
    parts: Vec<Part>,
    deadline: Instant,
    slot: Arc<Slot>,
    post: bool,
    /// A blocking `submit` waits for it, counted in `Shared::callers`.
    caller: bool,
}

struct Shared {
    session: Option<Session<PartKey>>,
    transport: Option<Arc<dyn Transport>>,
    state: ConnectionState,
    closing: bool,
    closed: bool,
    subs: crate::idhash::IdMap<u64, Sub>,
    queue: VecDeque<PartKey>,
    retry: Vec<(Instant, PartKey)>,
    pacer: Pacer,
    writing: bool,
    spare: Vec<u8>,
    reasm: Reassembler,
    next_id: u64,
    next_housekeeping: Instant,
    last_down: String,
    handshake: Option<crate::tls::HandshakeInfo>,
    /// Threads sleeping on `Inner::cv` not yet signalled, and the signal count: the waker
    /// signals only when someone sleeps, once per batch of finished messages.
    sleepers: u32,
    cv_epoch: u64,
    /// Someone (the I/O thread or a blocking submitter) holds the reader role: only it
    /// reads the socket, so the bytes reach the session in order.
    reader: bool,
    /// Blocking submitters whose outcome is not known yet.
    callers: u32,
    /// When a blocking submitter last read for itself or got its outcome: the I/O thread
    /// leaves the socket to the next one for [`CALLER_LINGER`] (see
    /// [`Inner::submit_and_read`]).
    last_caller: Option<Instant>,
    /// Counts connections, so bytes read from an old one are never fed to a new session.
    conn_gen: u64,
    /// Why the connection ended, when a submitter reading for itself saw it end.
    conn_end: Option<String>,
    /// The read buffer, held by whoever reads.
    rbuf: Vec<u8>,
    /// The I/O thread is the reader (in read(), or handling what it read): it writes what
    /// is queued before it reads again.
    io_reading: bool,
    /// Until when submits have been coalescing: the I/O thread's reads then time out after
    /// [`COALESCE_WAIT`], so left bytes never wait long for an answer that an SMSC holds back
    /// until it sees our (delayed) ACK.
    coalesce_until: Option<Instant>,
}

/// How long the I/O thread leaves the socket to blocking submitters after one read for
/// itself: a submitter that finds the socket free reads its own response, saving two thread
/// hand-offs per round trip at window 1. Inbound PDUs arriving meanwhile wait at most this.
const CALLER_LINGER: Duration = Duration::from_millis(2);

/// The read buffer's size.
const READ_BUF: usize = 64 * 1024;

/// An async submit leaves its bytes to the I/O thread's next write when at least this many
/// are unanswered (see `Inner::enqueue`), …
const COALESCE_IN_FLIGHT: usize = 4;
/// … and fewer than this many bytes wait already.
const COALESCE_MAX_BYTES: usize = 32 * 1024;
/// How long coalescing lasts after a submit left its bytes, …
const COALESCE_MODE: Duration = Duration::from_millis(50);
/// … and the longest left bytes wait meanwhile.
const COALESCE_WAIT: Duration = Duration::from_millis(1);

/// When the next submit_sm may go: evenly spaced at `x-smpp-submit-max-rate` (no burst
/// after an idle spell), and held back by a pause after a throttling answer whatever the
/// rate (also when unlimited).
#[derive(Debug)]
struct Pacer {
    interval: Option<Duration>,
    next: Instant,
}

impl Pacer {
    fn new(max_rate: Option<u32>, now: Instant) -> Pacer {
        Pacer {
            interval: max_rate.map(|r| Duration::from_secs(1) / r.max(1)),
            next: now,
        }
    }

    fn ready(&self, now: Instant) -> bool {
        now >= self.next
    }

    fn sent(&mut self, now: Instant) {
        if let Some(iv) = self.interval {
            self.next = self.next.max(now) + iv;
        }
    }

    fn pause_until(&mut self, t: Instant) {
        self.next = self.next.max(t);
    }

    fn next(&self) -> Instant {
        self.next
    }
}

impl Shared {
    /// Every part of every message that has no result yet.
    fn unresolved(&self) -> Vec<PartKey> {
        self.subs
            .iter()
            .flat_map(|(id, sub)| {
                sub.parts
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.result.is_none())
                    .map(move |(i, _)| (*id, i as u16))
            })
            .collect()
    }

    /// Every part waiting to be sent (queued or waiting to retry), removed.
    fn drain_queued(&mut self) -> Vec<PartKey> {
        let mut v: Vec<PartKey> = self.queue.drain(..).collect();
        v.extend(self.retry.drain(..).map(|(_, k)| k));
        v
    }
}

/// Posted events and how many `poll_event` callers sleep waiting for one.
#[derive(Default)]
struct Events {
    q: VecDeque<Event>,
    waiting: u32,
}

struct Inner {
    s: Resolved,
    /// Reference numbers for concatenated messages.
    next_ref: std::sync::atomic::AtomicU32,
    st: Mutex<Shared>,
    cv: Condvar,
    /// The I/O thread sleeps here while a submitter holds the reader role.
    io_cv: Condvar,
    events: Mutex<Events>,
    events_cv: Condvar,
    counters: Counters,
}

/// A bound SMPP client. `Send + Sync`: share it (e.g. in an `Arc`) between threads.
pub struct Client {
    inner: Arc<Inner>,
    io: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("smsc", &self.inner.s.addr())
            .field("system_id", &self.inner.s.config.system_id)
            .field("state", &lock(&self.inner.st).state)
            .finish()
    }
}

/// Connects and binds; the session is bound on success.
impl Connected {
    /// Unbinds (waiting briefly for the answer) and closes.
    pub(crate) fn close_quietly(mut self) {
        let now = Instant::now();
        if self.session.unbind(now).is_ok() {
            let mut out = Vec::new();
            self.session.take_output(&mut out);
            let _ = self.transport.write_all(&out);
            let deadline = now + Duration::from_secs(2);
            let mut buf = [0u8; 4096];
            while self.session.state() != session::State::Closed && Instant::now() < deadline {
                let _ = self
                    .transport
                    .set_read_timeout(Some(Duration::from_millis(100)));
                match self.transport.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => self.session.feed(&buf[..n], Instant::now()),
                    Err(_) => self.session.tick(Instant::now()),
                }
                while self.session.poll_event().is_some() {}
                out.clear();
                self.session.take_output(&mut out);
                let _ = self.transport.write_all(&out);
            }
        }
        self.transport.shutdown();
    }
}

/// A bound connection.
pub(crate) struct Connected {
    transport: Arc<dyn Transport>,
    session: Session<PartKey>,
    system_id: String,
    /// How the TLS handshake went (TLS only).
    pub tls: Option<crate::tls::HandshakeInfo>,
}

pub(crate) fn connect_and_bind(s: &Resolved) -> Result<Connected, Error> {
    let stream = tcp_connect(s)?;
    let (t, tls) = secure(s, stream)?;
    bind(s, t, tls)
}

/// Step 1: the TCP connection (TCP_NODELAY, write timeout set).
pub(crate) fn tcp_connect(s: &Resolved) -> Result<TcpStream, Error> {
    let addr = s.addr();
    let c = &s.config;
    let addrs: Vec<SocketAddr> = (c.host.as_str(), c.port)
        .to_socket_addrs()
        .map_err(|e| Error::Connect {
            addr: addr.clone(),
            why: format!("cannot resolve the host: {e}"),
        })?
        .collect();
    let mut last = None;
    let mut stream = None;
    for a in &addrs {
        match TcpStream::connect_timeout(a, c.connect_timeout) {
            Ok(t) => {
                stream = Some(t);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let stream = match (stream, last) {
        (Some(t), _) => t,
        (None, Some(e)) if is_timeout(&e) => {
            return Err(Error::Timeout {
                phase: "the TCP connection (is the host reachable and the port open?)",
                after: c.connect_timeout,
            })
        }
        (None, Some(e)) => {
            let hint = match e.kind() {
                std::io::ErrorKind::ConnectionRefused => {
                    " (nothing listens there: is the SMSC up and x-smpp-port right?)"
                }
                _ => "",
            };
            return Err(Error::Connect {
                addr,
                why: format!("{e}{hint}"),
            });
        }
        (None, None) => {
            return Err(Error::Connect {
                addr,
                why: "the host resolved to no address".into(),
            })
        }
    };
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(c.response_timeout.max(Duration::from_secs(1))));
    Ok(stream)
}

type Secured = (Arc<dyn Transport>, Option<crate::tls::HandshakeInfo>);

/// Step 2: the TLS handshake, when TLS is configured.
pub(crate) fn secure(s: &Resolved, stream: TcpStream) -> Result<Secured, Error> {
    Ok(match &s.tls {
        Some(setup) => {
            let (t, info) =
                crate::tls::transport::handshake(setup, stream, s.config.connect_timeout)?;
            (Arc::new(t), Some(info))
        }
        None => (Arc::new(Tcp(stream)), None),
    })
}

/// Step 3: the bind.
pub(crate) fn bind(
    s: &Resolved,
    t: Arc<dyn Transport>,
    tls_info: Option<crate::tls::HandshakeInfo>,
) -> Result<Connected, Error> {
    let mutual = s.tls.as_ref().is_some_and(|x| x.mode == TlsMode::Mutual);
    let rejected_cert = || {
        Error::Tls(crate::tls::TlsError::ClientCertRejected {
            alert: None,
            subject: s.tls.as_ref().and_then(|x| x.report.client_subject.clone()),
        })
    };
    let c = &s.config;
    let mut first: Vec<u8> = Vec::new();
    let now = Instant::now();
    let mut session = Session::new(s.session_config(), now);
    session.set_trace(crate::log::enabled(s.dump_level()));
    let bind = Bind {
        system_id: c.system_id.clone(),
        password: c.password.expose().to_string(),
        system_type: c.system_type.clone(),
        interface_version: 0x34,
        address_range: Address::new(c.bind_ton, c.bind_npi, c.address_range.clone()),
    };
    session
        .bind(c.bind_mode, bind, now)
        .map_err(|e| Error::Usage(e.to_string()))?;
    let deadline = now + c.connect_timeout;
    let mut out = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        out.clear();
        session.take_output(&mut out);
        if !out.is_empty() {
            let written = t.write_all(&out);
            // The bind PDU carries the password: zero the buffer (its whole capacity) once
            // written, so that neither this buffer nor the session, which gets it back at
            // the next take_output, keeps a copy.
            zeroize::Zeroize::zeroize(&mut out);
            written.map_err(|e| Error::Disconnected {
                why: format!("the connection failed while binding: {e}"),
            })?;
        }
        while let Some(ev) = session.poll_event() {
            match ev {
                session::Event::Bound { system_id, .. } => {
                    return Ok(Connected {
                        transport: t,
                        session,
                        system_id,
                        tls: tls_info,
                    })
                }
                session::Event::BindRefused { status } if status == CommandStatus::Other(u32::MAX) => {
                    return Err(Error::Timeout {
                        phase: "the bind response",
                        after: c.connect_timeout,
                    })
                }
                session::Event::BindRefused { status } => return Err(Error::BindRefused { status }),
                session::Event::BindFailed { why } => {
                    return Err(Error::Disconnected {
                        why: format!("{why}: esme closed the connection"),
                    })
                }
                // Say what the SMSC sent instead of the bind response: if the bind then
                // times out, the log shows why.
                session::Event::Ignored { why } => crate::log::emit(
                    crate::log::Level::Warn,
                    "esme::session",
                    &format!("ignored from {} while binding: {why}", s.addr()),
                ),
                session::Event::FramingError(_) if s.tls.is_none() && crate::tls::looks_like_tls(&first) => {
                    return Err(Error::Tls(crate::tls::TlsError::PlainToTls))
                }
                session::Event::FramingError(e) => {
                    return Err(Error::Disconnected {
                        why: format!(
                            "the SMSC answered the bind with something that is not SMPP ({e}): a TLS port? then set x-smpp-tls-mode"
                        ),
                    })
                }
                _ => {}
            }
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(Error::Timeout {
                phase: "the bind response",
                after: c.connect_timeout,
            });
        }
        let _ = t.set_read_timeout(Some((deadline - now).max(Duration::from_millis(1))));
        match t.read(&mut buf) {
            // With mutual TLS 1.3 the handshake ends on our side before the SMSC has
            // checked our certificate: a refusal shows as a close right after it.
            Ok(0) if mutual && first.is_empty() => return Err(rejected_cert()),
            Ok(0) if s.tls.is_none() && crate::tls::looks_like_tls(&first) => {
                return Err(Error::Tls(crate::tls::TlsError::PlainToTls))
            }
            Ok(0) => {
                return Err(Error::Disconnected {
                    why: if s.tls.is_some() {
                        "the SMSC closed the connection before answering the bind".into()
                    } else {
                        "the SMSC closed the connection before answering the bind (wrong port, a TLS port, or the SMSC refuses this address)".into()
                    },
                })
            }
            Ok(n) => {
                if first.len() < 8 {
                    first.extend_from_slice(&buf[..n.min(8 - first.len())]);
                }
                session.feed(&buf[..n], Instant::now())
            }
            Err(e) if is_timeout(&e) => session.tick(Instant::now()),
            Err(e) => {
                if let (Some(setup), Some(r)) = (
                    &s.tls,
                    e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()),
                ) {
                    // The handshake is over: handshake_failure now is no cipher mismatch.
                    // Without a client certificate in play it is what a TLS 1.2 server sends
                    // when its renegotiation request is refused, as esme always does.
                    if !mutual
                        && matches!(
                            r,
                            rustls::Error::AlertReceived(
                                rustls::AlertDescription::HandshakeFailure
                            )
                        )
                    {
                        return Err(Error::Tls(crate::tls::TlsError::Handshake {
                            detail: "the SMSC ended the TLS session after the handshake (alert handshake_failure): did it ask to renegotiate? esme never renegotiates".into(),
                        }));
                    }
                    return Err(Error::Tls(setup.diagnose(r)));
                }
                if mutual
                    && first.is_empty()
                    && matches!(e.kind(), std::io::ErrorKind::ConnectionReset)
                {
                    return Err(rejected_cert());
                }
                return Err(Error::Disconnected {
                    why: format!("the connection failed while binding: {e}"),
                });
            }
        }
    }
}

impl Client {
    /// Connects to the SMSC and binds, then keeps the session up (keepalive, reconnect).
    /// The configuration is validated first; a refused bind is an error naming the status
    /// (e.g. ESME_RINVPASWD).
    pub fn connect(config: &crate::config::Config) -> Result<Client, Error> {
        config.validate()?;
        let level = if config.debug {
            crate::log::Level::Info
        } else {
            crate::log::Level::Debug
        };
        if crate::log::enabled(level) {
            // Secret options print as ***.
            crate::log::emit(level, "esme::config", &format!("{config:?}"));
        }
        Client::connect_with(config.clone())
    }

    /// Connects with a configuration as it is (tests give values the options refuse, e.g.
    /// an enquire_link interval of 100 ms).
    pub(crate) fn connect_with(config: Config) -> Result<Client, Error> {
        let s = Resolved::new(config)?;
        let Connected {
            transport: t,
            session,
            system_id,
            tls: handshake,
        } = connect_and_bind(&s)?;
        let now = Instant::now();
        let reasm = Reassembler::new(s.config.reassembly_timeout, s.config.inbound_default);
        let inner = Arc::new(Inner {
            st: Mutex::new(Shared {
                session: Some(session),
                transport: Some(t),
                state: ConnectionState::Bound {
                    system_id: system_id.clone(),
                },
                closing: false,
                closed: false,
                subs: Default::default(),
                queue: VecDeque::new(),
                retry: Vec::new(),
                pacer: Pacer::new(s.config.max_rate, now),
                writing: false,
                spare: Vec::new(),
                reasm,
                next_id: 1,
                next_housekeeping: now,
                sleepers: 0,
                cv_epoch: 0,
                reader: false,
                callers: 0,
                last_caller: None,
                conn_gen: 0,
                conn_end: None,
                rbuf: Vec::new(),
                io_reading: false,
                coalesce_until: None,
                last_down: String::new(),
                handshake,
            }),
            s,
            next_ref: std::sync::atomic::AtomicU32::new(0),
            cv: Condvar::new(),
            io_cv: Condvar::new(),
            events: Mutex::new(Events::default()),
            events_cv: Condvar::new(),
            counters: Counters::new(),
        });
        if let Some(t) = &inner.s.tls {
            for w in &t.report.warnings {
                inner.post(Event::Warning(w.clone()));
            }
        }
        inner.post(Event::Connection(ConnectionState::Bound { system_id }));
        let io_inner = inner.clone();
        let io = std::thread::Builder::new()
            .name("esme-io".into())
            .spawn(move || {
                let guard = io_inner.clone();
                let r =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| io_inner.io_main()));
                if r.is_err() {
                    // Never leave a submitter waiting on a dead thread.
                    guard.give_up("internal error: the I/O thread stopped");
                }
            })
            .map_err(|e| Error::Usage(format!("cannot start the I/O thread: {e}")))?;
        Ok(Client {
            inner,
            io: Mutex::new(Some(io)),
        })
    }

    /// Submits and waits for the outcome. `Err` only for a message that cannot be sent as
    /// given (nothing was sent); every other ending is an [`Outcome`].
    pub fn submit(&self, m: &Message) -> Result<Outcome, Error> {
        let t = self.inner.enqueue(m, false, true)?;
        self.inner.submit_and_read(&t);
        // Always resolves: queued parts end by the submit timeout, sent ones by the
        // response timeout, and close() resolves everything.
        Ok(t.take().unwrap_or(Outcome::NotSent {
            why: "internal: no outcome".into(),
        }))
    }

    /// Submits without waiting for the outcome, which arrives as [`Event::Outcome`] (and
    /// through the ticket). Blocks while the window is full (at most the submit timeout).
    pub fn submit_async(&self, m: &Message) -> Result<Ticket, Error> {
        self.inner.enqueue(m, true, true)
    }

    /// Like [`Client::submit_async`] but never blocks: a full window is
    /// [`Error::WindowFull`].
    pub fn try_submit_async(&self, m: &Message) -> Result<Ticket, Error> {
        self.inner.enqueue(m, true, false)
    }

    /// The next event, waiting at most `timeout` (None: don't wait).
    pub fn poll_event(&self, timeout: Option<Duration>) -> Option<Event> {
        let mut q = lock(&self.inner.events);
        if let Some(e) = q.q.pop_front() {
            return Some(e);
        }
        let deadline = Instant::now() + timeout?;
        loop {
            if let Some(e) = q.q.pop_front() {
                return Some(e);
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            q.waiting += 1;
            q = self
                .inner
                .events_cv
                .wait_timeout(q, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
            q.waiting -= 1;
        }
    }

    /// The counters.
    pub fn stats(&self) -> Stats {
        let in_flight = lock(&self.inner.st)
            .session
            .as_ref()
            .map_or(0, |s| s.in_flight());
        self.inner.counters.snapshot(in_flight as u64)
    }

    /// How the last TLS handshake went (version, cipher suite, resumed or not); None
    /// without TLS.
    pub fn tls_handshake(&self) -> Option<crate::tls::HandshakeInfo> {
        lock(&self.inner.st).handshake.clone()
    }

    /// The connection's state.
    pub fn state(&self) -> ConnectionState {
        lock(&self.inner.st).state.clone()
    }

    /// Unbinds and closes: stops taking messages, reports queued ones as NotSent, waits up to
    /// the close timeout for the responses of those in flight (then Unknown), unbinds, and
    /// stops the I/O thread. Idempotent; never hangs.
    pub fn close(&self) {
        let inner = &self.inner;
        let s = &inner.s.config;
        {
            let mut g = lock(&inner.st);
            if g.closing {
                drop(g);
                self.join();
                return;
            }
            g.closing = true;
            inner.io_cv.notify_all();
            let queued: Vec<PartKey> = g.drain_queued();
            for k in queued {
                inner.set_result(
                    &mut g,
                    k,
                    PartResult::NotSent("the client was closed before it was sent".into()),
                );
            }
            inner.wake(&mut g);
            // Wait for the responses of what is in flight.
            let deadline = Instant::now() + s.close_timeout;
            while g.session.as_ref().is_some_and(|x| x.in_flight() > 0) {
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                g = inner.wait(g, deadline - now);
            }
            let now = Instant::now();
            let unbinding = g.session.as_mut().is_some_and(|x| x.unbind(now).is_ok());
            if unbinding {
                inner.flush(g);
            }
        }
        // The I/O thread ends on the unbind_resp (or its timeout, or the connection's end).
        let deadline = Instant::now() + Duration::from_secs(2);
        {
            let mut g = lock(&inner.st);
            while g.session.is_some() && Instant::now() < deadline {
                g = inner.wait(g, Duration::from_millis(50));
            }
            if let Some(t) = g.transport.as_ref() {
                t.shutdown();
            }
        }
        self.join();
        let mut g = lock(&inner.st);
        // Whatever is left (the I/O thread resolves in-flight parts when it ends).
        inner.resolve_all(
            &mut g,
            "the client was closed before the SMSC answered",
            "the client was closed before it was sent",
        );
        if !g.closed {
            g.closed = true;
            g.state = ConnectionState::Closed;
            drop(g);
            inner.post(Event::Connection(ConnectionState::Closed));
        }
    }

    fn join(&self) {
        if let Some(h) = lock(&self.io).take() {
            let _ = h.join();
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.close();
    }
}

impl Inner {
    /// Sleeps on `cv` (submitters waiting for room in the window, close waiting for the
    /// responses) at most `t`, counted in `sleepers` so [`Inner::wake`] can skip the signal
    /// when nobody sleeps.
    fn wait<'a>(&self, mut g: MutexGuard<'a, Shared>, t: Duration) -> MutexGuard<'a, Shared> {
        let epoch = g.cv_epoch;
        g.sleepers += 1;
        g = self
            .cv
            .wait_timeout(g, t)
            .unwrap_or_else(|e| e.into_inner())
            .0;
        if g.cv_epoch == epoch {
            // Timed out (or woke spuriously): still counted as a sleeper.
            g.sleepers -= 1;
        }
        g
    }

    /// Wakes every thread sleeping on `cv`, if there is one.
    fn wake(&self, g: &mut Shared) {
        if g.sleepers > 0 {
            // A submitter waiting for room comes back for the socket in a moment: the I/O
            // thread leaves it to it (see CALLER_LINGER).
            g.last_caller = Some(Instant::now());
            g.sleepers = 0;
            g.cv_epoch = g.cv_epoch.wrapping_add(1);
            self.cv.notify_all();
        }
    }

    /// Waits for a blocking submit's outcome, reading the socket itself while nobody else
    /// does (leader/follower): its response then reaches it without waking the I/O thread
    /// and being handed back, two thread switches saved per round trip. When another thread
    /// reads, it returns and the caller waits on the ticket as usual. Every byte read goes
    /// through the same session, under the same lock, as the I/O thread's reads.
    fn submit_and_read(&self, ticket: &Ticket) {
        let mut g = lock(&self.st);
        match g.subs.get_mut(&ticket.id) {
            Some(sub) => sub.caller = true,
            None => return, // already resolved
        }
        g.callers += 1;
        loop {
            if !g.subs.contains_key(&ticket.id) {
                return; // resolved (set_result removed it and counted us out)
            }
            let (g2, read) = self.read_for_self(g, Some(ticket.id));
            g = g2;
            if !read {
                return; // someone else reads, or the I/O thread has work to do
            }
        }
    }

    /// Reads the socket once for a waiting submitter (a blocking submit waiting for its
    /// outcome: `mine`; or a submitter waiting for room in the window) when nobody else
    /// reads, and handles what arrived under the lock, as the I/O thread would. Returns the
    /// guard and whether it read.
    fn read_for_self<'a>(
        &'a self,
        mut g: MutexGuard<'a, Shared>,
        mine: Option<u64>,
    ) -> (MutexGuard<'a, Shared>, bool) {
        let bound = g
            .session
            .as_ref()
            .is_some_and(|x| matches!(x.state(), session::State::Bound(_)));
        let Some(t) = g.transport.clone() else {
            return (g, false);
        };
        if g.reader || !bound || g.conn_end.is_some() || g.closing {
            return (g, false);
        }
        // Never read with bytes left to write: the answers we wait for may be theirs.
        if g.session.as_ref().is_some_and(|x| x.has_output()) {
            if g.writing {
                return (g, false);
            }
            self.flush(g);
            return (lock(&self.st), true);
        }
        g.reader = true;
        let gen = g.conn_gen;
        let mut buf = std::mem::take(&mut g.rbuf);
        if buf.len() < READ_BUF {
            buf = vec![0u8; READ_BUF];
        }
        drop(g);
        // A panic below must not leave the role taken: the I/O thread would wait for it
        // forever. It gives the role back and ends the connection, then unwinds on.
        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let r = t.read(&mut buf);
            let now = Instant::now();
            self.counters.caller_reads.fetch_add(1, Relaxed);
            let mut g = lock(&self.st);
            if g.conn_gen == gen {
                self.absorb(&mut g, r, &buf, now);
            }
            (g, now)
        }));
        let (mut g, now) = match done {
            Ok(x) => x,
            Err(panic) => {
                let mut g = lock(&self.st);
                g.reader = false;
                g.conn_end
                    .get_or_insert_with(|| "internal error while reading".into());
                drop(g);
                self.io_cv.notify_all();
                std::panic::resume_unwind(panic);
            }
        };
        g.rbuf = buf;
        g.reader = false;
        g.last_caller = Some(now);
        let me = u32::from(mine.is_some_and(|id| g.subs.get(&id).is_some_and(|s| s.caller)));
        if g.conn_end.is_some() || g.callers > me {
            // The connection ended, or other submitters wait: the I/O thread takes over.
            self.io_cv.notify_one();
        }
        self.flush(g);
        (lock(&self.st), true)
    }

    /// Feeds what a submitter read into the session and handles the result.
    fn absorb(&self, g: &mut Shared, r: std::io::Result<usize>, buf: &[u8], now: Instant) {
        if let Err(why) = self.feed_read(g, r, buf, now) {
            g.conn_end = Some(why);
        }
        if let Some(why) = self.after_read(g, now) {
            g.conn_end.get_or_insert(why);
        }
    }

    /// Feeds the bytes a read returned into the session. `Err`: why the connection ended.
    fn feed_read(
        &self,
        g: &mut Shared,
        r: std::io::Result<usize>,
        buf: &[u8],
        now: Instant,
    ) -> Result<(), String> {
        match r {
            Ok(0) => Err("the SMSC closed the connection".to_string()),
            Ok(n) => {
                self.counters.bytes_in.fetch_add(n as u64, Relaxed);
                if let Some(s) = g.session.as_mut() {
                    s.feed(&buf[..n], now);
                }
                Ok(())
            }
            Err(e) if is_timeout(&e) => Ok(()),
            Err(e) => Err(format!("the connection failed: {e}")),
        }
    }

    fn post(&self, e: Event) {
        use crate::log::{emit, Level};
        match &e {
            Event::Connection(ConnectionState::Bound { system_id }) => emit(
                Level::Info,
                "esme::client",
                &format!(
                    "bound to {} as {} ({})",
                    self.s.addr(),
                    self.s.config.system_id,
                    system_id
                ),
            ),
            Event::Connection(ConnectionState::Disconnected { why }) => emit(
                Level::Warn,
                "esme::client",
                &format!("disconnected from {}: {why}", self.s.addr()),
            ),
            Event::Connection(ConnectionState::Connecting { attempt }) => emit(
                Level::Info,
                "esme::client",
                &format!("reconnecting to {} (attempt {attempt})", self.s.addr()),
            ),
            Event::Connection(ConnectionState::Closed) => emit(
                Level::Info,
                "esme::client",
                &format!("closed ({})", self.s.addr()),
            ),
            Event::Warning(w) => emit(Level::Warn, "esme::client", w),
            _ => {}
        }
        let mut q = lock(&self.events);
        q.q.push_back(e);
        let waiting = q.waiting > 0;
        drop(q);
        if waiting {
            self.events_cv.notify_one();
        }
    }

    fn events_full(&self) -> bool {
        lock(&self.events).q.len() >= EVENT_CAPACITY
    }

    fn enqueue(&self, m: &Message, post: bool, block: bool) -> Result<Ticket, Error> {
        let s = &self.s.config;
        if !s.bind_mode.can_submit() {
            return Err(Error::Usage(
                "this client is bound as a receiver (x-smpp-bind-mode = receiver) and cannot submit: use transmitter or transceiver".into(),
            ));
        }
        // Segment and encode outside the lock: submitters work in parallel.
        let ref_num = (self.next_ref.fetch_add(1, Relaxed) % 0xFFFF + 1) as u16;
        let parts = message::build_parts(s, m, ref_num)?;
        let mut g = lock(&self.st);
        if g.closing {
            return Err(Error::Closed);
        }
        self.counters.submitted.fetch_add(1, Relaxed);
        let id = g.next_id;
        g.next_id += 1;
        let slot = Arc::new(Slot {
            outcome: Mutex::new(SlotState::default()),
            cv: Condvar::new(),
        });
        let ticket = Ticket {
            id,
            slot: slot.clone(),
        };
        let start = Instant::now();
        let deadline = start + s.submit_timeout;
        let n = parts.len();
        let sub = Sub {
            parts: parts
                .into_iter()
                .map(|pdu| Part {
                    pdu,
                    result: None,
                    in_flight: false,
                    ever_sent: false,
                    attempts: 0,
                    sent_at: None,
                })
                .collect(),
            deadline,
            slot,
            post,
            caller: false,
        };
        // Admission: at most `window` messages waiting at once.
        while g.subs.len() >= s.window as usize && !g.closing {
            // Bytes left for the I/O thread's next write go now: a submitter that stops
            // must not hold them (and their ACK) back, or an SMSC that holds its answers
            // until it sees our ACK (Nagle) would wait for our delayed ACK.
            if !g.writing && g.session.as_ref().is_some_and(|x| x.has_output()) {
                self.flush(g);
                g = lock(&self.st);
                continue;
            }
            if !block {
                self.counters.submitted.fetch_sub(1, Relaxed);
                return Err(Error::WindowFull {
                    window: s.window as usize,
                });
            }
            let now = Instant::now();
            if now >= deadline {
                g.subs.insert(id, sub);
                for i in 0..n {
                    let why = format!(
                        "the window stayed full for {:.1} s (x-smpp-submit-timeout)",
                        s.submit_timeout.as_secs_f64()
                    );
                    self.set_result(&mut g, (id, i as u16), PartResult::NotSent(why));
                }
                return Ok(ticket);
            }
            // Read the answers that make room ourselves when nobody else reads: no hand-off
            // from the I/O thread per answer.
            let (g2, read) = self.read_for_self(g, None);
            g = g2;
            if read {
                continue;
            }
            g = self.wait(g, deadline - now);
        }
        g.subs.insert(id, sub);
        if g.closing {
            for i in 0..n {
                self.set_result(
                    &mut g,
                    (id, i as u16),
                    PartResult::NotSent("the client is closing".into()),
                );
            }
            return Ok(ticket);
        }
        let bound = matches!(g.state, ConnectionState::Bound { .. });
        if !bound && s.outage_policy == OutagePolicy::Fail {
            let why = format!("not connected to the SMSC: {}", g.last_down);
            for i in 0..n {
                self.set_result(&mut g, (id, i as u16), PartResult::NotSent(why.clone()));
            }
            return Ok(ticket);
        }
        let queued = if s.wait_each_segment { 1 } else { n };
        for i in 0..queued {
            g.queue.push_back((id, i as u16));
        }
        let now = Instant::now();
        self.pump(&mut g, now);
        // Coalescing: an async submit behind many unanswered ones leaves its bytes for the
        // I/O thread, which is reading or handling those answers and writes everything
        // queued before it reads again: one write (and one TCP segment for the SMSC to
        // read) per batch instead of per message. The bytes wait at most for the next
        // response (or the I/O thread's read timeout, 250 ms at most, if the SMSC stalls),
        // and an SMSC that answers in order would not have reached them sooner.
        // (Also when submitters read for themselves: the next one to wait for room writes
        // them before it reads, and the I/O thread before it stands aside or reads.)
        let submitters_read = g
            .last_caller
            .is_some_and(|t| now.saturating_duration_since(t) < CALLER_LINGER);
        let defer = post
            && (g.io_reading || submitters_read)
            && g.session.as_ref().is_some_and(|x| {
                x.in_flight() >= COALESCE_IN_FLIGHT && x.output_len() < COALESCE_MAX_BYTES
            });
        if defer {
            g.coalesce_until = Some(now + COALESCE_MODE);
        } else {
            self.flush(g);
        }
        Ok(ticket)
    }

    /// Moves queued parts into the session while the window and the rate allow.
    fn pump(&self, g: &mut Shared, now: Instant) {
        if !g.retry.is_empty() {
            let mut i = 0;
            while i < g.retry.len() {
                if g.retry[i].0 <= now {
                    let (_, k) = g.retry.swap_remove(i);
                    g.queue.push_front(k);
                } else {
                    i += 1;
                }
            }
        }
        while let Some(&key) = g.queue.front() {
            let Some(session) = g.session.as_mut() else {
                break;
            };
            if !matches!(session.state(), session::State::Bound(_)) || !session.window_has_room() {
                break;
            }
            if !g.pacer.ready(now) {
                break;
            }
            g.queue.pop_front();
            let Some(part) = g
                .subs
                .get_mut(&key.0)
                .and_then(|s| s.parts.get_mut(key.1 as usize))
            else {
                continue;
            };
            if part.result.is_some() || part.in_flight {
                continue;
            }
            if part.pdu.is_empty() {
                continue;
            }
            match session.send_encoded(&part.pdu, key, now) {
                Ok(_) => {
                    part.in_flight = true;
                    part.ever_sent = true;
                    part.sent_at = Some(now);
                    self.counters.parts_sent.fetch_add(1, Relaxed);
                    g.pacer.sent(now);
                }
                Err(session::SendError::WindowFull) => {
                    g.queue.push_front(key);
                    break;
                }
                // Not temporary (a bind mode that cannot submit, a field the encoder
                // refuses): waiting would not help.
                Err(e) => self.set_result(g, key, PartResult::NotSent(e.to_string())),
            }
        }
    }

    /// Records a part's result; finishes the message when every part has one.
    fn set_result(&self, g: &mut Shared, key: PartKey, r: PartResult) {
        let s = &self.s.config;
        let Some(sub) = g.subs.get_mut(&key.0) else {
            return;
        };
        let failed = matches!(r, PartResult::Rejected(_) | PartResult::Unknown(_));
        let accepted = matches!(r, PartResult::Accepted(_));
        let Some(part) = sub.parts.get_mut(key.1 as usize) else {
            return;
        };
        if part.result.is_some() {
            return;
        }
        part.in_flight = false;
        part.result = Some(r);
        part.pdu = Vec::new();
        if failed {
            // The message has failed: don't send its remaining parts.
            for p in sub.parts.iter_mut() {
                if p.result.is_none() && !p.in_flight {
                    p.result = Some(PartResult::NotSent("an earlier part failed".into()));
                    p.pdu = Vec::new();
                }
            }
        } else if accepted && s.wait_each_segment {
            let next = key.1 as usize + 1;
            if next < sub.parts.len() && sub.parts[next].result.is_none() {
                g.queue.push_back((key.0, next as u16));
            }
        }
        let sub = &g.subs[&key.0];
        if sub.parts.iter().all(|p| p.result.is_some()) {
            if let Some(sub) = g.subs.remove(&key.0) {
                if sub.caller {
                    g.callers -= 1;
                    // A blocking submitter is about to come back for its next message: the
                    // I/O thread leaves it the socket for a moment (see CALLER_LINGER).
                    g.last_caller = Some(Instant::now());
                }
                self.finish(key.0, sub);
                // Room in the window: wake a submitter waiting for it (and close, waiting
                // for the last responses).
                self.wake(g);
            }
        }
    }

    fn finish(&self, id: u64, mut sub: Sub) {
        let c = &self.counters;
        let mut ids = Vec::with_capacity(sub.parts.len());
        let mut unknown = None;
        let mut rejected = None;
        let mut not_sent = None;
        for p in &mut sub.parts {
            match p.result.take() {
                Some(PartResult::Accepted(m)) => ids.push(m),
                Some(PartResult::Unknown(w)) => {
                    unknown.get_or_insert(w);
                }
                Some(PartResult::Rejected(st)) => {
                    rejected.get_or_insert(st);
                }
                Some(PartResult::NotSent(w)) => {
                    not_sent.get_or_insert(w);
                }
                None => {}
            }
        }
        let n = sub.parts.len();
        let outcome = if let Some(why) = unknown {
            Outcome::Unknown {
                why,
                message_ids: ids,
            }
        } else if let Some(status) = rejected {
            Outcome::Rejected {
                status,
                message_ids: ids,
            }
        } else if let Some(why) = not_sent {
            if ids.is_empty() {
                Outcome::NotSent { why }
            } else {
                Outcome::Unknown {
                    why: format!(
                        "only {} of {n} parts were accepted; the rest were not sent: {why}",
                        ids.len()
                    ),
                    message_ids: ids,
                }
            }
        } else {
            Outcome::Accepted { message_ids: ids }
        };
        match &outcome {
            Outcome::Accepted { .. } => c.accepted.fetch_add(1, Relaxed),
            Outcome::Rejected { status, .. } => {
                c.rejected_with(status.to_u32());
                0
            }
            Outcome::Unknown { .. } => c.unknown.fetch_add(1, Relaxed),
            Outcome::NotSent { .. } => c.not_sent.fetch_add(1, Relaxed),
        };
        // The slot is read only through a Ticket. When the caller kept none (the C ABI never
        // does; async callers that go by events need not), the outcome moves into the event
        // and the slot stays empty: no copy of it per message.
        if sub.post && Arc::strong_count(&sub.slot) == 1 {
            self.post(Event::Outcome {
                ticket: id,
                outcome,
            });
            return;
        }
        let event = sub.post.then(|| outcome.clone());
        let mut st = lock(&sub.slot.outcome);
        st.outcome = Some(outcome);
        let waiting = st.waiting > 0;
        drop(st);
        if waiting {
            sub.slot.cv.notify_all();
        }
        if let Some(outcome) = event {
            self.post(Event::Outcome {
                ticket: id,
                outcome,
            });
        }
    }

    /// Writes what the session has queued, unless another thread holds the writer role (it
    /// will pick these bytes up before giving the role back).
    /// Logs the PDUs the session traced (debug level only), masked.
    /// Logs traced PDUs, masked. Called without the state lock: masking and the sink may be
    /// slow, and submitters must not wait for them.
    fn log_pdus(&self, traced: Vec<(session::Direction, Pdu)>) {
        let (rules, group) = (&self.s.log_mask, &self.s.config.log_mask_group);
        // The group was checked when the settings were built; fall back to full masking
        // rather than log a text unmasked.
        let mask = |t: &str| match rules.mask_by_group(t, group) {
            Ok(m) => m.text,
            Err(_) => "*".repeat(t.chars().count()),
        };
        for (dir, mut pdu) in traced {
            let l = trace::line(dir, &pdu, self.s.config.inbound_default, &mask);
            pdu.body.wipe_secrets();
            crate::log::emit(self.s.dump_level(), "esme::pdu", &l);
        }
    }

    fn flush<'a>(&'a self, mut g: MutexGuard<'a, Shared>) {
        // Tracing is on only at the dump level: otherwise this takes an empty Vec.
        let traced = g
            .session
            .as_mut()
            .map(|s| s.take_trace())
            .unwrap_or_default();
        if !traced.is_empty() {
            drop(g);
            self.log_pdus(traced);
            g = lock(&self.st);
        }
        if g.writing {
            return;
        }
        g.writing = true;
        let mut buf = std::mem::take(&mut g.spare);
        loop {
            buf.clear();
            let t = g.transport.clone();
            if let Some(s) = g.session.as_mut() {
                s.take_output(&mut buf);
            }
            let (Some(t), false) = (t, buf.is_empty()) else {
                g.writing = false;
                g.spare = buf;
                return;
            };
            drop(g);
            let r = t.write_all(&buf);
            self.counters.bytes_out.fetch_add(buf.len() as u64, Relaxed);
            self.counters.writes.fetch_add(1, Relaxed);
            if r.is_err() {
                // The reader sees the connection end and handles it.
                t.shutdown();
            }
            g = lock(&self.st);
        }
    }

    /// Handles what the session reports. Returns why the connection ended, if it did.
    fn process(&self, g: &mut Shared, now: Instant) -> Option<String> {
        let mut end = None;
        while let Some(ev) = g.session.as_mut().and_then(|s| s.poll_event()) {
            match ev {
                session::Event::Response { tag, pdu } => self.on_response(g, tag, pdu, now),
                session::Event::Timeout { tag, .. } => {
                    let why = format!(
                        "no response within {:.1} s (x-smpp-response-max-waiting-time)",
                        self.s.config.response_timeout.as_secs_f64()
                    );
                    self.set_result(g, tag, PartResult::Unknown(why));
                }
                session::Event::MalformedResponse { tag, error } => {
                    let why = format!("the SMSC's response could not be read: {error}");
                    self.set_result(g, tag, PartResult::Unknown(why));
                }
                session::Event::Inbound { pdu } => self.on_inbound(g, pdu, now),
                session::Event::Alert { pdu } => {
                    if let Body::AlertNotification(a) = pdu.body {
                        self.post(Event::Alert {
                            source: a.source,
                            esme: a.esme,
                        });
                    }
                }
                session::Event::PeerUnbound => end = Some("the SMSC unbound".to_string()),
                session::Event::Unbound => end = Some("unbound".to_string()),
                session::Event::PeerDead { silent_for } => {
                    end = Some(format!(
                        "no complete PDU from the SMSC for {:.0} s (enquire_link unanswered): link declared dead",
                        silent_for.as_secs_f64()
                    ))
                }
                session::Event::FramingError(e) => {
                    end = Some(format!("the SMSC sent a broken PDU stream: {e}"))
                }
                session::Event::BindRefused { status } => {
                    end = Some(format!("bind refused: {status}"))
                }
                session::Event::BindFailed { why } => end = Some(why),
                // A response to no request of ours: the session goes on, the operator is told.
                session::Event::Ignored { why } => crate::log::emit(
                    crate::log::Level::Warn,
                    "esme::session",
                    &format!("ignored from {}: {why}", self.s.addr()),
                ),
                session::Event::Bound { .. } => {}
            }
        }
        end
    }

    fn on_response(&self, g: &mut Shared, key: PartKey, pdu: Pdu, now: Instant) {
        let s = &self.s.config;
        let Some(part) = g
            .subs
            .get_mut(&key.0)
            .and_then(|x| x.parts.get_mut(key.1 as usize))
        else {
            return;
        };
        if let Some(t) = part.sent_at {
            self.counters.latency(now.saturating_duration_since(t));
        }
        part.in_flight = false;
        let status = pdu.command_status;
        if status.is_ok() {
            let r = match pdu.body {
                Body::SubmitSmResp(r) => PartResult::Accepted(r.message_id),
                _ => PartResult::Unknown(format!(
                    "the SMSC answered submit_sm with {} and status 0",
                    pdu.command_id().name()
                )),
            };
            return self.set_result(g, key, r);
        }
        if status.is_transient_throttle() {
            self.counters.throttled.fetch_add(1, Relaxed);
            if part.attempts < s.throttle_retries {
                part.attempts += 1;
                self.counters.retried.fetch_add(1, Relaxed);
                let backoff = (s.throttle_backoff * 2u32.saturating_pow(part.attempts - 1))
                    .min(Duration::from_secs(30));
                g.retry.push((now + backoff, key));
                // Slow everyone down: the SMSC is saturated.
                g.pacer.pause_until(now + s.throttle_backoff);
                return;
            }
        }
        self.set_result(g, key, PartResult::Rejected(status));
    }

    fn on_inbound(&self, g: &mut Shared, pdu: Pdu, now: Instant) {
        if self.events_full() {
            // Refused, not dropped: the SMSC keeps it and retries.
            self.counters.inbound_refused.fetch_add(1, Relaxed);
            if let Some(sess) = g.session.as_mut() {
                sess.respond(&pdu, CommandStatus::RxTAppn, Vec::new());
            }
            return;
        }
        let events: Vec<Event> = match &pdu.body {
            Body::DeliverSm(d) if matches!(d.esm_class & 0x3C, 0x04 | 0x20) => {
                let id = d.tlvs.get_str(Tag::ReceiptedMessageId);
                let state = d.tlvs.get_u8(Tag::MessageState).map(MessageState::from_u8);
                let nec = match d.tlvs.find(Tag::NetworkErrorCode).map(Tlv::value) {
                    Some(TlvValue::NetworkErrorCode {
                        network_type,
                        error_code,
                    }) => Some((network_type, error_code)),
                    _ => None,
                };
                let parsed = receipt::from_deliver(d.payload(), id.as_deref(), state, nec);
                self.counters.receipts_received.fetch_add(1, Relaxed);
                let (receipt, note) = match parsed {
                    Ok(r) => (Some(r), None),
                    Err(e) => (None, Some(e.to_string())),
                };
                vec![Event::Receipt(Box::new(ReceivedReceipt {
                    from: d.source.addr.clone(),
                    to: d.destination.addr.clone(),
                    receipt,
                    raw: d.payload().to_vec(),
                    note,
                }))]
            }
            Body::DeliverSm(_) | Body::DataSm(_) => {
                let (part, raw) = match &pdu.body {
                    Body::DeliverSm(d) => (d.inbound_part(), d.payload().to_vec()),
                    Body::DataSm(d) => {
                        let p = d.inbound_part();
                        let raw = p.message_payload.clone().unwrap_or_default();
                        (p, raw)
                    }
                    _ => return,
                };
                let (from, to, dc) = (
                    part.source.clone(),
                    part.destination.clone(),
                    part.data_coding,
                );
                match g.reasm.push(part, now) {
                    Ok(Some(m)) => {
                        let note = m.text_error.as_ref().map(|e| e.to_string());
                        vec![Event::Message(InboundMessage {
                            from: m.source,
                            to: m.destination,
                            data_coding: m.data_coding,
                            text: m.text,
                            body: m.body,
                            parts: m.parts,
                            note,
                        })]
                    }
                    Ok(None) => vec![],
                    // Unreadable concatenation: hand it over raw rather than lose it.
                    Err(e) => vec![Event::Message(InboundMessage {
                        from,
                        to,
                        data_coding: dc,
                        text: None,
                        body: raw,
                        parts: 1,
                        note: Some(e.to_string()),
                    })],
                }
            }
            _ => vec![],
        };
        for e in events {
            if let Event::Message(_) = e {
                self.counters.messages_received.fetch_add(1, Relaxed);
            }
            self.post(e);
        }
        if let Some(sess) = g.session.as_mut() {
            sess.respond(
                &pdu,
                CommandStatus::Ok,
                self.s.config.deliver_resp_tlvs.clone(),
            );
        }
    }

    /// Periodic work: submit deadlines, reassembly timeouts.
    fn housekeeping(&self, g: &mut Shared, now: Instant) {
        if now < g.next_housekeeping {
            return;
        }
        g.next_housekeeping = now + Duration::from_millis(100);
        let expired: Vec<PartKey> = g
            .subs
            .iter()
            .filter(|(_, sub)| sub.deadline <= now)
            .flat_map(|(id, sub)| {
                sub.parts
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.result.is_none() && !p.in_flight)
                    .map(move |(i, _)| (*id, i as u16))
            })
            .collect();
        for k in expired {
            let why = if matches!(g.state, ConnectionState::Bound { .. }) {
                format!(
                    "not sent within {:.1} s (x-smpp-submit-timeout): the window or rate limit held it",
                    self.s.config.submit_timeout.as_secs_f64()
                )
            } else {
                format!(
                    "not sent within {:.1} s (x-smpp-submit-timeout): not connected ({})",
                    self.s.config.submit_timeout.as_secs_f64(),
                    g.last_down
                )
            };
            g.queue.retain(|q| *q != k);
            g.retry.retain(|(_, q)| *q != k);
            self.set_result(g, k, PartResult::NotSent(why));
        }
        for inc in g.reasm.expire(now) {
            self.post(Event::Incomplete(inc));
        }
    }

    fn io_main(self: Arc<Self>) {
        let mut attempt = 0u32;
        loop {
            let why = self.run_connection();
            self.on_disconnect(&why);
            if lock(&self.st).closing {
                break;
            }
            loop {
                attempt += 1;
                if self
                    .s
                    .config
                    .reconnect_attempts
                    .is_some_and(|max| attempt > max)
                {
                    let n = attempt - 1;
                    let why = format!(
                        "gave up reconnecting after {n} attempt{} (x-smpp-reconnect-attempts)",
                        if n == 1 { "" } else { "s" }
                    );
                    self.give_up(&why);
                    return;
                }
                if !self.backoff(attempt) {
                    return;
                }
                {
                    let mut g = lock(&self.st);
                    g.state = ConnectionState::Connecting { attempt };
                }
                self.post(Event::Connection(ConnectionState::Connecting { attempt }));
                match connect_and_bind(&self.s) {
                    Ok(Connected {
                        transport: t,
                        session,
                        system_id,
                        tls,
                    }) => {
                        let mut g = lock(&self.st);
                        g.handshake = tls;
                        if g.closing {
                            t.shutdown();
                            return;
                        }
                        g.session = Some(session);
                        g.transport = Some(t);
                        g.state = ConnectionState::Bound {
                            system_id: system_id.clone(),
                        };
                        self.counters.reconnects.fetch_add(1, Relaxed);
                        let now = Instant::now();
                        self.pump(&mut g, now);
                        self.flush(g);
                        self.cv.notify_all();
                        self.post(Event::Connection(ConnectionState::Bound { system_id }));
                        attempt = 0;
                        break;
                    }
                    Err(e) => {
                        let why = e.to_string();
                        let mut g = lock(&self.st);
                        g.last_down = why.clone();
                        g.state = ConnectionState::Disconnected { why: why.clone() };
                        drop(g);
                        self.post(Event::Connection(ConnectionState::Disconnected { why }));
                    }
                }
            }
        }
    }

    /// Waits before reconnect attempt `attempt` (1 s, doubling, ±20 % jitter, capped by
    /// reconnection-timeout), doing housekeeping meanwhile. False when closing.
    fn backoff(&self, attempt: u32) -> bool {
        let base = Duration::from_secs(1) * 2u32.saturating_pow(attempt.saturating_sub(1).min(20));
        let base = base.min(self.s.config.reconnect_max_delay);
        let jitter = {
            let nanos = Instant::now().elapsed().subsec_nanos() as u64
                ^ std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.subsec_nanos() as u64)
                    .unwrap_or(0);
            (nanos % 401) as f64 / 1000.0 - 0.2
        };
        let wait = base.mul_f64(1.0 + jitter);
        let until = Instant::now() + wait;
        let mut g = lock(&self.st);
        loop {
            if g.closing {
                return false;
            }
            let now = Instant::now();
            self.housekeeping(&mut g, now);
            if now >= until {
                return true;
            }
            let step = (until - now).min(Duration::from_millis(100));
            g = self.wait(g, step);
        }
    }

    /// Ends every message still open: parts ever written become Unknown, the others NotSent.
    fn resolve_all(&self, g: &mut Shared, unknown: &str, not_sent: &str) {
        if let Some(sess) = g.session.as_mut() {
            sess.abort();
        }
        for k in g.unresolved() {
            let sent = g.subs[&k.0].parts[k.1 as usize].ever_sent;
            let r = if sent {
                PartResult::Unknown(unknown.to_string())
            } else {
                PartResult::NotSent(not_sent.to_string())
            };
            self.set_result(g, k, r);
        }
    }

    fn give_up(&self, why: &str) {
        let mut g = lock(&self.st);
        g.last_down = why.to_string();
        if let Some(t) = g.transport.take() {
            t.shutdown();
        }
        let not_sent = format!("not connected: {why}");
        // Queued parts, and parts waiting to retry after a throttling answer (which the SMSC
        // definitely refused), are safe to send again.
        for k in g.drain_queued() {
            self.set_result(&mut g, k, PartResult::NotSent(not_sent.clone()));
        }
        let unknown = format!("the connection ended before the response: {why}");
        self.resolve_all(&mut g, &unknown, &not_sent);
        g.session = None;
        g.closing = true;
        g.closed = true;
        g.state = ConnectionState::Closed;
        drop(g);
        self.post(Event::Connection(ConnectionState::Disconnected {
            why: why.to_string(),
        }));
        self.post(Event::Connection(ConnectionState::Closed));
        self.cv.notify_all();
    }

    /// The connection ended: parts in flight become Unknown; queued ones wait for the next
    /// connection (or become NotSent when x-smpp-submit-during-outage is fail).
    fn on_disconnect(&self, why: &str) {
        let mut g = lock(&self.st);
        let lost = g.session.as_mut().map(|s| s.abort()).unwrap_or_default();
        g.session = None;
        // A submitter still reading the old connection drops what it reads.
        g.conn_gen = g.conn_gen.wrapping_add(1);
        g.io_reading = false;
        g.conn_end = None;
        if let Some(t) = g.transport.take() {
            t.shutdown();
        }
        let closing = g.closing;
        for k in lost {
            let r = if closing && why == "unbound" {
                PartResult::Unknown("the client was closed before the SMSC answered".into())
            } else {
                PartResult::Unknown(format!(
                    "the connection was lost before the response: {why}"
                ))
            };
            self.set_result(&mut g, k, r);
        }
        g.last_down = why.to_string();
        if self.s.config.outage_policy == OutagePolicy::Fail && !closing {
            let keys: Vec<PartKey> = g.drain_queued();
            for k in keys {
                self.set_result(
                    &mut g,
                    k,
                    PartResult::NotSent(format!("not connected: {why}")),
                );
            }
        }
        if !closing {
            g.state = ConnectionState::Disconnected {
                why: why.to_string(),
            };
        }
        drop(g);
        self.cv.notify_all();
        if !closing {
            self.post(Event::Connection(ConnectionState::Disconnected {
                why: why.to_string(),
            }));
        }
    }

    /// Reads and drives one bound connection until it ends; returns why.
    fn run_connection(&self) -> String {
        let Some(t) = lock(&self.st).transport.clone() else {
            return "not connected".into();
        };
        // Every read returns within 250 ms, also a blocking submitter's (it reads with this
        // socket's setting): it then sees an outcome the timers gave it meanwhile.
        let mut current = Some(Duration::from_millis(250));
        let _ = t.set_read_timeout(current);
        loop {
            let mut g = lock(&self.st);
            let now = Instant::now();
            if let Some(why) = g.conn_end.take() {
                self.flush(g);
                return why;
            }
            let mut wake = now + Duration::from_millis(250);
            if let Some(d) = g.session.as_ref().and_then(|s| s.next_deadline()) {
                wake = wake.min(d);
            }
            if !g.queue.is_empty() {
                wake = wake.min(g.pacer.next().max(now + Duration::from_millis(1)));
            }
            for (t, _) in &g.retry {
                wake = wake.min(*t);
            }
            if g.coalesce_until.is_some_and(|t| t > now)
                && g.session.as_ref().is_some_and(|x| x.in_flight() > 0)
            {
                wake = wake.min(now + COALESCE_WAIT);
            }
            // A blocking submitter reads, or one did a moment ago and the next will: leave
            // the socket to them, and only run the timers.
            let linger = (g.callers == 0)
                .then_some(g.last_caller)
                .flatten()
                .map(|t| t + CALLER_LINGER)
                .filter(|u| *u > now);
            if g.reader || linger.is_some() {
                g.io_reading = false;
                // Bytes left to write go before we stand aside.
                if !g.writing && g.session.as_ref().is_some_and(|x| x.has_output()) {
                    self.flush(g);
                    continue;
                }
                // While a submitter reads, look again every CALLER_LINGER: when it stops
                // reading (without a word to us) the socket is ours again within that.
                let until = linger.unwrap_or(now + CALLER_LINGER).min(wake);
                g = self
                    .io_cv
                    .wait_timeout(g, until.saturating_duration_since(now))
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
                if let Some(why) = g.conn_end.take() {
                    self.flush(g);
                    return why;
                }
                let now = Instant::now();
                if let Some(why) = self.after_read(&mut g, now) {
                    self.flush(g);
                    return why;
                }
                self.flush(g);
                continue;
            }
            // Never read with bytes left to write (async submits leave theirs to us while we
            // are the reader): write them first. Another thread writing takes them along.
            if !g.writing && g.session.as_ref().is_some_and(|x| x.has_output()) {
                self.flush(g);
                continue;
            }
            g.reader = true;
            g.io_reading = true;
            let mut buf = std::mem::take(&mut g.rbuf);
            if buf.len() < READ_BUF {
                buf = vec![0u8; READ_BUF];
            }
            drop(g);
            let timeout = wake
                .saturating_duration_since(now)
                .max(Duration::from_millis(1));
            // Only touch the socket option when the value changes meaningfully.
            if current.is_none_or(|c| c.abs_diff(timeout) > Duration::from_millis(2)) {
                let _ = t.set_read_timeout(Some(timeout));
                current = Some(timeout);
            }
            let r = t.read(&mut buf);
            let now = Instant::now();
            let mut g = lock(&self.st);
            g.reader = false;
            let fed = self.feed_read(&mut g, r, &buf, now);
            g.rbuf = buf;
            if let Err(why) = fed {
                return why;
            }
            if let Some(why) = self.after_read(&mut g, now) {
                // Send what the session still owes (unbind_resp, nacks) before closing.
                self.flush(g);
                return why;
            }
            self.flush(g);
        }
    }

    /// Runs the session's timers and handles its events, then sends what may go. Returns
    /// why the connection ended, if it did.
    fn after_read(&self, g: &mut Shared, now: Instant) -> Option<String> {
        if let Some(s) = g.session.as_mut() {
            s.tick(now);
        }
        let end = self.process(g, now);
        self.pump(g, now);
        self.housekeeping(g, now);
        end
    }
}

/// Median TCP connect + TLS handshake times, full and resumed (see [`handshake_timing`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeTiming {
    /// Handshakes measured of each kind.
    pub n: usize,
    /// Median of full handshakes (an empty session cache each time).
    pub full: Duration,
    /// Median of resumed handshakes (one client's cache, as on a reconnect).
    pub resumed: Duration,
    /// How many of the second kind really resumed.
    pub resumed_count: usize,
}

/// Measures `n` full and `n` resumed handshakes against the configured SMSC (each one binds
/// and unbinds, but only TCP connect + handshake is timed). For benchmarks and `esme bench`.
pub fn handshake_timing(config: &Config, n: usize) -> Result<HandshakeTiming, crate::Error> {
    let n = n.max(1);
    let once = |s: &Resolved| -> Result<(Duration, bool), crate::Error> {
        let t0 = Instant::now();
        let stream = tcp_connect(s)?;
        let (t, info) = secure(s, stream)?;
        let took = t0.elapsed();
        let resumed = info.as_ref().is_some_and(|i| i.resumed);
        // Bind so that TLS 1.3 tickets (sent after the handshake) are read and stored.
        let c = bind(s, t, info)?;
        c.close_quietly();
        Ok((took, resumed))
    };
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let mut full = Vec::with_capacity(n);
    for _ in 0..n {
        let fresh = Resolved::new(config.clone())?;
        full.push(once(&fresh)?.0);
    }
    let shared = Resolved::new(config.clone())?;
    once(&shared)?;
    let mut resumed = Vec::with_capacity(n);
    let mut resumed_count = 0;
    for _ in 0..n {
        let (d, r) = once(&shared)?;
        resumed.push(d);
        resumed_count += r as usize;
    }
    Ok(HandshakeTiming {
        n,
        full: median(full),
        resumed: median(resumed),
        resumed_count,
    })
}

#[cfg(test)]
mod tests;
