//! The blocking client: one TCP or TLS connection to an SMSC, bound and kept bound,
//! submitting from any number of threads, never losing a message without saying so. A
//! [`Client`] is a channel: one or more such binds
//! ([`Opt::Sessions`](crate::config::Opt::Sessions)) over the hosts of
//! [`Opt::Host`](crate::config::Opt::Host), kept by `pool.rs` (the picture below is one
//! bind, `Inner`; the event queue, ticket ids and the pacer belong to the channel).
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
//! `event.rs` what the client reports; `pool.rs` the channel over its binds (dispatch,
//! failback, reload, draining); `ticket.rs`; `message.rs` what a caller submits and how
//! it becomes PDUs; `stats.rs` the numbers, `prometheus.rs` their Prometheus text;
//! `check.rs` `esme check`.

mod attempt;
mod check;
mod connect;
mod correlate;
mod event;
mod inbound;
mod io;
mod message;
mod pool;
mod prometheus;
mod reconnect;
mod stats;
mod submit;
mod ticket;

pub use check::{check, CheckStep};
pub use connect::{handshake_timing, HandshakeTiming};
pub use event::{ConnectionState, Correlation, Event, InboundMessage, ReceivedReceipt, Released};
pub use message::{Content, Message, Outcome};
pub use pool::BindInfo;
pub use prometheus::prometheus_text;
pub use stats::{BindStats, Stats};
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
use stats::Counters;
use std::collections::VecDeque;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};
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
    /// [`Message::user_data`].
    user_data: u64,
    /// A receipt was asked for (and receipts are matched): its accepted parts' ids are
    /// remembered in the channel's `Channel::corr`, whichever bind carries it.
    receipts: bool,
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
    writing: bool,
    spare: Vec<u8>,
    reasm: Reassembler,
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
    /// The TLS files as last read ([`Opt::TlsReloadFiles`]).
    files: pool::Files,
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
    /// Reading answers in batches when the SMSC writes them one per segment.
    gather: io::Gather,
}

/// How long the I/O thread leaves the socket to blocking submitters after one read for
/// itself: a submitter that finds the socket free reads its own response, saving two thread
/// hand-offs per round trip at window 1. Inbound PDUs arriving meanwhile wait at most this.
const CALLER_LINGER: Duration = Duration::from_millis(2);

/// The read buffer's size.
const READ_BUF: usize = 64 * 1024;

/// An async submit leaves its bytes to the I/O thread's next write when at least this many
/// are unanswered (see `Inner::enqueue`): two keep the SMSC busy while the bytes wait for
/// the next answer (or [`COALESCE_WAIT`]). With four, at window 10 the first submits after
/// each read of a batch of answers were written one per system call (0.39–0.42 sendto per
/// message against the smpp34 server and `esme smsc`; 0.23–0.27 with two), …
const COALESCE_IN_FLIGHT: usize = 2;
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

    /// The parts with no result that are not on the wire (waiting for room, a reconnect or a
    /// retry), of the messages `which` picks.
    fn unwritten(&self, which: impl Fn(&Sub) -> bool) -> Vec<PartKey> {
        self.subs
            .iter()
            .filter(|(_, sub)| which(sub))
            .flat_map(|(id, sub)| {
                sub.parts
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.result.is_none() && !p.in_flight)
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
    /// The configuration, for the first host of [`Inner::hosts`] (shared with the connect
    /// attempts' threads).
    s: Arc<Resolved>,
    /// The hosts of [`Opt::Host`] in the order this bind tries them, each resolved; read
    /// again before a reconnect when [`Opt::TlsReloadFiles`] sees a file changed.
    hosts: Mutex<Vec<Arc<Resolved>>>,
    /// Which of `hosts` the connection is (or was last) to.
    host: AtomicUsize,
    /// This bind's number in its channel (0 for the first), for logs and [`Client::binds`].
    index: usize,
    /// Messages this bind holds (queued or in flight): the dispatcher's measure of load.
    load: AtomicUsize,
    /// Bound now (the dispatcher prefers bound binds).
    up: AtomicBool,
    /// Takes no new messages: its connection is being replaced (failback, reload); it is
    /// closed once `load` is 0.
    draining: AtomicBool,
    st: Mutex<Shared>,
    cv: Condvar,
    /// The I/O thread sleeps here while a submitter holds the reader role.
    io_cv: Condvar,
    /// What the binds of a channel share: the event queue, ticket ids, the rate, counters.
    ch: Arc<pool::Channel>,
    counters: Arc<Counters>,
}

/// A bound SMPP client: one channel, kept bound through one or more binds
/// ([`Opt::Sessions`]) to the hosts of [`Opt::Host`]. `Send + Sync`: share it (e.g. in an
/// `Arc`) between threads.
pub struct Client {
    pool: Arc<pool::Pool>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let binds = self.pool.binds();
        let first = binds.first().map(|b| &b.inner);
        f.debug_struct("Client")
            .field("smsc", &first.map(|i| i.addr()))
            .field("system_id", &first.map(|i| &i.s.config.system_id))
            .field("binds", &binds.len())
            .field("state", &self.state())
            .finish()
    }
}

