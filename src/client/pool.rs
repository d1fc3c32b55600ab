//! The channel over its binds: [`Pool`] keeps [`Opt::Sessions`] binds (each one today's
//! single-bind machinery, [`Inner`]: a connection, a session with its own window, an I/O
//! thread) to the hosts of [`Opt::Host`], gives each submit to the least loaded bound bind,
//! and brings a bind back to an earlier host when it answers again (failback) or to a new
//! configuration ([`Pool::reload`]) the same way: connect and bind the new one, move new
//! submits to it, drain the old one and close it. The binds share a [`Channel`]: the event
//! queue, ticket ids, the rate ([`Pacer`], the channel's total), the counters, and the index
//! that correlates receipts to submits whichever bind carried them.
//!
//! ```text
//!  submit ──▶ Pool::enqueue ── least loaded bound bind ──▶ Inner::enqueue (window, queue)
//!                                  │ Bind 0: Inner + esme-io ──┐
//!                                  │ Bind 1: Inner + esme-io ──┼──▶ Channel: events, ids,
//!                                  │ Bind 0' (draining) ───────┘    pacer, counters, receipt correlation
//!  esme-pool (supervisor): failback checks (attempts on earlier hosts), closing drained binds
//! ```
//!
//! The no-loss contract holds per bind as before: a message belongs to the bind that took
//! it until its outcome; a draining bind keeps sending and reading until it holds nothing,
//! and only then unbinds.

use super::attempt::Attempt;
use super::connect::{first_connect, Connected, Resolved};
use super::correlate::Correlations;
use super::event::{ConnectionState, Event, Events};
use super::stats::Counters;
use super::submit::Pacer;
use super::{lock, Inner, PartKey, Shared, Ticket};
use crate::config::{Config, Opt};
use crate::error::Error;
use crate::session;
use crate::text::Reassembler;
use crate::Message;
use std::collections::VecDeque;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

/// What every bind of a channel shares.
pub(super) struct Channel {
    pub(super) events: Mutex<Events>,
    pub(super) events_cv: Condvar,
    /// Ticket ids, unique across the binds.
    pub(super) next_id: AtomicU64,
    /// Reference numbers for concatenated messages, unique across the binds.
    pub(super) next_ref: AtomicU32,
    /// The rate: [`Opt::SubmitMaxRate`] is the channel's total, and a throttling answer on
    /// one bind slows them all.
    pub(super) pacer: Mutex<Pacer>,
    /// Whether the pacer can hold a submit back (a rate is set, or a throttling pause may
    /// be on): without, the submit path does not take its lock.
    pub(super) paced: AtomicBool,
    /// Each bind's counters, binds since replaced included: [`Client::stats`] sums them
    /// (each bind counts on its own cache lines; shared atomics would bounce between the
    /// cores at every message).
    ///
    /// [`Client::stats`]: super::Client::stats
    pub(super) counters: Mutex<Vec<Arc<Counters>>>,
    /// The messages remembered for their receipts (`correlate.rs`), whichever bind carried
    /// them: a receipt arriving on any bind finds its submit. Taken after a bind's `st`
    /// lock, never before it; the events lock may be taken while it is held (an outcome and
    /// a receipt of one message are posted under it, so they come in order).
    pub(super) corr: Mutex<Correlations>,
}

impl Channel {
    fn new(config: &Config) -> Channel {
        Channel {
            events: Mutex::new(Events::default()),
            events_cv: Condvar::new(),
            next_id: AtomicU64::new(1),
            next_ref: AtomicU32::new(0),
            pacer: Mutex::new(Pacer::new(config.max_rate, Instant::now())),
            paced: AtomicBool::new(config.max_rate.is_some()),
            counters: Mutex::new(Vec::new()),
            corr: Mutex::new(Correlations::new(config)),
        }
    }

