//! The client against the simulator over loopback: the no-loss contract under faults.

use super::submit::Pacer;
use super::*;
use crate::config::BindMode;
use crate::pdu::{Body, MessageState, Pdu};
use crate::receipt;
use crate::sim::{Malformed, SimConfig, Smsc};
use crate::text::SegmentMethod;

fn sim() -> Smsc {
    Smsc::start(SimConfig::default()).unwrap()
}

/// A configuration for a local SMSC: short timeouts, no rate limit, no receipts asked for.
/// Tests change its fields as they need, also to values the options refuse (a 100 ms
/// enquire_link interval): `Client::connect_with` takes it as it is.
fn local(port: u16) -> Config {
    Config::builder("127.0.0.1", "esme")
        .port(port)
        .password("secret")
        .delivery_report(false)
        .connect_timeout(Duration::from_secs(5))
        .response_timeout(Duration::from_secs(5))
        .max_rate(None)
        .reconnect_max_delay(Duration::from_secs(10))
        .throttle_backoff(Duration::from_millis(50))
        .submit_timeout(Duration::from_secs(10))
        .reassembly_timeout(Duration::from_secs(60))
        .close_timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

fn settings(sim: &Smsc) -> Config {
    local(sim.addr().port())
}

fn wait_event(c: &Client, pred: impl Fn(&Event) -> bool) -> Event {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Some(e) = c.poll_event(Some(Duration::from_millis(50))) {
            if pred(&e) {
                return e;
            }
            seen.push(e);
        }
    }
    panic!("event not seen in 15 s; seen: {seen:#?}");
}

fn text(to: &str, t: &str) -> Message {
    Message::text(to, t).from("esme")
}

#[test]
fn client_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Client>();
    check::<Ticket>();
}

#[test]
fn submit_is_accepted_with_the_smsc_message_id() {
    let sim = sim();
    let c = Client::connect_with(settings(&sim)).unwrap();
    assert!(matches!(c.state(), ConnectionState::Bound { .. }));
    let o = c.submit(&text("447700900123", "hello")).unwrap();
    let Outcome::Accepted { message_ids } = &o else {
        panic!("{o:?}")
    };
    let got = sim.submitted();
    assert_eq!(got.len(), 1);
    assert_eq!(message_ids, &vec![got[0].message_id.clone()]);
    assert_eq!(got[0].short_message, b"hello");
    assert_eq!(got[0].destination.addr, "447700900123");
    let st = c.stats();
    assert_eq!((st.submitted, st.accepted, st.parts_sent), (1, 1, 1));
    assert!(st.latency_p50.is_some());
}

#[test]
fn an_async_outcome_reaches_the_ticket_and_the_event_whether_or_not_a_ticket_is_kept() {
    let sim = sim();
    let c = Client::connect_with(settings(&sim)).unwrap();
    let outcome_of =
        |want: u64| move |e: &Event| matches!(e, Event::Outcome { ticket, .. } if *ticket == want);
    // Kept (and cloned): the ticket and every clone see the outcome, and so does the event.
    let kept = c.submit_async(&text("1", "kept")).unwrap();
    let clone = kept.clone();
    let by_ticket = kept.wait(Some(Duration::from_secs(15))).unwrap();
    assert!(by_ticket.is_accepted(), "{by_ticket:?}");
    assert_eq!(clone.outcome(), Some(by_ticket.clone()));
    assert_eq!(kept.wait(None), Some(by_ticket.clone()), "a second wait");
    match wait_event(&c, outcome_of(kept.id())) {
        Event::Outcome { outcome, .. } => assert_eq!(outcome, by_ticket),
        e => panic!("{e:?}"),
    }
    // Dropped at once (as the C ABI does): the outcome comes as the event, with its id.
    let id = c.submit_async(&text("1", "dropped")).unwrap().id();
    match wait_event(&c, outcome_of(id)) {
        Event::Outcome { outcome, .. } => assert!(outcome.is_accepted(), "{outcome:?}"),
        e => panic!("{e:?}"),
    }
    // A blocking submit moves its outcome out: still the SMSC's message_id.
    let o = c.submit(&text("1", "blocking")).unwrap();
    let got = sim.submitted();
    assert_eq!(got.len(), 3);
    assert_eq!(
        o,
        Outcome::Accepted {
            message_ids: vec![got[2].message_id.clone()]
        }
    );
    let st = c.stats();
    assert_eq!((st.submitted, st.accepted), (3, 3));
}

#[test]
fn bind_refusals_and_connect_failures_explain_themselves() {
    let sim = sim();
    sim.faults().refuse_binds(Some(CommandStatus::InvPaswd));
    let e = Client::connect_with(settings(&sim)).unwrap_err();
    assert_eq!(e.code(), 501);
    assert!(e.to_string().contains("ESME_RINVPASWD"), "{e}");
    assert!(e.to_string().contains("check the password option"), "{e}");
    let port = sim.addr().port();
    drop(sim);
    let e = Client::connect_with(local(port)).unwrap_err();
    assert_eq!(e.code(), 201, "{e}");
    assert!(e.to_string().contains("is the SMSC up"), "{e}");
}

#[test]
fn a_long_message_is_one_submit_with_one_outcome() {
    let sim = sim();
    let c = Client::connect_with(settings(&sim)).unwrap();
    let long = "Привет, мир! ".repeat(20); // UCS-2, 260 chars → 4 parts of 67
    let o = c.submit(&text("1", &long)).unwrap();
    let Outcome::Accepted { message_ids } = o else {
        panic!()
    };
    assert_eq!(message_ids.len(), 4);
    let parts = sim.submitted();
    assert_eq!(parts.len(), 4);
    assert!(parts
        .iter()
        .all(|p| p.esm_class & 0x40 != 0 && p.data_coding == 8));
    assert_eq!(c.stats().submitted, 1);
}

#[test]
fn many_threads_share_one_client_within_the_window() {
    let sim = sim();
    let mut s = settings(&sim);
    s.window = 4;
    let c = Arc::new(Client::connect_with(s).unwrap());
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let c = c.clone();
            std::thread::spawn(move || {
                (0..50)
                    .map(|i| c.submit(&text("1", &format!("t{t} m{i}"))).unwrap())
                    .filter(Outcome::is_accepted)
                    .count()
            })
        })
        .collect();
    let accepted: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(accepted, 400);
    assert_eq!(sim.stats().submits, 400);
    let ids: std::collections::HashSet<String> =
        sim.submitted().into_iter().map(|s| s.message_id).collect();
    assert_eq!(ids.len(), 400);
}

