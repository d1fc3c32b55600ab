use super::*;
use crate::pdu::{Address, SubmitSm};
use crate::pdu::{Bind, BindResp, Body, CommandId, CommandStatus, Decoded, Decoder, Pdu, SmResp};
use std::time::{Duration, Instant};

fn cfg() -> SessionConfig {
    SessionConfig {
        window: 3,
        response_timeout: Duration::from_secs(5),
        bind_timeout: Duration::from_secs(2),
        enquire_link_interval: Duration::from_secs(10),
        dead_peer_timeout: Duration::from_secs(25),
        max_pdu_len: 4096,
    }
}

fn bind_body() -> Bind {
    Bind {
        system_id: "esme".into(),
        password: "pw".into(),
        interface_version: 0x34,
        ..Default::default()
    }
}

fn out(s: &mut Session<u32>) -> Vec<Pdu> {
    let mut b = Vec::new();
    s.take_output(&mut b);
    let mut v = Vec::new();
    let mut pos = 0;
    while pos < b.len() {
        match Decoder::default().decode(&b[pos..]).unwrap() {
            Decoded::Pdu { pdu, len } => {
                v.push(pdu);
                pos += len;
            }
            other => panic!("{other:?}"),
        }
    }
    v
}

fn events(s: &mut Session<u32>) -> Vec<Event<u32>> {
    std::iter::from_fn(|| s.poll_event()).collect()
}

fn bytes(p: &Pdu) -> Vec<u8> {
    p.to_bytes().unwrap()
}

fn submit() -> Body {
    Body::SubmitSm(SubmitSm {
        source: Address::new(1, 1, "1"),
        destination: Address::new(1, 1, "2"),
        short_message: b"hi".to_vec(),
        ..Default::default()
    })
}

fn resp(seq: u32, id: &str) -> Pdu {
    Pdu::new(
        seq,
        Body::SubmitSmResp(SmResp {
            message_id: id.into(),
            tlvs: vec![],
        }),
    )
}

/// A session bound as a transceiver at time t0.
fn bound(t0: Instant) -> Session<u32> {
    let mut s = Session::new(cfg(), t0);
    s.bind(BindMode::Transceiver, bind_body(), t0).unwrap();
    let sent = out(&mut s);
    assert_eq!(sent[0].command_id(), CommandId::BindTransceiver);
    let r = Pdu::new(
        sent[0].sequence_number,
        Body::BindTransceiverResp(BindResp {
            system_id: "SMSC".into(),
            tlvs: vec![],
        }),
    );
    s.feed(&bytes(&r), t0);
    assert!(matches!(events(&mut s)[..], [Event::Bound { .. }]));
    assert_eq!(s.state(), State::Bound(BindMode::Transceiver));
    s
}

#[test]
fn bind_refused_names_the_status() {
    let t0 = Instant::now();
    let mut s: Session<u32> = Session::new(cfg(), t0);
    s.bind(BindMode::Transmitter, bind_body(), t0).unwrap();
    let seq = out(&mut s)[0].sequence_number;
    let r = Pdu::with_status(
        seq,
        CommandStatus::InvPaswd,
        Body::BindTransmitterResp(BindResp::default()),
    );
    s.feed(&bytes(&r), t0);
    assert!(matches!(
        events(&mut s)[..],
        [Event::BindRefused {
            status: CommandStatus::InvPaswd
        }]
    ));
    assert_eq!(s.state(), State::Closed);
}

