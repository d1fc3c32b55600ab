//! Text layer throughput: GSM 7-bit (unpacked and packed) and UCS-2 encode/decode, splitting a
//! 400-character message into parts (and building its submit_sm PDUs), delivery receipt
//! parsing.
//!
//! Run: `cargo bench --bench text`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use esme::pdu::{Address, SubmitSm};
use esme::receipt;
use esme::text::{self, Encoding, SegmentMethod};
use std::hint::black_box;

/// 160 GSM 7-bit characters (one full single-part message), an extension character included.
fn gsm_160() -> String {
    let base = "Your code is 123456. Valid for 10 minutes; do not share it with anyone! Questions? Call +31 20 123 4567 (24/7) or reply HELP. Thanks, the team @ Example ";
    let mut s: String = base.chars().cycle().take(159).collect();
    s.push('€');
    assert_eq!(text::gsm7_len(&s), Some(161));
    assert_eq!(s.chars().count(), 160);
    s
}

/// 70 characters outside GSM 03.38 (one full single-part UCS-2 message).
fn ucs2_70() -> String {
    let base = "Привет! Ваш код подтверждения 123456, действует 10 минут. Спасибо 😀 ";
    let s: String = base.chars().cycle().take(69).collect();
    assert_eq!(s.encode_utf16().count(), 70);
    s
}

fn gsm_400() -> String {
    let s: String = gsm_160().chars().cycle().take(400).collect();
    assert_eq!(s.chars().count(), 400);
    s
}

const RECEIPT: &str = "id:7d3a0c95-4b1e-4f7a sub:001 dlvrd:001 submit date:2611261015 \
done date:2611261016 stat:DELIVRD err:000 text:bench message 0123";

fn gsm(c: &mut Criterion) {
    let t = gsm_160();
    let mut g = c.benchmark_group("gsm7_160");
    g.throughput(Throughput::Elements(1));
    let unpacked = text::encode(&t, Encoding::Gsm7).unwrap();
    let packed = text::encode(&t, Encoding::Gsm7Packed).unwrap();
    g.bench_function("encode_unpacked", |b| {
        b.iter(|| text::encode(black_box(&t), Encoding::Gsm7).unwrap())
    });
    g.bench_function("decode_unpacked", |b| {
        b.iter(|| text::decode(black_box(&unpacked), Encoding::Gsm7).unwrap())
    });
    g.bench_function("encode_packed", |b| {
        b.iter(|| text::encode(black_box(&t), Encoding::Gsm7Packed).unwrap())
    });
    g.bench_function("decode_packed", |b| {
        b.iter(|| text::decode(black_box(&packed), Encoding::Gsm7Packed).unwrap())
    });
    g.finish();
}

fn ucs2(c: &mut Criterion) {
    let t = ucs2_70();
    let bytes = text::encode(&t, Encoding::Ucs2).unwrap();
    let mut g = c.benchmark_group("ucs2_70");
    g.throughput(Throughput::Elements(1));
    g.bench_function("encode", |b| {
        b.iter(|| text::encode(black_box(&t), Encoding::Ucs2).unwrap())
    });
    g.bench_function("decode", |b| {
        b.iter(|| text::decode(black_box(&bytes), Encoding::Ucs2).unwrap())
    });
    g.finish();
}

fn segmentation(c: &mut Criterion) {
    let t = gsm_400();
    let mut g = c.benchmark_group("segment_400");
    g.throughput(Throughput::Elements(1));
    g.bench_function("gsm7_udh8", |b| {
        b.iter(|| {
            text::segment_text(black_box(&t), Encoding::Gsm7, SegmentMethod::Udh8, 7, 255).unwrap()
        })
    });
    g.bench_function("gsm7_sar", |b| {
        b.iter(|| {
            text::segment_text(black_box(&t), Encoding::Gsm7, SegmentMethod::Sar, 7, 255).unwrap()
        })
    });
    let u: String = ucs2_70().chars().cycle().take(400).collect();
    g.bench_function("ucs2_udh8", |b| {
        b.iter(|| {
            text::segment_text(black_box(&u), Encoding::Ucs2, SegmentMethod::Udh8, 7, 255).unwrap()
        })
    });
    // Segments into submit_sm bodies through the public API, as the client's message builder
    // does: one template, one clone + set_segment per part.
    let base = SubmitSm {
        source: Address::new(1, 1, "12345"),
        destination: Address::new(1, 1, "31600000000"),
        registered_delivery: 1,
        ..SubmitSm::default()
    };
    g.bench_function("gsm7_udh8_submit_sms", |b| {
        b.iter(|| {
            let segs =
                text::segment_text(black_box(&t), Encoding::Gsm7, SegmentMethod::Udh8, 7, 255)
                    .unwrap();
            segs.iter()
                .map(|s| {
                    let mut p = base.clone();
                    p.set_segment(s);
                    p
                })
                .collect::<Vec<_>>()
        })
    });
    g.finish();
}

fn receipts(c: &mut Criterion) {
    let mut g = c.benchmark_group("receipt");
    g.throughput(Throughput::Elements(1));
    g.bench_function("parse", |b| {
        b.iter(|| receipt::parse(black_box(RECEIPT)).unwrap())
    });
    g.bench_function("parse_bytes", |b| {
        b.iter(|| receipt::parse_bytes(black_box(RECEIPT.as_bytes())).unwrap())
    });
    g.finish();
}

criterion_group!(benches, gsm, ucs2, segmentation, receipts);
criterion_main!(benches);
