//! Hostile SMSCs (issue 8): a scripted peer on 127.0.0.1 that binds the client, then sends
//! what no honest SMSC would. esme must answer by the spec (generic_nack, or closing the
//! connection), stay within bounded memory and time, say what happened in one line, and give
//! every submit exactly one outcome.

use esme::client::{ConnectionState, Event, Message, Outcome};
use esme::config::Config;
use esme::pdu::{BindResp, Body, CommandId, CommandStatus, Pdu, SmResp, SubmitSm};
use esme::Client;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Reads one PDU (None at end of stream or on a read error).
fn read_pdu(s: &mut TcpStream) -> Option<Pdu> {
    let mut head = [0u8; 4];
    s.read_exact(&mut head).ok()?;
    let len = u32::from_be_bytes(head) as usize;
    assert!(
        (16..=65_536).contains(&len),
        "the client sent command_length {len}"
    );
    let mut buf = vec![0u8; len];
    buf[..4].copy_from_slice(&head);
    s.read_exact(&mut buf[4..]).ok()?;
    Some(Pdu::decode(&buf).expect("the client's PDU decodes"))
}

fn send(s: &mut TcpStream, p: &Pdu) {
    s.write_all(&p.to_bytes().unwrap()).unwrap();
}

fn resp(seq: u32, body: Body, status: CommandStatus) -> Pdu {
    let mut p = Pdu::new(seq, body);
    p.command_status = status;
    p
}

/// The scripted SMSC: [`hostile`] starts it, [`Peer::finish`] ends it.
struct Peer {
    port: u16,
    stop: mpsc::Sender<()>,
    thread: JoinHandle<()>,
}

impl Peer {
    /// Closes the connection (it stays open after the script, until now) and joins the
    /// peer's thread, re-raising a failed assertion of the script.
    fn finish(self) {
        let _ = self.stop.send(());
        if let Err(p) = self.thread.join() {
            std::panic::resume_unwind(p);
        }
    }
}

/// Accepts one connection, answers its bind, then runs `script` on it (in a thread) and
/// keeps the connection open until [`Peer::finish`]. Later connections (reconnects) are
/// accepted and closed at once.
fn hostile(script: impl FnOnce(&mut TcpStream) + Send + 'static) -> Peer {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let (stop, stopped) = mpsc::channel::<()>();
    let thread = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let bind = read_pdu(&mut s).expect("a bind");
        assert_eq!(bind.command_id(), CommandId::BindTransceiver);
        let body = Body::BindTransceiverResp(BindResp {
            system_id: "hostile".into(),
            tlvs: vec![],
        });
        send(&mut s, &Pdu::new(bind.sequence_number, body));
        script(&mut s);
        l.set_nonblocking(true).unwrap();
        let until = Instant::now() + Duration::from_secs(60);
        while Instant::now() < until {
            if let Ok((c, _)) = l.accept() {
                drop(c);
            }
            match stopped.recv_timeout(Duration::from_millis(20)) {
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                _ => break,
            }
        }
        drop(s);
    });
    Peer { port, stop, thread }
}

fn client(port: u16, extra: &[(&str, &str)]) -> Client {
    let mut b = Config::builder("127.0.0.1", "esme")
        .port(port)
        .password("secret")
        .option("x-smpp-bind-mode", "transceiver")
        .unwrap()
        .option("x-smpp-reconnect-attempts", "0")
        .unwrap();
    for (k, v) in extra {
        b = b.option(k, v).unwrap();
    }
    Client::connect(&b.build().unwrap()).expect("binds to the scripted SMSC")
}

/// The next Disconnected event within `within` (panics with what was seen otherwise).
fn disconnected(c: &Client, within: Duration) -> String {
    let deadline = Instant::now() + within;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        match c.poll_event(Some(Duration::from_millis(50))) {
            Some(Event::Connection(ConnectionState::Disconnected { why })) => return why,
            Some(e) => seen.push(format!("{e:?}")),
            None => {}
        }
    }
    panic!("no disconnect within {within:?}; events: {seen:#?}");
}

fn vm_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap()
}

fn header(len: u32, id: u32, status: u32, seq: u32) -> Vec<u8> {
    [len, id, status, seq]
        .iter()
        .flat_map(|v| v.to_be_bytes())
        .collect()
}