/// A bind answered with something that is not its response fails at once (not after the
/// bind timeout) and says what came instead; a response to another sequence is only logged.
#[test]
fn a_broken_or_wrong_bind_answer_fails_the_bind_at_once() {
    let t0 = Instant::now();
    let start = || {
        let mut s: Session<u32> = Session::new(cfg(), t0);
        s.bind(BindMode::Transceiver, bind_body(), t0).unwrap();
        let seq = out(&mut s)[0].sequence_number;
        (s, seq)
    };
    // A response PDU `id` whose body is "BAD" (a C-octet string without its NUL).
    let broken = |id: u32, seq: u32| {
        let mut v = Vec::new();
        for w in [19, id, 0, seq] {
            v.extend_from_slice(&w.to_be_bytes());
        }
        v.extend_from_slice(b"BAD");
        v
    };
    let failed = |s: &mut Session<u32>| -> String {
        let ev = events(s);
        assert_eq!(s.state(), State::Closed);
        assert_eq!(s.next_deadline(), None);
        match &ev[..] {
            [Event::BindFailed { why }] => why.clone(),
            other => panic!("{other:?}"),
        }
    };

    // A bind_transceiver_resp whose system_id has no terminating NUL.
    let (mut s, seq) = start();
    s.feed(&broken(0x8000_0009, seq), t0);
    let why = failed(&mut s);
    assert!(why.contains("bind_transceiver with a broken PDU"), "{why}");

    // Another command's response (well formed) with the bind's sequence number.
    let (mut s, seq) = start();
    s.feed(&bytes(&resp(seq, "x")), t0);
    let why = failed(&mut s);
    assert!(
        why.contains("bind_transceiver (sequence")
            && why.contains("with submit_sm_resp, not bind_transceiver_resp"),
        "{why}"
    );

    // Another command's response, broken, with the bind's sequence number.
    let (mut s, seq) = start();
    s.feed(&broken(0x8000_0004, seq), t0);
    let why = failed(&mut s);
    assert!(why.contains("broken PDU"), "{why}");

    // A response to another sequence number is stray: logged, and the bind still waits
    // for its answer, which then binds.
    let (mut s, seq) = start();
    s.feed(&bytes(&resp(seq.wrapping_add(7), "x")), t0);
    assert!(matches!(events(&mut s)[..], [Event::Ignored { .. }]));
    assert_eq!(s.state(), State::Binding);
    s.feed(
        &bytes(&Pdu::new(
            seq,
            Body::BindTransceiverResp(BindResp::default()),
        )),
        t0,
    );
    assert!(matches!(events(&mut s)[..], [Event::Bound { .. }]));

    // generic_nack with the bind's sequence is still a refusal with a status.
    let (mut s, seq) = start();
    s.feed(
        &bytes(&Pdu::with_status(
            seq,
            CommandStatus::InvCmdId,
            Body::GenericNack,
        )),
        t0,
    );
    assert!(matches!(
        events(&mut s)[..],
        [Event::BindRefused {
            status: CommandStatus::InvCmdId
        }]
    ));
}

#[test]
fn bind_times_out() {
    let t0 = Instant::now();
    let mut s: Session<u32> = Session::new(cfg(), t0);
    s.bind(BindMode::Transceiver, bind_body(), t0).unwrap();
    s.tick(t0 + Duration::from_millis(1999));
    assert!(events(&mut s).is_empty());
    assert_eq!(s.next_deadline(), Some(t0 + Duration::from_secs(2)));
    s.tick(t0 + Duration::from_secs(2));
    assert!(matches!(events(&mut s)[..], [Event::BindRefused { .. }]));
}

#[test]
fn nothing_before_bind_and_window_limits() {
    let t0 = Instant::now();
    let mut s: Session<u32> = Session::new(cfg(), t0);
    assert!(matches!(
        s.send(submit(), 1, t0),
        Err(SendError::NotAllowed { .. })
    ));
    let mut s = bound(t0);
    for tag in 0..3 {
        s.send(submit(), tag, t0).unwrap();
    }
    assert_eq!(s.send(submit(), 9, t0), Err(SendError::WindowFull));
    assert_eq!(s.in_flight(), 3);
    let sent = out(&mut s);
    assert_eq!(sent.len(), 3);
    // Answer the second one first: matched by sequence number.
    s.feed(&bytes(&resp(sent[1].sequence_number, "B")), t0);
    match &events(&mut s)[..] {
        [Event::Response { tag: 1, pdu }] => assert_eq!(pdu.command_id(), CommandId::SubmitSmResp),
        e => panic!("{e:?}"),
    }
    assert!(s.window_has_room());
}

