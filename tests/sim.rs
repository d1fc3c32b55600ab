//! The SMSC simulator, driven by a minimal raw-socket ESME built on the codec.

use esme::pdu::{
    Address, Bind, Body, CancelSm, CommandId, CommandStatus, DataSm, Decoded, Decoder, DestAddress,
    MessageState, Pdu, QuerySm, ReplaceSm, SmResp, SubmitMulti, SubmitSm, Tag, Tlv, TlvList,
};
use esme::sim::{Answer, Malformed, SimConfig, Smsc};
use esme::text::{Encoding, Reassembler};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

const T: Duration = Duration::from_secs(3);

/// A bare ESME: every read has a timeout, so no test can hang.
struct Esme {
    s: TcpStream,
    buf: Vec<u8>,
    seq: u32,
    /// Requests from the SMSC that arrived while [`Esme::call`] awaited a response.
    deferred: std::collections::VecDeque<Pdu>,
}

impl Esme {
    fn connect(addr: SocketAddr) -> Esme {
        let s = TcpStream::connect_timeout(&addr, T).expect("connect");
        s.set_read_timeout(Some(T)).unwrap();
        s.set_write_timeout(Some(T)).unwrap();
        s.set_nodelay(true).unwrap();
        Esme {
            s,
            buf: Vec::new(),
            seq: 0,
            deferred: Default::default(),
        }
    }

    fn bound(addr: SocketAddr, kind: &str, system_id: &str) -> Esme {
        let mut e = Esme::connect(addr);
        let r = e.bind(kind, system_id, "pw");
        assert_eq!(r.command_status, CommandStatus::Ok, "{r:?}");
        e
    }

    fn send(&mut self, pdu: &Pdu) {
        self.s.write_all(&pdu.to_bytes().unwrap()).unwrap();
    }

    /// Sends a request; returns its sequence number.
    fn req(&mut self, body: Body) -> u32 {
        self.seq += 1;
        let seq = self.seq;
        self.send(&Pdu::new(seq, body));
        seq
    }