#[test]
fn a_4_gib_command_length_closes_the_connection_without_allocating_it() {
    let rss = vm_rss_kb();
    let (tx, rx) = mpsc::channel::<()>();
    let peer = hostile(move |s| {
        // The client's submit arrives; instead of its response, a header announcing 4 GiB.
        let sub = read_pdu(s).expect("the submit");
        assert_eq!(sub.command_id(), CommandId::SubmitSm);
        s.write_all(&header(u32::MAX, 0x8000_0004, 0, sub.sequence_number))
            .unwrap();
        s.write_all(&[0u8; 64]).unwrap();
        let _ = rx.recv_timeout(Duration::from_secs(10));
    });
    let c = client(peer.port, &[]);
    let t = c.submit_async(&Message::text("31600000000", "x")).unwrap();
    let why = disconnected(&c, Duration::from_secs(10));
    assert!(why.contains("4294967295"), "{why}");
    assert!(why.contains("command_length"), "{why}");
    // Written, never answered: it may have been taken, so Unknown (never NotSent).
    match t.wait(Some(Duration::from_secs(10))) {
        Some(Outcome::Unknown { why, .. }) => assert!(!why.is_empty()),
        o => panic!("{o:?}"),
    }
    // Nothing near 4 GiB (nor 64 kB times anything large) was allocated.
    assert!(
        vm_rss_kb() < rss + 64 * 1024,
        "RSS grew from {rss} to {} kB",
        vm_rss_kb()
    );
    let _ = tx.send(());
    c.close();
    peer.finish();
}

#[test]
fn a_response_that_answers_nothing_is_ignored_and_said_and_the_session_goes_on() {
    // The log sink is process-wide: other tests' lines land here too; only ours are checked.
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let sink = lines.clone();
    esme::log::set_sink(Some((
        std::sync::Arc::new(move |r: &esme::log::Record<'_>| {
            sink.lock()
                .unwrap()
                .push(format!("{:?} {} {}", r.level, r.target, r.message))
        }),
        esme::log::Level::Warn,
    )));
    let peer = hostile(|s| {
        let sub = read_pdu(s).expect("the submit");
        // First a response to a sequence number never used, then the real one.
        let stray = SmResp {
            message_id: "stray".into(),
            tlvs: vec![],
        };
        send(
            s,
            &resp(0x7FFF_0000, Body::SubmitSmResp(stray), CommandStatus::Ok),
        );
        let real = SmResp {
            message_id: "M1".into(),
            tlvs: vec![],
        };
        send(
            s,
            &resp(
                sub.sequence_number,
                Body::SubmitSmResp(real),
                CommandStatus::Ok,
            ),
        );
        // And the client still answers what comes next.
        send(s, &Pdu::new(77, Body::EnquireLink));
        let r = read_pdu(s).expect("enquire_link_resp");
        assert_eq!(
            (r.command_id(), r.sequence_number),
            (CommandId::EnquireLinkResp, 77)
        );
    });
    let c = client(peer.port, &[]);
    let o = c.submit(&Message::text("31600000000", "x")).unwrap();
    assert_eq!(
        o,
        Outcome::Accepted {
            message_ids: vec!["M1".into()]
        }
    );
    // Said, in one warning line; the connection stayed up.
    let deadline = Instant::now() + Duration::from_secs(5);
    let said = |l: &String| l.contains("2147418112") && l.contains("submit_sm_resp");
    while !lines.lock().unwrap().iter().any(said) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    esme::log::set_sink(None);
    let lines = lines.lock().unwrap();
    let w = lines
        .iter()
        .find(|l| said(l))
        .expect("a warning about the stray response");
    assert!(
        w.starts_with("Warn esme::session ignored from 127.0.0.1:"),
        "{w}"
    );
    assert!(matches!(c.state(), ConnectionState::Bound { .. }));
    peer.finish();
    c.close();
}