#[test]
fn responses_to_nothing_or_of_the_wrong_kind_are_ignored() {
    let t0 = Instant::now();
    let mut s = bound(t0);
    s.send(submit(), 7, t0).unwrap();
    let seq = out(&mut s)[0].sequence_number;
    s.feed(&bytes(&resp(seq + 100, "x")), t0);
    s.feed(
        &bytes(&Pdu::new(seq, Body::DataSmResp(SmResp::default()))),
        t0,
    );
    let e = events(&mut s);
    assert_eq!(e.len(), 2);
    assert!(e.iter().all(|e| matches!(e, Event::Ignored { .. })));
    assert_eq!(s.in_flight(), 1);
    // generic_nack answers any request.
    s.feed(
        &bytes(&Pdu::with_status(
            seq,
            CommandStatus::InvCmdLen,
            Body::GenericNack,
        )),
        t0,
    );
    assert!(matches!(
        events(&mut s)[..],
        [Event::Response { tag: 7, .. }]
    ));
}

#[test]
fn response_timeouts_free_the_window() {
    let t0 = Instant::now();
    let mut s = bound(t0);
    s.send(submit(), 1, t0).unwrap();
    s.send(submit(), 2, t0 + Duration::from_secs(1)).unwrap();
    assert_eq!(s.next_deadline(), Some(t0 + Duration::from_secs(5)));
    s.tick(t0 + Duration::from_secs(5));
    assert!(matches!(
        events(&mut s)[..],
        [Event::Timeout {
            tag: 1,
            command: CommandId::SubmitSm
        }]
    ));
    assert_eq!(s.in_flight(), 1);
    s.tick(t0 + Duration::from_secs(6));
    assert!(matches!(
        events(&mut s)[..],
        [Event::Timeout { tag: 2, .. }]
    ));
    // A late response is ignored, not fatal.
    s.feed(&bytes(&resp(2, "late")), t0 + Duration::from_secs(7));
    assert!(matches!(events(&mut s)[..], [Event::Ignored { .. }]));
}

#[test]
fn answered_requests_leave_the_deadline_queue_without_a_tick() {
    let t0 = Instant::now();
    let mut s = bound(t0);
    let a = s.send(submit(), 1, t0).unwrap();
    let b = s.send(submit(), 2, t0 + Duration::from_secs(1)).unwrap();
    s.send(submit(), 3, t0 + Duration::from_secs(2)).unwrap();
    assert_eq!(s.deadlines.len(), 3);
    // Out of order: the answered middle one waits behind the first.
    s.feed(&bytes(&resp(b, "b")), t0);
    assert_eq!(s.deadlines.len(), 3);
    assert_eq!(s.next_deadline(), Some(t0 + Duration::from_secs(5)));
    // The first answered: both leave.
    s.feed(&bytes(&resp(a, "a")), t0);
    assert_eq!(s.deadlines.len(), 1);
    assert_eq!(s.next_deadline(), Some(t0 + Duration::from_secs(7)));
    assert!(matches!(
        events(&mut s)[..],
        [
            Event::Response { tag: 2, .. },
            Event::Response { tag: 1, .. }
        ]
    ));
    // The last one still times out on time.
    s.tick(t0 + Duration::from_secs(7));
    assert!(matches!(
        events(&mut s)[..],
        [Event::Timeout { tag: 3, .. }]
    ));
    assert!(s.deadlines.is_empty());
}