    /// The next event, waiting at most `timeout` (None: don't wait).
    pub(super) fn poll(&self, timeout: Option<Duration>) -> Option<Event> {
        let mut q = lock(&self.events);
        if let Some(e) = q.pop() {
            return Some(e);
        }
        let deadline = Instant::now() + timeout?;
        loop {
            if let Some(e) = q.pop() {
                return Some(e);
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            q.waiting += 1;
            q = self
                .events_cv
                .wait_timeout(q, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
            q.waiting -= 1;
        }
    }
}

/// One bind of a channel, as [`Client::binds`](super::Client::binds) shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BindInfo {
    /// Its number in the channel: 0 to [`Opt::Sessions`] − 1 (a bind that replaces another,
    /// after a failback or a reload, takes its number).
    pub index: usize,
    /// The host it is connected to (or was last), `host:port`.
    pub host: String,
    /// Which host of [`Opt::Host`]'s list that is (0: the first).
    pub host_index: usize,
    /// Its connection's state.
    pub state: ConnectionState,
    /// Messages it holds now (queued or waiting for their response).
    pub load: usize,
    /// It takes no new messages and closes once it holds none (replaced by a failback or a
    /// reload).
    pub draining: bool,
}

/// A bind: the single-bind client machinery and its I/O thread.
pub(super) struct Bind {
    pub(super) inner: Arc<Inner>,
    io: Mutex<Option<JoinHandle<()>>>,
    /// The failback check: when the next may start, and the one in progress.
    failback: Mutex<(Instant, Option<Arc<Attempt>>)>,
}

impl Bind {
    /// Starts a bind over `hosts` (in its order of preference), already connected when
    /// `first` is given, else connecting in the background on its I/O thread.
    fn start(
        ch: &Arc<Channel>,
        hosts: Vec<Arc<Resolved>>,
        index: usize,
        first: Option<(Connected, usize)>,
        warnings: bool,
    ) -> Result<Arc<Bind>, Error> {
        let s = hosts[0].clone();
        let now = Instant::now();
        let host = first.as_ref().map_or(0, |f| f.1);
        let (session, transport, state, handshake, down_since) = match first {
            Some((
                Connected {
                    transport,
                    session,
                    system_id,
                    tls,
                },
                _,
            )) => (
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
        let bound = session.is_some();
        let reasm = Reassembler::new(s.config.reassembly_timeout, s.config.inbound_default);
        let files = files_of(&s.config);
        let counters = Arc::new(Counters::new());
        lock(&ch.counters).push(counters.clone());
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
                writing: false,
                spare: Vec::new(),
                reasm,
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
                gather: Default::default(),
                last_down: "not connected yet".into(),
                down_since,
                attempt: None,
                gave_up: false,
                handshake,
                files,
            }),
            s,
            hosts: Mutex::new(hosts),
            host: AtomicUsize::new(host),
            index,
            load: AtomicUsize::new(0),
            up: AtomicBool::new(bound),
            draining: AtomicBool::new(false),
            cv: Condvar::new(),
            io_cv: Condvar::new(),
            ch: ch.clone(),
            counters,
        });
        if warnings {
            if let Some(t) = &inner.s.tls {
                for w in t.report.warnings.iter().chain(&t.report.version_warnings) {
                    inner.post(Event::Warning(w.clone()));
                }
            }
        }
        if let ConnectionState::Bound { .. } = state {
            // The certificates' expiry at every connect, the first included.
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
        let interval = inner.s.config.failback_interval;
        Ok(Arc::new(Bind {
            inner,
            io: Mutex::new(Some(io)),
            failback: Mutex::new((now + interval, None)),
        }))
    }

    pub(super) fn info(&self) -> BindInfo {
        let i = &self.inner;
        let host_index = i.host.load(Relaxed);
        BindInfo {
            index: i.index,
            host: i.addr(),
            host_index,
            state: lock(&i.st).state.clone(),
            load: i.load.load(Relaxed),
            draining: i.draining.load(Relaxed),
        }
    }

