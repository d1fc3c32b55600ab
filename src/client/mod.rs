//! The blocking client: one TCP or TLS connection to an SMSC, bound and kept bound,
//! submitting from any number of threads, never losing a message without saying so.
//!
//! # Threads, and who may touch the socket when
//!
//! ```text
//!  caller threads (any number)          Inner (one per Client, in an Arc)           esme-io thread
//!  ───────────────────────────          ────────────────────────────────────        ──────────────
//!  submit, submit_async ──enqueue──▶    st: Mutex<Shared>                     ◀──   run_connection:
//!    (encode outside the lock;            session   sans-IO SMPP state               reads, timers,
//!     admission: window, rate)            subs, queue, retry   the messages          inbound PDUs;
//!  flush: the writer role ──────────▶     writing   the writer role is taken         reconnects
//!  read_for_self: the reader role ──▶     reader    the reader role is taken   ◀──   (reconnect.rs)
//!  close ───────────────────────────▶     transport the socket (Arc<dyn Transport>)
//!  poll_event ◀─────────────────────    events: Mutex<Events>                 ◀──   post
//!  Ticket::wait ◀───────────────────    each message's Slot                   ◀──   finish
//! ```
//!
//! - The session and the message tables are touched only under the `st` lock; the socket is
//!   read and written only without it.
//! - **Writing**: whoever flushes takes the writer role (`Shared::writing`) if it is free,
//!   takes every byte the session has queued, unlocks, writes, and repeats until nothing is
//!   left: bytes queued by other threads meanwhile go in the same write. A thread that finds
//!   the role taken leaves its bytes to the holder. Submitters, the I/O thread and `close`
//!   all flush.
//! - **Reading**: one reader at a time (`Shared::reader`). Usually the I/O thread; a blocking
//!   `submit` waiting for its answer, or a submitter waiting for room in the window, reads for
//!   itself when the role is free (leader/follower, `Inner::read_for_self`), and the I/O thread
//!   stands aside meanwhile and for `CALLER_LINGER` after. What is read is fed to the session
//!   under the lock, and dropped if the connection changed meanwhile (`Shared::conn_gen`).
//!   Nobody reads while bytes wait to be written: the answers awaited may be theirs.
//! - **Connecting**: `Client::connect` connects and binds on the caller's thread (or, with
//!   [`Opt::ConnectRetry`](crate::config::Opt::ConnectRetry), leaves the first connect to
//!   the I/O thread); the I/O thread reconnects. It runs each attempt on a short-lived `esme-connect` thread
//!   (`attempt.rs`) and keeps running the timers meanwhile: submit deadlines and the outage
//!   limit expire while a connect, handshake or bind hangs, and `close` cancels the attempt
//!   (`Shared::attempt`) instead of waiting for it. A new connection is seen by other
//!   threads only once its transport and session are installed in `Shared`.
//! - **Outages**: once the link has been down for
//!   [`Opt::SubmitTimeout`](crate::config::Opt::SubmitTimeout) (`Shared::down_since`), every message still waiting and every new one is NotSent at
//!   once until it is back: a backlog drains in one submit timeout, not one per window.
//! - Over TLS one rustls connection is shared by the reader and the writers (the `transport`
//!   module, below both `client` and `tls`).
//!
//! # Files
//!
//! `connect.rs` TCP connect, TLS handshake, bind (and what the client derives from its
//! configuration); `attempt.rs` one connect attempt of the I/O thread on a thread of its own;
//! `submit.rs` admission, window, rate, outcomes, throttling retries; `io.rs`
//! the writer and reader roles and the I/O thread's loop; `inbound.rs` deliver_sm and
//! data_sm (receipts, reassembly); `reconnect.rs` losing and re-making the connection;
//! `event.rs` what the client reports; `ticket.rs`; `message.rs` what a caller submits and how
//! it becomes PDUs; `stats.rs`; `check.rs` `esme check`.

mod attempt;
mod check;
mod connect;
mod event;
mod inbound;
mod io;
mod message;
mod reconnect;
mod stats;
mod submit;
mod ticket;

pub use check::{check, CheckStep};
pub use connect::{handshake_timing, HandshakeTiming};
pub use event::{ConnectionState, Event, InboundMessage, ReceivedReceipt};
pub use message::{Content, Message, Outcome};
pub use stats::{prometheus_text, BindStats, Stats, REMEMBERED_IDS};
pub use ticket::Ticket;

pub(crate) use connect::{bind, secure, tcp_connect, Connected, Resolved};

use crate::config::Config;
#[cfg(doc)]
use crate::config::Opt;
use crate::error::Error;
use crate::pdu::CommandStatus;
use crate::session::Session;
use crate::text::Reassembler;
use crate::transport::Transport;
use event::Events;
use stats::Counters;
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use submit::Pacer;
use ticket::Slot;

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
    /// The throttling status (ESME_RTHROTTLED, ESME_RMSGQFUL) of its last answer while it
    /// waits to be resubmitted: if it ends NotSent, it was written and refused.
    refused: Option<CommandStatus>,
    sent_at: Option<Instant>,
}