    /// Sends a request and returns its response. Requests from the SMSC meanwhile:
    /// enquire_link is answered, others are kept for [`Esme::recv`].
    fn call(&mut self, body: Body) -> Pdu {
        let seq = self.req(body);
        let deadline = Instant::now() + T;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let r = self
                .try_recv_wire(left)
                .expect("a response within the timeout");
            if r.command_id().is_response() {
                assert_eq!(r.sequence_number, seq, "{r:?}");
                return r;
            }
            if r.body == Body::EnquireLink {
                self.send(&Pdu::new(r.sequence_number, Body::EnquireLinkResp));
            } else {
                self.deferred.push_back(r);
            }
        }
    }

    fn fill(&mut self, deadline: Instant) -> std::io::Result<usize> {
        let mut tmp = [0u8; 65536];
        loop {
            match self.s.read(&mut tmp) {
                Ok(n) => {
                    self.buf.extend_from_slice(&tmp[..n]);
                    return Ok(n);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted && Instant::now() < deadline => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The next PDU (kept ones first), or None when nothing arrives within `within`.
    fn try_recv(&mut self, within: Duration) -> Option<Pdu> {
        if let Some(p) = self.deferred.pop_front() {
            return Some(p);
        }
        self.try_recv_wire(within)
    }

    fn try_recv_wire(&mut self, within: Duration) -> Option<Pdu> {
        let deadline = Instant::now() + within;
        self.s.set_read_timeout(Some(within)).unwrap();
        let r = loop {
            match Decoder::default().decode(&self.buf).expect("framing") {
                Decoded::Pdu { pdu, len } => {
                    self.buf.drain(..len);
                    break Some(pdu);
                }
                Decoded::Malformed { error, .. } => panic!("malformed from the SMSC: {error}"),
                Decoded::Incomplete { .. } => {}
            }
            if Instant::now() >= deadline {
                break None;
            }
            match self.fill(deadline) {
                Ok(0) => break None,
                Ok(_) => {}
                Err(_) => break None,
            }
        };
        self.s.set_read_timeout(Some(T)).unwrap();
        r
    }

    fn recv(&mut self) -> Pdu {
        self.try_recv(T).expect("a PDU within the timeout")
    }

    /// Exactly `n` raw octets.
    fn recv_raw(&mut self, n: usize) -> Vec<u8> {
        let deadline = Instant::now() + T;
        while self.buf.len() < n {
            assert!(self.fill(deadline).expect("read") > 0, "closed");
        }
        self.buf.drain(..n).collect()
    }

    /// True when the SMSC closes the connection within the timeout.
    fn closed(&mut self) -> bool {
        let deadline = Instant::now() + T;
        loop {
            match self.fill(deadline) {
                Ok(0) => return true,
                Ok(_) => self.buf.clear(),
                Err(e) if e.kind() == ErrorKind::ConnectionReset => return true,
                Err(_) => return false,
            }
        }
    }

    fn bind(&mut self, kind: &str, system_id: &str, password: &str) -> Pdu {
        let b = Bind {
            system_id: system_id.into(),
            password: password.into(),
            interface_version: 0x34,
            ..Bind::default()
        };
        self.call(match kind {
            "tx" => Body::BindTransmitter(b),
            "rx" => Body::BindReceiver(b),
            _ => Body::BindTransceiver(b),
        })
    }

    fn ack(&mut self, deliver: &Pdu) {
        self.send(&Pdu::new(
            deliver.sequence_number,
            Body::DeliverSmResp(SmResp::default()),
        ));
    }
}

fn submit(dest: &str, text: &str, registered_delivery: u8) -> Body {
    Body::SubmitSm(SubmitSm {
        source: Address::new(5, 0, "Shop"),
        destination: Address::new(1, 1, dest),
        registered_delivery,
        short_message: text.as_bytes().to_vec(),
        ..SubmitSm::default()
    })
}

fn resp_id(p: &Pdu) -> String {
    match &p.body {
        Body::SubmitSmResp(r) | Body::DataSmResp(r) => r.message_id.clone(),
        Body::SubmitMultiResp(r) => r.message_id.clone(),
        other => panic!("not a submit response: {other:?}"),
    }
}

fn sim() -> Smsc {
    Smsc::start(SimConfig::default()).unwrap()
}

#[test]
fn bind_ok_and_refused() {
    let smsc = Smsc::start(SimConfig {
        credentials: vec![("alice".into(), "secret".into())],
        ..SimConfig::default()
    })
    .unwrap();
    let mut e = Esme::connect(smsc.addr());
    let r = e.bind("trx", "alice", "secret");
    assert_eq!(r.command_status, CommandStatus::Ok);
    let Body::BindTransceiverResp(b) = &r.body else {
        panic!("{r:?}")
    };
    assert_eq!(b.system_id, "esme-sim");
    assert_eq!(b.tlvs.get_u8(Tag::ScInterfaceVersion), Some(0x34));
    let again = e.bind("tx", "alice", "secret");
    assert_eq!(again.command_status, CommandStatus::AlyBnd);
    assert_eq!(again.command_id(), CommandId::BindTransmitterResp);

    let mut bad = Esme::connect(smsc.addr());
    assert_eq!(
        bad.bind("tx", "alice", "wrong").command_status,
        CommandStatus::InvPaswd
    );
    assert_eq!(
        bad.bind("rx", "mallory", "secret").command_status,
        CommandStatus::InvSysId
    );
    // node-smpp binds with interface_version 0x50.
    let mut node = Esme::connect(smsc.addr());
    let r = node.call(Body::BindReceiver(Bind {
        system_id: "alice".into(),
        password: "secret".into(),
        interface_version: 0x50,
        ..Bind::default()
    }));
    assert_eq!(r.command_status, CommandStatus::Ok);

    smsc.faults().refuse_binds(Some(CommandStatus::BindFail));
    let mut refused = Esme::connect(smsc.addr());
    assert_eq!(
        refused.bind("trx", "alice", "secret").command_status,
        CommandStatus::BindFail
    );
    smsc.faults().refuse_binds(None);
    assert_eq!(
        refused.bind("trx", "alice", "secret").command_status,
        CommandStatus::Ok
    );
    let st = smsc.stats();
    assert_eq!((st.binds_ok, st.binds_refused), (3, 4));
    assert_eq!(st.bound_sessions, 3);
    assert_eq!(st.connections, 4);
}

#[test]
fn bind_state_is_enforced() {
    let smsc = sim();
    let mut e = Esme::connect(smsc.addr());
    let r = e.call(submit("123", "hi", 0));
    assert_eq!(
        (r.command_id(), r.command_status),
        (CommandId::SubmitSmResp, CommandStatus::InvBndSts)
    );
    let r = e.call(Body::EnquireLink);
    assert_eq!(
        (r.command_id(), r.command_status),
        (CommandId::EnquireLinkResp, CommandStatus::Ok)
    );
    let mut rx = Esme::bound(smsc.addr(), "rx", "r");
    let r = rx.call(submit("123", "hi", 0));
    assert_eq!(r.command_status, CommandStatus::InvBndSts);
    let r = rx.call(Body::QuerySm(QuerySm::default()));
    assert_eq!(
        (r.command_id(), r.command_status),
        (CommandId::QuerySmResp, CommandStatus::InvBndSts)
    );
    assert!(smsc.submitted().is_empty());
}

#[test]
fn submit_gets_unique_ids_and_is_recorded() {
    let smsc = sim();
    let mut e = Esme::bound(smsc.addr(), "tx", "acct");
    let mut ids = Vec::new();
    for i in 0..5 {
        let r = e.call(submit("4479", &format!("hello {i}"), 0));
        assert_eq!(r.command_status, CommandStatus::Ok);
        ids.push(resp_id(&r));
    }
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 5, "{ids:?}");
    assert!(ids.iter().all(|id| id
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())));
    let r = e.call(submit("", "no destination", 0));
    assert_eq!(r.command_status, CommandStatus::InvDstAdr);

    let got = smsc.submitted();
    assert_eq!(got.len(), 5);
    assert_eq!(got[2].message_id, ids[2]);
    assert_eq!(got[2].short_message, b"hello 2");
    assert_eq!(got[2].payload(), b"hello 2");
    assert_eq!(got[2].system_id, "acct");
    assert_eq!(got[2].destination.addr, "4479");
    assert_eq!(got[2].sequence_number, 4); // after the bind
    assert_eq!(got[2].command_id, CommandId::SubmitSm);
    let st = smsc.stats();
    assert_eq!(st.submits, 6);
    assert_eq!(st.responses_sent, 7);
}

#[test]
fn other_operations() {
    let smsc = sim();
    let mut e = Esme::bound(smsc.addr(), "trx", "ops");
    let id = resp_id(&e.call(submit("1", "x", 0)));

    let r = e.call(Body::QuerySm(QuerySm {
        message_id: id.clone(),
        source: Address::new(5, 0, "Shop"),
    }));
    let Body::QuerySmResp(q) = &r.body else {
        panic!("{r:?}")
    };
    assert_eq!(
        (q.message_id.as_str(), q.message_state),
        (id.as_str(), MessageState::Delivered)
    );
    let r = e.call(Body::QuerySm(QuerySm {
        message_id: "FFFFFF".into(),
        ..QuerySm::default()
    }));
    assert_eq!(r.command_status, CommandStatus::QueryFail);

    let r = e.call(Body::CancelSm(CancelSm {
        message_id: id.clone(),
        ..CancelSm::default()
    }));
    assert_eq!(
        (r.body, r.command_status),
        (Body::CancelSmResp, CommandStatus::Ok)
    );
    let r = e.call(Body::ReplaceSm(ReplaceSm {
        message_id: id.clone(),
        ..ReplaceSm::default()
    }));
    assert_eq!(
        (r.body, r.command_status),
        (Body::ReplaceSmResp, CommandStatus::Ok)
    );

    let r = e.call(Body::DataSm(DataSm {
        destination: Address::new(1, 1, "99"),
        tlvs: vec![Tlv::message_payload(b"payload".to_vec()).unwrap()],
        ..DataSm::default()
    }));
    assert_eq!(r.command_id(), CommandId::DataSmResp);
    let data_id = resp_id(&r);
    assert_ne!(data_id, id);

    let r = e.call(Body::SubmitMulti(SubmitMulti {
        destinations: vec![
            DestAddress::Sme(Address::new(1, 1, "1")),
            DestAddress::Sme(Address::new(1, 1, "2")),
        ],
        short_message: b"multi".to_vec(),
        ..SubmitMulti::default()
    }));
    let Body::SubmitMultiResp(m) = &r.body else {
        panic!("{r:?}")
    };
    assert!(!m.message_id.is_empty() && m.unsuccess_smes.is_empty());

    let got = smsc.submitted();
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].command_id, CommandId::DataSm);
    assert_eq!(got[1].payload(), b"payload");
}