#[test]
fn an_enquire_link_flood_is_answered_one_for_one_and_submits_still_go_through() {
    const FLOOD: u32 = 20_000;
    let (done, checked) = mpsc::channel::<()>();
    let peer = hostile(move |s| {
        let mut w = s.try_clone().unwrap();
        // The flood goes out from another thread while this one reads the answers.
        let writer = std::thread::spawn(move || {
            let mut burst = Vec::new();
            for seq in 1..=FLOOD {
                burst.extend(Pdu::new(seq, Body::EnquireLink).to_bytes().unwrap());
            }
            w.write_all(&burst).unwrap();
        });
        let mut answered = vec![false; FLOOD as usize + 1];
        let mut count = 0;
        let mut submit_answered = false;
        while count < FLOOD || !submit_answered {
            let p = read_pdu(s).expect("the client keeps talking");
            match p.command_id() {
                CommandId::EnquireLinkResp => {
                    let seq = p.sequence_number as usize;
                    assert!(seq >= 1 && seq <= FLOOD as usize && !answered[seq], "{seq}");
                    answered[seq] = true;
                    count += 1;
                }
                CommandId::SubmitSm => {
                    let ok = SmResp {
                        message_id: "F1".into(),
                        tlvs: vec![],
                    };
                    send(
                        s,
                        &resp(p.sequence_number, Body::SubmitSmResp(ok), CommandStatus::Ok),
                    );
                    submit_answered = true;
                }
                CommandId::EnquireLink => {
                    send(s, &Pdu::new(p.sequence_number, Body::EnquireLinkResp));
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        writer.join().unwrap();
        let _ = done.send(());
    });
    let c = client(peer.port, &[]);
    let o = c
        .submit(&Message::text("31600000000", "during the flood"))
        .unwrap();
    assert!(o.is_accepted(), "{o:?}");
    // Once the script has checked every answer, the session is still up.
    checked
        .recv_timeout(Duration::from_secs(30))
        .expect("the script saw every answer");
    assert!(matches!(c.state(), ConnectionState::Bound { .. }));
    peer.finish();
    c.close();
}

#[test]
fn a_peer_that_trickles_a_pdu_forever_is_declared_dead() {
    let (tx, rx) = mpsc::channel::<()>();
    let peer = hostile(move |s| {
        // A header announcing 100 octets, then one octet every 200 ms, never completing
        // (slowloris); the client's enquire_links go unanswered.
        s.write_all(&header(100, 0x0000_0005, 0, 9)).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(1))).unwrap();
        let mut sink = [0u8; 4096];
        for _ in 0..200 {
            if rx.try_recv().is_ok() || s.write_all(&[0x41]).is_err() {
                return;
            }
            let _ = s.read(&mut sink);
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let c = client(
        peer.port,
        &[
            ("x-smpp-enquire-link-timeout", "5"),
            ("x-smpp-response-max-waiting-time", "1000"),
            ("x-smpp-receive-timeout", "6"),
        ],
    );
    let t = c.submit_async(&Message::text("31600000000", "x")).unwrap();
    let started = Instant::now();
    let why = disconnected(&c, Duration::from_secs(20));
    assert!(started.elapsed() < Duration::from_secs(15), "{why}");
    assert!(!why.is_empty());
    match t.wait(Some(Duration::from_secs(10))) {
        Some(Outcome::Unknown { .. }) => {}
        o => panic!("{o:?}"),
    }
    let _ = tx.send(());
    c.close();
    peer.finish();
}

#[test]
fn deliver_sm_with_broken_text_is_acknowledged_and_delivered_raw_with_a_note() {
    let cases: Vec<(u8, Vec<u8>, u8)> = vec![
        // UCS-2 with an odd number of octets.
        (8, vec![0x00, 0x41, 0x00], 0),
        // GSM 7-bit default alphabet (unpacked) with octets above 0x7F.
        (0, vec![0x48, 0xFF, 0x80], 0),
        // A UDH whose length runs past the end of the message.
        (0, vec![0x05, 0x00, 0x03, 0x01], 0x40),
        // A UCS-2 lone surrogate.
        (8, vec![0xD8, 0x00], 0),
    ];
    let n = cases.len();
    let peer = hostile(move |s| {
        for (i, (dc, sm, esm)) in cases.into_iter().enumerate() {
            let seq = 100 + i as u32;
            let d = SubmitSm {
                source: esme::pdu::Address::new(1, 1, "447700900123"),
                destination: esme::pdu::Address::new(0, 0, "12345"),
                esm_class: esm,
                data_coding: dc,
                short_message: sm,
                ..Default::default()
            };
            send(s, &Pdu::new(seq, Body::DeliverSm(d)));
            let r = read_pdu(s).expect("deliver_sm_resp");
            assert_eq!(r.command_id(), CommandId::DeliverSmResp, "case {i}");
            assert_eq!(r.sequence_number, seq);
            assert_eq!(r.command_status, CommandStatus::Ok, "case {i}");
        }
    });
    let c = client(peer.port, &[]);
    let mut notes = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while notes.len() < n && Instant::now() < deadline {
        match c.poll_event(Some(Duration::from_millis(50))) {
            Some(Event::Message(m)) => notes.push((m.text.clone(), m.note.clone(), m.body)),
            Some(Event::Incomplete(i)) => notes.push((None, Some(format!("{i:?}")), vec![])),
            _ => {}
        }
    }
    peer.finish();
    assert_eq!(notes.len(), n, "{notes:#?}");
    for (text, note, _) in &notes {
        assert!(
            note.as_deref().is_some_and(|n| !n.is_empty()) || text.is_some(),
            "{notes:#?}"
        );
    }
    c.close();
}

#[test]
fn an_unknown_command_from_the_smsc_gets_generic_nack_invalid_command_id() {
    let (done, checked) = mpsc::channel::<()>();
    let peer = hostile(move |s| {
        s.write_all(&header(16, 0x0000_00AB, 0, 4242)).unwrap();
        let r = read_pdu(s).expect("generic_nack");
        assert_eq!(r.command_id(), CommandId::GenericNack);
        assert_eq!(r.sequence_number, 4242);
        assert_eq!(r.command_status, CommandStatus::InvCmdId);
        // Still bound: an enquire_link is answered.
        send(s, &Pdu::new(4243, Body::EnquireLink));
        let r = read_pdu(s).expect("enquire_link_resp");
        assert_eq!(r.command_id(), CommandId::EnquireLinkResp);
        let _ = done.send(());
    });
    let c = client(peer.port, &[]);
    // The script's assertions run on the peer's thread: wait until it has checked them.
    let _ = checked.recv_timeout(Duration::from_secs(10));
    assert!(matches!(c.state(), ConnectionState::Bound { .. }));
    peer.finish();
    c.close();
}

/// Octets an SMSC sends in answer to the bind with this sequence number.
type Answer = fn(u32) -> Vec<u8>;

/// An SMSC that answers the bind with something other than its response: the connect fails
/// at once with one line saying what came (with a 120 s bind timeout, waiting it out would
/// end in a Timeout error instead, which the match below refuses).
#[test]
fn a_broken_or_wrong_answer_to_the_bind_fails_the_connect_at_once_and_says_what_came() {
    let cases: [(&str, Answer, &str); 3] = [
        (
            "a bind_transceiver_resp whose system_id has no NUL",
            |seq| {
                let mut b = header(19, 0x8000_0009, 0, seq);
                b.extend_from_slice(b"BAD");
                b
            },
            "the SMSC answered bind_transceiver with a broken PDU",
        ),
        (
            "a submit_sm_resp with the bind's sequence number",
            |seq| {
                let mut b = header(18, 0x8000_0004, 0, seq);
                b.extend_from_slice(b"1\0");
                b
            },
            "with submit_sm_resp, not bind_transceiver_resp",
        ),
        (
            "a broken submit_sm_resp with the bind's sequence number",
            |seq| {
                let mut b = header(19, 0x8000_0004, 0, seq);
                b.extend_from_slice(b"BAD");
                b
            },
            "the SMSC answered bind_transceiver with a broken PDU",
        ),
    ];
    for (what, answer, said) in cases {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let peer = std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            let bind = read_pdu(&mut s).expect("a bind");
            s.write_all(&answer(bind.sequence_number)).unwrap();
            // The client closes first: read until it does.
            let mut rest = Vec::new();
            let _ = s.read_to_end(&mut rest);
        });
        let config = Config::builder("127.0.0.1", "esme")
            .port(port)
            .password("secret")
            .option("x-smpp-bind-mode", "transceiver")
            .unwrap()
            .option("x-smpp-comms-timeout", "120000")
            .unwrap()
            .build()
            .unwrap();
        match Client::connect(&config) {
            Err(e @ esme::Error::Disconnected { .. }) => {
                let line = e.to_string();
                assert!(line.contains(said), "{what}: {line}");
                assert!(
                    line.ends_with("esme closed the connection"),
                    "{what}: {line}"
                );
                assert!(!line.contains('\n') && !line.contains("secret"), "{line}");
                assert_eq!(e.code(), 203);
            }
            Err(e) => panic!("{what}: expected a disconnect naming the answer, got {e}"),
            Ok(_) => panic!("{what}: bound"),
        }
        peer.join().unwrap();
    }
}
