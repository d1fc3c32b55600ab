//! One client connection: its reader and writer threads and the request handling.

use super::conn::Conn;
use super::outbox::Outbox;
use super::records::SimError;
use super::shared::{lock, Shared};
use super::tls::{Fill, Tls, TlsReader};
use crate::log::Level;
use crate::pdu::{CommandId, Decoded, Decoder, Pdu};
use crate::session::Direction;
use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How a session is bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BindKind {
    Transmitter,
    Receiver,
    Transceiver,
}

impl BindKind {
    pub(crate) fn can_receive(self) -> bool {
        self != BindKind::Transmitter
    }

    pub(super) fn can_transmit(self) -> bool {
        self != BindKind::Receiver
    }
}

/// What a request the simulator sent was, to count its response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sent {
    Receipt,
    Mo,
    EnquireLink,
    Other,
}

/// At most this many requests await a response per session; beyond, responses to new
/// ones count as unexpected.
pub(super) const MAX_PENDING: usize = 1 << 20;

/// One connection, as other threads see it.
#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) id: u64,
    pub(super) stream: TcpStream,
    /// `Some` on a TLS simulator.
    pub(super) tls: Option<Tls>,
    pub(super) out: Outbox,
    pub(super) bound: Mutex<Option<(BindKind, String)>>,
    pub(super) seq: AtomicU32,
    pub(super) pending: Mutex<HashMap<u32, Sent>>,
}

impl Session {
    /// How it is bound, and with which system_id.
    pub(crate) fn bound(&self) -> Option<(BindKind, String)> {
        lock(&self.bound).clone()
    }

    pub(super) fn next_seq(&self) -> u32 {
        let prev = self.seq.fetch_update(Relaxed, Relaxed, |v| {
            Some(if v >= super::Faults::UNUSED_SEQUENCE - 1 {
                1
            } else {
                v + 1
            })
        });
        match prev {
            Ok(v) | Err(v) => v,
        }
    }

    /// Sends one request (sequence number 0: the next one) or response.
    pub(crate) fn send(&self, pdu: Pdu, kind: Sent, sh: &Shared) -> Result<(), SimError> {
        self.send_all(vec![pdu], kind, sh)
    }

    /// Sends PDUs in one write, registering requests to match their responses.
    pub(crate) fn send_all(&self, pdus: Vec<Pdu>, kind: Sent, sh: &Shared) -> Result<(), SimError> {
        let stats = &sh.stats;
        let mut bytes = Vec::with_capacity(pdus.len() * 200);
        let mut seqs = Vec::with_capacity(pdus.len());
        for mut p in pdus {
            let request = !p.command_id().is_response();
            if request && p.sequence_number == 0 {
                p.sequence_number = self.next_seq();
            }
            p.encode(&mut bytes).map_err(SimError::Encode)?;
            sh.log_pdu(Direction::Out, self.id, &p);
            if request {
                seqs.push(p.sequence_number);
            }
        }
        {
            let mut pending = lock(&self.pending);
            for &s in &seqs {
                if pending.len() < MAX_PENDING {
                    pending.insert(s, kind);
                }
            }
        }
        if !self.out.push(&mut bytes) {
            let mut pending = lock(&self.pending);
            for s in &seqs {
                pending.remove(s);
            }
            return Err(SimError::Closed);
        }
        if kind == Sent::Receipt {
            stats.receipts_sent.fetch_add(seqs.len() as u64, Relaxed);
        }
        Ok(())
    }

    /// Closes the connection abruptly.
    pub(crate) fn abort(&self) {
        self.out.close(true);
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

/// Registers an accepted connection and starts its threads.
pub(crate) fn start(sh: &Arc<Shared>, stream: TcpStream) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_millis(100)))?;
    let tls = match &sh.tls {
        Some(t) => Some(Tls::new(&t.config)?),
        None => None,
    };
    let id = sh.next_session.fetch_add(1, Relaxed);
    let session = Arc::new(Session {
        id,
        stream,
        tls,
        out: Outbox::default(),
        bound: Mutex::new(None),
        seq: AtomicU32::new(1),
        pending: Mutex::new(HashMap::new()),
    });
    lock(&sh.sessions).push(session.clone());
    sh.log(Level::Info, || {
        let peer = session
            .stream
            .peer_addr()
            .map_or_else(|_| "?".to_string(), |a| a.to_string());
        format!("connection {id} from {peer}")
    });
    sh.stats.connections.fetch_add(1, Relaxed);
    sh.stats.open_connections.fetch_add(1, Relaxed);
    let (sh2, s2) = (sh.clone(), session.clone());
    let started = sh
        .spawn(&format!("esme-sim-w{id}"), move || writer(&sh2, &s2))
        .and_then(|()| {
            let (sh3, s3) = (sh.clone(), session.clone());
            sh.spawn(&format!("esme-sim-r{id}"), move || reader(&sh3, &s3))
        });
    if started.is_err() {
        session.abort();
        unregister(sh, &session);
    }
    started
}