#[test]
fn the_deadline_queue_stays_within_twice_the_window_when_one_request_is_never_answered() {
    // One request the SMSC never answers, then many answered in order behind it: the
    // answered ones must not pile up in the deadline queue until the first times out.
    let t0 = Instant::now();
    let mut s = bound(t0);
    s.send(submit(), 0, t0).unwrap();
    for tag in 1..1000 {
        let seq = s.send(submit(), tag, t0).unwrap();
        s.feed(&bytes(&resp(seq, "x")), t0);
        assert!(
            s.deadlines.len() <= 2 * s.cfg.window,
            "{}",
            s.deadlines.len()
        );
    }
    assert_eq!(s.in_flight(), 1);
    assert_eq!(events(&mut s).len(), 999);
    // The unanswered one still times out on time, and alone.
    s.tick(t0 + Duration::from_secs(5));
    assert!(matches!(
        events(&mut s)[..],
        [Event::Timeout { tag: 0, .. }]
    ));
    assert!(s.deadlines.is_empty());
}

#[test]
fn answers_the_smsc() {
    let t0 = Instant::now();
    let mut s = bound(t0);
    let mut input = bytes(&Pdu::new(77, Body::EnquireLink));
    input.extend(bytes(&Pdu::new(
        78,
        Body::Unknown {
            command_id: 0x0000_0104,
            body: vec![],
        },
    )));
    input.extend(bytes(&Pdu::new(79, Body::DeliverSm(SubmitSm::default()))));
    s.feed(&input, t0);
    let sent = out(&mut s);
    assert_eq!(sent[0], Pdu::new(77, Body::EnquireLinkResp));
    assert_eq!(
        sent[1],
        Pdu::with_status(78, CommandStatus::InvCmdId, Body::GenericNack)
    );
    let e = events(&mut s);
    let Event::Inbound { pdu } = &e[1] else {
        panic!("{e:?}")
    };
    // Acknowledged only when the driver says so.
    assert_eq!(sent.len(), 2);
    s.respond(pdu, CommandStatus::Ok, vec![]);
    assert_eq!(
        out(&mut s),
        vec![Pdu::new(79, Body::DeliverSmResp(SmResp::default()))]
    );
}

#[test]
fn malformed_requests_are_answered_with_the_suggested_status() {
    let t0 = Instant::now();
    let mut s = bound(t0);
    // deliver_sm whose destination_addr has no NUL within 21 octets.
    let mut b = vec![
        0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 9, 0, 1, 1, b'1', 0, 1, 1,
    ];
    b.extend_from_slice(&[b'2'; 30]);
    let n = b.len() as u32;
    b[..4].copy_from_slice(&n.to_be_bytes());
    s.feed(&b, t0);
    assert_eq!(
        out(&mut s),
        vec![Pdu::with_status(
            9,
            CommandStatus::InvDstAdr,
            Body::DeliverSmResp(SmResp::default())
        )]
    );
    assert!(matches!(events(&mut s)[..], [Event::Ignored { .. }]));
    assert_eq!(s.state(), State::Bound(BindMode::Transceiver));
}

#[test]
fn malformed_response_goes_to_its_request() {
    let t0 = Instant::now();
    let mut s = bound(t0);
    s.send(submit(), 5, t0).unwrap();
    let seq = out(&mut s)[0].sequence_number;
    // submit_sm_resp whose message_id lacks its NUL.
    let mut b = vec![0, 0, 0, 0, 0x80, 0, 0, 4, 0, 0, 0, 0];
    b.extend_from_slice(&seq.to_be_bytes());
    b.extend_from_slice(b"abc");
    let n = b.len() as u32;
    b[..4].copy_from_slice(&n.to_be_bytes());
    s.feed(&b, t0);
    assert!(matches!(
        events(&mut s)[..],
        [Event::MalformedResponse { tag: 5, .. }]
    ));
    assert_eq!(s.in_flight(), 0);
}

#[test]
fn peer_unbind_closes_and_abort_returns_what_was_pending() {
    let t0 = Instant::now();
    let mut s = bound(t0);
    s.send(submit(), 1, t0).unwrap();
    s.send(submit(), 2, t0).unwrap();
    out(&mut s);
    s.feed(&bytes(&Pdu::new(500, Body::Unbind)), t0);
    assert_eq!(out(&mut s), vec![Pdu::new(500, Body::UnbindResp)]);
    assert!(matches!(events(&mut s)[..], [Event::PeerUnbound]));
    assert_eq!(s.state(), State::Closed);
    assert_eq!(s.abort(), vec![1, 2]);
    assert_eq!(s.in_flight(), 0);
}