impl Client {
    /// Connects to the SMSC and binds, then keeps the session up (keepalive, reconnect).
    /// The configuration is validated first; a refused bind is an error naming the status
    /// (e.g. ESME_RINVPASWD). With several hosts, the first that binds is taken, in order;
    /// with [`Opt::Sessions`] above 1, the first bind is made here and must succeed, the
    /// others too when they can (one that cannot keeps trying in the background).
    pub fn connect(config: &crate::config::Config) -> Result<Client, Error> {
        config.validate()?;
        log_config(config);
        Client::connect_with(config.clone())
    }

    /// Connects with a configuration as it is (tests give values the options refuse, e.g.
    /// an enquire_link interval of 100 ms).
    pub(crate) fn connect_with(config: Config) -> Result<Client, Error> {
        Ok(Client {
            pool: pool::Pool::start(config)?,
        })
    }

    /// Submits and waits for the outcome. `Err` only for a message that cannot be sent as
    /// given (nothing was sent); every other ending is an [`Outcome`].
    pub fn submit(&self, m: &Message) -> Result<Outcome, Error> {
        self.submit_awaiting(m).map(|(o, _, _)| o)
    }

    /// [`Client::submit`], whether the client remembers the message for its receipts (as
    /// [`Event::Outcome`]'s `awaiting_receipts`), and its ticket id (as in the receipts'
    /// [`Correlation`]).
    pub(crate) fn submit_awaiting(&self, m: &Message) -> Result<(Outcome, bool, u64), Error> {
        let (bind, t) = self.pool.enqueue(m, false, true)?;
        bind.inner.submit_and_read(&t);
        let (slot, id) = (t.slot.clone(), t.id);
        // Always resolves: queued parts end by the submit timeout, sent ones by the
        // response timeout, and close() resolves everything.
        let o = t.take().unwrap_or(Outcome::NotSent {
            why: "internal: no outcome".into(),
        });
        let awaiting = lock(&slot.outcome).awaiting_receipts;
        Ok((o, awaiting, id))
    }

    /// Submits without waiting for the outcome, which arrives as [`Event::Outcome`] (and
    /// through the ticket). Blocks while the window and the queue behind it are full (at
    /// most the submit timeout; [`Error::WindowFull`] says how many that is).
    pub fn submit_async(&self, m: &Message) -> Result<Ticket, Error> {
        Ok(self.pool.enqueue(m, true, true)?.1)
    }

    /// Like [`Client::submit_async`] but never blocks: a full window and queue (of every
    /// bind) is [`Error::WindowFull`].
    pub fn try_submit_async(&self, m: &Message) -> Result<Ticket, Error> {
        Ok(self.pool.enqueue(m, true, false)?.1)
    }

    /// The next event, waiting at most `timeout` (None: don't wait). Every bind's events
    /// arrive here.
    pub fn poll_event(&self, timeout: Option<Duration>) -> Option<Event> {
        self.pool.ch.poll(timeout)
    }

    /// A file descriptor that is readable while events wait for [`Client::poll_event`]
    /// (level-triggered: readable from the moment the queue stops being empty until a poll
    /// takes its last event), for `poll`/`epoll`/an event loop instead of a thread blocked
    /// in `poll_event`. Every bind's events go to the one queue it watches. Made at the
    /// first call (later calls give the same one); owned by the client and closed when it
    /// is dropped: never read it, write it or close it. When it is readable, call
    /// `poll_event(None)` until it gives None.
    #[cfg(unix)]
    pub fn event_fd(&self) -> Result<std::os::unix::io::RawFd, Error> {
        lock(&self.pool.ch.events)
            .fd()
            .map_err(|e| Error::Usage(format!("cannot make the event descriptor: {e}")))
    }