#[test]
fn receipt_on_the_transceiver_is_counted_when_acked() {
    let smsc = sim();
    let mut e = Esme::bound(smsc.addr(), "trx", "acct");
    let r = e.call(submit("4479", "hello receipt", 1));
    let id = resp_id(&r);
    let d = e.recv();
    let Body::DeliverSm(dm) = &d.body else {
        panic!("{d:?}")
    };
    assert_eq!(dm.esm_class, 0x04);
    assert_eq!(dm.source.addr, "4479");
    assert_eq!(dm.destination.addr, "Shop");
    assert_eq!(
        dm.tlvs.get_u8(Tag::MessageState),
        Some(MessageState::Delivered.to_u8())
    );
    let rc = esme::receipt::from_deliver(
        &dm.short_message,
        dm.tlvs.get_str(Tag::ReceiptedMessageId).as_deref(),
        None,
        None,
    )
    .unwrap();
    assert_eq!(rc.id, id);
    assert_eq!(rc.state, MessageState::Delivered);
    assert_eq!(rc.text.as_deref(), Some("hello receipt"));
    assert_eq!(smsc.stats().receipts_sent, 1);
    e.ack(&d);
    assert!(smsc.wait_for(|s| s.receipts_acked == 1, T));
    assert_eq!(smsc.stats().unexpected_responses, 0);
}

