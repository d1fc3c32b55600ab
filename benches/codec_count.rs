//! A fixed number of one codec operation, for instruction counts under callgrind (criterion's
//! timings are noisy on a shared machine; instruction counts are not). See
//! `benches/codec-callgrind.sh`, which runs this twice with different counts and divides the
//! difference, so setup and process start-up cancel out.
//!
//! `codec_count <esme|rusmpp> <submit_sm|deliver_sm> <encode|decode|roundtrip> <iterations>`;
//! without arguments (as `cargo test --all-targets` runs it) every case runs once.

use bytes::BytesMut;
use esme::pdu::{Decoder, Pdu};
use pdus::*;
use rusmpp::Command;
use std::hint::black_box;

mod pdus;

fn run(lib: &str, pdu: &str, op: &str, n: u64) {
    let (e, r): (Pdu, Command) = match pdu {
        "submit_sm" => (esme_submit_sm(), rusmpp_submit_sm()),
        "deliver_sm" => (esme_deliver_sm(), rusmpp_deliver_sm()),
        _ => panic!("unknown pdu {pdu}"),
    };
    let wire = e.to_bytes().unwrap();
    let decoder = Decoder::default();
    let mut out = Vec::with_capacity(512);
    let mut bout = BytesMut::with_capacity(512);
    for _ in 0..n {
        match (lib, op) {
            ("esme", "encode") => {
                out.clear();
                black_box(&e).encode(&mut out).unwrap();
                black_box(&out);
            }
            ("esme", "decode") => {
                black_box(esme_decode(&decoder, black_box(&wire)));
            }
            ("esme", "roundtrip") => {
                out.clear();
                black_box(&e).encode(&mut out).unwrap();
                black_box(esme_decode(&decoder, black_box(&out)));
            }
            ("rusmpp", "encode") => {
                bout.clear();
                rusmpp_encode(black_box(&r), &mut bout);
                black_box(&bout);
            }
            ("rusmpp", "decode") => {
                bout.extend_from_slice(black_box(&wire));
                black_box(rusmpp_decode(&mut bout));
            }
            ("rusmpp", "roundtrip") => {
                bout.clear();
                rusmpp_encode(black_box(&r), &mut bout);
                black_box(rusmpp_decode(black_box(&mut bout)));
            }
            _ => panic!("unknown case {lib} {op}"),
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() == 4 {
        let n = args[3].parse().expect("iterations");
        run(&args[0], &args[1], &args[2], n);
        return;
    }
    // cargo test / cargo bench without arguments: a smoke run of every case.
    for lib in ["esme", "rusmpp"] {
        for pdu in ["submit_sm", "deliver_sm"] {
            for op in ["encode", "decode", "roundtrip"] {
                run(lib, pdu, op, 1);
            }
        }
    }
}
