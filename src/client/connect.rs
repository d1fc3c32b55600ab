//! Connecting: the configuration resolved once ([`Resolved`]), then per connection the TCP
//! connect, the TLS handshake and the bind ([`connect_and_bind`]); and the handshake timing of
//! `esme bench`.

use super::{PartKey, Session};
use crate::config::{Config, Opt, TlsMode};
use crate::error::Error;
use crate::pdu::{Address, Bind, CommandStatus};
use crate::session::{self, SessionConfig};
use crate::transport::{is_timeout, Tcp, Transport};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A validated configuration and what the client derives from it once: the TLS setup
/// (identity loaded, trust resolved; reused on every reconnect, so its session cache makes a
/// reconnect a resumed handshake) and the PII rules that mask the PDU log.
pub(crate) struct Resolved {
    pub config: Config,
    pub tls: Option<Arc<crate::tls::TlsSetup>>,
    /// What masks the texts of the log: the built-in rules plus those of [`Opt::PiiRules`],
    /// the group [`Opt::LogMaskGroup`] (checked to exist here), [`Opt::LogReceiptText`].
    pub log_mask: crate::trace::LogMask,
    /// The channel the log records are about: the configuration's `[section]` name, else
    /// the host.
    pub channel: String,
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
        // Read again (the file may have changed since the configuration was validated).
        let rules = config.log_rules()?;
        let log_mask =
            crate::trace::LogMask::new(&rules, &config.log_mask_group, config.log_receipt_text);
        let tls = match config.tls.mode {
            TlsMode::Off => None,
            _ => Some(Arc::new(crate::tls::setup(&config.tls, &config.host)?)),
        };
        let channel = config
            .channel
            .clone()
            .unwrap_or_else(|| config.host.clone());
        Ok(Resolved {
            config,
            tls,
            log_mask,
            channel,
        })
    }

    /// One [`Resolved`] per host of [`Opt::Host`]'s list, in its order: each a copy of the
    /// configuration naming that one host and port (its TLS setup checks that host's name
    /// unless [`Opt::TlsServerName`] is set); the log's channel is the whole list.
    pub(crate) fn per_host(config: &Config) -> Result<Vec<Arc<Resolved>>, Error> {
        let hosts = config.hosts();
        if hosts.is_empty() {
            return Err(Error::Usage(format!("{} names no host", Opt::Host)));
        }
        let channel = config
            .channel
            .clone()
            .unwrap_or_else(|| config.host.clone());
        let mut out = Vec::with_capacity(hosts.len());
        for (host, port) in hosts {
            let mut c = config.clone();
            c.host = host;
            c.port = port;
            let mut r = Resolved::new(c)?;
            r.channel = channel.clone();
            out.push(Arc::new(r));
        }
        Ok(out)
    }

    /// Logs a record about this channel.
    pub(crate) fn log(&self, level: crate::log::Level, target: &str, message: &str) {
        crate::log::emit_in(level, target, &self.channel, message);
    }

    /// Logs PDUs the session traced (at the dump level only), masked; wipes the bind
    /// password from each once its line is made.
    pub(crate) fn log_pdus(&self, traced: Vec<(session::Direction, crate::pdu::Pdu)>) {
        for (dir, mut pdu) in traced {
            let l = crate::trace::line(dir, &pdu, self.config.inbound_default, &self.log_mask);
            pdu.body.wipe_secrets();
            self.log(self.dump_level(), "esme::pdu", &l);
        }
    }

    /// The level of PDU dumps: info with [`Opt::DebugMode`], else debug.
    pub(crate) fn dump_level(&self) -> crate::log::Level {
        if self.config.debug {
            crate::log::Level::Info
        } else {
            crate::log::Level::Debug
        }
    }

    pub(super) fn session_config(&self) -> SessionConfig {
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
    pub(super) fn addr(&self) -> String {
        let c = &self.config;
        if c.host.contains(':') {
            format!("[{}]:{}", c.host, c.port)
        } else {
            format!("{}:{}", c.host, c.port)
        }
    }
}