#[test]
fn receipt_goes_to_a_receiver_of_the_same_system_id_after_the_delay() {
    let smsc = Smsc::start(SimConfig {
        receipt_delay: Duration::from_millis(80),
        ..SimConfig::default()
    })
    .unwrap();
    let mut tx = Esme::bound(smsc.addr(), "tx", "acct");
    let mut other = Esme::bound(smsc.addr(), "rx", "someone-else");
    let mut rx = Esme::bound(smsc.addr(), "rx", "acct");
    let t0 = Instant::now();
    let id = resp_id(&tx.call(submit("1", "x", 1)));
    let d = rx.recv();
    assert!(t0.elapsed() >= Duration::from_millis(80));
    let Body::DeliverSm(dm) = &d.body else {
        panic!("{d:?}")
    };
    assert_eq!(
        dm.tlvs.get_str(Tag::ReceiptedMessageId).as_deref(),
        Some(id.as_str())
    );
    rx.ack(&d);
    assert!(smsc.wait_for(|s| s.receipts_acked == 1, T));
    assert!(other.try_recv(Duration::from_millis(20)).is_none());

    // No receiver bound: the receipt waits for one.
    drop(rx);
    drop(other);
    assert!(smsc.wait_for(|s| s.bound_sessions == 1, T));
    let id = resp_id(&tx.call(submit("1", "later", 1)));
    std::thread::sleep(Duration::from_millis(120));
    assert_eq!(smsc.stats().receipts_sent, 1);
    let mut rx = Esme::bound(smsc.addr(), "trx", "acct");
    let d = rx.recv();
    let Body::DeliverSm(dm) = &d.body else {
        panic!("{d:?}")
    };
    assert_eq!(
        dm.tlvs.get_str(Tag::ReceiptedMessageId).as_deref(),
        Some(id.as_str())
    );
}

#[test]
fn mo_long_text_reassembles() {
    let smsc = sim();
    assert_eq!(
        smsc.send_mo("447700900123", "Shop", "x"),
        Err(esme::sim::SimError::NoReceiver)
    );
    let mut e = Esme::bound(smsc.addr(), "rx", "acct");
    for text in [
        "short",
        &"Long GSM text with {braces} and €uro. ".repeat(9),
        &"Unicode ✓ text, 日本語 too. ".repeat(8),
    ] {
        let parts = smsc.send_mo("+447700900123", "Shop", text).unwrap();
        let mut ra = Reassembler::new(Duration::from_secs(10), Encoding::Gsm7);
        let mut done = None;
        for i in 0..parts {
            let d = e.recv();
            let Body::DeliverSm(dm) = &d.body else {
                panic!("{d:?}")
            };
            assert_eq!(dm.source, Address::new(1, 1, "447700900123"));
            assert_eq!(dm.destination.addr, "Shop");
            assert_eq!(dm.esm_class & 0x40 != 0, parts > 1);
            e.ack(&d);
            let got = ra.push(dm.inbound_part(), Instant::now()).unwrap();
            assert_eq!(got.is_some(), i + 1 == parts);
            done = done.or(got);
        }
        let done = done.unwrap();
        assert_eq!(done.text.as_deref(), Some(text));
        assert_eq!(done.parts as usize, parts);
    }
    let st = smsc.stats();
    assert!(st.mo_sent >= 5);
    assert!(smsc.wait_for(|s| s.mo_acked == st.mo_sent, T));
}

#[test]
fn send_pdu_injects_raw() {
    let smsc = sim();
    let mut e = Esme::bound(smsc.addr(), "trx", "acct");
    smsc.send_pdu(Pdu::new(0, Body::EnquireLink)).unwrap();
    let p = e.recv();
    assert_eq!(p.body, Body::EnquireLink);
    assert!(p.sequence_number > 0);
    e.send(&Pdu::new(p.sequence_number, Body::EnquireLinkResp));
    e.send(&Pdu::new(999, Body::EnquireLinkResp)); // a response to nothing
    assert!(smsc.wait_for(|s| s.unexpected_responses == 1, T));
}

