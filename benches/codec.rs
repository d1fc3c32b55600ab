//! PDU codec throughput: esme against rusmpp 0.4.0's codec, in one binary, on the same PDUs.
//!
//! Groups (criterion writes `target/criterion/<group>/<esme|rusmpp>/new/estimates.json`;
//! `benches/codec-ratio.sh` turns them into a table):
//!
//! * `<pdu>_encode`: a built PDU into a reused output buffer (cleared, capacity kept).
//! * `<pdu>_decode`: one whole PDU already in memory to the library's owned PDU type,
//!   framing included (command_length read and checked).
//! * `<pdu>_roundtrip`: encode into the reused buffer, then decode from it.
//!
//! Fair use of each API: esme encodes into a `Vec<u8>` and decodes from a `&[u8]`
//! (`Decoder::decode`, what its session does). rusmpp's owned codec writes to and reads from
//! a `bytes::BytesMut`, as its tokio `CommandCodec` does: encode is `reserve`, the length
//! word, `Encode::encode`; decode is the length word, then `Command::decode` (its owned
//! strings are reference-counted `Bytes` slices of that buffer, not copies; esme copies
//! into `String`s and `Vec`s). A `BytesMut` cannot borrow a caller's slice, so rusmpp's
//! decode-only case first appends the PDU to its reused `BytesMut` (one memcpy of about
//! 100 octets; a socket read would put it there in real use). The round trip has no such
//! copy for either library. Both libraries encode the same octets: the setup asserts it.
//!
//! Run: `cargo bench --bench codec` (or `benches/codec-ratio.sh` for the ratio table).

use bytes::BytesMut;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use esme::pdu::{Decoder, Pdu};
use pdus::*;
use rusmpp::Command;
use std::hint::black_box;

mod pdus;

fn bench_pdu(c: &mut Criterion, name: &str, esme_pdu: Pdu, rusmpp_cmd: Command) {
    let wire = esme_pdu.to_bytes().unwrap();
    let mut check = BytesMut::new();
    rusmpp_encode(&rusmpp_cmd, &mut check);
    assert_eq!(
        wire,
        &check[..],
        "{name}: esme and rusmpp must encode the same PDU"
    );
    let decoder = Decoder::default();
    assert_eq!(esme_decode(&decoder, &wire), esme_pdu);
    assert_eq!(rusmpp_decode(&mut check), rusmpp_cmd);

    let mut g = c.benchmark_group(format!("{name}_encode"));
    g.throughput(Throughput::Elements(1));
    let mut out = Vec::with_capacity(512);
    g.bench_function("esme", |b| {
        b.iter(|| {
            out.clear();
            black_box(&esme_pdu).encode(&mut out).unwrap();
            black_box(&out);
        })
    });
    let mut bout = BytesMut::with_capacity(512);
    g.bench_function("rusmpp", |b| {
        b.iter(|| {
            bout.clear();
            rusmpp_encode(black_box(&rusmpp_cmd), &mut bout);
            black_box(&bout);
        })
    });
    g.finish();

    let mut g = c.benchmark_group(format!("{name}_decode"));
    g.throughput(Throughput::Elements(1));
    g.bench_function("esme", |b| {
        b.iter(|| esme_decode(&decoder, black_box(&wire)))
    });
    let mut bin = BytesMut::with_capacity(512);
    g.bench_function("rusmpp", |b| {
        b.iter(|| {
            bin.extend_from_slice(black_box(&wire));
            rusmpp_decode(&mut bin)
        })
    });
    g.finish();

    let mut g = c.benchmark_group(format!("{name}_roundtrip"));
    g.throughput(Throughput::Elements(1));
    g.bench_function("esme", |b| {
        b.iter(|| {
            out.clear();
            black_box(&esme_pdu).encode(&mut out).unwrap();
            esme_decode(&decoder, black_box(&out))
        })
    });
    g.bench_function("rusmpp", |b| {
        b.iter(|| {
            bout.clear();
            rusmpp_encode(black_box(&rusmpp_cmd), &mut bout);
            rusmpp_decode(black_box(&mut bout))
        })
    });
    g.finish();
}

fn codec(c: &mut Criterion) {
    bench_pdu(c, "submit_sm", esme_submit_sm(), rusmpp_submit_sm());
    bench_pdu(c, "deliver_sm", esme_deliver_sm(), rusmpp_deliver_sm());
}

criterion_group!(benches, codec);
criterion_main!(benches);
