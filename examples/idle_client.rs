//! The footprint of one bound, idle client: RSS and threads of this process before and after
//! connecting (run against an SMSC in another process, e.g. `esme smsc`), over TLS when a CA
//! file is given (e.g. `esme smsc --tls-cert server.pem --tls-key server.key` with the test
//! PKI of tests/tls/make-pki.sh).
//!
//!     cargo run --release --example idle_client -- 127.0.0.1:2775 [CA.pem]
use esme::config::Config;
use esme::Client;
use std::time::Duration;

fn status(key: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .map(|l| l[key.len()..].trim().to_string())
        .unwrap_or_else(|| "?".into())
}

/// VmRSS with its split: private memory (RssAnon) and the pages of the program and its
/// libraries mapped from files (RssFile), which processes share.
fn rss() -> String {
    format!(
        "VmRSS {} (RssAnon {}, RssFile {})",
        status("VmRSS:"),
        status("RssAnon:"),
        status("RssFile:")
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:2775".into());
    let (host, port) = addr.rsplit_once(':').ok_or("expected HOST:PORT")?;
    let mut b = Config::builder(host, "idle").port(port.parse()?);
    if let Some(ca) = std::env::args().nth(2) {
        b = b.tls_mode(esme::config::TlsMode::Single).tls_ca_file(ca);
    }
    let cfg = b.build()?;
    println!("before connect: {} Threads {}", rss(), status("Threads:"));
    let client = Client::connect(&cfg)?;
    std::thread::sleep(Duration::from_secs(1));
    println!("bound, idle:    {} Threads {}", rss(), status("Threads:"));
    let mut clients = vec![client];
    for _ in 1..10 {
        clients.push(Client::connect(&cfg)?);
    }
    std::thread::sleep(Duration::from_secs(1));
    println!("10 clients:     {} Threads {}", rss(), status("Threads:"));
    for c in &clients {
        c.close();
    }
    println!("after close:    {} Threads {}", rss(), status("Threads:"));
    Ok(())
}