#[test]
fn throttle_queue_full_reject_and_drop() {
    let smsc = sim();
    let mut e = Esme::bound(smsc.addr(), "tx", "acct");
    smsc.faults().throttle(2);
    assert_eq!(
        e.call(submit("1", "a", 0)).command_status,
        CommandStatus::Throttled
    );
    assert_eq!(
        e.call(submit("1", "a", 0)).command_status,
        CommandStatus::Throttled
    );
    assert_eq!(
        e.call(submit("1", "a", 0)).command_status,
        CommandStatus::Ok
    );
    smsc.faults().queue_full(1);
    assert_eq!(
        e.call(submit("1", "a", 0)).command_status,
        CommandStatus::MsgQFul
    );
    smsc.faults().reject_with(CommandStatus::InvSrcAdr, 1);
    assert_eq!(
        e.call(submit("1", "a", 0)).command_status,
        CommandStatus::InvSrcAdr
    );
    assert_eq!(
        e.call(submit("1", "a", 0)).command_status,
        CommandStatus::Ok
    );

    smsc.faults().drop_responses(2);
    e.req(submit("1", "lost", 0));
    e.req(submit("1", "lost", 0));
    let seq = e.req(submit("1", "answered", 0));
    let r = e.recv();
    assert_eq!(
        (r.sequence_number, r.command_status),
        (seq, CommandStatus::Ok)
    );
    // Dropped responses still mean accepted messages.
    assert_eq!(smsc.submitted().len(), 5);
}

#[test]
fn arrivals_log_every_submission_and_its_answer() {
    let smsc = Smsc::start(SimConfig {
        keep_arrivals: 100,
        ..SimConfig::default()
    })
    .unwrap();
    let mut e = Esme::bound(smsc.addr(), "tx", "acct");
    smsc.faults().throttle(1);
    e.call(submit("1", "a", 0));
    let id = resp_id(&e.call(submit("1", "a", 0)));
    e.call(submit("", "no-dest", 0));
    smsc.faults().drop_responses(1);
    e.req(submit("1", "lost", 0));
    e.call(Body::EnquireLink); // "lost" has arrived
    smsc.faults().close_after(1);
    e.req(submit("1", "closed-on", 0));
    assert!(e.closed());
    let got: Vec<(Vec<u8>, Answer)> = smsc
        .arrivals()
        .into_iter()
        .map(|a| {
            assert_eq!((a.connection, a.command_id), (1, CommandId::SubmitSm));
            (a.payload, a.answer)
        })
        .collect();
    let lost_id = smsc.submitted()[1].message_id.clone();
    assert_eq!(
        got,
        vec![
            (b"a".to_vec(), Answer::Refused(CommandStatus::Throttled)),
            (
                b"a".to_vec(),
                Answer::Accepted {
                    message_id: id,
                    response_dropped: false
                }
            ),
            (
                b"no-dest".to_vec(),
                Answer::Refused(CommandStatus::InvDstAdr)
            ),
            (
                b"lost".to_vec(),
                Answer::Accepted {
                    message_id: lost_id,
                    response_dropped: true
                }
            ),
            (b"closed-on".to_vec(), Answer::Closed),
        ]
    );
    // Off by default.
    let quiet = sim();
    let mut e = Esme::bound(quiet.addr(), "tx", "acct");
    e.call(submit("1", "a", 0));
    assert!(quiet.arrivals().is_empty());
}

#[test]
fn a_simulator_restarts_on_the_port_of_the_one_before() {
    let mut first = sim();
    let addr = first.addr();
    let mut e = Esme::bound(addr, "tx", "acct");
    e.call(submit("1", "a", 0));
    first.stop();
    first.stop(); // idempotent
    assert!(e.closed());
    // Stopped, its records are still there.
    assert_eq!(first.submitted().len(), 1);
    // The old connection lingers in TIME_WAIT; the new listener binds all the same.
    let again = Smsc::start(SimConfig {
        listen: addr,
        ..SimConfig::default()
    })
    .unwrap();
    assert_eq!(again.addr(), addr);
    let mut e = Esme::bound(addr, "tx", "acct");
    assert_eq!(
        resp_id(&e.call(submit("1", "b", 0))),
        "1",
        "a fresh simulator"
    );
    // Dropping the stopped one leaves the new one alone.
    drop(first);
    assert_eq!(resp_id(&e.call(submit("1", "c", 0))), "2");
    assert_eq!(again.stats().connections, 1);
}