    /// The numbers an operator watches: the channel's totals (every bind's, binds since
    /// replaced included) and each bind's ([`Stats::binds`]), certificate expiry included.
    pub fn stats(&self) -> Stats {
        let binds = self.pool.binds();
        let views: Vec<stats::BindView> = binds
            .iter()
            .map(|b| {
                let i = &b.inner;
                let g = lock(&i.st);
                stats::BindView {
                    index: i.index as u32,
                    draining: i.draining.load(Relaxed),
                    host: i.addr(),
                    up: matches!(g.state, ConnectionState::Bound { .. }),
                    in_flight: g.session.as_ref().map_or(0, |x| x.in_flight()) as u64,
                    window_size: u64::from(i.s.config.window),
                    smsc_not_after: g.handshake.as_ref().and_then(|h| h.server_not_after),
                }
            })
            .collect();
        // Our certificate: the one the binds taking new submits use (a reload may change it).
        let client_cert = self.current().and_then(|i| {
            i.resolved()
                .tls
                .as_ref()
                .and_then(|t| t.report.client_not_after)
        });
        let all = lock(&self.pool.ch.counters).clone();
        let all: Vec<&Counters> = all.iter().map(|c| &**c).collect();
        let live = binds
            .iter()
            .map(|b| &*b.inner.counters)
            .zip(views)
            .collect();
        Counters::snapshot_channel(&all, live, self.pool.sessions(), client_cert)
    }

    /// The first bind that takes new submits (else the first bind).
    fn current(&self) -> Option<Arc<Inner>> {
        let binds = self.pool.binds();
        binds
            .iter()
            .find(|b| !b.inner.draining.load(Relaxed))
            .or(binds.first())
            .map(|b| b.inner.clone())
    }

    /// The `channel` label of the client's metrics: the configuration's `[section]` name,
    /// else `system_id@host:port`, so that two clients of one process differ unless two
    /// sections share a name.
    pub fn channel(&self) -> String {
        let Some(i) = self.current() else {
            return String::new();
        };
        match &i.s.config.channel {
            Some(name) => name.clone(),
            None => format!("{}@{}", i.s.config.system_id, i.s.addr()),
        }
    }

    /// [`Client::stats`] in the Prometheus text exposition format, labelled with
    /// [`Client::channel`]: see [`Stats::prometheus`].
    pub fn prometheus(&self) -> String {
        self.stats().prometheus(&self.channel())
    }

    /// Each bind of the channel now: its number, host, state, load, whether it drains.
    pub fn binds(&self) -> Vec<BindInfo> {
        self.pool.binds().iter().map(|b| b.info()).collect()
    }

    /// How the last TLS handshake of the first bound bind went (version, cipher suite,
    /// resumed or not); None without TLS.
    pub fn tls_handshake(&self) -> Option<crate::tls::HandshakeInfo> {
        let binds = self.pool.binds();
        let pick = binds
            .iter()
            .find(|b| b.inner.up.load(Relaxed))
            .or(binds.first())?;
        let h = lock(&pick.inner.st).handshake.clone();
        h
    }

    /// The channel's state: Bound while any bind is bound (with its SMSC's system_id), else
    /// the first bind's state.
    pub fn state(&self) -> ConnectionState {
        let binds = self.pool.binds();
        if binds.is_empty() {
            return ConnectionState::Closed;
        }
        for b in &binds {
            if b.inner.up.load(Relaxed) {
                if let st @ ConnectionState::Bound { .. } = lock(&b.inner.st).state.clone() {
                    return st;
                }
            }
        }
        let st = lock(&binds[0].inner.st).state.clone();
        st
    }

    /// Applies a new configuration without a restart. It is validated first (and its
    /// files loaded): a configuration that fails changes nothing, and the error says why.
    /// [`Opt::SubmitMaxRate`], [`Opt::ReceiptCorrelationTimeout`] and
    /// [`Opt::ReceiptCorrelationMax`] change at once; every other change (hosts, credentials, TLS
    /// material, window, timeouts, masking, [`Opt::Sessions`]) is applied by connecting
    /// and binding new binds with it, moving new submits to them and draining the old ones
    /// (their messages end as they would have; nothing is lost or left without an
    /// outcome). When a new bind cannot be made, the reload fails and the old binds stay.
    pub fn reload(&self, config: &crate::config::Config) -> Result<(), Error> {
        config.validate()?;
        self.pool.reload(config.clone())
    }

    /// Unbinds and closes: stops taking messages, waits up to the close timeout for the
    /// responses of those in flight (then Unknown) while, if bound, the queue behind the
    /// window goes on into it (at the rate limit); what is still queued then is NotSent.
    /// Then unbinds and stops the I/O threads. Idempotent; never hangs.
    pub fn close(&self) {
        self.pool.close();
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.close();
    }
}

/// Logs the configuration (secrets as ***) and the notes on Genesys options.
fn log_config(config: &Config) {
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
