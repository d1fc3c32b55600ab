//! The smpp34 crate's client (`SmppClient`) as a load generator for benches/peers.sh, after
//! the crate's own examples/perf_esme.rs.
//!
//!   smpp34-client --host H --port P -n N -w W [--tls --ca CA.pem]
//!
//! Binds TRANSMITTER as system_id `bench`, password `secret`, then sends N submit_sm
//! (source 0/0 `12345`, destination 0/0 `31600000000`, data_coding 0, text
//! `bench message 0123456789`) with at most W unanswered: W tasks on one session, each
//! awaiting its response before sending the next (the crate's API is one awaited call per
//! submit_sm; its `window_size` argument is not enforced by the crate). The clock runs from
//! the bind response (`on_smsc_bound`) to the N-th response. Exits 0 when all N responses
//! came back with command_status 0, and prints as its last line
//!   smpp34 client: N msgs in T s = R msg/s (window W)
//! Otherwise prints what failed on stderr and exits 1.
//!
//! --tls: the crate verifies the SMSC against the system trust store only
//! (rustls-native-certs), which honours SSL_CERT_FILE: --ca sets it to CA.pem.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use smpp34::client::{SmppClient, SmppClientListener, BIND_TYPE, SMSC};
use tokio::sync::{mpsc, Mutex};

enum Event {
    Bound(Arc<SMSC>, Instant),
    Failed(String),
}

struct Listener {
    tx: Mutex<Option<mpsc::UnboundedSender<Event>>>,
}

impl Listener {
    async fn send(&self, e: Event) {
        if let Some(tx) = self.tx.lock().await.take() {
            let _ = tx.send(e);
        }
    }
}

#[async_trait]
impl SmppClientListener for Listener {
    async fn on_smsc_bound(&self, smsc: SMSC, _session_id: &String) {
        self.send(Event::Bound(Arc::new(smsc), Instant::now()))
            .await;
    }
    async fn on_connection_failed(&self, error: &str) {
        self.send(Event::Failed(error.to_string())).await;
    }
}

const USAGE: &str = "usage: smpp34-client --host H --port P -n N -w W [--tls --ca CA.pem]";

fn fail(msg: &str) -> ! {
    eprintln!("smpp34-client: {msg}");
    std::process::exit(1);
}

struct Opts {
    host: String,
    port: u16,
    n: u64,
    w: u64,
    tls: bool,
}

fn parse() -> Opts {
    let mut o = Opts {
        host: "127.0.0.1".into(),
        port: 0,
        n: 0,
        w: 0,
        tls: false,
    };
    let mut ca = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        if a == "--tls" {
            o.tls = true;
            continue;
        }
        let Some(v) = it.next() else {
            eprintln!("{USAGE}");
            std::process::exit(2);
        };
        let num = |v: &str| v.parse::<u64>().ok().filter(|&x| x > 0);
        let ok = match a.as_str() {
            "--host" => {
                o.host = v;
                true
            }
            "--port" => num(&v)
                .and_then(|p| u16::try_from(p).ok())
                .map(|p| o.port = p)
                .is_some(),
            "-n" => num(&v).map(|n| o.n = n).is_some(),
            "-w" => num(&v).map(|w| o.w = w).is_some(),
            "--ca" => {
                ca = Some(v);
                true
            }
            _ => false,
        };
        if !ok {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
    if o.port == 0 || o.n == 0 || o.w == 0 || (ca.is_some() && !o.tls) {
        eprintln!("{USAGE}");
        std::process::exit(2);
    }
    if let Some(ca) = ca {
        // Single-threaded here: the runtime is not started yet.
        std::env::set_var("SSL_CERT_FILE", ca);
    }
    o
}

fn main() {
    let o = parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(&format!("tokio runtime: {e}")));
    rt.block_on(run(o));
}

async fn run(o: Opts) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let listener = Arc::new(Listener {
        tx: Mutex::new(Some(tx)),
    });
    let mut client = SmppClient::new(
        o.host.clone(),
        o.port,
        o.tls,
        BIND_TYPE::TX,
        "bench".to_string(),
        "secret".to_string(),
        String::new(),
        0,
        0,
        String::new(),
        listener,
        o.w as usize,
    );
    client.start().await;
    // A refused bind produces no notification: the session task just ends. Hence the timeout.
    let (smsc, t0) = match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
        Ok(Some(Event::Bound(smsc, t0))) => (smsc, t0),
        Ok(Some(Event::Failed(e))) => fail(&e),
        Ok(None) | Err(_) => fail(&format!(
            "no bind_transmitter_resp with status 0 from {}:{} within 10 s",
            o.host, o.port
        )),
    };

    let remaining = Arc::new(AtomicU64::new(o.n));
    let failed = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(o.w as usize);
    for _ in 0..o.w.min(o.n) {
        let (smsc, remaining, failed) = (smsc.clone(), remaining.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            let mut first_error = None;
            while remaining
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |x| x.checked_sub(1))
                .is_ok()
            {
                let r = smsc
                    .submit_sm()
                    .source_addr_ton(0)
                    .source_addr_npi(0)
                    .source_addr("12345")
                    .dest_addr_ton(0)
                    .dest_addr_npi(0)
                    .destination_addr("31600000000")
                    .data_coding(0)
                    .short_message(b"bench message 0123456789".as_slice())
                    .send()
                    .await;
                let err = match r {
                    Ok(resp) if resp.is_success() => continue,
                    Ok(resp) => format!("submit_sm_resp status 0x{:08x}", resp.command_status()),
                    Err(e) => format!("submit_sm failed: {e:?}"),
                };
                failed.fetch_add(1, Ordering::Relaxed);
                first_error.get_or_insert(err);
            }
            first_error
        }));
    }
    let mut first_error = None;
    for t in tasks {
        match t.await {
            Ok(e) => first_error = first_error.or(e),
            Err(e) => first_error = first_error.or(Some(format!("task failed: {e}"))),
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    let bad = failed.load(Ordering::Relaxed);
    let _ = tokio::time::timeout(Duration::from_secs(2), smsc.send_unbind()).await;
    client.stop().await;
    if let Some(e) = first_error {
        fail(&format!("{bad} of {} submit_sm failed; first: {e}", o.n));
    }
    println!(
        "smpp34 client: {} msgs in {secs:.3} s = {:.0} msg/s (window {})",
        o.n,
        o.n as f64 / secs,
        o.w
    );
}