#[test]
fn our_unbind() {
    let t0 = Instant::now();
    let mut s = bound(t0);
    s.unbind(t0).unwrap();
    let u = out(&mut s);
    assert_eq!(u[0].command_id(), CommandId::Unbind);
    assert!(matches!(
        s.send(submit(), 1, t0),
        Err(SendError::NotAllowed { .. })
    ));
    s.feed(
        &bytes(&Pdu::new(u[0].sequence_number, Body::UnbindResp)),
        t0,
    );
    assert!(matches!(events(&mut s)[..], [Event::Unbound]));
    assert_eq!(s.state(), State::Closed);
}

#[test]
fn keepalive_then_dead_peer() {
    let t0 = Instant::now();
    let mut s = bound(t0);
    assert_eq!(s.next_deadline(), Some(t0 + Duration::from_secs(10)));
    s.tick(t0 + Duration::from_secs(10));
    let e = out(&mut s);
    assert_eq!(e[0].command_id(), CommandId::EnquireLink);
    // Answered: the keepalive clock restarts from the answer.
    let t1 = t0 + Duration::from_secs(11);
    s.feed(
        &bytes(&Pdu::new(e[0].sequence_number, Body::EnquireLinkResp)),
        t1,
    );
    assert!(events(&mut s).is_empty());
    s.tick(t1 + Duration::from_secs(9));
    assert!(out(&mut s).is_empty());
    s.tick(t1 + Duration::from_secs(10));
    assert_eq!(out(&mut s)[0].command_id(), CommandId::EnquireLink);
    // Never answered: another enquire_link after its timeout, then the dead-peer verdict.
    s.tick(t1 + Duration::from_secs(15));
    assert_eq!(out(&mut s)[0].command_id(), CommandId::EnquireLink);
    s.tick(t1 + Duration::from_secs(24));
    assert_eq!(s.state(), State::Bound(BindMode::Transceiver));
    s.tick(t1 + Duration::from_secs(25));
    assert!(matches!(events(&mut s)[..], [Event::PeerDead { .. }]));
    assert_eq!(s.state(), State::Closed);
    assert_eq!(s.next_deadline(), None);
}

#[test]
fn a_clock_jump_expires_everything_due_once() {
    let t0 = Instant::now();
    let mut s = bound(t0);
    for i in 0..3 {
        s.send(submit(), i, t0).unwrap();
    }
    s.tick(t0 + Duration::from_secs(3600));
    let e = events(&mut s);
    // All three timed out, and the peer is declared dead: each exactly once.
    assert_eq!(
        e.iter()
            .filter(|e| matches!(e, Event::Timeout { .. }))
            .count(),
        3
    );
    assert_eq!(
        e.iter()
            .filter(|e| matches!(e, Event::PeerDead { .. }))
            .count(),
        1
    );
}

#[test]
fn framing_error_closes_with_a_nack() {
    let t0 = Instant::now();
    let mut s = bound(t0);
    s.feed(&[0, 0, 0, 3, 1, 2, 3, 4], t0);
    assert!(matches!(events(&mut s)[..], [Event::FramingError(_)]));
    assert_eq!(out(&mut s)[0].command_status, CommandStatus::InvCmdLen);
    assert_eq!(s.state(), State::Closed);
}