#[test]
fn throttling_is_retried_then_accepted() {
    let sim = sim();
    sim.faults().throttle(2);
    sim.faults().queue_full(1);
    let c = Client::connect_with(settings(&sim)).unwrap();
    let o = c.submit(&text("1", "x")).unwrap();
    assert!(o.is_accepted(), "{o:?}");
    let st = c.stats();
    assert_eq!((st.throttled, st.retried), (3, 3));
    assert_eq!(sim.stats().submits, 4);
}

#[test]
fn throttling_past_the_retry_budget_is_a_rejection() {
    let sim = sim();
    sim.faults().throttle(100);
    let mut s = settings(&sim);
    s.throttle_retries = 2;
    let c = Client::connect_with(s).unwrap();
    let o = c.submit(&text("1", "x")).unwrap();
    assert_eq!(
        o,
        Outcome::Rejected {
            status: CommandStatus::Throttled,
            message_ids: vec![],
            why: CommandStatus::Throttled.to_string(),
        }
    );
    assert_eq!(sim.stats().submits, 3);
}

#[test]
fn rejections_are_not_retried() {
    let sim = sim();
    sim.faults().reject_with(CommandStatus::InvDstAdr, 1);
    let c = Client::connect_with(settings(&sim)).unwrap();
    let o = c.submit(&text("1", "x")).unwrap();
    assert!(
        matches!(
            o,
            Outcome::Rejected {
                status: CommandStatus::InvDstAdr,
                ..
            }
        ),
        "{o:?}"
    );
    assert_eq!(c.stats().rejected_by_status.get(&0x0B), Some(&1));
    // A rejected part stops the remaining parts of a long message.
    sim.faults().reject_with(CommandStatus::SubmitFail, 1);
    let o = c.submit(&text("1", &"x".repeat(400))).unwrap();
    assert!(matches!(o, Outcome::Rejected { .. }), "{o:?}");
}

#[test]
fn no_response_is_unknown() {
    let sim = sim();
    sim.faults().drop_responses(1);
    let mut s = settings(&sim);
    s.response_timeout = Duration::from_millis(300);
    let c = Client::connect_with(s).unwrap();
    let o = c.submit(&text("1", "x")).unwrap();
    let Outcome::Unknown { why, .. } = &o else {
        panic!("{o:?}")
    };
    assert!(why.contains("no response within 0.3 s"), "{why}");
    // The window was freed: the next one goes through.
    assert!(c.submit(&text("1", "y")).unwrap().is_accepted());
}

#[test]
fn an_unreadable_response_is_unknown() {
    let sim = sim();
    let c = Client::connect_with(settings(&sim)).unwrap();
    sim.faults().send_malformed(Malformed::TruncatedBody);
    let o = c.submit(&text("1", "x")).unwrap();
    let Outcome::Unknown { why, .. } = &o else {
        panic!("{o:?}")
    };
    assert!(why.contains("could not be read"), "{why}");
}

#[test]
fn connection_lost_mid_window_every_message_gets_one_outcome_then_reconnect() {
    let sim = sim();
    sim.faults().set_response_delay(Duration::from_secs(3));
    let c = Client::connect_with(settings(&sim)).unwrap();
    let tickets: Vec<Ticket> = (0..5)
        .map(|i| c.submit_async(&text("1", &format!("{i}"))).unwrap())
        .collect();
    assert!(sim.wait_for(|s| s.submits == 5, Duration::from_secs(5)));
    sim.disconnect_all();
    for t in &tickets {
        let o = t.wait(Some(Duration::from_secs(10))).unwrap();
        let Outcome::Unknown { why, .. } = &o else {
            panic!("{o:?}")
        };
        assert!(why.contains("connection was lost"), "{why}");
    }
    // Each outcome was posted exactly once.
    let mut outcomes = 0;
    while let Some(e) = c.poll_event(Some(Duration::from_millis(100))) {
        if let Event::Outcome { .. } = e {
            outcomes += 1;
        }
    }
    assert_eq!(outcomes, 5);
    sim.faults().set_response_delay(Duration::ZERO);
    wait_event(&c, |e| {
        matches!(e, Event::Connection(ConnectionState::Bound { .. }))
    });
    assert!(c.submit(&text("1", "after")).unwrap().is_accepted());
    assert_eq!(c.stats().reconnects, 1);
}

#[test]
fn during_an_outage_messages_wait_for_the_reconnect() {
    let sim = sim();
    let port = sim.addr().port();
    let c = Client::connect_with(settings(&sim)).unwrap();
    drop(sim);
    wait_event(&c, |e| {
        matches!(e, Event::Connection(ConnectionState::Disconnected { .. }))
    });
    let t = c.submit_async(&text("1", "queued")).unwrap();
    let sim2 = Smsc::start(SimConfig {
        listen: format!("127.0.0.1:{port}").parse().unwrap(),
        ..SimConfig::default()
    })
    .unwrap();
    let o = t.wait(Some(Duration::from_secs(10))).unwrap();
    assert!(o.is_accepted(), "{o:?}");
    assert_eq!(sim2.submitted()[0].short_message, b"queued");
}

#[test]
fn during_an_outage_with_policy_fail_messages_are_not_sent() {
    let sim = sim();
    let mut s = settings(&sim);
    s.outage_policy = crate::config::OutagePolicy::Fail;
    let c = Client::connect_with(s).unwrap();
    drop(sim);
    wait_event(&c, |e| {
        matches!(e, Event::Connection(ConnectionState::Disconnected { .. }))
    });
    let o = c.submit(&text("1", "x")).unwrap();
    let Outcome::NotSent { why } = &o else {
        panic!("{o:?}")
    };
    assert!(why.starts_with("not connected to the SMSC"), "{why}");
}

