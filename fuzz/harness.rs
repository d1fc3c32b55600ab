//! The logic of every fuzz target, shared by the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`)
//! and the stable regression test `tests/fuzz_corpus.rs`, which runs every committed corpus
//! and regression file through these functions. Only esme and std: no libFuzzer types, no
//! `unsafe`. Each function must never panic on any input; a panic (an `assert!` here or in
//! esme) is a finding.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use esme::config::Config;
use esme::pdu::{
    Body, CommandId, CommandStatus, DataSm, Decoded, Decoder, Pdu, PduError, SmResp, SubmitSm, Tag,
    Tlv, TlvList, TlvValue,
};
use esme::pii::{Cut, RuleSet};
use esme::receipt::{self, DeliveryReceipt, ReceiptDate};
use esme::session::{BindMode, Event, Session, SessionConfig, State};
use esme::text::{self, charset, gsm, Encoding, InboundPart, Reassembler, Sar, SegmentMethod};

/// A target's function: any bytes in, a panic on a finding.
pub type Harness = fn(&[u8]);

/// Every target: (name, harness function). `tests/fuzz_corpus.rs` checks that each
/// `fuzz/fuzz_targets/<name>.rs` has an entry here and a non-empty `fuzz/corpus/<name>/`.
pub const TARGETS: &[(&str, Harness)] = &[
    ("pdu_stream", pdu_stream),
    ("tlv", tlv),
    ("text", text),
    ("reassembly", reassembly),
    ("receipt", receipt),
    ("pkcs12", pkcs12),
    ("config", config),
    ("pii", pii),
    ("session", session),
];

/// Reads structured choices off the fuzzer's bytes; past the end everything is 0 / empty.
struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    fn new(data: &'a [u8]) -> Self {
        Input { data }
    }
    fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
    fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }
    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }
    fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn bytes(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.data.len());
        let (a, b) = self.data.split_at(n);
        self.data = b;
        a
    }
    /// Up to 255 octets, the length first.
    fn lv(&mut self) -> &'a [u8] {
        let n = usize::from(self.u8());
        self.bytes(n)
    }
    fn rest(&mut self) -> &'a [u8] {
        self.bytes(self.data.len())
    }
}

/// encode → decode must give the same PDU back, and encoding that again the same octets.
fn check_reencode(pdu: &Pdu) {
    let _ = format!("{pdu:?}");
    let _ = esme::pdu::describe::describe(pdu);
    let _ = esme::pdu::describe::header_line(pdu, 16);
    if let Ok(bytes) = pdu.to_bytes() {
        let again = Pdu::decode(&bytes);
        assert_eq!(
            again.as_ref(),
            Ok(pdu),
            "re-encoded PDU decodes differently"
        );
        assert_eq!(
            pdu.to_bytes().as_ref(),
            Ok(&bytes),
            "encoding is not stable"
        );
    }
}

/// One result of the stream decoder, for comparing a split stream with the whole one.
#[derive(Debug, PartialEq)]
enum Step {
    Pdu(Pdu, usize),
    Malformed(String, usize),
    Frame(String),
}

fn decode_all(decoder: Decoder, stream: &[u8]) -> Vec<Step> {
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        match decoder.decode(&stream[pos..]) {
            Ok(Decoded::Incomplete { needed }) => {
                assert!(needed > stream.len() - pos && needed >= Pdu::HEADER_LEN);
                return out;
            }
            Ok(Decoded::Pdu { pdu, len }) => {
                out.push(Step::Pdu(pdu, len));
                pos += len;
            }
            Ok(Decoded::Malformed { error, len }) => {
                let _ = error.status();
                out.push(Step::Malformed(error.to_string(), len));
                pos += len;
            }
            Err(e) => {
                out.push(Step::Frame(e.to_string()));
                return out;
            }
        }
    }
}