#[test]
fn every_split_of_the_input_gives_the_same_result() {
    let t0 = Instant::now();
    let mut base = bound(t0);
    for i in 0..3 {
        base.send(submit(), i, t0).unwrap();
    }
    let seqs: Vec<u32> = out(&mut base).iter().map(|p| p.sequence_number).collect();
    let mut input = Vec::new();
    input.extend(bytes(&resp(seqs[2], "C")));
    input.extend(bytes(&Pdu::new(900, Body::EnquireLink)));
    input.extend(bytes(&resp(seqs[0], "A")));
    input.extend(bytes(&Pdu::new(901, Body::DeliverSm(SubmitSm::default()))));
    input.extend(bytes(&resp(seqs[1], "B")));
    for split in 0..=input.len() {
        for split2 in [split, (split + 7).min(input.len())] {
            let mut s = bound(t0);
            for i in 0..3 {
                s.send(submit(), i, t0).unwrap();
            }
            out(&mut s);
            s.feed(&input[..split], t0);
            s.feed(&input[split..split2], t0);
            s.feed(&input[split2..], t0);
            let tags: Vec<u32> = events(&mut s)
                .into_iter()
                .filter_map(|e| match e {
                    Event::Response { tag, .. } => Some(tag),
                    _ => None,
                })
                .collect();
            assert_eq!(tags, vec![2, 0, 1], "split at {split}/{split2}");
            assert_eq!(out(&mut s), vec![Pdu::new(900, Body::EnquireLinkResp)]);
        }
    }
}

#[test]
fn sequence_numbers_wrap_and_skip_pending_ones() {
    let t0 = Instant::now();
    let mut s = bound(t0);
    s.next_seq = Pdu::MAX_SEQUENCE;
    s.send(submit(), 1, t0).unwrap();
    s.send(submit(), 2, t0).unwrap();
    let seqs: Vec<u32> = out(&mut s).iter().map(|p| p.sequence_number).collect();
    assert_eq!(seqs, vec![Pdu::MAX_SEQUENCE, 1]);
    s.next_seq = 1;
    s.send(submit(), 3, t0).unwrap();
    assert_eq!(out(&mut s)[0].sequence_number, 2);
}

#[test]
fn receiver_cannot_submit_and_transmitter_refuses_deliveries() {
    let t0 = Instant::now();
    let mut s: Session<u32> = Session::new(cfg(), t0);
    s.bind(BindMode::Transmitter, bind_body(), t0).unwrap();
    let seq = out(&mut s)[0].sequence_number;
    s.feed(
        &bytes(&Pdu::new(
            seq,
            Body::BindTransmitterResp(BindResp::default()),
        )),
        t0,
    );
    events(&mut s);
    s.feed(
        &bytes(&Pdu::new(3, Body::DeliverSm(SubmitSm::default()))),
        t0,
    );
    assert_eq!(
        out(&mut s),
        vec![Pdu::with_status(
            3,
            CommandStatus::InvBndSts,
            Body::DeliverSmResp(SmResp::default())
        )]
    );
    let mut r: Session<u32> = Session::new(cfg(), t0);
    r.bind(BindMode::Receiver, bind_body(), t0).unwrap();
    let seq = out(&mut r)[0].sequence_number;
    r.feed(
        &bytes(&Pdu::new(seq, Body::BindReceiverResp(BindResp::default()))),
        t0,
    );
    assert!(matches!(
        r.send(submit(), 1, t0),
        Err(SendError::NotAllowed { .. })
    ));
}

#[test]
fn tracing_keeps_every_pdu_in_order_only_when_on() {
    let t0 = Instant::now();
    let mut s = bound(t0);
    s.send(submit(), 1, t0).unwrap();
    assert!(s.take_trace().is_empty(), "off by default");
    s.set_trace(true);
    s.send(submit(), 2, t0).unwrap();
    let seq = out(&mut s)[0].sequence_number;
    s.feed(&bytes(&resp(seq, "X")), t0);
    s.feed(&bytes(&Pdu::new(77, Body::EnquireLink)), t0);
    let trace: Vec<(Direction, CommandId)> = s
        .take_trace()
        .into_iter()
        .map(|(d, p)| (d, p.command_id()))
        .collect();
    assert_eq!(
        trace,
        vec![
            (Direction::Out, CommandId::SubmitSm),
            (Direction::In, CommandId::SubmitSmResp),
            (Direction::In, CommandId::EnquireLink),
            (Direction::Out, CommandId::EnquireLinkResp),
        ]
    );
    assert!(s.take_trace().is_empty());
}

