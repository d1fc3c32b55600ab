//! ESME_RALYBND ("already bound") is not a refusal like the others: the SMSC still holds a
//! bind of this system_id, typically ours from before a restart or a lost connection, until it
//! sees that connection dead. esme binds again with backoff, saying why; other refusals keep
//! their meaning. Against esme's simulator made to answer binds as such an SMSC does.

use esme::client::{ConnectionState, Event};
use esme::config::Config;
use esme::log::{set_sink, Level, Record};
use esme::pdu::CommandStatus;
use esme::sim::{SimConfig, Smsc};
use esme::{Client, Error, Message, Outcome};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn config(port: u16, comms_ms: u32) -> Config {
    Config::builder("127.0.0.1", "esme")
        .port(port)
        .option("x-smpp-comms-timeout", &comms_ms.to_string())
        .unwrap()
        .build()
        .unwrap()
}

/// Waits (at most 20 s) until the simulator has refused `n` binds.
fn refused(smsc: &Smsc, n: u64) {
    let until = Instant::now() + Duration::from_secs(20);
    while smsc.stats().binds_refused < n {
        assert!(Instant::now() < until, "{:?}", smsc.stats());
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// One test, so the log sink it installs sees only its own client.
#[test]
fn already_bound_is_retried_and_other_refusals_are_not() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    set_sink(Some((
        Arc::new(move |r: &Record<'_>| {
            if r.target == "esme::client" {
                l.lock().unwrap().push(r.message.to_string());
            }
        }),
        Level::Info,
    )));
    let smsc = Smsc::start(SimConfig::default()).unwrap();
    let port = smsc.addr().port();

    // 1. The first connect: two binds answered ESME_RALYBND, then the old bind is let go.
    smsc.faults().refuse_binds(Some(CommandStatus::AlyBnd));
    let connecting = std::thread::spawn(move || Client::connect(&config(port, 20_000)));
    refused(&smsc, 2);
    smsc.faults().refuse_binds(None);
    let client = connecting
        .join()
        .unwrap()
        .expect("bound once the old bind was let go");
    let o = client
        .submit(&Message::text("447700900123", "hello"))
        .unwrap();
    assert!(matches!(o, Outcome::Accepted { .. }), "{o:?}");
    let lines = log.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .filter(
                |l| l.starts_with("the SMSC answered the bind with ESME_RALYBND")
                    && l.contains("binding again in")
            )
            .count()
            >= 2,
        "{lines:?}"
    );

    // 2. A reconnect: the connection drops, the SMSC answers ESME_RALYBND for a while; the
    //    client says why and binds again, and the message submitted meanwhile is accepted.
    smsc.faults().refuse_binds(Some(CommandStatus::AlyBnd));
    let before = smsc.stats().binds_refused;
    smsc.disconnect_all();
    let (tx, rx) = std::sync::mpsc::channel();
    let c = Arc::new(client);
    let c2 = c.clone();
    std::thread::spawn(move || {
        let _ = tx.send(c2.submit(&Message::text("447700900123", "during the outage")));
    });
    refused(&smsc, before + 1);
    smsc.faults().reset();
    let o = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("an outcome")
        .unwrap();
    assert!(matches!(o, Outcome::Accepted { .. }), "{o:?}");
    let mut why = Vec::new();
    while let Some(e) = c.poll_event(Some(Duration::ZERO)) {
        if let Event::Connection(ConnectionState::Disconnected { why: w }) = e {
            why.push(w);
        }
    }
    assert!(
        why.iter().any(|w| w.contains("ESME_RALYBND")
            && w.contains("already bound")
            && w.contains("binds again with backoff")),
        "{why:?}"
    );
    c.close();

    // 3. Held for longer than the comms timeout: the first connect ends with the refusal
    //    after more than one try.
    smsc.faults().refuse_binds(Some(CommandStatus::AlyBnd));
    let before = smsc.stats().binds_refused;
    let e = Client::connect(&config(port, 1_500)).expect_err("refused");
    assert!(
        matches!(
            e,
            Error::BindRefused {
                status: CommandStatus::AlyBnd
            }
        ),
        "{e}"
    );
    assert!(
        smsc.stats().binds_refused >= before + 2,
        "{:?}",
        smsc.stats()
    );

    // 4. Another refusal (a wrong password) is final at once: one try.
    smsc.faults().refuse_binds(Some(CommandStatus::InvPaswd));
    let before = smsc.stats().binds_refused;
    let e = Client::connect(&config(port, 20_000)).expect_err("refused");
    assert!(
        matches!(
            e,
            Error::BindRefused {
                status: CommandStatus::InvPaswd
            }
        ),
        "{e}"
    );
    assert_eq!(smsc.stats().binds_refused, before + 1);
    set_sink(None);
}