    /// Closes the bind: waits up to the close timeout for the responses in flight (then
    /// Unknown) while the queue behind the window goes on into it (if bound; what is still
    /// queued then is NotSent), unbinds, stops the I/O thread. `Closed` is posted
    /// by the channel, once. `only_if_empty` (a drained bind): closes only when it holds no
    /// message, checked under the lock that takes new ones, so none slips in (a submitter
    /// then finds it closing and the channel gives the message to another bind). Returns
    /// whether it closed the bind now (false: closed already, or not empty).
    fn close(&self, only_if_empty: bool) -> bool {
        let inner = &self.inner;
        let s = &inner.s.config;
        {
            let mut g = lock(&inner.st);
            if only_if_empty && (!g.subs.is_empty() || g.closing) {
                return false;
            }
            if g.closing {
                drop(g);
                self.join();
                self.resolve_rest();
                return false;
            }
            g.closing = true;
            inner.up.store(false, Relaxed);
            if let Some(a) = lock(&self.failback).1.take() {
                a.cancel();
            }
            // A connect attempt in progress ends now, not after its handshake or bind.
            if let Some(a) = g.attempt.take() {
                a.cancel();
            }
            inner.io_cv.notify_all();
            // While bound, the queue behind the window goes on into it as answers make room,
            // at the rate limit if one is set, within the close timeout: the submitter was
            // told the message was taken, and a close right after a burst would otherwise end
            // a window's worth NotSent. Parts waiting to be retried after a throttling answer
            // end now, and with them the queued parts of their messages (a long message is
            // not sent in part); so does everything when not bound.
            let bound = |g: &Shared| {
                g.session
                    .as_ref()
                    .is_some_and(|x| matches!(x.state(), session::State::Bound(_)))
            };
            let send_queued = bound(&g);
            let now_or_never = match send_queued {
                true => {
                    let mut v: Vec<PartKey> = g.retry.drain(..).map(|(_, k)| k).collect();
                    if !v.is_empty() {
                        let ids: Vec<u64> = v.iter().map(|k| k.0).collect();
                        let (theirs, rest): (VecDeque<PartKey>, VecDeque<PartKey>) =
                            g.queue.drain(..).partition(|k| ids.contains(&k.0));
                        g.queue = rest;
                        v.extend(theirs);
                    }
                    v
                }
                false => g.drain_queued(),
            };
            for k in now_or_never {
                inner.not_sent(&mut g, k, "the client was closed before it was sent");
            }
            inner.wake(&mut g);
            // Wait for the responses of what is in flight (and of the queue sent meanwhile).
            let deadline = Instant::now() + s.close_timeout;
            while g.session.as_ref().is_some_and(|x| x.in_flight() > 0)
                || (send_queued && bound(&g) && !g.queue.is_empty())
            {
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                g = inner.wait(g, deadline - now);
            }
            let why = match Instant::now() >= deadline {
                true => format!(
                    "the client was closed before it was sent ({}, {:.1} s, ended first)",
                    Opt::CloseTimeout,
                    s.close_timeout.as_secs_f64()
                ),
                false => "the client was closed before it was sent".to_string(),
            };
            for k in g.drain_queued() {
                inner.not_sent(&mut g, k, &why);
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
        self.resolve_rest();
        true
    }

    /// Whatever is left once the I/O thread ended (it resolves in-flight parts itself).
    fn resolve_rest(&self) {
        let inner = &self.inner;
        let mut g = lock(&inner.st);
        inner.resolve_all(
            &mut g,
            "the client was closed before the SMSC answered",
            "the client was closed before it was sent",
        );
        if !g.closed {
            g.closed = true;
            g.state = ConnectionState::Closed;
        }
    }

    fn join(&self) {
        if let Some(h) = lock(&self.io).take() {
            let _ = h.join();
        }
    }
}

/// The size and modification time of each TLS file a configuration names, to see them
/// change ([`Opt::TlsReloadFiles`], [`Pool::reload`]).
pub(super) type Files = Vec<Option<(u64, SystemTime)>>;

pub(super) fn files_of(c: &Config) -> Files {
    file_paths(c)
        .into_iter()
        .map(|p| {
            let m = std::fs::metadata(p?).ok()?;
            Some((m.len(), m.modified().ok()?))
        })
        .collect()
}

/// The TLS files a configuration names, in the order of [`files_of`].
fn file_paths(c: &Config) -> Vec<Option<&std::path::PathBuf>> {
    let t = &c.tls;
    let mut paths = vec![t.pkcs12_path.as_ref(), t.ca_file.as_ref()];
    if let Some((a, b)) = &t.client_pem {
        paths.push(Some(a));
        paths.push(Some(b));
    }
    paths
}

/// The files of `c` whose size or modification time differ between `was` and `now`, for
/// a log line: `/etc/esme/client.p12, /etc/esme/ca.pem`.
fn changed_files(c: &Config, was: &Files, now: &Files) -> String {
    let changed: Vec<String> = file_paths(c)
        .into_iter()
        .enumerate()
        .filter(|(k, _)| was.get(*k) != now.get(*k))
        .filter_map(|(_, p)| Some(p?.display().to_string()))
        .collect();
    changed.join(", ")
}

/// The channel: its binds and the supervisor thread.
pub(super) struct Pool {
    pub(super) ch: Arc<Channel>,
    binds: RwLock<Vec<Arc<Bind>>>,
    /// The configuration in force (as given, with its host list) and its files.
    config: Mutex<(Config, Files)>,
    closing: AtomicBool,
    /// One reload at a time.
    reloading: Mutex<()>,
    sup: Mutex<Option<JoinHandle<()>>>,
    sup_cv: Condvar,
    sup_lock: Mutex<()>,
}

/// Each submitting thread keeps to its own bind (see [`thread_slot`]) while that bind holds
/// fewer than this many messages more than the least loaded one (half a window, at least
/// 1): threads then do not contend for one bind's lock and I/O while another is about as
/// free, and a thread alone still spreads its submits. A full own bind (twice the window:
/// `config::admission_limit`) is kept while the others hold at least half a window less
/// (a blocking submit waits for its room; a stalled bind is left once the others drain
/// below that); `try_submit_async` tries the others before it says `WindowFull`. A
/// difference, not buckets of loads: two full windows at 63 and 64 must
/// not send every other submit across. (Against `esme smsc`, two threads on a pool of two
/// binds, window 64: 1.45-1.5 µs of CPU per message with buckets of 8, 1.3 µs with this; two
/// separate clients take 1.0. Leaving a full own bind for any room elsewhere brought the
/// pool from 0.75-0.80 down to 0.66-0.69 of separate clients.)
fn load_slack(window: usize) -> usize {
    (window / 2).max(1)
}

/// A small number per submitting thread, given at its first submit.
fn thread_slot() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SLOT: usize = NEXT.fetch_add(1, Relaxed);
    }
    SLOT.with(|s| *s)
}