/// Target `pdu_stream`: the first octet chooses how the rest is split into reads and the
/// decoder's maximum command_length; the rest is the byte stream. The split stream must
/// decode exactly like the whole one; every PDU must decode alone with [`Pdu::decode`] and
/// survive a re-encode. The whole input is also tried as one PDU.
pub fn pdu_stream(data: &[u8]) {
    whole_pdu(data);
    let mut u = Input::new(data);
    let ctrl_len = usize::from(u.u8() % 16);
    let ctrl = u.bytes(ctrl_len);
    let max_len = match ctrl.first() {
        Some(&b) if b & 1 == 1 => u32::from(b) * 64,
        _ => Decoder::DEFAULT_MAX_LEN,
    };
    let stream = u.rest();
    let decoder = Decoder::new(max_len);
    assert!(decoder.max_len() >= Pdu::HEADER_LEN as u32);
    let whole = decode_all(decoder, stream);
    for step in &whole {
        match step {
            Step::Pdu(pdu, len) => {
                assert!(*len >= Pdu::HEADER_LEN && *len <= max_len.max(16) as usize);
                check_reencode(pdu);
                if let Body::DeliverSm(sm) = &pdu.body {
                    let _ = sm.payload();
                    reassemble_one(sm.inbound_part());
                }
                if let Body::DataSm(sm) = &pdu.body {
                    reassemble_one(sm.inbound_part());
                }
            }
            Step::Malformed(_, len) => assert!(*len >= Pdu::HEADER_LEN),
            Step::Frame(_) => {}
        }
    }
    // The same stream in reads whose sizes come from `ctrl` (0 means 1 octet).
    let mut buf: Vec<u8> = Vec::new();
    let mut got = Vec::new();
    let mut rest = stream;
    let mut i = 0;
    let mut broken = false;
    while !rest.is_empty() && !broken {
        let n = ctrl
            .get(i % ctrl.len().max(1))
            .map_or(rest.len(), |&b| usize::from(b).max(1))
            .min(rest.len());
        i += 1;
        buf.extend_from_slice(&rest[..n]);
        rest = &rest[n..];
        loop {
            match decoder.decode(&buf) {
                Ok(Decoded::Incomplete { needed }) => {
                    assert!(needed > buf.len());
                    break;
                }
                Ok(Decoded::Pdu { pdu, len }) => {
                    assert_eq!(Pdu::decode(&buf[..len]).as_ref(), Ok(&pdu));
                    got.push(Step::Pdu(pdu, len));
                    buf.drain(..len);
                }
                Ok(Decoded::Malformed { error, len }) => {
                    assert!(matches!(Pdu::decode(&buf[..len]), Err(PduError::Decode(_))));
                    got.push(Step::Malformed(error.to_string(), len));
                    buf.drain(..len);
                }
                Err(e) => {
                    got.push(Step::Frame(e.to_string()));
                    broken = true;
                    break;
                }
            }
        }
    }
    assert_eq!(got, whole, "a split stream decodes differently");
}