#[test]
fn waiting_for_a_reconnect_is_bounded_by_the_submit_timeout() {
    let sim = sim();
    let mut s = settings(&sim);
    s.submit_timeout = Duration::from_millis(300);
    let c = Client::connect_with(s).unwrap();
    drop(sim);
    wait_event(&c, |e| {
        matches!(e, Event::Connection(ConnectionState::Disconnected { .. }))
    });
    let o = c.submit(&text("1", "x")).unwrap();
    let Outcome::NotSent { why } = &o else {
        panic!("{o:?}")
    };
    assert!(why.contains("x-smpp-submit-timeout"), "{why}");
}

#[test]
fn receipts_and_mo_messages_arrive_as_events() {
    let sim = sim();
    let c = Client::connect_with(settings(&sim)).unwrap();
    let o = c
        .submit(&text("447700900123", "with receipt").receipt(true))
        .unwrap();
    let Outcome::Accepted { message_ids } = o else {
        panic!()
    };
    let Event::Receipt(r) = wait_event(&c, |e| matches!(e, Event::Receipt(_))) else {
        unreachable!()
    };
    let rc = r.receipt.unwrap();
    assert!(receipt::ids_match(&message_ids[0], &rc.id));
    assert_eq!(rc.state, MessageState::Delivered);
    assert!(sim.wait_for(|s| s.receipts_acked == 1, Duration::from_secs(5)));

    let long = "A long mobile-originated message, ".repeat(8);
    assert!(sim.send_mo("447700900999", "esme", &long).unwrap() > 1);
    let Event::Message(m) = wait_event(&c, |e| matches!(e, Event::Message(_))) else {
        unreachable!()
    };
    assert_eq!(m.text.as_deref(), Some(long.as_str()));
    assert_eq!(m.from, "447700900999");
    assert!(m.parts > 1);
    assert_eq!(c.stats().messages_received, 1);
}

#[test]
fn keepalive_and_dead_peer() {
    let sim = sim();
    let mut s = settings(&sim);
    s.enquire_link_interval = Duration::from_millis(100);
    s.dead_peer_timeout = Duration::from_millis(600);
    s.response_timeout = Duration::from_millis(200);
    let c = Client::connect_with(s).unwrap();
    assert!(sim.wait_for(|s| s.enquire_links_received >= 2, Duration::from_secs(5)));
    sim.faults().ignore_enquire_link(true);
    let Event::Connection(ConnectionState::Disconnected { why }) = wait_event(&c, |e| {
        matches!(e, Event::Connection(ConnectionState::Disconnected { .. }))
    }) else {
        unreachable!()
    };
    assert!(why.contains("link declared dead"), "{why}");
    sim.faults().ignore_enquire_link(false);
    wait_event(&c, |e| {
        matches!(e, Event::Connection(ConnectionState::Bound { .. }))
    });
}

#[test]
fn the_smscs_own_enquire_link_and_unknown_commands_are_answered() {
    let sim = Smsc::start(SimConfig {
        enquire_link_interval: Some(Duration::from_millis(50)),
        ..SimConfig::default()
    })
    .unwrap();
    let c = Client::connect_with(settings(&sim)).unwrap();
    assert!(sim.wait_for(
        |s| s.enquire_link_resps_received >= 2,
        Duration::from_secs(5)
    ));
    sim.send_pdu(Pdu::new(
        0,
        Body::Unknown {
            command_id: 0x0000_0104,
            body: vec![],
        },
    ))
    .unwrap();
    assert!(sim.wait_for(|s| s.generic_nacks_received >= 1, Duration::from_secs(5)));
    assert!(c.submit(&text("1", "still fine")).unwrap().is_accepted());
}

#[test]
fn close_reports_everything_and_never_hangs() {
    let sim = sim();
    sim.faults().set_response_delay(Duration::from_secs(30));
    let mut s = settings(&sim);
    s.close_timeout = Duration::from_millis(200);
    s.window = 3;
    let c = Client::connect_with(s).unwrap();
    // The window of 3 written, 3 more queued behind it.
    let sent: Vec<Ticket> = (0..6)
        .map(|_| c.submit_async(&text("1", "x")).unwrap())
        .collect();
    assert!(sim.wait_for(|s| s.submits == 3, Duration::from_secs(5)));
    let start = Instant::now();
    c.close();
    assert!(start.elapsed() < Duration::from_secs(10));
    for (i, t) in sent.into_iter().enumerate() {
        let o = t.outcome().expect("resolved by close");
        match i {
            0..3 => assert!(matches!(o, Outcome::Unknown { .. }), "{o:?}"),
            _ => assert_eq!(
                o,
                Outcome::NotSent {
                    why: "the client was closed before it was sent (x-smpp-close-timeout, 0.2 s, ended first)".into()
                }
            ),
        }
    }
    assert_eq!(sim.stats().submits, 3);
    assert_eq!(c.submit(&text("1", "late")).unwrap_err().code(), 103);
    assert_eq!(c.state(), ConnectionState::Closed);
    c.close(); // idempotent
}

/// A close right after a burst: the queue behind the window goes on into it as the answers
/// make room, within the close timeout, so every message the submitter handed over is sent;
/// behind a rate limit too, at the rate, until the close timeout ends it.
#[test]
fn close_sends_the_queue_behind_the_window_within_the_close_timeout() {
    let sim = sim();
    sim.faults().set_response_delay(Duration::from_millis(50));
    let mut s = settings(&sim);
    s.window = 4;
    let c = Client::connect_with(s).unwrap();
    let tickets: Vec<Ticket> = (0..8)
        .map(|i| c.submit_async(&text("1", &format!("m{i}"))).unwrap())
        .collect();
    c.close();
    for t in tickets {
        let o = t.outcome().expect("resolved by close");
        assert!(o.is_accepted(), "{o:?}");
    }
    assert_eq!(sim.stats().submits, 8);

    // One a second, a close timeout of 1.5 s: the first at once, the second a second later,
    // the third would be at 2 s.
    let sim = self::sim();
    let mut s = settings(&sim);
    s.max_rate = Some(1);
    s.close_timeout = Duration::from_millis(1500);
    let c = Client::connect_with(s).unwrap();
    let tickets: Vec<Ticket> = (0..3)
        .map(|i| c.submit_async(&text("1", &format!("r{i}"))).unwrap())
        .collect();
    let start = Instant::now();
    c.close();
    let took = start.elapsed();
    assert!(took < Duration::from_secs(4), "{took:?}");
    let outcomes: Vec<Outcome> = tickets.into_iter().map(|t| t.outcome().unwrap()).collect();
    assert!(outcomes[0].is_accepted(), "{outcomes:?}");
    assert!(outcomes[1].is_accepted(), "{outcomes:?}");
    assert_eq!(
        outcomes[2],
        Outcome::NotSent {
            why: "the client was closed before it was sent (x-smpp-close-timeout, 1.5 s, ended first)"
                .into()
        }
    );
    assert_eq!(sim.stats().submits, 2);
}