/// How often the supervisor looks at the binds.
const SUPERVISE: Duration = Duration::from_millis(100);

/// The hosts in bind `i`'s order: as listed, or (spread) starting from host `i`.
fn order(hosts: &[Arc<Resolved>], i: usize, spread: bool) -> Vec<Arc<Resolved>> {
    let mut v = hosts.to_vec();
    if spread && !v.is_empty() {
        let n = i % v.len();
        v.rotate_left(n);
    }
    v
}

impl Pool {
    /// Resolves the configuration, makes the first bind on the caller's thread (unless
    /// [`Opt::ConnectRetry`]), the others too when they can, and starts the rest in the
    /// background.
    pub(super) fn start(config: Config) -> Result<Arc<Pool>, Error> {
        let hosts = Resolved::per_host(&config)?;
        let ch = Arc::new(Channel::new(&config));
        let n = config.sessions.max(1) as usize;
        let binds = Self::make_binds(&ch, &hosts, &config, n, !config.connect_retry, true)?;
        let many = hosts.len() > 1;
        let files = files_of(&config);
        let pool = Arc::new(Pool {
            ch,
            binds: RwLock::new(binds),
            config: Mutex::new((config, files)),
            closing: AtomicBool::new(false),
            reloading: Mutex::new(()),
            sup: Mutex::new(None),
            sup_cv: Condvar::new(),
            sup_lock: Mutex::new(()),
        });
        if many {
            pool.supervise();
        }
        Ok(pool)
    }

    /// `n` binds over `hosts`. `blocking`: bind 0 must connect here (its failure is the
    /// error), the others connect here when they can and else in the background; not
    /// blocking: all in the background.
    fn make_binds(
        ch: &Arc<Channel>,
        hosts: &[Arc<Resolved>],
        config: &Config,
        n: usize,
        blocking: bool,
        warnings: bool,
    ) -> Result<Vec<Arc<Bind>>, Error> {
        let mut binds: Vec<Arc<Bind>> = Vec::with_capacity(n);
        for i in 0..n {
            let hs = order(hosts, i, config.sessions_spread);
            let first = if blocking {
                match first_connect(&hs) {
                    Ok(c) => Some(c),
                    Err(e) if i == 0 => return Err(e),
                    Err(e) => {
                        hs[0].log(
                            crate::log::Level::Warn,
                            "esme::client",
                            &format!("bind {} of {n} not made now ({e}): it keeps trying in the background", i + 1),
                        );
                        None
                    }
                }
            } else {
                None
            };
            match Bind::start(ch, hs, i, first, warnings && i == 0) {
                Ok(b) => binds.push(b),
                Err(e) => {
                    for b in binds {
                        b.close(false);
                    }
                    return Err(e);
                }
            }
        }
        Ok(binds)
    }