fn whole_pdu(data: &[u8]) {
    match Pdu::decode(data) {
        Ok(pdu) => check_reencode(&pdu),
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

fn reassemble_one(part: InboundPart) {
    let mut r = Reassembler::new(Duration::from_secs(1), Encoding::Gsm7);
    let _ = r.push(part, Instant::now());
}

/// Target `tlv`: the input as the TLV section of a data_sm and of a submit_sm_resp (the
/// decoder's TLV list parser), then as (tag, value) pairs for [`Tlv::raw`] and the typed
/// accessors.
pub fn tlv(data: &[u8]) {
    // data_sm: service_type "", source 0/0/"", destination 0/0/"", esm_class,
    // registered_delivery, data_coding; then the TLVs.
    let mut body = vec![0u8; 10];
    body.extend_from_slice(data);
    let mut pdu = Vec::with_capacity(16 + body.len());
    for (id, prefix) in [(0x0000_0103u32, &body[..]), (0x8000_0004, &body[9..])] {
        pdu.clear();
        pdu.extend_from_slice(&((16 + prefix.len()) as u32).to_be_bytes());
        pdu.extend_from_slice(&id.to_be_bytes());
        pdu.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 1]);
        pdu.extend_from_slice(prefix);
        match Pdu::decode(&pdu) {
            Ok(p) => {
                check_reencode(&p);
                let tlvs = match &p.body {
                    Body::DataSm(d) => &d.tlvs,
                    Body::SubmitSmResp(r) => &r.tlvs,
                    other => panic!("decoded as {other:?}"),
                };
                for t in tlvs {
                    check_tlv(t);
                }
                for &tag in Tag::ALL {
                    let _ = tlvs.get_u8(tag);
                    let _ = tlvs.get_u16(tag);
                    let _ = tlvs.get_str(tag);
                    let _ = tlvs.get_octets(tag);
                }
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
    let mut u = Input::new(data);
    while !u.is_empty() {
        let tag = u.u16();
        let len = usize::from(u.u8());
        let value = u.bytes(len).to_vec();
        match Tlv::raw(tag, value.clone()) {
            Ok(t) => {
                assert_eq!(t.tag_u16(), tag);
                assert_eq!(t.bytes(), &value[..]);
                check_tlv(&t);
            }
            Err(p) => {
                let _ = p.to_string();
            }
        }
        if let Ok(s) = std::str::from_utf8(&value) {
            let t = Tag::from_u16(tag);
            if let Ok(t) = Tlv::cstr(t, s) {
                check_tlv(&t);
            }
        }
    }
}

fn check_tlv(t: &Tlv) {
    let _ = format!("{t:?}");
    let _ = t.tag().name();
    let v = t.value();
    if let TlvValue::Octets(o) = v {
        assert_eq!(o, t.bytes());
    }
    // Rebuilding from its octets gives the same TLV.
    assert_eq!(Tlv::raw(t.tag_u16(), t.bytes().to_vec()).as_ref(), Ok(t));
}

const ENCODINGS: [Encoding; 6] = Encoding::ALL;

/// Target `text`: the first octet is a data_coding / fill-bits choice, the rest is decoded
/// with every decoder; where a decoded text encodes again it must decode to the same text;
/// the rest as UTF-8 text goes through every encoder and back, and the segmenter.
pub fn text(data: &[u8]) {
    let mut u = Input::new(data);
    let sel = u.u8();
    let bytes = u.rest();
    let fill = sel % 8; // 7 is invalid on purpose
    for e in ENCODINGS {
        if let Ok(s) = text::decode(bytes, e) {
            round_trip(&s, e);
        }
        let dc = Encoding::from_data_coding(sel, e);
        let _ = dc.data_coding();
        if let Ok(s) = text::decode(bytes, dc) {
            round_trip(&s, dc);
        }
    }
    match gsm::unpack(bytes, fill) {
        Ok(septets) => {
            assert!(fill <= 6);
            assert!(septets.iter().all(|&s| s <= 0x7F));
            let _ = gsm::decode_unpacked(&septets);
            let packed = gsm::pack(&septets, fill).unwrap();
            let n = septets.len();
            assert_eq!(
                packed.len(),
                gsm::packed_len(n, fill, septets.last() == Some(&0x0D))
            );
        }
        Err(_) => assert!(fill > 6),
    }
    if let Ok(s) = gsm::decode_packed(bytes, fill) {
        if let Ok(b) = gsm::encode_packed(&s, fill) {
            let back = gsm::decode_packed(&b, fill).unwrap();
            assert!(back == s || back == format!("{s}\r"), "{s:?} -> {back:?}");
        }
    }
    let _ = gsm::decode_unpacked(bytes);
    let _ = gsm::pack(bytes, fill);
    let _ = charset::decode_ascii(bytes);
    let _ = charset::decode_ucs2(bytes);
    let _ = charset::decode_latin1(bytes);
    let _ = gsm::fill_bits_for_udh(bytes.len());
    if let Ok(s) = std::str::from_utf8(bytes) {
        for e in ENCODINGS {
            round_trip(s, e);
        }
        let _ = text::choose_encoding(s);
        let _ = text::gsm7_len(s);
        for c in s.chars().take(64) {
            let _ = gsm::char_septets(c);
        }
        let e = ENCODINGS[usize::from(sel) % ENCODINGS.len()];
        let m = [
            SegmentMethod::Udh8,
            SegmentMethod::Udh16,
            SegmentMethod::Sar,
            SegmentMethod::Payload,
        ][usize::from(sel >> 4) % 4];
        let max = sel.max(2);
        if let Ok(segs) = text::segment_text(s, e, m, u16::from(sel), max) {
            assert!(!segs.is_empty() && segs.len() <= usize::from(max));
            assert_eq!(text::count_segments(s, e, m).ok(), Some(segs.len()));
        }
    }
    if let Ok(segs) = text::segment_bytes(bytes, SegmentMethod::Udh16, 7, sel.max(2)) {
        assert!(!segs.is_empty());
    }
}

/// `text` encoded in `e` (when it can be) decodes back to `text` (packed GSM may add the
/// `<CR>` that 03.38 doubles at an octet boundary).
fn round_trip(s: &str, e: Encoding) {
    if let Ok(b) = text::encode(s, e) {
        let back = text::decode(&b, e).expect("what was encoded must decode");
        if e == Encoding::Gsm7Packed {
            assert!(back == s || back == format!("{s}\r"), "{s:?} -> {back:?}");
        } else {
            assert_eq!(back, s, "{e:?}");
        }
    }
}

/// Target `reassembly`: a reassembler (timeout, default alphabet and bound from the input)
/// fed a sequence of parts (UDH in the short_message or SAR TLVs, any data_coding) and
/// clock steps. Never more groups pending than the bound; every group handed back by
/// `expire` is a real partial one; at the end, after the timeout, nothing is left.
pub fn reassembly(data: &[u8]) {
    let mut u = Input::new(data);
    let timeout = Duration::from_millis(1 + u64::from(u.u16()));
    let alphabet = ENCODINGS[usize::from(u.u8()) % ENCODINGS.len()];
    let max_pending = usize::from(u.u8() % 8);
    let mut r = Reassembler::new(timeout, alphabet).with_max_pending(max_pending);
    assert_eq!(r.max_pending(), max_pending.max(1));
    let start = Instant::now();
    let mut now = start;
    let mut held = 0usize; // upper bound on user data octets inside the reassembler
    while !u.is_empty() {
        let op = u.u8();
        if op & 0x80 != 0 {
            now += Duration::from_millis(u64::from(u.u16()));
            for inc in r.expire(now) {
                check_incomplete(&inc);
            }
            continue;
        }
        let addrs = ["", "1", "44123"];
        let source = addrs[usize::from(op & 3) % 3].to_string();
        let destination = addrs[usize::from((op >> 2) & 3) % 3].to_string();
        let data_coding = if op & 0x10 != 0 { u.u8() } else { 0 };
        let esm_class = if op & 0x20 != 0 { 0x40 } else { u.u8() & 0xC0 };
        let len = usize::from(u.u8());
        let short_message = u.bytes(len).to_vec();
        let sar = (op & 0x40 != 0).then(|| Sar {
            ref_num: u.u16() & 3,
            total: u.u8() % 5,
            seqnum: u.u8() % 5,
        });
        let message_payload = match u.u8() {
            0..=200 => None,
            n => Some(u.bytes(usize::from(n - 200) * 4).to_vec()),
        };
        held += short_message.len() + message_payload.as_ref().map_or(0, Vec::len);
        let part = InboundPart {
            source,
            destination,
            data_coding,
            esm_class,
            short_message,
            sar,
            message_payload,
        };
        match r.push(part, now) {
            Ok(Some(m)) => {
                assert!(m.parts >= 1);
                // Unpacked septets of packed GSM can be 8/7 of the octets.
                assert!(m.body.len() <= held * 8 / 7 + 8);
                let _ = format!("{m:?}");
            }
            Ok(None) => {}
            Err(e) => {
                let _ = e.to_string();
            }
        }
        assert!(r.pending() <= r.max_pending());
    }
    for inc in r.expire(now + timeout) {
        check_incomplete(&inc);
    }
    assert_eq!(r.pending(), 0);
}

fn check_incomplete(inc: &esme::text::Incomplete) {
    assert!(!inc.received.is_empty());
    assert!(inc.received.len() < usize::from(inc.total));
    assert!(inc.received.windows(2).all(|w| w[0] < w[1]));
    assert!(inc.received.iter().all(|&s| s >= 1 && s <= inc.total));
}

/// Target `receipt`: the delivery receipt parser on the bytes (and as UTF-8 text), with the
/// receipt TLVs taken from the first octets; format → parse; id matching is symmetric.
pub fn receipt(data: &[u8]) {
    let mut u = Input::new(data);
    let flags = u.u8();
    let state = esme::pdu::MessageState::from_u8(u.u8());
    let id_len = usize::from(u.u8() % 70);
    let id = String::from_utf8_lossy(u.bytes(id_len)).into_owned();
    let text = u.rest();
    if let Ok(r) = receipt::parse_bytes(text) {
        check_receipt(&r);
    }
    if let Ok(s) = std::str::from_utf8(text) {
        if let Ok(r) = receipt::parse(s) {
            check_receipt(&r);
        }
        let _ = ReceiptDate::parse(s);
        // Redacted for a log: a receipt exactly when parse finds an id or a stat, its text
        // (and every other value here) replaced whole.
        let star = |v: &str| "*".repeat(v.chars().count());
        let red = receipt::redact(s, &star, &star);
        assert_eq!(
            red.is_some(),
            receipt::parse(s).is_ok(),
            "redact and parse disagree"
        );
        if let Some(r) = &red {
            assert_eq!(r.chars().count(), s.chars().count(), "{s:?} -> {r:?}");
        }
        let mid = s.len() / 2;
        if s.is_char_boundary(mid) {
            let (a, b) = s.split_at(mid);
            assert_eq!(receipt::ids_match(a, b), receipt::ids_match(b, a));
        }
    }
    let r = receipt::from_deliver(
        text,
        (flags & 1 != 0).then_some(id.as_str()),
        (flags & 2 != 0).then_some(state),
        (flags & 4 != 0).then_some((flags, u16::from(flags) << 3)),
    );
    match r {
        Ok(r) => check_receipt(&r),
        Err(e) => {
            let _ = e.to_string();
        }
    }
    // A canonical receipt survives format → parse.
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()) {
        let r = DeliveryReceipt::new(id.clone(), state);
        let back = receipt::parse(&r.format());
        if (1..=8).contains(&state.to_u8()) {
            assert_eq!(back.as_ref(), Ok(&r), "{}", r.format());
        }
    }
}

fn check_receipt(r: &DeliveryReceipt) {
    let _ = r.is_final();
    let s = r.format();
    assert!(
        receipt::parse(&s).is_ok(),
        "formatted receipt does not parse: {s:?}"
    );
    if let Some(d) = r.submit_date {
        assert_eq!(ReceiptDate::parse(&d.to_string()), Some(d));
    }
}

/// Target `pkcs12`: the input as a PKCS#12 file, without a password, with the test PKI's,
/// and with a separate key password; without an alias and with the test PKI's (in any
/// case). Errors must never carry the passwords. Each load has a small key-derivation budget
/// (every run stays fast, whatever iteration counts the input asks for) and must never spend
/// more than it.
pub fn pkcs12(data: &[u8]) {
    use esme::tls::pkcs12::load_budgeted;
    const BUDGET: u64 = 100_000;
    let load = |data: &[u8], file_pw, key_pw, alias| {
        let (r, spent) = load_budgeted(data, file_pw, key_pw, alias, BUDGET);
        assert!(spent <= BUDGET, "spent {spent} of a budget of {BUDGET}");
        r
    };
    const PW: &str = "changeit";
    const KEY_PW: &str = "keypass-f00";
    // Only checked when the input does not hold it itself.
    let echoed = data.windows(KEY_PW.len()).any(|w| w == KEY_PW.as_bytes());
    for (file_pw, key_pw, alias) in [
        (None, None, None),
        (Some(PW), None, None),
        (Some(PW), Some(KEY_PW), Some("esme-client")),
        (None, Some(KEY_PW), Some("ESME-CLIENT")),
    ] {
        match load(data, file_pw, key_pw, alias) {
            Ok(id) => {
                let _ = id.key_type();
                let _ = id.days_left(std::time::SystemTime::now());
                let _ = id.expiry_warning(std::time::SystemTime::now());
                let dbg = format!("{id:?}");
                assert!(echoed || !dbg.contains(KEY_PW));
            }
            Err(e) => {
                let msg = format!("{e} {e:?}");
                assert!(
                    echoed || !msg.contains(KEY_PW),
                    "a password in an error: {msg}"
                );
            }
        }
    }
}

/// Target `config`: the input as a channel section file (`Config::parse_str`), as
/// (name, value) pairs, and as `set` calls on a valid configuration. A password never
/// appears in errors or `Debug`.
pub fn config(data: &[u8]) {
    // At most 8 characters (SMPP); only checked when the input does not hold it itself.
    const SECRET: &str = "Zq9#fZ7x";
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::parse_str(text) {
        Ok(c) => {
            let _ = c.validate();
            let _ = format!("{c:?}");
        }
        Err(e) => {
            let _ = e.option();
            let _ = format!("{e} {e:?}");
        }
    }
    let pairs: Vec<(&str, &str)> = text
        .lines()
        .map(|l| l.split_once('=').unwrap_or((l, "")))
        .collect();
    match Config::from_options(pairs.iter().copied()) {
        Ok(c) => {
            let _ = format!("{c:?}");
        }
        Err(e) => {
            let _ = format!("{e} {e:?}");
        }
    }
    let mut c = Config::from_options([
        ("x-smpp-host", "127.0.0.1"),
        ("x-smpp-system-id", "fuzz"),
        ("password", SECRET),
    ])
    .expect("the base configuration is valid");
    for (k, v) in &pairs {
        if let Err(e) = c.set(k, v) {
            let msg = format!("{e} {e:?}");
            assert!(
                text.contains(SECRET) || !msg.contains(SECRET),
                "the password in an error: {msg}"
            );
        }
    }
    let _ = c.validate();
    let dbg = format!("{c:?}");
    if c.password.expose() == SECRET && !text.contains(SECRET) {
        assert!(!dbg.contains(SECRET), "the password in Debug");
    }
}

/// Target `pii`: the input up to the first NUL as a JSON rule file, the rest as the text to
/// mask with every rule and group (with and without the built-ins).
pub fn pii(data: &[u8]) {
    let (json, rest) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let (Ok(json), Ok(msg)) = (std::str::from_utf8(json), std::str::from_utf8(rest)) else {
        return;
    };
    let _ = esme::pii::luhn(msg);
    let _ = esme::pii::iban(msg);
    let set = match RuleSet::from_json(json) {
        Ok(s) => s,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    for set in [Some(set.clone()), set.with_builtins().ok()]
        .into_iter()
        .flatten()
    {
        for name in set.rule_names() {
            assert!(set.rule(name).is_some());
            let m = set.mask_by_rule(msg, name).expect("a listed rule");
            check_mask(msg, &m);
        }
        for g in set.groups() {
            assert!(set.group_rules(g).is_some());
            let m = set.mask_by_group(msg, g).expect("a listed group");
            check_mask(msg, &m);
            // As a fragment cut at either end or both; as the logs mask (whole matches).
            for cut in [Cut::None, Cut::Start, Cut::End, Cut::Both] {
                let m = set.mask_fragment(msg, g, cut).expect("a listed group");
                check_mask(msg, &m);
            }
            let m = set
                .with_whole_matches()
                .mask_fragment(msg, g, Cut::Both)
                .expect("a listed group");
            check_mask(msg, &m);
        }
        assert!(set.mask_by_rule(msg, "").is_err());
    }
}

/// Spans are char ranges of the input, sorted by start, one per masked match.
fn check_mask(input: &str, m: &esme::pii::MaskResult) {
    assert_eq!(m.count, m.spans.len());
    let n = input.chars().count();
    for &(a, b) in &m.spans {
        assert!(a <= b && b <= n, "{a}..{b} in {n} chars");
    }
    assert!(
        m.spans.windows(2).all(|w| w[0].0 <= w[1].0),
        "{:?}",
        m.spans
    );
}

/// A request the caller is still owed an outcome for.
struct Owed {
    seq: u32,
    command: CommandId,
    deadline: Instant,
}

/// Target `session`: a session whose config comes from the input, driven by operations the
/// input chooses: raw bytes, well-formed responses to what is in flight, SMSC requests,
/// submits, binds, unbinds, responds, clock steps and abort. Checks the one-outcome-per-
/// submit invariant (every tag `send` accepted gets exactly one Response, MalformedResponse
/// or Timeout event, or comes back from `abort`; refused tags never appear), the window
/// (in_flight ≤ window and equal to the tags owed), timeouts on time, and bounded output
/// and events per operation.
pub fn session(data: &[u8]) {
    let mut u = Input::new(data);
    let ms = |v: u16| Duration::from_millis(1 + u64::from(v));
    let cfg = SessionConfig {
        window: 1 + usize::from(u.u8() % 16),
        response_timeout: ms(u.u16()),
        bind_timeout: ms(u.u16()),
        enquire_link_interval: ms(u.u16()),
        dead_peer_timeout: ms(u.u16()),
        max_pdu_len: 16 + u32::from(u.u16()),
    };
    let max_pdu = cfg.max_pdu_len.max(16) as usize;
    let mut now = Instant::now();
    let mut s: Session<u64> = Session::new(cfg.clone(), now);
    s.set_trace(u.u8() & 1 == 1);
    let mut owed: BTreeMap<u64, Owed> = BTreeMap::new();
    let mut next_tag = 0u64;
    let mut sends = 0usize;
    let mut last_inbound: Option<Pdu> = None;
    let mut out = Vec::new();
    while !u.is_empty() {
        let op = u.u8();
        // (bytes fed, output bound) of this operation.
        let mut fed = 0usize;
        let mut out_bound = 0usize;
        let mut closed_before = true;
        match op % 12 {
            0 | 1 => {
                let n = usize::from(u.u8()) * if op & 0x80 != 0 { 16 } else { 1 };
                let b = u.bytes(n);
                fed = b.len();
                s.feed(b, now);
            }
            2 | 3 => {
                let body = request_body(&mut u);
                let tag = next_tag;
                next_tag += 1;
                let was_room = s.window_has_room();
                let (r, body) = s.send_returning(body, tag, now);
                match r {
                    Ok(seq) => {
                        assert!(was_room);
                        assert!((1..=Pdu::MAX_SEQUENCE).contains(&seq));
                        assert!(owed.values().all(|o| o.seq != seq), "sequence reused");
                        let pdu = Pdu::new(seq, body);
                        let len = pdu.to_bytes().expect("it was sent").len();
                        assert_eq!(s.output_len(), len);
                        owed.insert(
                            tag,
                            Owed {
                                seq,
                                command: pdu.command_id(),
                                deadline: now + cfg.response_timeout,
                            },
                        );
                        out_bound = len;
                        sends += 1;
                        if sends % 16 == 0 {
                            // Memory held per request is bounded by the window: the
                            // session's Instants are last_rx, two per pending request (its
                            // deadline and when it was sent; window + bind, unbind,
                            // enquire_link) and one per entry of its deadline queue (at
                            // most 2 × window).
                            let held = format!("{s:?}").matches("Instant {").count();
                            let bound = 1 + 2 * (cfg.window + 3) + 2 * cfg.window;
                            assert!(held <= bound, "{held} instants held, bound {bound}");
                            assert!(held > 2 * owed.len(), "Debug shows no Instants");
                        }
                    }
                    Err(e) => {
                        let _ = e.to_string();
                        assert_eq!(s.output_len(), 0);
                    }
                }
            }
            4 => {
                // A well-formed response to a request in flight (or to a stale sequence).
                let pick = usize::from(u.u8());
                let seq = if owed.is_empty() || pick == 255 {
                    u32::from(u.u8())
                } else {
                    let o = owed.values().nth(pick % owed.len()).map(|o| o.seq);
                    o.unwrap_or(1)
                };
                let cmd = owed
                    .values()
                    .find(|o| o.seq == seq)
                    .map_or(CommandId::SubmitSm, |o| o.command);
                let pdu = response_pdu(&mut u, seq, cmd);
                if let Ok(b) = pdu.to_bytes() {
                    let cut = usize::from(u.u8()).min(b.len());
                    fed = b.len();
                    s.feed(&b[..cut], now);
                    s.feed(&b[cut..], now);
                }
            }
            5 => {
                let mode = [
                    BindMode::Transmitter,
                    BindMode::Receiver,
                    BindMode::Transceiver,
                ][usize::from(u.u8() % 3)];
                let bind = esme::pdu::Bind {
                    system_id: "fuzz".into(),
                    password: "pw".into(),
                    interface_version: 0x34,
                    ..Default::default()
                };
                let _ = mode.name();
                if s.bind(mode, bind, now).is_ok() {
                    out_bound = 64;
                }
            }
            6 => {
                // A bind response (the bind is the first request: sequence 1).
                let status = status(&mut u);
                let seq = if u.u8() < 200 { 1 } else { u32::from(u.u8()) };
                let body = match u.u8() % 4 {
                    0 => Body::BindTransmitterResp(Default::default()),
                    1 => Body::BindReceiverResp(Default::default()),
                    2 => Body::BindTransceiverResp(esme::pdu::BindResp {
                        system_id: "SMSC".into(),
                        tlvs: vec![Tlv::u8(Tag::ScInterfaceVersion, 0x34).unwrap()],
                    }),
                    _ => Body::GenericNack,
                };
                let b = Pdu::with_status(seq, status, body).to_bytes().unwrap();
                fed = b.len();
                s.feed(&b, now);
            }
            7 => {
                if s.unbind(now).is_ok() {
                    out_bound = 16;
                }
            }
            8 => {
                if let Some(p) = last_inbound.take() {
                    let st = status(&mut u);
                    let tlvs = if u.u8() & 1 == 1 {
                        vec![Tlv::raw(0x1400, vec![1, 2]).unwrap()]
                    } else {
                        Vec::new()
                    };
                    s.respond(&p, st, tlvs);
                    out_bound = 16 + 1 + 6;
                }
            }
            9 => {
                // A request from the SMSC.
                let seq = u.u32();
                let body = match u.u8() % 8 {
                    0 => Body::EnquireLink,
                    1 => Body::Unbind,
                    2 => Body::DeliverSm(SubmitSm {
                        short_message: u.lv().to_vec(),
                        esm_class: u.u8(),
                        ..Default::default()
                    }),
                    3 => Body::DataSm(DataSm::default()),
                    4 => Body::AlertNotification(Default::default()),
                    5 => Body::SubmitSm(SubmitSm::default()),
                    6 => Body::Outbind(Default::default()),
                    _ => Body::Unknown {
                        command_id: u.u32(),
                        body: u.lv().to_vec(),
                    },
                };
                if let Ok(b) = Pdu::new(seq, body).to_bytes() {
                    fed = b.len();
                    s.feed(&b, now);
                }
            }
            10 => {
                // The clock moves.
                let step = u64::from(u.u16()) << (u.u8() % 8);
                now += Duration::from_millis(step);
                closed_before = s.state() == State::Closed;
                s.tick(now);
                out_bound = 16;
            }
            _ => {
                if u.u8() == 0xAB {
                    let tags = s.abort();
                    drain_events(&mut s, &mut owed, &mut last_inbound, usize::MAX);
                    settle_abort(&mut owed, tags);
                    assert_eq!(s.state(), State::Closed);
                } else {
                    let _ = s.next_deadline();
                    let _ = s.take_trace();
                }
            }
        }
        // Each PDU fed (at least 16 octets, plus up to one incomplete PDU left from before)
        // gets at most one answer of at most 17 + 6 octets (deliver_sm_resp with a TLV).
        let feed_bound = if fed > 0 {
            (fed + max_pdu) / 16 * 23 + 23
        } else {
            0
        };
        let events_bound = if fed > 0 {
            (fed + max_pdu) / 16 * 2 + 2
        } else {
            cfg.window + 8
        };
        let n_out = s.output_len();
        assert!(
            n_out <= out_bound + feed_bound,
            "op {op}: {n_out} octets of output for {fed} fed (bound {out_bound} + {feed_bound})"
        );
        out.clear();
        assert_eq!(s.take_output(&mut out), n_out);
        assert!(!s.has_output());
        drain_events(&mut s, &mut owed, &mut last_inbound, events_bound);
        if op % 12 == 10 && !closed_before {
            // Every request past its deadline got its Timeout in this tick.
            assert!(
                owed.values().all(|o| o.deadline > now),
                "a request past its deadline is still in flight"
            );
        }
        assert!(s.in_flight() <= cfg.window);
        assert_eq!(
            s.in_flight(),
            owed.len(),
            "in_flight differs from tags owed"
        );
        if s.state() == State::Closed {
            assert_eq!(s.next_deadline(), None);
        }
    }
    // The driver closes: every tag still owed comes back from abort, exactly once.
    drain_events(&mut s, &mut owed, &mut last_inbound, usize::MAX);
    let tags = s.abort();
    settle_abort(&mut owed, tags);
    assert_eq!(s.in_flight(), 0);
    drain_events(&mut s, &mut owed, &mut last_inbound, usize::MAX);
    assert!(s.abort().is_empty());
}

fn settle_abort(owed: &mut BTreeMap<u64, Owed>, tags: Vec<u64>) {
    for t in &tags {
        assert!(owed.remove(t).is_some(), "abort returned tag {t} not owed");
    }
    assert!(
        owed.is_empty(),
        "tags owed but not returned by abort: {:?}",
        owed.keys()
    );
}

fn drain_events(
    s: &mut Session<u64>,
    owed: &mut BTreeMap<u64, Owed>,
    last_inbound: &mut Option<Pdu>,
    bound: usize,
) {
    let mut n = 0;
    while let Some(ev) = s.poll_event() {
        n += 1;
        assert!(n <= bound, "more than {bound} events for one operation");
        match ev {
            Event::Response { tag, pdu } => {
                let o = owed.remove(&tag).expect("Response for a tag not owed");
                assert_eq!(pdu.sequence_number, o.seq);
                let id = pdu.command_id();
                assert!(id == CommandId::GenericNack || id == o.command.response());
            }
            Event::MalformedResponse { tag, error } => {
                let o = owed
                    .remove(&tag)
                    .expect("MalformedResponse for a tag not owed");
                assert_eq!(error.sequence_number, o.seq);
            }
            Event::Timeout { tag, command } => {
                let o = owed.remove(&tag).expect("Timeout for a tag not owed");
                assert_eq!(command, o.command);
            }
            Event::Inbound { pdu } => *last_inbound = Some(pdu),
            other => {
                let _ = format!("{other:?}");
            }
        }
    }
}

fn status(u: &mut Input) -> CommandStatus {
    match u.u8() {
        0..=127 => CommandStatus::Ok,
        n => CommandStatus::from_u32(u32::from(n & 0x7F)),
    }
}

fn request_body(u: &mut Input) -> Body {
    match u.u8() % 10 {
        0..=4 => Body::SubmitSm(SubmitSm {
            short_message: u.lv().to_vec(),
            data_coding: u.u8(),
            ..Default::default()
        }),
        5 => Body::DataSm(DataSm::default()),
        6 => Body::QuerySm(esme::pdu::QuerySm {
            message_id: "1".into(),
            ..Default::default()
        }),
        7 => Body::EnquireLink,
        8 => Body::CancelSm(Default::default()),
        _ => Body::Unknown {
            command_id: u.u32(),
            body: u.lv().to_vec(),
        },
    }
}

fn response_pdu(u: &mut Input, seq: u32, cmd: CommandId) -> Pdu {
    let st = status(u);
    let body = match u.u8() % 8 {
        0 => Body::GenericNack,
        1 => Body::SubmitSmResp(SmResp {
            message_id: "abc".into(),
            tlvs: Vec::new(),
        }),
        2 => Body::DataSmResp(SmResp::default()),
        3 => Body::EnquireLinkResp,
        4 => Body::UnbindResp,
        5 => Body::Unknown {
            command_id: u.u32() | 0x8000_0000,
            body: Vec::new(),
        },
        _ => match cmd {
            CommandId::SubmitSm => Body::SubmitSmResp(SmResp::default()),
            CommandId::DataSm => Body::DataSmResp(SmResp::default()),
            CommandId::EnquireLink => Body::EnquireLinkResp,
            CommandId::CancelSm => Body::CancelSmResp,
            CommandId::QuerySm => Body::QuerySmResp(esme::pdu::QuerySmResp {
                message_id: "1".into(),
                final_date: String::new(),
                message_state: esme::pdu::MessageState::Delivered,
                error_code: 0,
            }),
            _ => Body::GenericNack,
        },
    };
    Pdu::with_status(seq, st, body)
}
