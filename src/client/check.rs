//! Walks a channel configuration step by step, as `esme check` prints it: options → PKCS#12
//! → trust → TCP → TLS handshake → bind. Stops at the first failure.

use super::{bind, secure, tcp_connect, Resolved};
use crate::config::{Config, Secret, TlsMode};
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
    /// The stable error code when it failed.
    pub code: Option<u32>,
}

fn pass(name: &'static str, detail: String) -> CheckStep {
    CheckStep {
        name,
        ok: true,
        detail,
        warnings: Vec::new(),
        code: None,
    }
}

fn fail(name: &'static str, e: &crate::Error) -> CheckStep {
    CheckStep {
        name,
        ok: false,
        detail: e.to_string(),
        warnings: Vec::new(),
        code: Some(e.code()),
    }
}

fn ms(t: Instant) -> String {
    format!("{:.1} ms", t.elapsed().as_secs_f64() * 1000.0)
}

fn until(t: SystemTime) -> String {
    let days = t
        .duration_since(SystemTime::now())
        .map(|d| (d.as_secs() / 86400) as i64)
        .unwrap_or_else(|e| -((e.duration().as_secs() / 86400) as i64));
    if days >= 0 {
        format!("valid until {} ({days} days left)", show_time(t))
    } else {
        format!("EXPIRED on {} ({} days ago)", show_time(t), -days)
    }
}

/// Runs the steps; the last one is the first failure, if any.
pub fn check(config: &Config) -> Vec<CheckStep> {
    let mut steps = Vec::new();
    if let Err(e) = config.validate() {
        steps.push(fail("options", &crate::Error::Config(e)));
        return steps;
    }
    steps.push(pass(
        "options",
        format!(
            "valid: {}{}:{} as {} ({}), TLS {}",
            config
                .channel
                .as_deref()
                .map(|c| format!("[{c}] "))
                .unwrap_or_default(),
            config.host,
            config.port,
            config.system_id,
            config.bind_mode.name(),
            match config.tls.mode {
                TlsMode::Off => "off",
                TlsMode::Single => "single",
                TlsMode::Mutual => "mutual",
            }
        ),
    ));
    let t = &config.tls;
    if let (true, Some(path)) = (t.mode != TlsMode::Off, &t.pkcs12_path) {
        if t.mode == TlsMode::Mutual || t.trust_pkcs12_cas {
            match tls::pkcs12::load_file(
                path,
                t.file_password.as_ref().map(Secret::expose),
                t.key_password.as_ref().map(Secret::expose),
                t.alias.as_deref(),
            ) {
                Ok(id) => {
                    let mut st = pass(
                        "certificate",
                        format!(
                            "{} opens; key matches {}{}, {}",
                            path.display(),
                            id.subject,
                            id.alias
                                .as_deref()
                                .map(|a| format!(" (alias {a})"))
                                .unwrap_or_default(),
                            id.not_after
                                .map(until)
                                .unwrap_or_else(|| "no expiry date".into())
                        ),
                    );
                    st.warnings.extend(id.expiry_warning(SystemTime::now()));
                    steps.push(st);
                }
                Err(e) => {
                    steps.push(fail("certificate", &crate::Error::Tls(e.into())));
                    return steps;
                }
            }
        }
    }
    let settings = match Resolved::new(config.clone()) {
        Ok(s) => s,
        Err(e) => {
            steps.push(fail(
                if t.mode != TlsMode::Off {
                    "trust"
                } else {
                    "options"
                },
                &e,
            ));
            return steps;
        }
    };
    // As a connect does: the configuration (secret options as ***) at the dump level.
    if crate::log::enabled(settings.dump_level()) {
        settings.log(
            settings.dump_level(),
            "esme::config",
            &format!("{config:?}"),
        );
    }
    if let Some(setup) = &settings.tls {
        let mut st = pass(
            "trust",
            format!("verifying the SMSC against {}", setup.report.trust),
        );
        st.warnings = setup
            .report
            .warnings
            .iter()
            .filter(|w| !w.contains("expire"))
            .cloned()
            .collect();
        steps.push(st);
    }
    let t0 = Instant::now();
    let stream = match tcp_connect(&settings) {
        Ok(s) => s,
        Err(e) => {
            steps.push(fail("tcp", &e));
            return steps;
        }
    };
    steps.push(pass(
        "tcp",
        format!("connected to {} in {}", settings.addr(), ms(t0)),
    ));
    let t1 = Instant::now();
    let (transport, info) = match secure(&settings, stream) {
        Ok(x) => x,
        Err(e) => {
            steps.push(fail("tls", &e));
            return steps;
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
        steps.push(pass(
            "tls",
            format!(
                "{} with {} in {}{}",
                info.version.replace("TLSv1_", "TLS 1."),
                info.cipher_suite,
                ms(t1),
                smsc
            ),
        ));
    }
    let t2 = Instant::now();
    match bind(&settings, transport, info) {
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
    steps
}