    /// [`Opt::Sessions`] of the configuration in force.
    pub(super) fn sessions(&self) -> u64 {
        u64::from(lock(&self.config).0.sessions.max(1))
    }

    pub(super) fn binds(&self) -> Vec<Arc<Bind>> {
        self.binds.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Gives the message to a bind that takes new messages, bound ones first: the calling
    /// thread's own while it holds less than half a window more than the least loaded
    /// ([`load_slack`]), else the least loaded.
    pub(super) fn enqueue(
        &self,
        m: &Message,
        post: bool,
        block: bool,
    ) -> Result<(Arc<Bind>, Ticket), Error> {
        // The binds tried already, by their place in the list, a bit each: no allocation
        // per submit. The list holds at most 64 binds and as many draining; were it longer,
        // the ones from 127 on would share the last bit (tried together), still ending.
        let mut skip = 0u128;
        let bit = |k: usize| 1u128 << k.min(127);
        loop {
            let (pick, tried_all) = {
                let binds = self.binds.read().unwrap_or_else(|e| e.into_inner());
                let n = binds.len();
                if n == 0 {
                    return Err(Error::Closed);
                }
                let slot = thread_slot();
                let eligible = |k: usize, b: &Bind| {
                    n == 1 || (!b.inner.draining.load(Relaxed) && skip & bit(k) == 0)
                };
                let key = |b: &Bind| (!b.inner.up.load(Relaxed), b.inner.load.load(Relaxed));
                let least = binds
                    .iter()
                    .enumerate()
                    .filter(|(k, b)| eligible(*k, b))
                    .min_by_key(|(k, b)| (key(b), (k + slot) % n));
                let own = slot % n;
                let best = match (least, binds.get(own)) {
                    (Some((_, l)), Some(o)) if eligible(own, o) => {
                        let ((l_down, l_load), (o_down, o_load)) = (key(l), key(o));
                        let window = o.inner.s.config.window as usize;
                        match o_down == l_down && o_load < l_load + load_slack(window) {
                            true => Some((own, o)),
                            false => least,
                        }
                    }
                    _ => least,
                };
                let pick = match best {
                    Some((k, b)) => {
                        skip |= bit(k);
                        b.clone()
                    }
                    // Every bind drains or refused: the first one says why.
                    None => {
                        skip = !0;
                        binds.first().cloned().ok_or(Error::Closed)?
                    }
                };
                (pick, n == 1 || (0..n).all(|k| skip & bit(k) != 0))
            };
            match pick.inner.enqueue(m, post, block) {
                // That bind closed (it gave up reconnecting, or was drained) meanwhile:
                // another one takes it.
                Err(Error::Closed) if !self.closing.load(Relaxed) && !tried_all => continue,
                // try_submit_async: that bind's window filled meanwhile; another may have room.
                Err(Error::WindowFull { .. }) if !tried_all => continue,
                r => return r.map(|t| (pick, t)),
            }
        }
    }

    /// Starts the supervisor thread unless it runs.
    fn supervise(self: &Arc<Self>) {
        let mut sup = lock(&self.sup);
        if sup.is_some() || self.closing.load(Relaxed) {
            return;
        }
        let weak = Arc::downgrade(self);
        *sup = std::thread::Builder::new()
            .name("esme-pool".into())
            .spawn(move || loop {
                let Some(pool) = weak.upgrade() else { return };
                if pool.closing.load(Relaxed) {
                    return;
                }
                pool.tick();
                let g = lock(&pool.sup_lock);
                if pool.closing.load(Relaxed) {
                    return;
                }
                let _ = pool.sup_cv.wait_timeout(g, SUPERVISE);
            })
            .ok();
    }

    /// One look at the binds: failback checks, and closing drained binds.
    fn tick(&self) {
        let now = Instant::now();
        for b in self.binds() {
            let inner = &b.inner;
            if inner.draining.load(Relaxed) {
                let gone = lock(&inner.st).closed;
                if gone || (inner.load.load(Relaxed) == 0 && b.close(true)) {
                    inner.s.log(
                        crate::log::Level::Info,
                        "esme::client",
                        &format!(
                            "bind {} at {} drained and closed",
                            inner.index + 1,
                            inner.addr()
                        ),
                    );
                    self.binds
                        .write()
                        .unwrap_or_else(|e| e.into_inner())
                        .retain(|x| !Arc::ptr_eq(x, &b));
                }
                continue;
            }
            let host = inner.host.load(Relaxed);
            let mut fb = lock(&b.failback);
            let interval = inner.s.config.failback_interval;
            if host == 0 || !inner.up.load(Relaxed) {
                fb.0 = now + interval;
                if let Some(a) = fb.1.take() {
                    a.finish();
                }
                continue;
            }
            match fb.1.clone() {
                None if now >= fb.0 => {
                    let hosts = lock(&inner.hosts)[..host].to_vec();
                    fb.1 = Some(Attempt::start(hosts));
                }
                None => {}
                Some(a) => match a.wait(Duration::ZERO) {
                    None => {}
                    Some(Err(e)) => {
                        fb.1 = None;
                        fb.0 = now + interval;
                        inner.s.log(
                            crate::log::Level::Debug,
                            "esme::client",
                            &format!("bind {}: no earlier host back yet: {e}", inner.index + 1),
                        );
                    }
                    Some(Ok((c, h))) => {
                        fb.1 = None;
                        fb.0 = now + interval;
                        drop(fb);
                        self.fail_back(&b, c, h);
                    }
                },
            }
        }
    }

    /// An earlier host bound for `old`: the new bind takes new submits, `old` drains.
    fn fail_back(&self, old: &Arc<Bind>, c: Connected, host: usize) {
        let inner = &old.inner;
        if self.closing.load(Relaxed) {
            c.close_quietly();
            return;
        }
        let hosts = lock(&inner.hosts).clone();
        let to = hosts[host].addr();
        match Bind::start(&self.ch, hosts, inner.index, Some((c, host)), false) {
            Ok(new) => {
                {
                    let mut w = self.binds.write().unwrap_or_else(|e| e.into_inner());
                    w.push(new);
                    inner.draining.store(true, Relaxed);
                }
                inner.s.log(
                    crate::log::Level::Info,
                    "esme::client",
                    &format!(
                        "bind {}: {to} answers again: new submits go there; the bind at {} drains and closes",
                        inner.index + 1,
                        inner.addr()
                    ),
                );
            }
            Err(e) => inner.s.log(
                crate::log::Level::Warn,
                "esme::client",
                &format!("bind {}: cannot fail back to {to}: {e}", inner.index + 1),
            ),
        }
    }

    /// See [`Client::reload`](super::Client::reload).
    pub(super) fn reload(self: &Arc<Self>, config: Config) -> Result<(), Error> {
        let _one = lock(&self.reloading);
        if self.closing.load(Relaxed) {
            return Err(Error::Closed);
        }
        // Everything that can fail before anything changes: the files load.
        let hosts = Resolved::per_host(&config)?;
        let files = files_of(&config);
        let (old, old_files) = lock(&self.config).clone();
        let mut same = old.clone();
        same.max_rate = config.max_rate;
        same.receipt_correlation_timeout = config.receipt_correlation_timeout;
        same.receipt_correlation_max = config.receipt_correlation_max;
        let rebind = same != config || files != old_files;
        if rebind {
            let n = config.sessions.max(1) as usize;
            let new = Self::make_binds_all(&self.ch, &hosts, &config, n)?;
            let mut w = self.binds.write().unwrap_or_else(|e| e.into_inner());
            for b in w.iter() {
                b.inner.draining.store(true, Relaxed);
            }
            w.extend(new);
        }
        lock(&self.ch.pacer).set_rate(config.max_rate);
        lock(&self.ch.corr).set_limits(&config);
        self.ch.paced.store(true, Relaxed);
        hosts[0].log(
            crate::log::Level::Info,
            "esme::config",
            if rebind {
                "configuration reloaded: new binds made; the old ones drain and close"
            } else {
                "configuration reloaded: nothing needs a new bind (the rate applies at once)"
            },
        );
        *lock(&self.config) = (config, files);
        if rebind {
            self.supervise();
        }
        Ok(())
    }

    /// `n` new binds, each bound here; when one cannot bind, those made are closed and the
    /// error says which and why.
    fn make_binds_all(
        ch: &Arc<Channel>,
        hosts: &[Arc<Resolved>],
        config: &Config,
        n: usize,
    ) -> Result<Vec<Arc<Bind>>, Error> {
        let mut made: Vec<Arc<Bind>> = Vec::with_capacity(n);
        for i in 0..n {
            let hs = order(hosts, i, config.sessions_spread);
            let r = first_connect(&hs).and_then(|c| Bind::start(ch, hs, i, Some(c), false));
            match r {
                Ok(b) => made.push(b),
                Err(e) => {
                    for b in made {
                        b.close(false);
                    }
                    return Err(match e {
                        Error::Connect { addr, why } => Error::Connect {
                            addr,
                            why: format!("reload not applied, the binds in use kept: {why}"),
                        },
                        e => e,
                    });
                }
            }
        }
        Ok(made)
    }

    /// Closes every bind (in parallel: each waits up to its close timeout), then posts
    /// `Closed` once. Idempotent.
    pub(super) fn close(&self) {
        let first = !self.closing.swap(true, Relaxed);
        {
            let _g = lock(&self.sup_lock);
            self.sup_cv.notify_all();
        }
        if let Some(h) = lock(&self.sup).take() {
            if h.thread().id() != std::thread::current().id() {
                let _ = h.join();
            }
        }
        let binds = self.binds();
        let open = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|sc| {
            for b in &binds {
                let open = &open;
                sc.spawn(move || {
                    if b.close(false) {
                        open.store(true, Relaxed);
                    }
                });
            }
        });
        if first && open.load(Relaxed) {
            if let Some(b) = binds.first() {
                // No receipt can come any more: every message still remembered is
                // released, after its outcome and before the Closed event.
                let released = lock(&self.ch.corr).release_all("the client was closed");
                for r in released {
                    b.inner.post(Event::Released(r));
                }
                b.inner.post(Event::Connection(ConnectionState::Closed));
            }
        }
    }
}