/// A bound connection.
pub(crate) struct Connected {
    pub(super) transport: Arc<dyn Transport>,
    pub(super) session: Session<PartKey>,
    pub(super) system_id: String,
    /// How the TLS handshake went (TLS only).
    pub tls: Option<crate::tls::HandshakeInfo>,
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

/// With several hosts, a log line for host `i` that did not bind (the walk goes on to the
/// next; with one host the error itself says it all).
pub(crate) fn host_failed(hosts: &[Arc<Resolved>], i: usize, level: crate::log::Level, e: &Error) {
    if hosts.len() > 1 {
        let h = &hosts[i];
        let line = format!(
            "cannot bind at {} (host {} of {}): {e}",
            h.addr(),
            i + 1,
            hosts.len()
        );
        h.log(level, "esme::client", &line);
    }
}

/// The blocking first connect: [`connect_and_bind`] to each host in order, the first that
/// binds taken (its index returned); all tried again while one answered ESME_RALYBND (it
/// still holds a bind of this system_id: ours from before a restart, until it sees that
/// connection dead), with backoff from 0.5 s, as long as a new try starts within
/// [`Opt::CommsTimeout`] of the first. Any other refusal or failure is final at once.
pub(crate) fn first_connect(hosts: &[Arc<Resolved>]) -> Result<(Connected, usize), Error> {
    let start = Instant::now();
    let mut delay = Duration::from_millis(500);
    let s = &hosts[0];
    loop {
        let mut errors = Vec::new();
        for (i, h) in hosts.iter().enumerate() {
            match connect_and_bind(h) {
                Ok(c) => return Ok((c, i)),
                Err(e) => {
                    host_failed(hosts, i, crate::log::Level::Warn, &e);
                    errors.push(e)
                }
            }
        }
        let alybnd = errors.iter().any(|e| {
            matches!(
                e,
                Error::BindRefused {
                    status: CommandStatus::AlyBnd
                }
            )
        });
        if alybnd && start.elapsed() + delay < s.config.connect_timeout {
            s.log(
                crate::log::Level::Info,
                "esme::client",
                &format!(
                    "the SMSC answered the bind with ESME_RALYBND (it still holds a bind of \
                     this system_id, e.g. ours from before a restart): binding again in \
                     {:.1} s (until {} has passed)",
                    delay.as_secs_f64(),
                    Opt::CommsTimeout
                ),
            );
            std::thread::sleep(delay);
            delay *= 2;
            continue;
        }
        return Err(no_host(hosts, errors));
    }
}

/// Why no host of the list bound: with one host, its error; when every host failed the same
/// way (same code), the first host's error; else a connect error naming each.
pub(crate) fn no_host(hosts: &[Arc<Resolved>], mut errors: Vec<Error>) -> Error {
    if errors.len() == 1 || errors.iter().all(|e| e.code() == errors[0].code()) {
        return errors.swap_remove(0);
    }
    let each: Vec<String> = hosts
        .iter()
        .zip(&errors)
        .map(|(h, e)| format!("{}: {e}", h.addr()))
        .collect();
    Error::Connect {
        addr: hosts
            .iter()
            .map(|h| h.addr())
            .collect::<Vec<_>>()
            .join(", "),
        why: format!("no host of {} bound: {}", Opt::Host, each.join("; ")),
    }
}

pub(crate) fn connect_and_bind(s: &Resolved) -> Result<Connected, Error> {
    let stream = tcp_connect(s)?;
    let (t, tls) = secure(s, stream)?;
    bind(s, t, tls)
}

/// A TCP connection from `local` (any port) to `to`. The outer error: the local address
/// cannot be used at all (not an address of this machine), which no other address of the
/// host changes; the inner one: this connect failed.
fn connect_from(
    local: std::net::IpAddr,
    to: &SocketAddr,
    timeout: Duration,
) -> Result<std::io::Result<TcpStream>, Error> {
    use socket2::{Domain, Protocol, SockAddr, Socket, Type};
    let not_here = |e: std::io::Error| {
        let hint = match e.kind() {
            std::io::ErrorKind::AddrNotAvailable => " (it is not an address of this machine)",
            std::io::ErrorKind::PermissionDenied => " (not allowed to use it)",
            _ => "",
        };
        Error::Connect {
            addr: to.to_string(),
            why: format!(
                "cannot connect from {} {local}: {e}{hint}",
                Opt::LocalAddress
            ),
        }
    };
    let sock = Socket::new(Domain::for_address(*to), Type::STREAM, Some(Protocol::TCP))
        .map_err(not_here)?;
    sock.bind(&SockAddr::from(SocketAddr::new(local, 0)))
        .map_err(not_here)?;
    Ok(sock
        .connect_timeout(&SockAddr::from(*to), timeout)
        .map(|()| TcpStream::from(sock)))
}

/// Step 1: the TCP connection (TCP_NODELAY, write timeout set), from
/// [`Opt::LocalAddress`] when it is set.
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
    let mut tried = 0;
    for a in &addrs {
        let r = match c.local_address {
            None => TcpStream::connect_timeout(a, c.connect_timeout),
            // Only the addresses of the local address's family can be reached from it.
            Some(local) if local.is_ipv4() != a.is_ipv4() => continue,
            Some(local) => connect_from(local, a, c.connect_timeout)?,
        };
        tried += 1;
        match r {
            Ok(t) => {
                stream = Some(t);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    if let (Some(local), 0, false) = (c.local_address, tried, addrs.is_empty()) {
        let family = |ip: bool| if ip { "IPv4" } else { "IPv6" };
        return Err(Error::Connect {
            addr,
            why: format!(
                "{} {local} is an {} address, and the host resolves to {} addresses only",
                Opt::LocalAddress,
                family(local.is_ipv4()),
                family(!local.is_ipv4())
            ),
        });
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
                std::io::ErrorKind::ConnectionRefused => format!(
                    " (nothing listens there: is the SMSC up and {} right?)",
                    Opt::Port
                ),
                _ => String::new(),
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
            let (t, info) = crate::tls::handshake(setup, stream, s.config.connect_timeout)?;
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
    let tls13 = tls_info.as_ref().is_some_and(|i| i.version == "TLSv1_3");
    let now = Instant::now();
    let mut session = Session::new(s.session_config(), now);
    session.set_trace(crate::log::enabled(s.dump_level()));
    let r = bind_exchange(s, &t, &mut session, now, mutual, tls13);
    // The bind and its answer go to the log now, before the "bound" line, also when the
    // bind failed.
    s.log_pdus(session.take_trace());
    let system_id = r?;
    Ok(Connected {
        transport: t,
        session,
        system_id,
        tls: tls_info,
    })
}

/// Writes the bind and reads until its answer: the SMSC's system_id, or why not.
fn bind_exchange(
    s: &Resolved,
    t: &Arc<dyn Transport>,
    session: &mut Session<PartKey>,
    now: Instant,
    mutual: bool,
    tls13: bool,
) -> Result<String, Error> {
    let c = &s.config;
    let mut first: Vec<u8> = Vec::new();
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
                session::Event::Bound { system_id, .. } => return Ok(system_id),
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
                session::Event::Ignored { why } => s.log(
                    crate::log::Level::Warn,
                    "esme::session",
                    &format!("ignored from {} while binding: {why}", s.addr()),
                ),
                session::Event::FramingError(_) if s.tls.is_none() && crate::tls::looks_like_tls(&first) => {
                    return Err(Error::Tls(crate::tls::TlsError::PlainToTls {
                        evidence: format!("answered the bind with a TLS {} record", record_kind(&first)),
                    }))
                }
                session::Event::FramingError(e) => {
                    return Err(Error::Disconnected {
                        why: format!(
                            "the SMSC answered the bind with something that is not SMPP ({e}): a TLS port? then set {}",
                            Opt::TlsMode
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
            Ok(0) => return Err(closed_before_bind(s, &**t, tls13, &first, false)),
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
                if matches!(e.kind(), std::io::ErrorKind::ConnectionReset) {
                    return Err(closed_before_bind(s, &**t, tls13, &first, true));
                }
                return Err(Error::Disconnected {
                    why: format!("the connection failed while binding: {e}"),
                });
            }
        }
    }
}

/// `alert` or `handshake`: the kind of TLS record `b` starts.
fn record_kind(b: &[u8]) -> &'static str {
    match b.first() {
        Some(0x15) => "alert",
        Some(0x16) => "handshake",
        _ => "",
    }
}

/// The SMSC closed (or reset) the connection before answering the bind: what the evidence
/// says it means. Over TLS, a silent close right after a TLS 1.3 handshake in which we sent a
/// certificate is a refused certificate ([`crate::tls`]'s `diagnose_close_after`). Over
/// plain TCP, with nothing received, a second connection sends a TLS hello (no secret in it):
/// a TLS answer names a TLS port.
fn closed_before_bind(
    s: &Resolved,
    t: &dyn Transport,
    tls13: bool,
    first: &[u8],
    reset: bool,
) -> Error {
    let closed = if reset {
        "reset the connection"
    } else {
        "closed the connection"
    };
    match &s.tls {
        Some(setup) => {
            let mut after = t.after_handshake().unwrap_or_default();
            after.reset |= reset;
            Error::Disconnected {
                why: if first.is_empty() {
                    setup.diagnose_close_after(&after, tls13)
                } else {
                    format!("the SMSC {closed} in the middle of its answer to the bind")
                },
            }
        }
        None if crate::tls::looks_like_tls(first) => Error::Tls(crate::tls::TlsError::PlainToTls {
            evidence: format!(
                "answered the bind with a TLS {} record and {closed}",
                record_kind(first)
            ),
        }),
        None if first.is_empty() => {
            let probe = tcp_connect(s).ok().and_then(|sock| {
                crate::tls::answers_tls(sock, s.config.connect_timeout.min(Duration::from_secs(3)))
            });
            match probe {
                Some(answer) => Error::Tls(crate::tls::TlsError::PlainToTls {
                    evidence: format!(
                        "{closed} without answering the bind, and answers a TLS hello with {answer}"
                    ),
                }),
                None => Error::Disconnected {
                    why: format!(
                        "the SMSC {closed} before answering the bind (not a TLS port either: it does not answer a TLS hello with TLS; does the SMSC refuse this address or this {}?)",
                        Opt::SystemId
                    ),
                },
            }
        }
        None => Error::Disconnected {
            why: format!("the SMSC {closed} before answering the bind"),
        },
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