pub(super) fn unregister(sh: &Shared, s: &Session) {
    let mut sessions = lock(&sh.sessions);
    let before = sessions.len();
    sessions.retain(|x| x.id != s.id);
    if sessions.len() < before {
        sh.log(Level::Info, || format!("connection {} closed", s.id));
        sh.stats.open_connections.fetch_sub(1, Relaxed);
        if lock(&s.bound).is_some() {
            sh.stats.bound_sessions.fetch_sub(1, Relaxed);
        }
    }
}

/// The writer thread: writes what accumulates, releases delayed responses when due.
pub(super) fn writer(sh: &Shared, s: &Session) {
    let mut wbuf: Vec<u8> = Vec::with_capacity(64 * 1024);
    // TLS: the ciphertext of one batch.
    let mut cbuf: Vec<u8> = Vec::new();
    loop {
        {
            let mut st = lock(&s.out.st);
            loop {
                let now = Instant::now();
                while st.timed.peek().is_some_and(|t| t.due <= now) {
                    if let Some(t) = st.timed.pop() {
                        st.buf.extend_from_slice(&t.bytes);
                        sh.stats.responses_sent.fetch_add(1, Relaxed);
                    }
                }
                if !st.buf.is_empty() || st.kick {
                    st.kick = false;
                    std::mem::swap(&mut st.buf, &mut wbuf);
                    break;
                }
                if st.closed {
                    drop(st);
                    if let Some(t) = &s.tls {
                        // Queued alert, or close_notify after an orderly end.
                        t.send(&s.stream, &[], &mut cbuf, true);
                    }
                    let _ = s.stream.shutdown(Shutdown::Both);
                    return;
                }
                let wait = st.timed.peek().map_or(Duration::from_millis(200), |t| {
                    t.due.saturating_duration_since(now)
                });
                st = s
                    .out
                    .cv
                    .wait_timeout(st, wait.min(Duration::from_millis(200)))
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
        }
        let ok = match &s.tls {
            None => (&s.stream).write_all(&wbuf).is_ok(),
            Some(t) => t.send(&s.stream, &wbuf, &mut cbuf, false),
        };
        if !ok {
            s.abort();
            return;
        }
        wbuf.clear();
    }
}

/// What the reader does after a PDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Next {
    Go,
    Close,
}

/// The reader thread.
pub(super) fn reader(sh: &Shared, s: &Session) {
    let decoder = Decoder::new(sh.cfg.max_pdu_len);
    let mut conn = Conn {
        sh,
        s,
        bound: None,
        out: Vec::with_capacity(64 * 1024),
    };
    let mut buf = vec![0u8; 64 * 1024];
    let (mut start, mut end) = (0usize, 0usize);
    let mut tls_reader = s.tls.as_ref().map(|_| TlsReader::new());
    // TLS: the peer sent close_notify; handle what came with it, then close.
    let mut eof = false;
    while !sh.stop.load(Relaxed) {
        if sh.faults.stalled() {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        if let (Some(t), Some(r)) = (&s.tls, tls_reader.as_mut()) {
            let (fill, kick) = t.fill(sh, s.id, &s.stream, r, &mut buf, &mut end);
            if kick {
                s.out.kick();
            }
            match fill {
                Fill::Data => {}
                Fill::Again => continue,
                Fill::Closed => eof = true,
                Fill::Failed => break,
            }
        } else {
            match (&s.stream).read(&mut buf[end..]) {
                Ok(0) => break,
                Ok(n) => end += n,
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) =>
                {
                    continue
                }
                Err(_) => break,
            }
        }
        // Stalled while blocked in read: hold what arrived (at most one buffer).
        while sh.faults.stalled() && !sh.stop.load(Relaxed) {
            std::thread::sleep(Duration::from_millis(5));
        }
        let mut next = Next::Go;
        let mut needed = 0;
        while next == Next::Go {
            match decoder.decode(&buf[start..end]) {
                Ok(Decoded::Incomplete { needed: n }) => {
                    needed = n;
                    break;
                }
                Ok(Decoded::Pdu { pdu, len }) => {
                    start += len;
                    next = conn.handle(pdu);
                }
                Ok(Decoded::Malformed { error, len }) => {
                    start += len;
                    sh.stats.malformed_received.fetch_add(1, Relaxed);
                    next = if sh.faults.close_now() {
                        Next::Close
                    } else {
                        if !error.command_id.is_response() {
                            conn.header_only(
                                CommandId::GenericNack,
                                error.status(),
                                error.sequence_number,
                            );
                        }
                        Next::Go
                    };
                }
                Err(_) => {
                    sh.stats.malformed_received.fetch_add(1, Relaxed);
                    next = Next::Close;
                }
            }
        }
        if !conn.out.is_empty() {
            s.out.push(&mut conn.out);
        }
        if next == Next::Close || eof {
            break;
        }
        if start > 0 {
            buf.copy_within(start..end, 0);
            end -= start;
            start = 0;
        }
        if needed > buf.len() {
            buf.resize(needed, 0);
        } else if end == buf.len() {
            let n = buf.len() * 2;
            buf.resize(n, 0);
        }
    }
    s.out.close(false);
    unregister(sh, s);
}