impl Inner {
    /// The resolved configuration of the host this bind is (or was last) connected to: its
    /// TLS material is the one in use ([`Opt::TlsReloadFiles`] may have read it again since
    /// the bind started; `self.s` keeps the first reading).
    pub(super) fn resolved(&self) -> Arc<Resolved> {
        let hosts = lock(&self.hosts);
        hosts
            .get(self.host.load(Relaxed))
            .or(hosts.first())
            .cloned()
            .unwrap_or_else(|| self.s.clone())
    }

    /// `host:port` of the host this bind is (or was last) connected to.
    pub(super) fn addr(&self) -> String {
        let hosts = lock(&self.hosts);
        hosts
            .get(self.host.load(Relaxed))
            .or(hosts.first())
            .map_or_else(|| self.s.addr(), |h| h.addr())
    }

    /// [`Opt::TlsReloadFiles`]: before a reconnect, reads the TLS files again when they
    /// changed on disk; a file that no longer loads is logged and the setup in use kept.
    pub(super) fn reload_files_if_changed(&self) {
        if !self.s.config.tls.reload_files {
            return;
        }
        let now = files_of(&self.s.config);
        let changed = {
            let g = lock(&self.st);
            if g.files == now {
                return;
            }
            changed_files(&self.s.config, &g.files, &now)
        };
        let hosts = lock(&self.hosts).clone();
        let mut fresh = Vec::with_capacity(hosts.len());
        for h in &hosts {
            match Resolved::new(h.config.clone()) {
                Ok(mut r) => {
                    r.channel = h.channel.clone();
                    fresh.push(Arc::new(r));
                }
                Err(e) => {
                    // A warning event (logged at warn too): the caller sees it whether it
                    // reads the log or the events. Asked again once the files change again.
                    self.post(Event::Warning(format!(
                        "TLS file {changed} changed on disk and cannot be used ({e}): the TLS material loaded before is kept ({})",
                        Opt::TlsReloadFiles
                    )));
                    lock(&self.st).files = now;
                    return;
                }
            }
        }
        self.s.log(
            crate::log::Level::Info,
            "esme::tls",
            &format!(
                "TLS file {changed} changed on disk: read again for this reconnect ({})",
                Opt::TlsReloadFiles
            ),
        );
        *lock(&self.hosts) = fresh;
        lock(&self.st).files = now;
    }
}