#[test]
fn response_delay_does_not_block_the_connection() {
    let smsc = sim();
    let mut e = Esme::bound(smsc.addr(), "tx", "acct");
    let delay = Duration::from_millis(250);
    smsc.faults().set_response_delay(delay);
    let t0 = Instant::now();
    let s1 = e.req(submit("1", "a", 0));
    let s2 = e.req(submit("1", "b", 0));
    let el = e.req(Body::EnquireLink);
    let first = e.recv();
    assert_eq!(first.sequence_number, el, "enquire_link_resp overtakes");
    assert_eq!(e.recv().sequence_number, s1);
    assert_eq!(e.recv().sequence_number, s2);
    // The delay is honoured (a lower bound: a slow machine only makes it longer).
    assert!(t0.elapsed() >= delay);
    // After reset, responses are no longer delayed: a submit is answered before an
    // enquire_link sent after it (with the delay on, the enquire_link would overtake).
    smsc.faults().reset();
    let s3 = e.req(submit("1", "c", 0));
    let el2 = e.req(Body::EnquireLink);
    assert_eq!(e.recv().sequence_number, s3);
    assert_eq!(e.recv().sequence_number, el2);
}

#[test]
fn close_after_n_pdus() {
    let smsc = sim();
    let mut e = Esme::bound(smsc.addr(), "tx", "acct");
    smsc.faults().close_after(2);
    e.call(submit("1", "a", 0));
    e.req(submit("1", "b", 0));
    assert!(e.closed());
    assert!(smsc.wait_for(|s| s.open_connections == 0, T));
    // Off again: a new connection lives on.
    let mut e = Esme::bound(smsc.addr(), "tx", "acct");
    e.call(submit("1", "c", 0));
    e.call(submit("1", "d", 0));
}

#[test]
fn enquire_link_both_ways_and_ignore() {
    let smsc = Smsc::start(SimConfig {
        enquire_link_interval: Some(Duration::from_millis(40)),
        ..SimConfig::default()
    })
    .unwrap();
    let mut e = Esme::bound(smsc.addr(), "trx", "acct");
    let p = e.recv();
    assert_eq!(p.body, Body::EnquireLink);
    e.send(&Pdu::new(p.sequence_number, Body::EnquireLinkResp));
    assert!(smsc.wait_for(|s| s.enquire_link_resps_received >= 1, T));

    let r = e.call(Body::EnquireLink);
    assert_eq!(r.body, Body::EnquireLinkResp);
    smsc.faults().ignore_enquire_link(true);
    let ignored = e.req(Body::EnquireLink);
    let s = e.req(submit("1", "a", 0));
    // The next response is the submit_sm_resp (the SMSC's own enquire_links are skipped).
    let p = loop {
        let p = e.recv();
        if p.command_id().is_response() {
            break p;
        }
    };
    assert_eq!(
        (p.command_id(), p.sequence_number),
        (CommandId::SubmitSmResp, s)
    );
    assert_ne!(s, ignored);
    assert_eq!(smsc.stats().enquire_links_received, 2);
}

#[test]
fn malformed_responses() {
    let smsc = sim();
    let mut e = Esme::bound(smsc.addr(), "tx", "acct");
    let header = |b: &[u8]| -> [u32; 4] {
        let w = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        [w(0), w(4), w(8), w(12)]
    };

    smsc.faults().send_malformed(Malformed::TruncatedBody);
    let seq = e.req(submit("1", "a", 0));
    let raw = e.recv_raw(19);
    assert_eq!(header(&raw), [19, 0x8000_0004, 0, seq]);
    assert!(matches!(
        Decoder::default().decode(&raw),
        Ok(Decoded::Malformed { .. })
    ));

    smsc.faults().send_malformed(Malformed::UnknownCommand);
    let seq = e.req(Body::EnquireLink);
    assert_eq!(header(&e.recv_raw(16)), [16, 0x104, 0, seq]);
    e.send(&Pdu::with_status(
        seq,
        CommandStatus::InvCmdId,
        Body::GenericNack,
    ));
    assert!(smsc.wait_for(|s| s.generic_nacks_received == 1, T));

    smsc.faults().send_malformed(Malformed::ResponseToNothing);
    e.req(submit("1", "a", 0));
    let r = e.recv();
    assert_eq!(r.sequence_number, esme::sim::Faults::UNUSED_SEQUENCE);
    assert_eq!(r.command_id(), CommandId::SubmitSmResp);

    // Only the next response is replaced.
    e.call(submit("1", "ok", 0));

    smsc.faults().send_malformed(Malformed::BadLength);
    e.req(submit("1", "a", 0));
    let raw = e.recv_raw(16);
    assert_eq!(header(&raw)[0], 8);
    assert!(Decoder::default().decode(&raw).is_err());
}