struct Sub {
    parts: Vec<Part>,
    deadline: Instant,
    slot: Arc<Slot>,
    post: bool,
    /// A blocking `submit` waits for it, counted in `Shared::callers`.
    caller: bool,
    /// It asked for a delivery receipt: its accepted ids are remembered for the stats'
    /// receipt matching.
    receipt: bool,
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
    /// Since when the link has been down (None while bound): see [`Inner::outage_over`].
    down_since: Option<Instant>,
    /// The connect attempt in progress, for `close` to cancel.
    attempt: Option<Arc<attempt::Attempt>>,
    /// The I/O thread gave up reconnecting ([`Opt::ReconnectAttempts`]); `last_down` says
    /// why.
    gave_up: bool,
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

struct Inner {
    /// Shared with the connect attempts' threads.
    s: Arc<Resolved>,
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
        let channel = config.channel.as_deref().unwrap_or(&config.host);
        if crate::log::enabled(level) {
            // Secret options print as ***.
            crate::log::emit_in(level, "esme::config", channel, &format!("{config:?}"));
        }
        // No option is ignored silently (esme check prints the same lines).
        for note in config.genesys_notes() {
            crate::log::emit_in(crate::log::Level::Info, "esme::config", channel, &note);
        }
        Client::connect_with(config.clone())
    }

    /// Connects with a configuration as it is (tests give values the options refuse, e.g.
    /// an enquire_link interval of 100 ms).
    pub(crate) fn connect_with(config: Config) -> Result<Client, Error> {
        let s = Arc::new(Resolved::new(config)?);
        // Blocking: the first connect and bind here, on the caller's thread. With
        // Opt::ConnectRetry the I/O thread makes them, at once and then like reconnects.
        let first = if s.config.connect_retry {
            None
        } else {
            Some(connect::first_connect(&s)?)
        };
        let now = Instant::now();
        let (session, transport, state, handshake, down_since) = match first {
            Some(Connected {
                transport,
                session,
                system_id,
                tls,
            }) => (
                Some(session),
                Some(transport),
                ConnectionState::Bound { system_id },
                tls,
                None,
            ),
            None => (
                None,
                None,
                ConnectionState::Connecting { attempt: 0 },
                None,
                Some(now),
            ),
        };
        let reasm = Reassembler::new(s.config.reassembly_timeout, s.config.inbound_default);
        let inner = Arc::new(Inner {
            st: Mutex::new(Shared {
                session,
                transport,
                state: state.clone(),
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
                last_down: "not connected yet".into(),
                down_since,
                attempt: None,
                gave_up: false,
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
            for w in t.report.warnings.iter().chain(&t.report.version_warnings) {
                inner.post(Event::Warning(w.clone()));
            }
        }
        if let ConnectionState::Bound { .. } = state {
            let handshake = lock(&inner.st).handshake.clone();
            inner.warn_expiry(handshake.as_ref());
            inner.post(Event::Connection(state));
        }
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
                    if let Some(a) = lock(&guard.st).attempt.take() {
                        a.cancel();
                    }
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

    /// The numbers an operator watches: the channel's totals and each bind's
    /// ([`Stats::binds`]), certificate expiry included.
    pub fn stats(&self) -> Stats {
        let s = &self.inner.s;
        let view = {
            let g = lock(&self.inner.st);
            stats::BindView {
                host: s.addr(),
                up: matches!(g.state, ConnectionState::Bound { .. }),
                in_flight: g.session.as_ref().map_or(0, |x| x.in_flight()) as u64,
                window_size: u64::from(s.config.window),
                smsc_not_after: g.handshake.as_ref().and_then(|h| h.server_not_after),
            }
        };
        let client_cert = s.tls.as_ref().and_then(|t| t.report.client_not_after);
        self.inner.counters.snapshot(view, client_cert)
    }

    /// The `channel` label of the client's metrics: the configuration's `[section]` name,
    /// else `system_id@host:port`, so that two clients of one process differ unless two
    /// sections share a name.
    pub fn channel(&self) -> String {
        let s = &self.inner.s;
        match &s.config.channel {
            Some(name) => name.clone(),
            None => format!("{}@{}", s.config.system_id, s.addr()),
        }
    }

    /// [`Client::stats`] in the Prometheus text exposition format, labelled with
    /// [`Client::channel`]: see [`Stats::prometheus`].
    pub fn prometheus(&self) -> String {
        self.stats().prometheus(&self.channel())
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
            // A connect attempt in progress ends now, not after its handshake or bind.
            if let Some(a) = g.attempt.take() {
                a.cancel();
            }
            inner.io_cv.notify_all();
            let queued: Vec<PartKey> = g.drain_queued();
            for k in queued {
                inner.not_sent(&mut g, k, "the client was closed before it was sent");
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
}

#[cfg(test)]
mod tests;
