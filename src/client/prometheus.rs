//! The numbers an operator watches ([`Stats`], `stats.rs`) as Prometheus text
//! ([`Stats::prometheus`], [`prometheus_text`]): the text exposition format 0.0.4.

use super::stats::{BindStats, Stats};
use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

/// A label value escaped for the Prometheus text format: `\\`, `\"` and `\n`.
fn label(v: &str) -> String {
    let mut o = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '"' => o.push_str("\\\""),
            '\n' => o.push_str("\\n"),
            c => o.push(c),
        }
    }
    o
}

/// The Prometheus text exposition being written.
struct Expo {
    out: String,
}

impl Expo {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &str, v: f64) {
        let _ = writeln!(self.out, "{name}{{{labels}}} {}", num(v));
    }

    fn summary(
        &mut self,
        name: &str,
        labels: &str,
        s: (Option<Duration>, Option<Duration>, u64, Duration),
    ) {
        for (q, v) in [("0.5", s.0), ("0.99", s.1)] {
            let v = v.map_or(f64::NAN, |d| d.as_secs_f64());
            let _ = writeln!(self.out, "{name}{{{labels},quantile=\"{q}\"}} {}", num(v));
        }
        self.sample(&format!("{name}_sum"), labels, s.3.as_secs_f64());
        self.sample(&format!("{name}_count"), labels, s.2 as f64);
    }
}