/// The connection lost while close waits for the queue behind the window: close ends then,
/// not at its timeout, and says what happened (the queue NotSent, the written ones Unknown).
#[test]
fn close_ends_when_the_connection_is_lost_meanwhile() {
    let sim = sim();
    sim.faults().set_response_delay(Duration::from_secs(30));
    let mut s = settings(&sim);
    s.window = 2;
    s.close_timeout = Duration::from_secs(20);
    let c = Client::connect_with(s).unwrap();
    let tickets: Vec<Ticket> = (0..4)
        .map(|i| c.submit_async(&text("1", &format!("m{i}"))).unwrap())
        .collect();
    assert!(sim.wait_for(|s| s.submits == 2, Duration::from_secs(5)));
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        drop(sim);
    });
    let start = Instant::now();
    c.close();
    let took = start.elapsed();
    killer.join().unwrap();
    assert!(took < Duration::from_secs(8), "{took:?}");
    let outcomes: Vec<Outcome> = tickets.into_iter().map(|t| t.outcome().unwrap()).collect();
    for o in &outcomes[..2] {
        assert!(matches!(o, Outcome::Unknown { .. }), "{outcomes:?}");
    }
    for o in &outcomes[2..] {
        assert_eq!(
            o,
            &Outcome::NotSent {
                why: "the client was closed before it was sent".into()
            },
            "{outcomes:?}"
        );
    }
}

/// A long message whose first part waits to be retried after ESME_RTHROTTLED when the client
/// closes, its other parts queued behind the throttling pause: they are not sent when the
/// pause ends during the close (a handset would get half a text); the message is NotSent,
/// safe to send again, and the SMSC saw only the refused part.
#[test]
fn close_never_sends_a_long_message_in_part() {
    let sim = sim();
    sim.faults().throttle(1);
    let mut s = settings(&sim);
    s.window = 1;
    s.wait_each_segment = false;
    s.throttle_backoff = Duration::from_millis(1500);
    s.close_timeout = Duration::from_secs(5);
    let c = Client::connect_with(s).unwrap();
    let t = c
        .submit_async(&text("1", &"long text ".repeat(40)))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while c.stats().throttled == 0 {
        assert!(Instant::now() < deadline, "no throttling answer");
        std::thread::sleep(Duration::from_millis(10));
    }
    c.close();
    let o = t.outcome().unwrap();
    let Outcome::NotSent { why } = &o else {
        panic!("{o:?}")
    };
    assert!(
        why.starts_with("written and refused with ESME_RTHROTTLED"),
        "{why}"
    );
    assert_eq!(sim.stats().submits, 1);
}

#[test]
fn close_unbinds_gracefully() {
    let sim = sim();
    let c = Client::connect_with(settings(&sim)).unwrap();
    assert!(c.submit(&text("1", "x")).unwrap().is_accepted());
    c.close();
    assert!(sim.wait_for(|s| s.unbinds == 1, Duration::from_secs(5)));
}

#[test]
fn try_submit_async_does_not_block_on_a_full_window() {
    let sim = sim();
    sim.faults().set_response_delay(Duration::from_millis(500));
    let mut s = settings(&sim);
    s.window = 2;
    let c = Client::connect_with(s).unwrap();
    // The window of 2, and 2 queued behind it (`admission_limit`); the SMSC sees 2.
    let a = c.try_submit_async(&text("1", "a")).unwrap();
    for m in ["b", "c", "d"] {
        c.try_submit_async(&text("1", m)).unwrap();
    }
    let e = c.try_submit_async(&text("1", "e")).unwrap_err();
    assert_eq!(e.code(), 104);
    assert_eq!(c.stats().in_flight, 2);
    assert_eq!(crate::config::admission_limit(2), 4);
    assert!(a.wait(Some(Duration::from_secs(5))).unwrap().is_accepted());
    let Event::Outcome {
        ticket, outcome, ..
    } = wait_event(&c, |e| matches!(e, Event::Outcome { .. }))
    else {
        unreachable!()
    };
    assert_eq!(ticket, a.id());
    assert!(outcome.is_accepted());
}

/// A client kept in the application's own thread-local, touched before the client was
/// made, is dropped at thread exit after the library's thread-locals are gone: its close
/// still posts its last events (straight to the queue) instead of panicking in a TLS
/// destructor, which would abort the process.
#[test]
fn a_client_dropped_by_a_thread_local_at_thread_exit() {
    use std::cell::RefCell;
    thread_local! {
        static KEPT: RefCell<Option<Client>> = const { RefCell::new(None) };
    }
    let sim = sim();
    let cfg = settings(&sim);
    std::thread::spawn(move || {
        KEPT.with(|k| k.borrow_mut().take()); // registered first, destroyed last
        let c = Client::connect_with(cfg).unwrap();
        assert!(c.submit(&text("1", "x")).unwrap().is_accepted());
        KEPT.with(|k| *k.borrow_mut() = Some(c));
    })
    .join()
    .unwrap();
    assert!(sim.wait_for(|s| s.unbinds == 1, Duration::from_secs(5)));
}

/// One thread, a pool of three binds with windows of 2, answers held back: the thread's
/// submits spread over every bind, and only when all three windows and the queues behind
/// them (2 each) are full is it `WindowFull`; each SMSC connection sees only its window.
#[test]
fn a_pool_fills_every_bind_before_the_window_is_full() {
    let sim = sim();
    sim.faults().set_response_delay(Duration::from_millis(500));
    let mut s = settings(&sim);
    s.window = 2;
    s.sessions = 3;
    let c = Client::connect_with(s).unwrap();
    let tickets: Vec<Ticket> = (0..12)
        .map(|i| c.try_submit_async(&text("1", &format!("m{i}"))).unwrap())
        .collect();
    let e = c.try_submit_async(&text("1", "one too many")).unwrap_err();
    assert_eq!(e.code(), 104, "{e}");
    let held: Vec<u64> = c.stats().binds.iter().map(|b| b.in_flight).collect();
    assert_eq!(held, vec![2, 2, 2], "{:?}", c.stats().binds);
    for t in tickets {
        assert!(t.wait(Some(Duration::from_secs(5))).unwrap().is_accepted());
    }
    c.close();
}

