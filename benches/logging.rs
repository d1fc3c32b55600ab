//! What esme's logging costs, measured in one run:
//!
//! - `pdu_line`: the masked line of one logged PDU (`esme::trace::line`: text decoded, masked
//!   by the default rule group, receipt fields kept, addresses cut) beside the plain field list
//!   a logger without masking would print (`describe`, joined): for a 160-character GSM
//!   submit_sm with and without personal data, a UCS-2 part, a delivery receipt, a
//!   submit_sm_resp.
//! - `submit_200`: 200 messages through the submit path (submit_async, every outcome
//!   awaited) against `esme smsc` in another process, with no log sink, with a sink at info
//!   (nothing is composed per PDU: the path must cost the same) and at debug (a masked line
//!   per PDU, the sink discarding it); no sink and info run twice, interleaved, so the spread
//!   between two runs of one setting shows the noise.
//!
//! Run: `cargo bench --bench logging`; the ratios are in docs/performance.md.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use esme::client::{Event, Message};
use esme::config::Config;
use esme::log::{set_sink, Level, Record};
use esme::pdu::describe::describe;
use esme::pdu::{Address, Body, DeliverSm, Pdu, SmResp, SubmitSm};
use esme::session::Direction;
use esme::text::Encoding;
use esme::trace::{line, LogMask};
use esme::Client;
use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

fn sm(text: &[u8], esm_class: u8, data_coding: u8) -> Pdu {
    Pdu::new(
        7,
        Body::SubmitSm(SubmitSm {
            source: Address::new(5, 0, "Shop"),
            destination: Address::new(1, 1, "447700900123"),
            esm_class,
            data_coding,
            registered_delivery: 1,
            short_message: text.to_vec(),
            ..Default::default()
        }),
    )
}

fn pdus() -> Vec<(&'static str, Pdu)> {
    let pii: String = "Pay with 4111 1111 1111 1111 or IBAN GB82 WEST 1234 5698 7654 32, call 07700 900456 or mail ann.lee@example.com. Your code is 482913. Thanks, the team at Example "
        .chars()
        .take(160)
        .collect();
    let plain: String = "Your parcel is on its way and will arrive tomorrow between nine and one. Track it on our site or reply HELP for help; reply STOP to stop these messages. Thanks "
        .chars()
        .take(160)
        .collect();
    let mut part = vec![5, 0, 3, 42, 3, 2];
    let ucs2: String =
        "Здравствуйте! Ваш заказ отправлен, карта 4111 1111 1111 1111, телефон +7 495 123-45-67."
            .chars()
            .take(67)
            .collect();
    part.extend(esme::text::encode(&ucs2, Encoding::Ucs2).unwrap());
    let receipt = Pdu::new(
        9,
        Body::DeliverSm(DeliverSm {
            source: Address::new(1, 1, "447700900123"),
            destination: Address::new(5, 0, "Shop"),
            esm_class: 0x04,
            short_message: b"id:0000002a sub:001 dlvrd:001 submit date:2611261015 done date:2611261016 stat:DELIVRD err:000 text:Pay with 4111 1111 11".to_vec(),
            ..Default::default()
        }),
    );
    let resp = Pdu::new(
        7,
        Body::SubmitSmResp(SmResp {
            message_id: "0000002a".into(),
            tlvs: Vec::new(),
        }),
    );
    vec![
        ("submit_sm_160_gsm_personal", sm(pii.as_bytes(), 0, 0)),
        ("submit_sm_160_gsm_plain", sm(plain.as_bytes(), 0, 0)),
        ("submit_sm_part_67_ucs2", sm(&part, 0x40, 8)),
        ("deliver_sm_receipt", receipt),
        ("submit_sm_resp", resp),
    ]
}

fn pdu_line(c: &mut Criterion) {
    let mask = LogMask::builtin();
    let mut g = c.benchmark_group("pdu_line");
    g.throughput(Throughput::Elements(1));
    for (name, pdu) in pdus() {
        g.bench_function(format!("{name}/unmasked_fields"), |b| {
            b.iter(|| {
                describe(black_box(&pdu))
                    .iter()
                    .map(|f| format!("{}={}", f.name, f.value))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        });
        g.bench_function(format!("{name}/masked_line"), |b| {
            b.iter(|| line(Direction::Out, black_box(&pdu), Encoding::Gsm7, &mask))
        });
    }
    g.finish();
}

/// `esme smsc` in its own process (so only the client logs in this one); killed on drop.
struct Smsc(std::process::Child, u16);

impl Smsc {
    fn start() -> Smsc {
        let mut child = Command::new(env!("CARGO_BIN_EXE_esme"))
            .args(["smsc", "--port", "0", "--duration", "3600"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("run esme smsc");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let port = first.trim().rsplit(':').next().unwrap().parse().unwrap();
        Smsc(child, port)
    }
}

impl Drop for Smsc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const BATCH: u64 = 200;

fn submit_batch(client: &Client, msg: &Message) {
    let mut pending = BATCH;
    for _ in 0..BATCH {
        client.submit_async(msg).unwrap();
    }
    while pending > 0 {
        match client.poll_event(Some(Duration::from_secs(10))) {
            Some(Event::Outcome { outcome, .. }) => {
                assert!(outcome.is_accepted(), "{outcome}");
                pending -= 1;
            }
            Some(_) => {}
            None => panic!("no outcome within 10 s"),
        }
    }
}

fn submit_path(c: &mut Criterion) {
    let smsc = Smsc::start();
    let cfg = Config::builder("127.0.0.1", "bench")
        .port(smsc.1)
        .max_rate(None)
        .window(64)
        .delivery_report(false)
        .build()
        .unwrap();
    let msg = Message::text(
        "447700900123",
        "Pay with 4111 1111 1111 1111 or call 07700 900456; your code is 482913. Thanks!",
    );
    let discard = || -> esme::log::Sink {
        Arc::new(|r: &Record<'_>| {
            black_box(r.message.len());
        })
    };
    let mut g = c.benchmark_group("submit_200");
    g.throughput(Throughput::Elements(BATCH));
    g.sample_size(30);
    // Each twice, interleaved: the spread between the two runs of one setting is the noise
    // the info-against-none ratio is read against.
    for (name, sink) in [
        ("no_sink", None),
        ("sink_info", Some(Level::Info)),
        ("sink_debug", Some(Level::Debug)),
        ("no_sink_again", None),
        ("sink_info_again", Some(Level::Info)),
    ] {
        // The sink is installed before the connect, as a program does (tracing is decided
        // at the bind).
        set_sink(sink.map(|l| (discard(), l)));
        let client = Client::connect(&cfg).unwrap();
        g.bench_function(name, |b| b.iter(|| submit_batch(&client, &msg)));
        client.close();
        set_sink(None);
    }
    g.finish();
}

criterion_group!(benches, pdu_line, submit_path);
criterion_main!(benches);