#[test]
fn stall_stops_reading() {
    let smsc = sim();
    let mut e = Esme::bound(smsc.addr(), "tx", "acct");
    smsc.faults().stall(true);
    std::thread::sleep(Duration::from_millis(20));
    let seq = e.req(submit("1", "a", 0));
    assert!(e.try_recv(Duration::from_millis(100)).is_none());
    assert_eq!(smsc.stats().submits, 0);
    smsc.faults().stall(false);
    assert_eq!(e.recv().sequence_number, seq);
}

#[test]
fn unbind_closes() {
    let smsc = sim();
    let mut e = Esme::bound(smsc.addr(), "trx", "acct");
    let r = e.call(Body::Unbind);
    assert_eq!(
        (r.body, r.command_status),
        (Body::UnbindResp, CommandStatus::Ok)
    );
    assert!(e.closed());
    assert!(smsc.wait_for(
        |s| s.unbinds == 1 && s.open_connections == 0 && s.bound_sessions == 0,
        T
    ));
}

#[test]
fn unknown_and_malformed_get_generic_nack() {
    let smsc = sim();
    let mut e = Esme::bound(smsc.addr(), "tx", "acct");
    e.send(&Pdu::new(
        41,
        Body::Unknown {
            command_id: 0x0000_0104,
            body: vec![1, 2, 3],
        },
    ));
    let r = e.recv();
    assert_eq!(
        (r.body, r.command_status, r.sequence_number),
        (Body::GenericNack, CommandStatus::InvCmdId, 41)
    );
    // A submit_sm whose sm_length runs past the body.
    let mut bytes = Pdu::new(42, submit("1", "abc", 0)).to_bytes().unwrap();
    let sm_len_at = bytes.len() - 4;
    bytes[sm_len_at] = 200;
    e.s.write_all(&bytes).unwrap();
    let r = e.recv();
    assert_eq!(
        (r.body, r.command_status, r.sequence_number),
        (Body::GenericNack, CommandStatus::InvMsgLen, 42)
    );
    assert_eq!(
        e.call(submit("1", "fine", 0)).command_status,
        CommandStatus::Ok
    );
    let st = smsc.stats();
    assert_eq!((st.generic_nacks_sent, st.malformed_received), (2, 1));

    // Impossible framing: closed.
    e.s.write_all(&[0, 0, 0, 8, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 9])
        .unwrap();
    assert!(e.closed());
}

#[test]
fn oversized_pdu_closes() {
    let smsc = Smsc::start(SimConfig {
        max_pdu_len: 100,
        ..SimConfig::default()
    })
    .unwrap();
    let mut e = Esme::bound(smsc.addr(), "tx", "acct");
    e.req(submit("1", &"x".repeat(150), 0));
    assert!(e.closed());
}

#[test]
fn disconnect_all_then_reconnect() {
    let smsc = sim();
    let mut a = Esme::bound(smsc.addr(), "trx", "a");
    let mut b = Esme::bound(smsc.addr(), "tx", "b");
    smsc.disconnect_all();
    assert!(a.closed());
    assert!(b.closed());
    assert!(smsc.wait_for(|s| s.open_connections == 0 && s.bound_sessions == 0, T));
    let mut a = Esme::bound(smsc.addr(), "trx", "a");
    assert_eq!(
        a.call(submit("1", "x", 0)).command_status,
        CommandStatus::Ok
    );
    assert_eq!(smsc.stats().connections, 3);
}

#[test]
fn two_clients_at_once() {
    let smsc = sim();
    let addr = smsc.addr();
    let handles: Vec<_> = (0..2)
        .map(|i| {
            std::thread::spawn(move || {
                let mut e = Esme::bound(addr, "trx", &format!("c{i}"));
                let mut ids = Vec::new();
                for _ in 0..50 {
                    let r = e.call(submit("1", "x", 0));
                    assert_eq!(r.command_status, CommandStatus::Ok);
                    ids.push(resp_id(&r));
                }
                let mo = e.recv();
                assert_eq!(mo.command_id(), CommandId::DeliverSm);
                e.ack(&mo);
                ids
            })
        })
        .collect();
    assert!(smsc.wait_for(|s| s.submits == 100, T));
    smsc.send_mo("1", "2", "to one").unwrap();
    smsc.send_mo("1", "2", "to the other").unwrap();
    let mut all: Vec<String> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 100);
    assert!(smsc.wait_for(|s| s.mo_acked == 2, T));
}