#[test]
fn bad_input_is_an_error_and_nothing_is_sent() {
    let sim = sim();
    let c = Client::connect_with(settings(&sim)).unwrap();
    let e = c.submit(&text("", "x")).unwrap_err();
    assert!(e.to_string().contains("no destination"), "{e}");
    let e = c.submit(&text(&"9".repeat(30), "x")).unwrap_err();
    assert!(e.to_string().contains("destination_addr"), "{e}");
    let e = c.submit(&text("1", "")).unwrap_err();
    assert!(e.to_string().contains("empty"), "{e}");
    let e = c.submit(&text("1", &"x".repeat(160 * 300))).unwrap_err();
    assert!(e.to_string().contains("segments"), "{e}");
    assert_eq!(sim.stats().submits, 0);
}

#[test]
fn the_pacer_spaces_submits_evenly_and_pauses_after_throttling() {
    let t0 = Instant::now();
    let ms = |n: u64| t0 + Duration::from_millis(n);
    // 20/s: one every 50 ms.
    let mut p = Pacer::new(Some(20), t0);
    assert!(p.ready(t0));
    p.sent(t0);
    assert!(!p.ready(ms(49)));
    assert!(p.ready(ms(50)));
    p.sent(ms(50));
    assert_eq!(p.next(), ms(100));
    // An idle spell earns no burst: after 1 s, still one every 50 ms.
    p.sent(ms(1000));
    assert!(!p.ready(ms(1049)) && p.ready(ms(1050)));
    // A throttling pause holds back even an unlimited client.
    let mut u = Pacer::new(None, t0);
    u.sent(t0);
    u.sent(t0);
    assert!(u.ready(t0));
    u.pause_until(ms(200));
    assert!(!u.ready(ms(199)) && u.ready(ms(200)));
    // A pause never shortens a wait already due.
    p.pause_until(ms(10));
    assert_eq!(p.next(), ms(1050));
}

#[test]
fn dropping_the_client_stops_its_thread() {
    let sim = sim();
    let c = Client::connect_with(settings(&sim)).unwrap();
    drop(c);
    assert!(sim.wait_for(|s| s.open_connections == 0, Duration::from_secs(5)));
}

#[test]
fn a_receiver_cannot_submit_and_says_so_at_once() {
    let sim = sim();
    let mut s = settings(&sim);
    s.bind_mode = BindMode::Receiver;
    let c = Client::connect_with(s).unwrap();
    let e = c.submit(&text("1", "x")).unwrap_err();
    assert!(e.to_string().contains("x-smpp-bind-mode = receiver"), "{e}");
    // It still receives.
    sim.send_mo("2", "esme", "to a receiver").unwrap();
    let Event::Message(m) = wait_event(&c, |e| matches!(e, Event::Message(_))) else {
        unreachable!()
    };
    assert_eq!(m.text.as_deref(), Some("to a receiver"));
}

#[test]
fn a_pdu_above_the_maximum_size_is_refused_before_sending() {
    let sim = sim();
    let mut s = settings(&sim);
    s.segmentation = SegmentMethod::Payload;
    s.max_pdu_len = 16384;
    let c = Client::connect_with(s).unwrap();
    let e = c.submit(&text("1", &"x".repeat(20_000))).unwrap_err();
    assert!(
        e.to_string().contains("above x-smpp-max-pdu-size (16384)"),
        "{e}"
    );
    assert!(c
        .submit(&text("1", &"x".repeat(10_000)))
        .unwrap()
        .is_accepted());
    assert_eq!(sim.submitted()[0].payload().len(), 10_000);
}

#[test]
fn reconnecting_gives_up_after_the_configured_attempts() {
    let sim = sim();
    let mut s = settings(&sim);
    s.reconnect_attempts = Some(1);
    let c = Client::connect_with(s).unwrap();
    drop(sim);
    // Submitted only once the loss is known: before that, a message written to the dying
    // socket would rightly be Unknown.
    wait_event(&c, |e| {
        matches!(e, Event::Connection(ConnectionState::Disconnected { .. }))
    });
    let t = c.submit_async(&text("1", "never")).unwrap();
    wait_event(&c, |e| {
        matches!(e, Event::Connection(ConnectionState::Closed))
    });
    let o = t.wait(Some(Duration::from_secs(5))).unwrap();
    let Outcome::NotSent { why } = &o else {
        panic!("{o:?}")
    };
    assert!(
        why.contains("gave up reconnecting after 1 attempt (x-smpp-reconnect-attempts)"),
        "{why}"
    );
    assert_eq!(c.state(), ConnectionState::Closed);
    assert_eq!(c.submit(&text("1", "x")).unwrap_err().code(), 103);
}

#[test]
fn a_stalled_smsc_gives_unknown_then_recovers() {
    let sim = sim();
    let mut s = settings(&sim);
    s.response_timeout = Duration::from_millis(300);
    let c = Client::connect_with(s).unwrap();
    sim.faults().stall(true);
    let tickets: Vec<Ticket> = (0..3)
        .map(|_| c.submit_async(&text("1", "stalled")).unwrap())
        .collect();
    for t in &tickets {
        let o = t.wait(Some(Duration::from_secs(5))).unwrap();
        assert!(matches!(o, Outcome::Unknown { .. }), "{o:?}");
    }
    sim.faults().stall(false);
    // The late responses to the stalled submits are ignored; new ones go through.
    let o = c.submit(&text("1", "after the stall")).unwrap();
    assert!(o.is_accepted(), "{o:?}");
    assert_eq!(c.stats().unknown, 3);
}

