//! `x-smpp-local-address`: the client connects from the local IP the SMSC's operator
//! allow-listed. Against node-smpp's SMSC (which reports the peer address it saw) from
//! 127.0.0.2, and against esme's simulator on IPv6 (::1), all on loopback.

mod common;

use common::{field, NodeSmsc};
use esme::config::Config;
use esme::log::{set_sink, Level, Record};
use esme::sim::{SimConfig, Smsc};
use esme::{Client, Message, Outcome};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};

#[test]
#[ignore = "needs node-smpp (node, and npm ci in tests/interop)"]
fn node_smpp_sees_the_local_address() {
    let mut smsc = NodeSmsc::start(&["--quiet"]);
    for local in [
        None,
        Some(Ipv4Addr::new(127, 0, 0, 2)),
        Some(Ipv4Addr::new(127, 0, 0, 3)),
    ] {
        let from = smsc.seen.len();
        let mut b = Config::builder("127.0.0.1", "esme")
            .port(smsc.port)
            .password("pw");
        if let Some(ip) = local {
            b = b.option("x-smpp-local-address", &ip.to_string()).unwrap();
        }
        let client = Client::connect(&b.build().unwrap()).expect("connect");
        let o = client
            .submit(&Message::text("447700900123", "hello"))
            .unwrap();
        assert!(matches!(o, Outcome::Accepted { .. }), "{o:?}");
        let line = smsc.wait_for_from(from, |l| l.contains("\"event\":\"connect\""));
        let seen = field(&line, "remote_address").unwrap();
        // node gives IPv4 peers as themselves or in IPv4-mapped IPv6 form.
        let seen = seen.trim_start_matches("::ffff:");
        let want = local.unwrap_or(Ipv4Addr::LOCALHOST).to_string();
        assert_eq!(seen, want, "{line}");
        client.close();
    }
}

/// The simulator's log names the peer of each connection.
fn peers_seen(log: &Mutex<Vec<String>>) -> Vec<String> {
    log.lock()
        .unwrap()
        .iter()
        .filter_map(|m| m.split(" from ").nth(1).map(str::to_string))
        .collect()
}

#[test]
fn ipv6_works_as_ipv4_does_and_errors_name_the_option() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    set_sink(Some((
        Arc::new(move |r: &Record<'_>| {
            if r.target == "esme::sim" && r.message.contains(" from ") {
                l.lock().unwrap().push(r.message.to_string());
            }
        }),
        Level::Info,
    )));
    let sim = Smsc::start(SimConfig {
        listen: SocketAddr::from((Ipv6Addr::LOCALHOST, 0)),
        ..SimConfig::default()
    })
    .expect("a simulator on [::1] (IPv6 loopback)");
    let port = sim.addr().port();
    let cfg = |local: &str| {
        Config::builder("::1", "esme")
            .port(port)
            .option("x-smpp-local-address", local)
            .unwrap()
            .build()
            .unwrap()
    };
    let client = Client::connect(&cfg("[::1]")).expect("connect from ::1");
    let o = client
        .submit(&Message::text("447700900123", "hello"))
        .unwrap();
    assert!(matches!(o, Outcome::Accepted { .. }), "{o:?}");
    client.close();
    let peers = peers_seen(&log);
    assert_eq!(peers.len(), 1, "{peers:?}");
    let peer: SocketAddr = peers[0].parse().unwrap();
    assert_eq!(peer.ip(), IpAddr::from(Ipv6Addr::LOCALHOST));

    // An IPv4 local address for a host that has only an IPv6 one: named, not a bare
    // "connection refused".
    let e = Client::connect(&cfg("127.0.0.2")).expect_err("an error");
    let text = e.to_string();
    assert!(
        text.contains("x-smpp-local-address 127.0.0.2 is an IPv4 address, and the host resolves to IPv6 addresses only"),
        "{text}"
    );
    // A value that is not an IP address is refused when the configuration is read.
    let e = Config::builder("::1", "esme")
        .option("x-smpp-local-address", "eth0")
        .expect_err("refused");
    assert!(
        e.to_string().contains("x-smpp-local-address")
            && e.to_string()
                .contains("an IPv4 or IPv6 address of this machine"),
        "{e}"
    );
    set_sink(None);
}