#[test]
fn drop_never_hangs() {
    let smsc = Smsc::start(SimConfig {
        receipt_delay: Duration::from_secs(60),
        enquire_link_interval: Some(Duration::from_millis(10)),
        ..SimConfig::default()
    })
    .unwrap();
    smsc.faults().set_response_delay(Duration::from_secs(60));
    let mut busy = Esme::bound(smsc.addr(), "trx", "a");
    busy.req(submit("1", "x", 1));
    let _idle = Esme::connect(smsc.addr());
    // A client that never reads while the SMSC has much to say.
    let quiet = Esme::bound(smsc.addr(), "rx", "q");
    for _ in 0..200 {
        let _ = smsc.send_mo("1", "2", &"y".repeat(1000));
    }
    assert!(smsc.wait_for(|s| s.open_connections == 3, T));
    let t0 = Instant::now();
    drop(smsc);
    assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
    assert!(busy.closed());
    let _ = quiet.s.shutdown(Shutdown::Both);
}

#[test]
fn stalled_shutdown_never_hangs() {
    let smsc = sim();
    let _e = Esme::bound(smsc.addr(), "tx", "a");
    smsc.faults().stall(true);
    let t0 = Instant::now();
    smsc.shutdown();
    assert!(t0.elapsed() < Duration::from_secs(3));
}

/// Pipelines N submit_sm (default 20 000; `SIM_BENCH_N` overrides) through one connection
/// and reads every response. Prints the rate; run with `--release --nocapture` to measure.
#[test]
fn throughput_pipelined() {
    let n: usize = std::env::var("SIM_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let smsc = Smsc::start(SimConfig {
        keep_submitted: 0,
        ..SimConfig::default()
    })
    .unwrap();
    let mut e = Esme::bound(smsc.addr(), "tx", "bench");
    let mut bytes = Vec::with_capacity(n * 64);
    for i in 0..n {
        Pdu::new(i as u32 + 2, submit("447700900123", "benchmark message", 0))
            .encode(&mut bytes)
            .unwrap();
    }
    let mut w = e.s.try_clone().unwrap();
    let t0 = Instant::now();
    let writer = std::thread::spawn(move || {
        for chunk in bytes.chunks(64 * 1024) {
            w.write_all(chunk).unwrap();
        }
    });
    let mut seen = 0usize;
    let mut next = 2u32;
    while seen < n {
        let r = e.recv();
        assert_eq!(
            (r.sequence_number, r.command_status),
            (next, CommandStatus::Ok)
        );
        next += 1;
        seen += 1;
    }
    let el = t0.elapsed();
    writer.join().unwrap();
    println!(
        "{n} submit_sm pipelined in {el:?}: {:.0}/s",
        n as f64 / el.as_secs_f64()
    );
    assert_eq!(smsc.stats().submits, n as u64);
}

/// Like [`throughput_pipelined`] on a transceiver with receipts requested and submissions
/// recorded (the default `keep_submitted`): every submit_sm_resp and receipt arrives, and
/// the acks are counted. `SIM_BENCH_N` overrides the default 5 000.
#[test]
fn throughput_with_receipts() {
    let n: usize = std::env::var("SIM_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let smsc = sim();
    let mut e = Esme::bound(smsc.addr(), "trx", "bench");
    let mut bytes = Vec::with_capacity(n * 64);
    for i in 0..n {
        Pdu::new(i as u32 + 2, submit("447700900123", "benchmark message", 1))
            .encode(&mut bytes)
            .unwrap();
    }
    let mut w = e.s.try_clone().unwrap();
    let t0 = Instant::now();
    let writer = std::thread::spawn(move || {
        for chunk in bytes.chunks(64 * 1024) {
            w.write_all(chunk).unwrap();
        }
    });
    let (mut resps, mut receipts) = (0usize, Vec::with_capacity(n));
    while resps + receipts.len() < 2 * n {
        let p = e.recv();
        match p.command_id() {
            CommandId::SubmitSmResp => resps += 1,
            CommandId::DeliverSm => receipts.push(p.sequence_number),
            other => panic!("{other:?}"),
        }
    }
    let el = t0.elapsed();
    writer.join().unwrap();
    println!(
        "{n} submit_sm with receipts in {el:?}: {:.0} submits/s",
        n as f64 / el.as_secs_f64()
    );
    let mut acks = Vec::with_capacity(n * 17);
    for seq in receipts {
        Pdu::new(seq, Body::DeliverSmResp(SmResp::default()))
            .encode(&mut acks)
            .unwrap();
    }
    e.s.write_all(&acks).unwrap();
    assert!(smsc.wait_for(|s| s.receipts_acked == n as u64, T));
    assert_eq!(smsc.submitted().len(), n.min(10_000));
}
