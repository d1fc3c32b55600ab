//! Walks a channel configuration step by step, as `esme check` prints it: options → PKCS#12
//! → trust → TCP → TLS handshake → bind. Stops at the first failure.

use super::{bind, secure, tcp_connect, Resolved};
use crate::config::{Config, Opt, TlsMode};
use crate::tls::{self, show_time};
use std::time::{Instant, SystemTime};

/// One step of [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckStep {
    /// What was checked: `options`, `certificate`, `trust`, `tcp`, `tls`, `bind`.
    pub name: &'static str,
    /// Whether it passed.
    pub ok: bool,
    /// One line: what was found, or the cause and a hint.
    pub detail: String,
    /// Warnings that do not fail the step (a certificate expiring soon, …).
    pub warnings: Vec<String>,
    /// Notes for a Genesys channel (the `options` step): each option given that esme
    /// ignores, and each whose meaning differs from the Genesys driver's
    /// ([`Config::genesys_notes`]).
    pub notes: Vec<String>,
    /// The stable error code when it failed.
    pub code: Option<u32>,
}

fn pass(name: &'static str, detail: String) -> CheckStep {
    CheckStep {
        name,
        ok: true,
        detail,
        warnings: Vec::new(),
        notes: Vec::new(),
        code: None,
    }
}

fn fail(name: &'static str, e: &crate::Error) -> CheckStep {
    CheckStep {
        name,
        ok: false,
        detail: e.to_string(),
        warnings: Vec::new(),
        notes: Vec::new(),
        code: Some(e.code()),
    }
}

fn ms(t: Instant) -> String {
    format!("{:.1} ms", t.elapsed().as_secs_f64() * 1000.0)
}

fn until(t: SystemTime) -> String {
    let days = tls::days_left(t, SystemTime::now());
    if days >= 0 {
        format!("valid until {} ({days} days left)", show_time(t))
    } else {
        format!("EXPIRED on {} ({} days ago)", show_time(t), -days)
    }
}

/// The versions offered, what [`Opt::TlsVersion`] means here, and how to pin 1.2 as the
/// Genesys driver (Java's `SSLContext` for "TLSv1.2") did.
fn versions_line(setup: &tls::TlsSetup) -> String {
    use crate::config::TlsVersion;
    let pin = match setup.max_version {
        TlsVersion::Tls13 => format!(
            "; the Genesys driver spoke exactly the version of {}: to pin TLS 1.2 as it did, set {} = 1.2",
            Opt::TlsVersion,
            Opt::TlsMaxVersion
        ),
        _ => format!("; {} = 1.2 pins it, as the Genesys driver did", Opt::TlsMaxVersion),
    };
    let lowest = match setup.min_version {
        TlsVersion::Tls11 => format!("{} = 1.1 is never spoken", Opt::TlsVersion),
        v => format!("{} = {} is the lowest offered", Opt::TlsVersion, v.name()),
    };
    format!("offering {} ({lowest}){pin}", setup.offered)
}

