//! One connect attempt of the I/O thread (TCP connect, TLS handshake, bind: the steps of
//! `connect.rs`) on a short-lived thread of its own, `esme-connect`: meanwhile the I/O thread
//! keeps running the timers (submit deadlines, the outage limit), and `close()` can stop the
//! attempt at once ([`Attempt::cancel`]) instead of waiting up to [`Opt::CommsTimeout`].
//!
//! Cancelling shuts the attempt's socket down, which ends a TLS handshake or a bind waiting
//! for the SMSC at once. A TCP connect still in progress (an address that does not answer its
//! SYN) cannot be interrupted with the standard library: the thread is then left to end by
//! itself within [`Opt::CommsTimeout`]; it holds the resolved configuration only, and closes
//! what it made.
//!
//! [`Opt::CommsTimeout`]: crate::config::Opt::CommsTimeout

use super::connect::{bind, host_failed, no_host, secure, tcp_connect, Connected, Resolved};
use super::lock;
use crate::error::Error;
use std::net::TcpStream;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// An attempt in progress, shared by the `esme-connect` thread, the I/O thread and `close`.
pub(super) struct Attempt {
    st: Mutex<State>,
    cv: Condvar,
    thread: Mutex<Option<JoinHandle<()>>>,
}

#[derive(Default)]
struct State {
    /// A handle on the socket once TCP is connected: [`Attempt::cancel`] shuts it down.
    sock: Option<TcpStream>,
    cancelled: bool,
    /// The outcome (and which host of the list bound), until the I/O thread takes it.
    result: Option<Result<(Connected, usize), Error>>,
    done: bool,
}

/// How long [`Attempt::finish`] waits for a cancelled attempt's thread before leaving it to end
/// by itself.
const CANCEL_WAIT: Duration = Duration::from_millis(500);

impl Attempt {
    /// Starts an attempt on its own thread (or, when no thread can be started, runs it here).
    pub(super) fn start(s: Vec<Arc<Resolved>>) -> Arc<Attempt> {
        let a = Arc::new(Attempt {
            st: Mutex::new(State::default()),
            cv: Condvar::new(),
            thread: Mutex::new(None),
        });
        let worker = a.clone();
        let spawned = std::thread::Builder::new()
            .name("esme-connect".into())
            .spawn(move || worker.run(&s));
        match spawned {
            Ok(h) => *lock(&a.thread) = Some(h),
            Err(e) => a.done(Err(Error::Usage(format!(
                "cannot start the connect thread: {e}"
            )))),
        }
        a
    }

    fn run(&self, s: &[Arc<Resolved>]) {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.hosts(s)))
            .unwrap_or_else(|_| {
                Err(Error::Disconnected {
                    why: "internal error while connecting".into(),
                })
            });
        self.done(r);
    }

    /// Each host in order until one binds.
    fn hosts(&self, hosts: &[Arc<Resolved>]) -> Result<(Connected, usize), Error> {
        let mut errors = Vec::new();
        for (i, h) in hosts.iter().enumerate() {
            if lock(&self.st).cancelled {
                return Err(cancelled());
            }
            match self.steps(h) {
                Ok(c) => return Ok((c, i)),
                Err(e) => {
                    host_failed(hosts, i, crate::log::Level::Info, &e);
                    errors.push(e)
                }
            }
        }
        Err(no_host(hosts, errors))
    }

    fn steps(&self, s: &Resolved) -> Result<Connected, Error> {
        let stream = tcp_connect(s)?;
        {
            let mut st = lock(&self.st);
            if st.cancelled {
                let _ = stream.shutdown(std::net::Shutdown::Both);
                return Err(cancelled());
            }
            st.sock = stream.try_clone().ok();
        }
        let (t, tls) = secure(s, stream)?;
        bind(s, t, tls)
    }

    fn done(&self, r: Result<(Connected, usize), Error>) {
        let mut st = lock(&self.st);
        st.sock = None;
        st.done = true;
        match r {
            // Nobody will take it: close what was made.
            Ok((c, _)) if st.cancelled => c.transport.shutdown(),
            r => st.result = Some(r),
        }
        drop(st);
        self.cv.notify_all();
    }

    /// Stops the attempt: its socket is shut down (the handshake or the bind ends at once),
    /// and a connection made anyway is closed. Idempotent.
    pub(super) fn cancel(&self) {
        let mut st = lock(&self.st);
        st.cancelled = true;
        if let Some(s) = st.sock.take() {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
        if let Some(Ok((c, _))) = st.result.take() {
            c.transport.shutdown();
        }
        drop(st);
        self.cv.notify_all();
    }

    /// Waits up to `t` for the outcome. `None`: not there yet, or cancelled.
    pub(super) fn wait(&self, t: Duration) -> Option<Result<(Connected, usize), Error>> {
        let deadline = Instant::now() + t;
        let mut st = lock(&self.st);
        loop {
            if st.cancelled {
                return None;
            }
            if st.done {
                let r = st.result.take();
                drop(st);
                self.join();
                return r;
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            st = self
                .cv
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Cancels the attempt and waits (briefly) for its thread to end; a thread still in a TCP
    /// connect is left to end by itself.
    pub(super) fn finish(&self) {
        self.cancel();
        let deadline = Instant::now() + CANCEL_WAIT;
        let mut st = lock(&self.st);
        while !st.done {
            let now = Instant::now();
            if now >= deadline {
                return;
            }
            st = self
                .cv
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        drop(st);
        self.join();
    }

    fn join(&self) {
        if let Some(h) = lock(&self.thread).take() {
            let _ = h.join();
        }
    }
}

fn cancelled() -> Error {
    Error::Disconnected {
        why: "the connect attempt was cancelled (the client is closing)".into(),
    }
}
