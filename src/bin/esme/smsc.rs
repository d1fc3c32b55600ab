//! `esme smsc`: the simulator in the foreground.

use crate::args::Args;
use esme::pdu::CommandStatus;
use esme::sim::{SimConfig, Smsc};
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub const HELP: &str = "\
esme smsc [--port P] [--listen ADDR:PORT] [--system-id ID] [--password PW]
          [--receipt-delay MS] [--enquire-link SECS] [--duration SECS]
          [--delay MS] [--drop N] [--throttle N] [--queue-full N] [--reject STATUS:N]
          [--close-after N] [--ignore-enquire-link] [--refuse-binds STATUS]
          [--tls-cert PEM --tls-key PEM [--tls-client-ca PEM]] [--log LEVEL]
  Runs the built-in SMSC simulator (default 127.0.0.1:2775) until killed or --duration ends,
  printing a counters line every 5 s. With --password, binds must use that system id and
  password. Faults: --delay each submit_sm_resp, --drop the next N responses, answer the next
  N with ESME_RTHROTTLED / ESME_RMSGQFUL / STATUS (hex or decimal), close after N PDUs,
  ignore enquire_link, refuse every bind with STATUS. --tls-cert/--tls-key serve TLS 1.2 and
  1.3 (the certificate file may hold the chain); --tls-client-ca requires client certificates
  issued by those CAs (mutual TLS). --log LEVEL (or ESME_LOG): its log on standard error:
  connections and binds at info, every PDU at debug (message text and numbers masked).";

fn status(s: &str) -> Result<CommandStatus, String> {
    let v = match s.strip_prefix("0x") {
        Some(h) => u32::from_str_radix(h, 16),
        None => s.parse(),
    };
    v.map(CommandStatus::from_u32)
        .map_err(|_| format!("'{s}' is not a command_status (hex 0x58 or decimal 88)"))
}

pub fn run(args: &[String], out: &mut impl Write) -> Result<ExitCode, String> {
    let a = Args::parse(
        "smsc",
        args,
        &[
            "--port",
            "--listen",
            "--system-id",
            "--password",
            "--receipt-delay",
            "--enquire-link",
            "--duration",
            "--delay",
            "--drop",
            "--throttle",
            "--queue-full",
            "--reject",
            "--close-after",
            "--refuse-binds",
            "--tls-cert",
            "--tls-key",
            "--tls-client-ca",
            "--log",
        ],
        &["--ignore-enquire-link"],
    )?;
    crate::logging::install(&a)?;
    let port: u16 = a.num("--port", 2775, 0, 65535)?;
    let listen = match a.get("--listen") {
        Some(l) => l
            .parse()
            .map_err(|_| format!("--listen {l}: expected ADDR:PORT, e.g. 127.0.0.1:2775"))?,
        None => format!("127.0.0.1:{port}")
            .parse()
            .map_err(|_| "bad port".to_string())?,
    };
    let mut cfg = SimConfig {
        listen,
        keep_submitted: 1000,
        ..SimConfig::default()
    };
    if let Some(id) = a.get("--system-id") {
        let pw = a.get("--password").unwrap_or("").to_string();
        cfg.credentials = vec![(id.to_string(), pw)];
    } else if a.get("--password").is_some() {
        return Err("--password needs --system-id".into());
    }
    cfg.receipt_delay = Duration::from_millis(a.num("--receipt-delay", 0u64, 0, 3_600_000)?);
    if let Some(s) = a.get("--enquire-link") {
        let s: u64 = s
            .parse()
            .map_err(|_| format!("--enquire-link {s}: seconds expected"))?;
        cfg.enquire_link_interval = Some(Duration::from_secs(s.max(1)));
    }
    cfg.tls = match (a.get("--tls-cert"), a.get("--tls-key")) {
        (Some(c), Some(k)) => Some(
            esme::sim::SimTls::from_pem_files(
                std::path::Path::new(c),
                std::path::Path::new(k),
                a.get("--tls-client-ca").map(std::path::Path::new),
            )
            .map_err(|e| e.to_string())?,
        ),
        (None, None) if a.get("--tls-client-ca").is_none() => None,
        _ => {
            return Err(
                "--tls-cert and --tls-key go together (and --tls-client-ca needs them)".into(),
            )
        }
    };
    let duration: u64 = a.num("--duration", 0, 0, 31_536_000)?;
    let sim = Smsc::start(cfg).map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let f = sim.faults();
    f.set_response_delay(Duration::from_millis(a.num("--delay", 0u64, 0, 3_600_000)?));
    f.drop_responses(a.num("--drop", 0u64, 0, u64::MAX)?);
    f.throttle(a.num("--throttle", 0u64, 0, u64::MAX)?);
    f.queue_full(a.num("--queue-full", 0u64, 0, u64::MAX)?);
    f.close_after(a.num("--close-after", 0u64, 0, u64::MAX)?);
    f.ignore_enquire_link(a.flag("--ignore-enquire-link"));
    if let Some(r) = a.get("--reject") {
        let (s, n) = r
            .split_once(':')
            .ok_or_else(|| format!("--reject {r}: expected STATUS:N"))?;
        let n: u64 = n
            .parse()
            .map_err(|_| format!("--reject {r}: N must be a number"))?;
        f.reject_with(status(s)?, n);
    }
    if let Some(s) = a.get("--refuse-binds") {
        f.refuse_binds(Some(status(s)?));
    }
    writeln!(
        out,
        "esme smsc listening on {}{}",
        sim.addr(),
        if a.get("--tls-cert").is_some() {
            " (TLS)"
        } else {
            ""
        }
    )
    .map_err(|e| e.to_string())?;
    let _ = out.flush();
    let start = Instant::now();
    let mut next = start + Duration::from_secs(5);
    loop {
        std::thread::sleep(Duration::from_millis(100));
        if duration > 0 && start.elapsed() >= Duration::from_secs(duration) {
            break;
        }
        if Instant::now() >= next {
            next += Duration::from_secs(5);
            let s = sim.stats();
            let _ = writeln!(
                out,
                "connections {} bound {} submits {} receipts {} (acked {}) mo {} (acked {}) enquire_links {}",
                s.open_connections,
                s.bound_sessions,
                s.submits,
                s.receipts_sent,
                s.receipts_acked,
                s.mo_sent,
                s.mo_acked,
                s.enquire_links_received
            );
            let _ = out.flush();
        }
    }
    let s = sim.stats();
    writeln!(out, "esme smsc stopped after {} submits", s.submits).map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}