/// A sample value: Go's float syntax, as the format wants (`NaN` for a quantile with no
/// observation yet).
fn num(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

impl Stats {
    /// The numbers in the Prometheus text exposition format (version 0.0.4), every sample
    /// labelled `channel="…"` (give each client of a process its own), per-bind samples also `bind="0"` and `host="…"`; every family
    /// with its `# HELP` and `# TYPE` lines, names with their unit (`_seconds`, `_bytes`) and
    /// counters ending in `_total`. Serve it as `text/plain; version=0.0.4`. Several
    /// channels in one scrape: [`prometheus_text`]. The metrics: docs/client.md ("The
    /// numbers an operator watches").
    pub fn prometheus(&self, channel: &str) -> String {
        prometheus_text(&[(channel, self)])
    }
}

/// Several channels' numbers as one Prometheus text exposition: each family's `# HELP` and
/// `# TYPE` once, then the samples of every channel (see [`Stats::prometheus`]).
pub fn prometheus_text(channels: &[(&str, &Stats)]) -> String {
    struct Ch<'a> {
        labels: String,
        s: &'a Stats,
        binds: Vec<String>,
    }
    let chs: Vec<Ch<'_>> = channels
        .iter()
        .map(|(name, s)| {
            let labels = format!("channel=\"{}\"", label(name));
            let binds = s
                .binds
                .iter()
                .map(|b| format!("{labels},bind=\"{}\",host=\"{}\"", b.index, label(&b.host)))
                .collect();
            Ch { labels, s, binds }
        })
        .collect();
    let mut e = Expo {
        out: String::with_capacity(4096 * channels.len().max(1)),
    };
    type Chan = fn(&Stats) -> f64;
    let simple: [(&str, &str, &str, Chan); 7] = [
        (
            "esme_binds_configured",
            "gauge",
            "Binds the channel is configured to keep.",
            |s| s.binds_configured as f64,
        ),
        ("esme_binds_up", "gauge", "Binds bound now.", |s| {
            s.binds_up as f64
        }),
        (
            "esme_submitted_messages_total",
            "counter",
            "Messages handed to submit (not parts).",
            |s| s.submitted as f64,
        ),
        (
            "esme_throttle_retries_total",
            "counter",
            "Parts resubmitted after an ESME_RTHROTTLED or ESME_RMSGQFUL answer.",
            |s| s.retried as f64,
        ),
        (
            "esme_mo_messages_total",
            "counter",
            "MO messages delivered to the application.",
            |s| s.messages_received as f64,
        ),
        (
            "esme_inbound_refused_total",
            "counter",
            "Inbound PDUs refused with ESME_RX_T_APPN because the event queue was full.",
            |s| s.inbound_refused as f64,
        ),
        (
            "esme_delivery_receipts_total",
            "counter",
            "Delivery receipts delivered to the application.",
            |s| s.receipts_received as f64,
        ),
    ];
    for (name, kind, help, f) in simple {
        e.family(name, kind, help);
        for c in &chs {
            e.sample(name, &c.labels, f(c.s));
        }
    }
    e.family("esme_message_outcomes_total", "counter", "Messages by outcome: accepted, rejected, unknown (may have been accepted), not_sent (safe to resend).");
    for c in &chs {
        for (k, v) in [
            ("accepted", c.s.accepted),
            ("rejected", c.s.rejected),
            ("unknown", c.s.unknown),
            ("not_sent", c.s.not_sent),
        ] {
            e.sample(
                "esme_message_outcomes_total",
                &format!("{},outcome=\"{k}\"", c.labels),
                v as f64,
            );
        }
    }
    e.family(
        "esme_rejections_total",
        "counter",
        "Rejected messages by the command_status that refused them.",
    );
    for c in &chs {
        for (status, n) in &c.s.rejected_by_status {
            e.sample(
                "esme_rejections_total",
                &format!("{},status=\"0x{status:08X}\"", c.labels),
                *n as f64,
            );
        }
    }
    e.family("esme_receipts_total", "counter", "Delivery receipts by whether their id is one this client saw accepted (matched) or not (unmatched).");
    for c in &chs {
        e.sample(
            "esme_receipts_total",
            &format!("{},match=\"matched\"", c.labels),
            c.s.receipts_matched as f64,
        );
        e.sample(
            "esme_receipts_total",
            &format!("{},match=\"unmatched\"", c.labels),
            c.s.receipts_unmatched as f64,
        );
    }
    e.family(
        "esme_receipt_lag_seconds",
        "summary",
        "From the submit_sm_resp accepting a part to its final receipt.",
    );
    for c in &chs {
        let s = c.s;
        e.summary(
            "esme_receipt_lag_seconds",
            &c.labels,
            (
                s.receipt_lag_p50,
                s.receipt_lag_p99,
                s.receipt_lag_count,
                s.receipt_lag_sum,
            ),
        );
    }
    e.family("esme_tls_certificate_expiry_seconds", "gauge", "Seconds until a certificate expires, negative once expired: ours (client) and the SMSC's of each bind's last handshake.");
    // The clock is read only when there is a certificate (Miri runs the C tests without one).
    let left = |t: SystemTime| match t.duration_since(SystemTime::now()) {
        Ok(d) => d.as_secs() as f64,
        Err(e) => -(e.duration().as_secs() as f64),
    };
    for c in &chs {
        if let Some(t) = c.s.client_cert_not_after {
            e.sample(
                "esme_tls_certificate_expiry_seconds",
                &format!("{},certificate=\"client\"", c.labels),
                left(t),
            );
        }
        for (b, l) in c.s.binds.iter().zip(&c.binds) {
            if let Some(t) = b.smsc_cert_not_after {
                e.sample(
                    "esme_tls_certificate_expiry_seconds",
                    &format!("{l},certificate=\"smsc\""),
                    left(t),
                );
            }
        }
    }

    type Per = fn(&BindStats) -> f64;
    let per_bind: [(&str, &str, &str, Per); 10] = [
        ("esme_bind_up", "gauge", "1 when the bind is bound now, else 0.", |b| f64::from(u8::from(b.up))),
        ("esme_window_in_use", "gauge", "Parts waiting for their response now.", |b| b.in_flight as f64),
        ("esme_window_size", "gauge", "At most this many parts wait for a response at once.", |b| b.window_size as f64),
        ("esme_submit_sm_total", "counter", "submit_sm PDUs written.", |b| b.parts_sent as f64),
        ("esme_submit_sm_per_second", "gauge", "submit_sm PDUs written per second over the last 10 s.", |b| b.submits_per_second),
        ("esme_throttled_responses_total", "counter", "submit_sm answered ESME_RTHROTTLED or ESME_RMSGQFUL.", |b| b.throttled as f64),
        ("esme_reconnect_attempts_total", "counter", "Connect attempts after a lost connection (or a first connect left to the I/O thread), bound or not.", |b| b.reconnect_attempts as f64),
        ("esme_reconnects_total", "counter", "Connect attempts after a lost connection that bound.", |b| b.reconnects as f64),
        ("esme_received_bytes_total", "counter", "Octets received from the SMSC.", |b| b.bytes_in as f64),
        ("esme_sent_bytes_total", "counter", "Octets written to the SMSC.", |b| b.bytes_out as f64),
    ];
    for (name, kind, help, f) in per_bind {
        e.family(name, kind, help);
        for c in &chs {
            for (b, l) in c.s.binds.iter().zip(&c.binds) {
                e.sample(name, l, f(b));
            }
        }
    }
    e.family(
        "esme_response_latency_seconds",
        "summary",
        "From a submit_sm written to its response.",
    );
    for c in &chs {
        for (b, l) in c.s.binds.iter().zip(&c.binds) {
            e.summary(
                "esme_response_latency_seconds",
                l,
                (b.latency_p50, b.latency_p99, b.latency_count, b.latency_sum),
            );
        }
    }
    e.out
}