#[test]
fn a_blocking_submitter_reads_its_own_response_and_inbound_still_arrives() {
    let sim = sim();
    let c = Client::connect_with(settings(&sim)).unwrap();
    for i in 0..300 {
        if i % 100 == 50 {
            // A pause: the I/O thread takes the socket back, and hands it over again.
            std::thread::sleep(Duration::from_millis(20));
        }
        let m = text("447700900123", &format!("m{i}")).receipt(i % 10 == 0);
        assert!(c.submit(&m).unwrap().is_accepted());
    }
    // The fast path was taken (a submitter found the socket free and read for itself).
    assert!(c.pool.binds()[0].inner.counters.caller_reads.load(Relaxed) > 0);
    // Receipts read by submitters or by the I/O thread all arrive, once each.
    let mut receipts = 0;
    while receipts < 30 {
        if let Event::Receipt(_) = wait_event(&c, |e| matches!(e, Event::Receipt(_))) {
            receipts += 1;
        }
    }
    assert_eq!(c.stats().receipts_received, 30);
    assert_eq!(sim.stats().submits, 300);
}

#[test]
fn blocking_submitters_across_a_disconnect_each_get_one_outcome() {
    let sim = sim();
    let mut s = settings(&sim);
    s.window = 8;
    let c = Arc::new(Client::connect_with(s).unwrap());
    let go = Arc::new(std::sync::Barrier::new(9));
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let c = c.clone();
            let go = go.clone();
            std::thread::spawn(move || {
                go.wait();
                let mut n = [0usize; 4];
                for i in 0..100 {
                    match c.submit(&text("1", &format!("t{t} m{i}"))).unwrap() {
                        Outcome::Accepted { .. } => n[0] += 1,
                        Outcome::Rejected { .. } => n[1] += 1,
                        Outcome::Unknown { .. } => n[2] += 1,
                        Outcome::NotSent { .. } => n[3] += 1,
                    }
                }
                n
            })
        })
        .collect();
    go.wait();
    assert!(sim.wait_for(|s| s.submits >= 200, Duration::from_secs(20)));
    sim.disconnect_all();
    let mut total = [0usize; 4];
    for h in handles {
        for (k, v) in h.join().unwrap().iter().enumerate() {
            total[k] += v;
        }
    }
    assert_eq!(total.iter().sum::<usize>(), 800, "{total:?}");
    assert_eq!(total[1], 0, "{total:?}");
    // Every message the simulator accepted and answered was reported accepted or unknown,
    // never not-sent; the lost ones are at most a window.
    assert!(total[2] <= 8, "{total:?}");
    assert!(sim.stats().submits as usize >= total[0], "{total:?}");
    let st = c.stats();
    assert_eq!(st.accepted as usize, total[0]);
    assert_eq!(st.reconnects, 1);
    assert!(c.submit(&text("1", "after")).unwrap().is_accepted());
}

#[test]
fn async_submits_coalesce_and_a_burst_that_stops_is_still_sent() {
    let sim = sim();
    sim.faults().set_response_delay(Duration::from_millis(2));
    let mut s = settings(&sim);
    s.window = 64;
    let c = Client::connect_with(s).unwrap();
    let writes0 = c.pool.binds()[0].inner.counters.writes.load(Relaxed);
    for burst in [3usize, 10, 500, 7] {
        let tickets: Vec<Ticket> = (0..burst)
            .map(|i| c.submit_async(&text("1", &format!("{burst}/{i}"))).unwrap())
            .collect();
        // Nothing more is submitted after the burst: bytes left for the I/O thread's next
        // write must still go out, and every message gets its outcome.
        for t in &tickets {
            let o = t.wait(Some(Duration::from_secs(20))).expect("no outcome");
            assert!(o.is_accepted(), "{o:?}");
        }
    }
    assert_eq!(sim.stats().submits, 520);
    // Fewer writes than messages: submits behind unanswered ones were written together.
    let writes = c.pool.binds()[0].inner.counters.writes.load(Relaxed) - writes0;
    assert!(writes < 520, "{writes} writes for 520 messages");
}

#[test]
fn a_submitter_waiting_for_room_reads_the_answers_itself_without_losing_any() {
    let sim = sim();
    let mut s = settings(&sim);
    s.window = 4;
    let c = Client::connect_with(s).unwrap();
    let reads0 = c.pool.binds()[0].inner.counters.caller_reads.load(Relaxed);
    // Receipts (inbound deliver_sm) interleave with the answers the submitter reads.
    let tickets: Vec<Ticket> = (0..400)
        .map(|i| {
            let m = text("447700900123", &format!("a{i}")).receipt(i % 20 == 0);
            c.submit_async(&m).unwrap()
        })
        .collect();
    for t in &tickets {
        let o = t.wait(Some(Duration::from_secs(20))).expect("no outcome");
        assert!(o.is_accepted(), "{o:?}");
    }
    assert!(c.pool.binds()[0].inner.counters.caller_reads.load(Relaxed) > reads0);
    let mut receipts = 0;
    while receipts < 20 {
        if let Event::Receipt(_) = wait_event(&c, |e| matches!(e, Event::Receipt(_))) {
            receipts += 1;
        }
    }
    // Then the connection drops while a submitter waits for room with answers delayed: every
    // message still gets exactly one outcome, and the client recovers.
    sim.faults().set_response_delay(Duration::from_millis(300));
    let tickets: Vec<Ticket> = (0..12)
        .map(|i| c.submit_async(&text("1", &format!("b{i}"))).unwrap())
        .collect();
    sim.disconnect_all();
    let mut n = 0;
    for t in &tickets {
        t.wait(Some(Duration::from_secs(20))).expect("no outcome");
        n += 1;
    }
    assert_eq!(n, 12);
    sim.faults().set_response_delay(Duration::ZERO);
    wait_event(&c, |e| {
        matches!(e, Event::Connection(ConnectionState::Bound { .. }))
    });
    assert!(c.submit(&text("1", "after")).unwrap().is_accepted());
}

