//! What a message remembered for its receipts costs (docs: x-smpp-receipt-correlation-max),
//! measured with a global allocator that tracks live heap octets (this file is its own test
//! binary, so the allocator is only this binary's).
//!
//! Two runs of the same traffic against the simulator holding its receipts back for an hour:
//! 20,000 one-part messages asking for a receipt, their outcomes polled. One client matches
//! receipts (each message stays remembered), the other has
//! `x-smpp-receipt-correlation-max = 0` (nothing remembered). The difference in live heap,
//! divided by the messages, is the cost of one entry (the simulator's own memory for the
//! held receipts is the same in both runs). Printed (`--nocapture`), and held to the bound
//! the option's documentation gives: at most 250 octets per message with an id as long as
//! the simulator's.

use esme::config::Config;
use esme::sim::{SimConfig, Smsc};
use esme::{Client, Event, Message};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

struct Live;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Live {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as isize - layout.size() as isize, Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static A: Live = Live;

const N: u64 = 20_000;

/// Live heap growth over N messages with receipts held back; the message ids' length.
fn growth(max: u32) -> (isize, usize) {
    let sim = Smsc::start(SimConfig {
        receipt_delay: Duration::from_secs(3600),
        ..SimConfig::default()
    })
    .unwrap();
    let cfg = Config::builder("127.0.0.1", "esme01")
        .port(sim.addr().port())
        .password("secret")
        .max_rate(None)
        .window(100)
        .delivery_report(true)
        .receipt_correlation_max(max)
        .build()
        .unwrap();
    let c = Client::connect(&cfg).unwrap();
    let mut id_len = 0;
    let mut run = |n: u64| {
        for i in 0..n {
            c.submit_async(&Message::text("447700900123", "m").user_data(i))
                .unwrap();
        }
        let (mut got, deadline) = (0, Instant::now() + Duration::from_secs(120));
        while got < n {
            assert!(Instant::now() < deadline, "{got} of {n} outcomes");
            if let Some(Event::Outcome { outcome, .. }) =
                c.poll_event(Some(Duration::from_millis(100)))
            {
                assert!(outcome.is_accepted(), "{outcome:?}");
                if let esme::Outcome::Accepted { message_ids } = &outcome {
                    id_len = message_ids[0].len();
                }
                got += 1;
            }
        }
    };
    run(1000); // warm-up: buffers, maps and queues at their working size
    let before = LIVE.load(Relaxed);
    run(N);
    let after = LIVE.load(Relaxed);
    drop(c);
    (after - before, id_len)
}

#[test]
fn a_remembered_message_costs_at_most_250_octets() {
    let (with, id_len) = growth(1_000_000);
    let (without, _) = growth(0);
    let per = (with - without) as f64 / N as f64;
    println!(
        "live heap over {N} messages with receipts held back: {with} octets remembered, \
         {without} not; {per:.0} octets per remembered message (message ids of {id_len} characters)"
    );
    assert!(per > 50.0, "{per:.0} octets: is anything remembered?");
    assert!(per <= 250.0, "{per:.0} octets per remembered message");
}