#[test]
fn pre_encoded_requests_get_the_sessions_sequence_numbers_and_rules() {
    let t0 = Instant::now();
    let encoded = Pdu::new(0xDEAD, submit()).to_bytes().unwrap();
    let mut s: Session<u32> = Session::new(cfg(), t0);
    assert!(matches!(
        s.send_encoded(&encoded, 1, t0),
        Err(SendError::NotAllowed { .. })
    ));
    let mut s = bound(t0);
    s.set_trace(true);
    let mut seqs = Vec::new();
    for tag in 0..3 {
        seqs.push(s.send_encoded(&encoded, tag, t0).unwrap());
    }
    assert_eq!(s.send_encoded(&encoded, 9, t0), Err(SendError::WindowFull));
    // Octets that are not one whole request PDU are refused, and nothing is queued.
    let mut resp_bytes = encoded.clone();
    resp_bytes[4] |= 0x80;
    let mut long = encoded.clone();
    long.push(0);
    for bad in [
        &encoded[..10],
        &encoded[..encoded.len() - 1],
        &long[..],
        &resp_bytes[..],
    ] {
        let mut s = bound(t0);
        match s.send_encoded(bad, 1, t0) {
            Err(SendError::Encode(e)) => assert_eq!(e.field, "command_length"),
            r => panic!("{r:?}"),
        }
        assert!(!s.has_output());
        assert_eq!(s.in_flight(), 0);
    }
    // The same octets as `send` would write, with the session's sequence numbers.
    let sent = out(&mut s);
    assert_eq!(
        sent.iter().map(|p| p.sequence_number).collect::<Vec<_>>(),
        seqs
    );
    for p in &sent {
        assert_eq!(p.body, submit());
    }
    assert_eq!(s.take_trace().len(), 3);
    s.feed(&bytes(&resp(seqs[2], "C")), t0);
    assert!(matches!(
        &events(&mut s)[..],
        [Event::Response { tag: 2, .. }]
    ));
    assert_eq!(s.in_flight(), 2);
}

#[test]
fn octets_that_never_complete_a_pdu_do_not_keep_the_peer_alive() {
    let t0 = Instant::now();
    let mut s = bound(t0);
    // A header announcing 100 octets, then one octet a second: never a whole PDU.
    let mut header = Vec::new();
    for v in [100u32, 5, 0, 9] {
        header.extend(v.to_be_bytes());
    }
    s.feed(&header, t0);
    let mut dead = None;
    for sec in 1..=30 {
        let now = t0 + Duration::from_secs(sec);
        s.feed(b"A", now);
        s.tick(now);
        if events(&mut s)
            .iter()
            .any(|e| matches!(e, Event::PeerDead { .. }))
        {
            dead = Some(sec);
            break;
        }
    }
    // Declared dead by the dead-peer timeout (25 s), as if the peer were silent.
    assert_eq!(dead, Some(25));
}

#[test]
fn a_lost_response_does_not_make_the_deadline_queue_grow_with_the_traffic() {
    let t0 = Instant::now();
    let mut s = bound(t0);
    // The first request's response never comes; thousands after it are answered.
    let lost = s.send(submit(), 0, t0).unwrap();
    let mut bytes = Vec::new();
    for tag in 1..20_000u32 {
        let seq = s.send(submit(), tag, t0).unwrap();
        assert_ne!(seq, lost);
        bytes.clear();
        bytes.extend(resp(seq, "X").to_bytes().unwrap());
        s.feed(&bytes, t0);
        let bound = 2 * s.cfg.window + 64;
        assert!(s.deadlines.len() <= bound, "{} entries", s.deadlines.len());
        assert!(
            s.deadlines.capacity() <= 8 * bound,
            "capacity {}",
            s.deadlines.capacity()
        );
    }
    events(&mut s);
    // The lost one still times out, exactly once.
    s.tick(t0 + Duration::from_secs(6));
    let timeouts: Vec<u32> = events(&mut s)
        .into_iter()
        .filter_map(|e| match e {
            Event::Timeout { tag, .. } => Some(tag),
            _ => None,
        })
        .collect();
    assert_eq!(timeouts, vec![0]);
    assert_eq!(s.in_flight(), 0);
}