#[test]
fn a_throttled_part_dropped_before_its_resubmission_is_worded_as_written_and_refused() {
    let sim = sim();
    sim.faults().throttle(1);
    let mut s = settings(&sim);
    // The resubmission would be due after the submit timeout.
    s.throttle_backoff = Duration::from_secs(30);
    s.submit_timeout = Duration::from_millis(500);
    let c = Client::connect_with(s).unwrap();
    let o = c.submit(&text("1", "x")).unwrap();
    let Outcome::NotSent { why } = &o else {
        panic!("{o:?}")
    };
    assert!(
        why.starts_with("written and refused with ESME_RTHROTTLED (0x00000058), then not resubmitted (safe to send again): x-smpp-submit-timeout (0.5 s) passed"),
        "{why}"
    );
    assert_eq!(sim.stats().submits, 1);
    // Closed while waiting for its resubmission: the same words, with close's reason.
    sim.faults().queue_full(1);
    let mut s = settings(&sim);
    s.throttle_backoff = Duration::from_secs(30);
    let c = Client::connect_with(s).unwrap();
    let t = c.submit_async(&text("1", "y")).unwrap();
    assert!(sim.wait_for(|s| s.submits == 2, Duration::from_secs(5)));
    std::thread::sleep(Duration::from_millis(50));
    c.close();
    let Some(Outcome::NotSent { why }) = t.outcome() else {
        panic!("{:?}", t.outcome())
    };
    assert!(
        why.starts_with("written and refused with ESME_RMSGQFUL (0x00000014)")
            && why.ends_with("the client was closed before it was sent"),
        "{why}"
    );
}

#[test]
fn a_rejected_long_message_says_which_parts_were_accepted() {
    let sim = sim();
    let c = Client::connect_with(settings(&sim)).unwrap();
    // The first part is refused; the two after it were already written and are accepted.
    sim.faults().reject_with(CommandStatus::InvDstAdr, 1);
    let o = c.submit(&text("1", &"x".repeat(400))).unwrap();
    let Outcome::Rejected {
        status,
        message_ids,
        why,
    } = &o
    else {
        panic!("{o:?}")
    };
    assert_eq!(*status, CommandStatus::InvDstAdr);
    let ids: Vec<String> = sim
        .submitted()
        .iter()
        .map(|s| s.message_id.clone())
        .collect();
    assert_eq!(message_ids.len(), 2, "{o:?}");
    assert_eq!(
        why,
        &format!(
            "part 1 of 3: ESME_RINVDSTADR (0x0000000B): invalid destination address; parts 2 (id {}), 3 (id {}) accepted",
            message_ids[0], message_ids[1]
        )
    );
    assert!(ids.contains(&message_ids[0]) && ids.contains(&message_ids[1]));
    assert_eq!(o.summary(), format!("rejected {why}"));
    // One part only: the status, as before.
    sim.faults().reject_with(CommandStatus::InvDstAdr, 1);
    let o = c.submit(&text("1", "short")).unwrap();
    assert_eq!(
        o.summary(),
        "rejected ESME_RINVDSTADR (0x0000000B): invalid destination address"
    );
}

#[test]
fn a_submitter_waiting_for_room_when_the_client_gives_up_is_told_why() {
    let sim = sim();
    let mut s = settings(&sim);
    s.window = 1;
    s.reconnect_attempts = Some(1);
    s.submit_timeout = Duration::from_secs(60);
    let c = Arc::new(Client::connect_with(s).unwrap());
    drop(sim);
    wait_event(&c, |e| {
        matches!(e, Event::Connection(ConnectionState::Disconnected { .. }))
    });
    let first = c.submit_async(&text("1", "queued")).unwrap();
    let behind = c.submit_async(&text("1", "queued behind")).unwrap();
    // The window and the queue behind it are full with those two: this one waits for room.
    let c2 = c.clone();
    let waiting = std::thread::spawn(move || c2.submit_async(&text("1", "waiting")).unwrap());
    let second = waiting.join().unwrap();
    for t in [first, behind, second] {
        let o = t.wait(Some(Duration::from_secs(5))).unwrap();
        let Outcome::NotSent { why } = &o else {
            panic!("{o:?}")
        };
        assert_eq!(
            why,
            "not connected: gave up reconnecting after 1 attempt (x-smpp-reconnect-attempts)"
        );
    }
    assert_eq!(c.stats().reconnect_attempts, 1);
    assert_eq!(c.stats().reconnects, 0);
}

/// Events until `pred` has seen enough (it returns true), at most 15 s.
fn events_until(c: &Client, mut done: impl FnMut(&[Event]) -> bool) -> Vec<Event> {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut seen = Vec::new();
    while !done(&seen) {
        assert!(
            Instant::now() < deadline,
            "not done in 15 s; seen: {seen:#?}"
        );
        if let Some(e) = c.poll_event(Some(Duration::from_millis(50))) {
            seen.push(e);
        }
    }
    seen
}

/// The events that carry user data `ud`, and which of them release it.
fn carrying(events: &[Event], ud: u64) -> Vec<(&'static str, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Outcome {
                user_data,
                awaiting_receipts,
                ..
            } if *user_data == ud => Some(("outcome", !awaiting_receipts)),
            Event::Receipt(r) => r
                .correlation
                .filter(|c| c.user_data == ud)
                .map(|c| ("receipt", c.last)),
            Event::Released(r) if r.user_data == ud => Some(("released", true)),
            _ => None,
        })
        .collect()
}

#[test]
fn receipts_come_back_with_their_messages_user_data_and_one_event_releases_it() {
    let sim = sim();
    let c = Client::connect_with(settings(&sim)).unwrap();
    let long = "A long message asking for a receipt for each of its parts. ".repeat(5);
    let t_long = c
        .submit_async(&text("447700900123", &long).receipt(true).user_data(42))
        .unwrap()
        .id();
    let t_none = c
        .submit_async(&text("447700900123", "no receipt").user_data(7))
        .unwrap()
        .id();
    let seen = events_until(&c, |seen| {
        carrying(seen, 42).iter().any(|(_, last)| *last) && !carrying(seen, 7).is_empty()
    });
    let n = sim.submitted().len() - 1;
    assert!(n > 1, "a long message: {n} parts");
    // The outcome first (with its user data), then a receipt per part, the last one
    // releasing it; exactly one event releases it.
    let long_events = carrying(&seen, 42);
    assert_eq!(long_events.len(), n + 1, "{long_events:?}");
    assert_eq!(long_events.iter().filter(|(_, last)| *last).count(), 1);
    assert!(long_events.last().unwrap().1, "{long_events:?}");
    assert!(long_events.contains(&("outcome", false)), "{long_events:?}");
    let mut receipt_parts: Vec<u16> = seen
        .iter()
        .filter_map(|e| match e {
            Event::Receipt(r) => r.correlation.filter(|c| c.ticket == t_long).map(|c| c.part),
            _ => None,
        })
        .collect();
    receipt_parts.sort_unstable();
    assert_eq!(receipt_parts, (1..=n as u16).collect::<Vec<_>>());
    // No receipt asked for: the outcome carries the user data and releases it.
    assert_eq!(carrying(&seen, 7), vec![("outcome", true)]);
    assert!(seen
        .iter()
        .any(|e| matches!(e, Event::Outcome { ticket, .. } if *ticket == t_none)));
    // A blocking submit: the receipt carries its user data and releases it.
    let (o, awaiting, ticket) = c
        .submit_awaiting(&text("447700900123", "blocking").receipt(true).user_data(9))
        .unwrap();
    assert!(o.is_accepted() && awaiting, "{o:?}");
    let seen = events_until(&c, |seen| !carrying(seen, 9).is_empty());
    assert_eq!(carrying(&seen, 9), vec![("receipt", true)]);
    let Some(Event::Receipt(r)) = seen.last() else {
        panic!("{seen:?}")
    };
    assert_eq!(r.correlation.unwrap().ticket, ticket);
    assert_eq!(lock(&c.pool.ch.corr).len(), 0, "nothing left remembered");
}