/// A TLS handshake that met silence or a bare close: `esme check` asks the port whether it
/// speaks plain SMPP, with an enquire_link on a new connection (no bind: the password never
/// goes out in clear), and says so for sure when an SMPP PDU comes back.
fn plain_port_probe(settings: &Resolved, e: crate::Error) -> crate::Error {
    use std::io::{Read, Write};
    let crate::Error::Tls(tls::TlsError::NotTls {
        what,
        certain: false,
    }) = &e
    else {
        return e;
    };
    let Ok(sock) = tcp_connect(settings) else {
        return e;
    };
    let wait = settings
        .config
        .connect_timeout
        .min(std::time::Duration::from_secs(3));
    let _ = sock.set_read_timeout(Some(wait));
    // enquire_link, sequence_number 1.
    let enquire_link = [0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1];
    if (&sock).write_all(&enquire_link).is_err() {
        return e;
    }
    let mut head = [0u8; 16];
    let mut got = 0;
    while got < head.len() {
        match (&sock).read(&mut head[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    let _ = sock.shutdown(std::net::Shutdown::Both);
    match tls::describe_smpp(&head[..got]) {
        Some(pdu) => crate::Error::Tls(tls::TlsError::NotTls {
            what: format!(
                "{what}; and a plain SMPP enquire_link esme check sent to that port was answered with {pdu}"
            ),
            certain: true,
        }),
        None => e,
    }
}

/// Runs the steps; the last one is the first failure, if any. With several hosts
/// ([`Opt::Host`]'s list), the connection steps (tcp, tls, bind) run for each host in turn,
/// each detail naming the host, and a host that fails does not stop the next.
pub fn check(config: &Config) -> Vec<CheckStep> {
    let mut steps = Vec::new();
    if let Err(e) = config.validate() {
        steps.push(fail("options", &crate::Error::Config(e)));
        return steps;
    }
    let mut options = pass(
        "options",
        format!(
            "valid: {}{} as {} ({}), TLS {}",
            config
                .channel
                .as_deref()
                .map(|c| format!("[{c}] "))
                .unwrap_or_default(),
            config
                .hosts()
                .iter()
                .map(|(h, p)| format!("{h}:{p}"))
                .collect::<Vec<_>>()
                .join(", "),
            config.system_id,
            config.bind_mode.name(),
            match config.tls.mode {
                TlsMode::Off => "off",
                TlsMode::Single => "single",
                TlsMode::Mutual => "mutual",
            }
        ),
    );
    options.notes = config.genesys_notes();
    steps.push(options);
    let t = &config.tls;
    let hosts = match Resolved::per_host(config) {
        Ok(s) => s,
        Err(e) => {
            let step = match &e {
                crate::Error::Tls(
                    tls::TlsError::Pkcs12(_) | tls::TlsError::ClientCertDates { .. },
                ) => "certificate",
                _ if t.mode != TlsMode::Off => "trust",
                _ => "options",
            };
            steps.push(fail(step, &e));
            return steps;
        }
    };
    let settings = &hosts[0];
    // As a connect does: the configuration (secret options as ***) at the dump level.
    if crate::log::enabled(settings.dump_level()) {
        settings.log(
            settings.dump_level(),
            "esme::config",
            &format!("{config:?}"),
        );
    }
    if let Some(setup) = &settings.tls {
        let r = &setup.report;
        if let Some(ks) = &r.keystore {
            let mut st = pass(
                "certificate",
                match r.client_not_after {
                    Some(end) => format!("{ks}; {}", until(end)),
                    None => ks.clone(),
                },
            );
            st.warnings = r
                .warnings
                .iter()
                .filter(|w| w.contains("client certificate"))
                .cloned()
                .chain(setup.client_expiry_warning(SystemTime::now()))
                .collect();
            steps.push(st);
        }
        let mut st = pass("trust", format!("verifying the SMSC against {}", r.trust));
        st.warnings = r
            .warnings
            .iter()
            .filter(|w| !w.contains("client certificate"))
            .cloned()
            .collect();
        steps.push(st);
        let mut st = pass("versions", versions_line(setup));
        st.warnings = r.version_warnings.clone();
        steps.push(st);
    }
    if hosts.len() == 1 {
        connect_steps(settings, config, &mut steps);
        return steps;
    }
    for (i, h) in hosts.iter().enumerate() {
        let mut mine = Vec::new();
        connect_steps(h, config, &mut mine);
        for mut st in mine {
            st.detail = format!(
                "host {} of {} ({}): {}",
                i + 1,
                hosts.len(),
                h.addr(),
                st.detail
            );
            steps.push(st);
        }
    }
    steps
}

/// TCP connect, TLS handshake, bind, to one host; stops at the first failure.
fn connect_steps(settings: &Resolved, config: &Config, steps: &mut Vec<CheckStep>) {
    let t0 = Instant::now();
    let stream = match tcp_connect(settings) {
        Ok(s) => s,
        Err(e) => {
            steps.push(fail("tcp", &e));
            return;
        }
    };
    steps.push(pass(
        "tcp",
        format!("connected to {} in {}", settings.addr(), ms(t0)),
    ));
    let t1 = Instant::now();
    let (transport, info) = match secure(settings, stream) {
        Ok(x) => x,
        Err(e) => {
            steps.push(fail("tls", &plain_port_probe(settings, e)));
            return;
        }
    };
    if let (Some(setup), Some(info)) = (&settings.tls, &info) {
        let smsc = setup
            .presented()
            .and_then(|c| tls::cert_facts(&c))
            .map(|f| {
                format!(
                    "; SMSC certificate {} issued by {}, {}",
                    f.subject,
                    f.issuer,
                    f.not_after.map(until).unwrap_or_default()
                )
            })
            .unwrap_or_default();
        let ev = setup.evidence();
        let mut st = pass(
            "tls",
            format!(
                "{} negotiated (offered: {}) with {} in {}{}{}{}",
                info.version.replace("TLSv1_", "TLS 1."),
                setup.offered,
                info.cipher_suite,
                ms(t1),
                smsc,
                if ev.pinned {
                    " (pinned: byte-identical to a trusted certificate)"
                } else {
                    ""
                },
                match (&ev.cert_request, ev.sent_cert) {
                    (Some(_), true) => "; the SMSC asked for our client certificate and got it",
                    (Some(_), false) => "; the SMSC asked for a client certificate and got none",
                    (None, _) if setup.mode == TlsMode::Mutual => {
                        "; the SMSC did not ask for our client certificate"
                    }
                    (None, _) => "",
                }
            ),
        );
        st.warnings.extend(setup.server_expiry_warning(
            info.server_subject.as_deref(),
            info.server_not_after,
            SystemTime::now(),
        ));
        steps.push(st);
    }
    let t2 = Instant::now();
    match bind(settings, transport, info) {
        Ok(c) => {
            steps.push(pass(
                "bind",
                format!(
                    "bound as {} to '{}' in {}",
                    config.bind_mode.name(),
                    c.system_id,
                    ms(t2)
                ),
            ));
            c.close_quietly();
        }
        Err(e) => steps.push(fail("bind", &e)),
    }
}