#[test]
fn a_half_open_link_is_probed_and_stops_taking_requests_before_it_is_declared_dead() {
    let t0 = Instant::now();
    let mut s = bound(t0);
    let t1 = t0 + Duration::from_secs(1);
    for i in 0..3 {
        s.send(submit(), i, t1).unwrap();
    }
    out(&mut s);
    assert!(!s.window_has_room());
    // The responses never come, and nothing else either.
    s.tick(t1 + Duration::from_secs(5));
    let e = events(&mut s);
    assert_eq!(
        e.iter()
            .filter(|e| matches!(e, Event::Timeout { .. }))
            .count(),
        3
    );
    assert!(s.is_suspect());
    assert_eq!(s.in_flight(), 0);
    // The window is empty but admits nothing, and an enquire_link goes out at once.
    assert!(!s.window_has_room());
    assert!(matches!(
        s.send(submit(), 9, t1 + Duration::from_secs(5)),
        Err(SendError::WindowFull)
    ));
    let probe = out(&mut s);
    assert_eq!(probe.len(), 1);
    assert_eq!(probe[0].command_id(), CommandId::EnquireLink);
    // Unanswered for the response timeout: dead, long before the dead-peer timeout (25 s).
    let dead_at = t1 + Duration::from_secs(10);
    assert_eq!(s.next_deadline(), Some(dead_at));
    s.tick(dead_at - Duration::from_millis(1));
    assert_eq!(s.state(), State::Bound(BindMode::Transceiver));
    s.tick(dead_at);
    match &events(&mut s)[..] {
        [Event::PeerDead { silent_for }] => assert_eq!(*silent_for, Duration::from_secs(11)),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.state(), State::Closed);
}

#[test]
fn anything_received_clears_a_suspect_link() {
    let t0 = Instant::now();
    let mut s = bound(t0);
    s.send(submit(), 1, t0).unwrap();
    s.tick(t0 + Duration::from_secs(5));
    assert!(s.is_suspect());
    let probe = out(&mut s).pop().unwrap();
    assert_eq!(probe.command_id(), CommandId::EnquireLink);
    // The probe is answered: the link is alive (only slow), requests go again.
    let t1 = t0 + Duration::from_secs(6);
    s.feed(
        &bytes(&Pdu::new(probe.sequence_number, Body::EnquireLinkResp)),
        t1,
    );
    assert!(!s.is_suspect());
    assert!(s.window_has_room());
    s.send(submit(), 2, t1).unwrap();
    // Its expiry later is not fatal either: the probe was answered.
    s.tick(t1 + Duration::from_secs(5));
    assert!(s.is_suspect());
    let t2 = t1 + Duration::from_secs(6);
    // A late response (to nothing now) also counts as the link being alive.
    s.feed(&bytes(&resp(99, "late")), t2);
    assert!(!s.is_suspect());
    s.tick(t2 + Duration::from_secs(5));
    assert_eq!(s.state(), State::Bound(BindMode::Transceiver));
}

#[test]
fn a_timeout_after_traffic_since_the_request_is_no_suspicion() {
    let t0 = Instant::now();
    let mut s = bound(t0);
    s.send(submit(), 1, t0).unwrap();
    s.send(submit(), 2, t0).unwrap();
    let sent = out(&mut s);
    // The SMSC answers one and loses the other: it is alive.
    s.feed(
        &bytes(&resp(sent[1].sequence_number, "ok")),
        t0 + Duration::from_secs(1),
    );
    s.tick(t0 + Duration::from_secs(5));
    assert!(matches!(
        events(&mut s)[..],
        [Event::Response { .. }, Event::Timeout { tag: 1, .. }]
    ));
    assert!(!s.is_suspect());
    assert!(s.window_has_room());
    assert!(out(&mut s).is_empty());
}