#[test]
fn unanswered_receipts_release_the_user_data_by_time_by_count_and_at_close() {
    let sim = Smsc::start(SimConfig {
        receipt_delay: Duration::from_secs(60),
        ..SimConfig::default()
    })
    .unwrap();
    let mut cfg = settings(&sim);
    cfg.receipt_correlation_timeout = Duration::from_secs(1);
    let c = Client::connect_with(cfg.clone()).unwrap();
    let started = Instant::now();
    let o = c
        .submit(&text("1", "expires").receipt(true).user_data(1))
        .unwrap();
    assert!(o.is_accepted());
    let seen = events_until(&c, |seen| !carrying(seen, 1).is_empty());
    assert!(started.elapsed() >= Duration::from_secs(1));
    let Some(Event::Released(r)) = seen.iter().find(|e| matches!(e, Event::Released(_))) else {
        panic!("{seen:?}")
    };
    assert_eq!(r.message_ids, o_ids(&o));
    assert!(r.why.contains("within 1 s"), "{}", r.why);
    // A table of 2 (and a long window): a third message releases the oldest.
    cfg.receipt_correlation_timeout = Duration::from_secs(3600);
    cfg.receipt_correlation_max = 2;
    let c = Client::connect_with(cfg).unwrap();
    for ud in [2, 3, 4] {
        c.submit(&text("1", "evicts").receipt(true).user_data(ud))
            .unwrap();
    }
    let seen = events_until(&c, |seen| !carrying(seen, 2).is_empty());
    let Some(Event::Released(r)) = seen.iter().find(|e| matches!(e, Event::Released(_))) else {
        panic!("{seen:?}")
    };
    assert_eq!(r.user_data, 2);
    assert!(
        r.why.contains("x-smpp-receipt-correlation-max"),
        "{}",
        r.why
    );
    // Closed: what is left is released before the Closed event.
    c.close();
    let mut rest = Vec::new();
    while let Some(e) = c.poll_event(None) {
        rest.push(e);
    }
    assert_eq!(carrying(&rest, 3), vec![("released", true)], "{rest:?}");
    assert_eq!(carrying(&rest, 4), vec![("released", true)], "{rest:?}");
    assert!(matches!(
        rest.last(),
        Some(Event::Connection(ConnectionState::Closed))
    ));
}

fn o_ids(o: &Outcome) -> Vec<String> {
    match o {
        Outcome::Accepted { message_ids } => message_ids.clone(),
        _ => Vec::new(),
    }
}

#[test]
fn a_receipt_arriving_on_another_bind_finds_its_message_and_user_data() {
    // The receipts come 700 ms after the submits; by then the bind that carried the
    // messages has lost its connection (and waits ~1 s to reconnect), so the simulator
    // delivers them on the other bind: correlation is the channel's, not a bind's.
    let sim = Smsc::start(SimConfig {
        receipt_delay: Duration::from_millis(700),
        ..SimConfig::default()
    })
    .unwrap();
    let mut cfg = settings(&sim);
    cfg.sessions = 2;
    let c = Client::connect_with(cfg).unwrap();
    assert_eq!(c.binds().len(), 2);
    // A blocking submit from one thread: each goes to the same (its thread's) bind.
    let n = 10u64;
    let mut tickets = Vec::new();
    for i in 0..n {
        let (o, awaiting, t) = c
            .submit_awaiting(&text("447700900123", "hi").receipt(true).user_data(100 + i))
            .unwrap();
        assert!(o.is_accepted() && awaiting, "{o:?}");
        tickets.push(t);
    }
    let binds = c.pool.binds();
    let sent = |k: usize| binds[k].inner.counters.parts_sent.load(Relaxed);
    let (x, y) = if sent(0) >= sent(1) { (0, 1) } else { (1, 0) };
    assert!(sent(x) > 0);
    if let Some(t) = lock(&binds[x].inner.st).transport.as_ref() {
        t.shutdown();
    }
    let seen = events_until(&c, |seen| {
        (0..n).all(|i| carrying(seen, 100 + i).iter().any(|(k, _)| *k == "receipt"))
    });
    for (i, t) in tickets.iter().enumerate() {
        let ud = 100 + i as u64;
        assert_eq!(carrying(&seen, ud), vec![("receipt", true)], "message {ud}");
        let r = seen
            .iter()
            .find_map(|e| match e {
                Event::Receipt(r) => r.correlation.filter(|c| c.user_data == ud),
                _ => None,
            })
            .unwrap();
        assert_eq!(r.ticket, *t);
    }
    // Every receipt came on the other bind, for messages this one had carried too.
    let got = |k: usize| binds[k].inner.counters.receipts_received.load(Relaxed);
    assert_eq!((got(x), got(y)), (0, n), "bind {x} sent {}", sent(x));
    let s = c.stats();
    assert_eq!((s.receipts_matched, s.receipts_unmatched), (n, 0));
    assert_eq!(s.receipt_lag_count, n);
    assert_eq!(lock(&c.pool.ch.corr).len(), 0, "nothing left remembered");
}
