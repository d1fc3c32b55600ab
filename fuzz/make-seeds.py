#!/usr/bin/env python3
"""Writes the seed corpora of fuzz/corpus/<target>/ (see fuzz/README.md).

    python3 fuzz/make-seeds.py PKI_DIR

PKI_DIR is a directory made by tests/tls/make-pki.sh (its PKCS#12 files seed `pkcs12`).
PDUs come from the node-smpp golden vectors (tests/golden/node-smpp.txt). The layouts of
the structured inputs (session, reassembly, receipt, ...) are the ones fuzz/harness.rs reads.
"""
import os, struct, sys, shutil

here = os.path.dirname(os.path.abspath(__file__))
pki = sys.argv[1]

def put(target, name, data):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

golden = {}
with open(os.path.join(here, "..", "tests", "golden", "node-smpp.txt")) as f:
    for line in f:
        if line.startswith("#") or not line.strip():
            continue
        name, hx = line.rstrip("\n").split("\t")
        golden[name] = bytes.fromhex(hx)

# pdu_stream: first octet = number of split-size octets that follow (0: one read).
for name, b in golden.items():
    put("pdu_stream", name, b"\x00" + b)
stream = b"".join(golden[n] for n in ["bind_transceiver_resp", "enquire_link", "deliver_sm_receipt",
                                       "submit_sm_resp", "deliver_sm_udh", "unbind"])
put("pdu_stream", "stream_one_read", b"\x00" + stream)
put("pdu_stream", "stream_split_3_7_1_16", b"\x04\x03\x07\x01\x10" + stream)
put("pdu_stream", "stream_small_max", b"\x02\x01\x05" + stream)
put("pdu_stream", "stream_bad_length", b"\x01\x05" + golden["enquire_link"] + b"\x00\x00\x00\x05\x00\x00\x00\x15")

# tlv: the TLV section of a data_sm (tag, length, value)*.
def tlv(tag, value):
    return struct.pack(">HH", tag, len(value)) + value
put("tlv", "receipt_tlvs", tlv(0x001E, b"2871-1\x00") + tlv(0x0427, b"\x02") + tlv(0x0423, b"\x03\x01\x01"))
put("tlv", "sar", tlv(0x020C, b"\xbe\xef") + tlv(0x020E, b"\x03") + tlv(0x020F, b"\x01"))
put("tlv", "payload_vendor", tlv(0x0424, b"hello payload") + tlv(0x1400, b"\x01\x02\x03\x04\x05"))
put("tlv", "ports_sc_iv", tlv(0x020A, b"\x0b\x84") + tlv(0x020B, b"\x23\xf0") + tlv(0x0210, b"\x34"))
put("tlv", "bad_length", tlv(0x020C, b"\x01"))
put("tlv", "truncated", b"\x04\x24\x00\x10abc")

# text: first octet = data_coding (its low 3 bits are also the GSM fill bits), then octets.
put("text", "gsm_hello", b"\x00Hello world @$\x1b\x65\x1b\x28")
put("text", "gsm_packed", b"\x00\xc8\x32\x9b\xfd\x06")
put("text", "ucs2", b"\x08" + "Привет €😀".encode("utf-16-be"))
put("text", "latin1", b"\x03" + "déjà vu ÿ".encode("latin-1"))
put("text", "ascii", b"\x01plain ascii text")
put("text", "utf8_long", b"\x11" + ("Long text with € and {braces} " * 7).encode())
put("text", "mwi_cr", b"\xc0\x0d\x0d\x0d\x0d\x0d\x0d\x0d")

# reassembly: timeout u16 (ms), default alphabet u8, max pending u8, then operations.
# op: bit7 clock step (u16 ms); else bits0-1 source, 2-3 destination, bit4 data_coding octet
# follows, bit5 UDHI (else an esm_class octet follows), len + short_message, bit6 SAR
# (ref u16, total, seq), then a payload selector (>200: a message_payload of 4*(n-200)).
def part_udh(ref, total, seq, text, op=0x20):
    sm = bytes([5, 0, 3, ref, total, seq]) + text
    return bytes([op, len(sm)]) + sm + b"\x00"
def part_sar(ref, total, seq, text, op=0x40):
    return bytes([op, 0, len(text)]) + text + struct.pack(">HBB", ref, total, seq) + b"\x00"
hdr = struct.pack(">HBB", 1000, 0, 4)
put("reassembly", "udh8_out_of_order", hdr + part_udh(7, 3, 2, b"world ") + part_udh(7, 3, 1, b"hello ")
    + part_udh(7, 3, 3, b"!") + b"\x80\x07\xd0")
put("reassembly", "sar_timeout", hdr + part_sar(0x102, 2, 1, b"part one") + b"\x80\x03\xe8"
    + part_sar(0x102, 2, 2, b"late"))
put("reassembly", "udh16_ucs2", hdr + bytes([0x30, 8]) + bytes([0x30, 6 + 4]) + bytes([5, 8, 4, 0, 1, 2, 1])
    + "ab".encode("utf-16-be") + b"\x00")
put("reassembly", "evict", struct.pack(">HBB", 5000, 1, 1) + part_udh(1, 2, 1, b"a") + part_udh(2, 2, 1, b"b", op=0x21)
    + part_udh(3, 2, 1, b"c", op=0x22) + b"\x80\x00\x01")
put("reassembly", "payload", hdr + bytes([0x00, 0x00, 0x00]) + b"\xc9" + b"payload-payload-payload-payload-payload-")

# receipt: flags (1 id TLV, 2 state TLV, 4 network_error_code), state, id length, id, text.
r = b"id:0123456789 sub:001 dlvrd:001 submit date:2405011200 done date:2405011201 stat:DELIVRD err:000 text:Hello"
put("receipt", "standard", b"\x00\x00\x00" + r)
put("receipt", "with_tlvs", b"\x07\x02\x0a0123456789" + r)
put("receipt", "tlvs_only", b"\x03\x05\x06abc123" + b"not a receipt")
put("receipt", "odd", b"\x00\x00\x00" + b"ID:1A2B SUB:1 DLVRD:0 SUBMIT DATE:240501120059 DONE DATE:bad STAT:UNDELIV ERR:0x0B vendor:x Text:")
put("receipt", "latin1_nul", b"\x00\x00\x00" + "id:é stat:ACCEPTD text:ü".encode("latin-1") + b"\x00\x00")

# pkcs12: the test PKI's files (password changeit).
for n in ["client.p12", "client-legacy.p12", "client-twopass.p12"]:
    with open(os.path.join(pki, n), "rb") as f:
        put("pkcs12", n, f.read())

# config: channel section files.
put("config", "readme", """[channel-smsc1]
# Comment lines start with # or ;
x-smpp-host = smsc.example.net
x-smpp-port = 2775
x-smpp-system-id = esme01
password = "s3cret;#"
x-smpp-submit-window-size = 50
x-smpp-extraopt = user_message_reference=7;0x1401=0x0102
""")
put("config", "tls", """x-smpp-host = 127.0.0.1
x-smpp-system-id = test
x-smpp-tls-mode = mutual
x-smpp-tls-certificate = /tmp/client.p12
x-smpp-tls-certificate-file-password = changeit
x-smpp-tls-certificate-alias = esme-client
x-smpp-bind-mode = transceiver
driver-classname = ignored
""")
put("config", "bad", "x-smpp-host = h\nx-smpp-system-id = s\nx-smpp-submit-window-size = 0\nx-smpp-host = again\n")

# pii: a JSON rule file, a NUL, then the text to mask.
rules = r'''{ "rules": [
  { "name": "card", "regex": "\\b\\d(?:[ -]?\\d){12,18}\\b", "priority": 1, "group": "payment",
    "mask": "keep-last-4", "mask_char": "*", "validate": "luhn" },
  { "name": "otp", "regex": "(?i)code:? (\\d{6})", "priority": 2, "group": "payment", "mask": "groups" },
  { "name": "agent", "regex": "Agent [A-Z][a-z]+", "group": "people", "mask": {"replace": "[agent]"},
    "description": "free text, ignored" }
] }'''
put("pii", "readme", rules + "\0Card 4111 1111 1111 1111, code: 123456, Agent Smith, IBAN DE89370400440532013000")
put("pii", "iban", '{"rules":[{"name":"i","regex":"[A-Z]{2}\\\\d{2}[A-Z0-9]{11,30}","validate":"iban","mask":"keep-first-2-last-2"}]}'
    + "\0GB82WEST12345698765432 and x")
put("pii", "bad", '{"rules":[{"name":"x","regex":"(","bogus":1}]}\0text')

# session: window, response/bind/enquire-link/dead-peer timeouts (u16 ms), max PDU length
# (u16, +16), trace flag; then operations (harness.rs `session`).
def sess_hdr(window=10, rt=1000, bt=1000, eli=5000, dpt=10000, maxlen=0xFFFF, trace=0):
    return bytes([window]) + struct.pack(">HHHHH", rt, bt, eli, dpt, maxlen) + bytes([trace])
bind = b"\x05\x02" + b"\x06\x00\x00\x02"  # bind transceiver; bind_transceiver_resp OK seq 1
submit = lambda txt: b"\x02\x00" + bytes([len(txt)]) + txt + b"\x00"
respond_first = b"\x04\x00\x00\x06\x08"  # response to the first owed, OK, matching, cut at 8
tick = lambda ms_, sh=0: b"\x0a" + struct.pack(">HB", ms_, sh)
deliver = b"\x09" + struct.pack(">I", 77) + b"\x02" + bytes([5]) + b"hello" + b"\x00"
put("session", "bind_submit_respond_timeout", sess_hdr() + bind + submit(b"one") + submit(b"two") + respond_first
    + tick(2000) + deliver + b"\x08\x00\x01" + b"\x09" + struct.pack(">I", 78) + b"\x00" + b"\x07" + tick(6000))
put("session", "window_full_abort", sess_hdr(window=2, trace=1) + bind + submit(b"a") + submit(b"b") + submit(b"c")
    + b"\x0b\x00" + b"\x0b\xab" + submit(b"d"))
raw = golden["bind_transceiver_resp"] + golden["enquire_link"] + golden["deliver_sm_receipt"]
put("session", "raw_bytes", sess_hdr() + b"\x05\x02" + b"\x00" + bytes([255]) + raw[:255] + b"\x00" + bytes([len(raw[255:])]) + raw[255:]
    + submit(b"x") + b"\x04\x00\x80\x00\x08" + tick(100))
put("session", "peer_unbind_dead", sess_hdr(rt=50000) + bind + submit(b"z") + b"\x09" + struct.pack(">I", 9) + b"\x01"
    + tick(20000, 1))
put("session", "bind_refused", sess_hdr() + b"\x05\x00" + b"\x06\x8d\x00\x00" + submit(b"no"))

# pkcs12 regressions (fuzz/regressions/pkcs12/): files that cost too much to open, written
# by hand in DER. Each is refused by limits.rs (TooCostly) within its budget: the fuzz
# harness opens every input with a small one; tls::pkcs12's unit tests read them too. The
# encrypted blocks are real: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) under the empty
# password, each holding an empty SafeContents, so the loader decrypts one after the other.
import hashlib, subprocess
def der(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + length + content
def seq(*xs): return der(0x30, b"".join(xs))
def integer(v): return der(0x02, v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big"))
def octets(b): return der(0x04, b)
def explicit0(x): return der(0xA0, x)
def oid(dotted):
    parts = [int(p) for p in dotted.split(".")]
    out = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        enc = [p & 0x7F]
        p >>= 7
        while p:
            enc.append(0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(reversed(enc))
    return der(0x06, out)
ID_DATA, ID_ENCRYPTED = "1.2.840.113549.1.7.1", "1.2.840.113549.1.7.6"
PBES2, PBKDF2, HMAC_SHA256, AES256_CBC = ("1.2.840.113549.1.5.13", "1.2.840.113549.1.5.12",
                                          "1.2.840.113549.2.9", "2.16.840.1.101.3.4.1.42")
CERT_BAG, X509 = "1.2.840.113549.1.12.10.1.3", "1.2.840.113549.1.9.22.1"
SALT, IV = b"esme-salt", bytes(range(16))
def encrypted_block(iterations):
    """An encryptedData block of an empty SafeContents under the empty password."""
    key = hashlib.pbkdf2_hmac("sha256", b"", SALT, iterations, 32)
    ciphertext = subprocess.run(["openssl", "enc", "-aes-256-cbc", "-K", key.hex(), "-iv", IV.hex()],
                                input=seq(), capture_output=True, check=True).stdout
    kdf = seq(oid(PBKDF2), seq(octets(SALT), integer(iterations), seq(oid(HMAC_SHA256), der(0x05, b""))))
    alg = seq(oid(PBES2), seq(kdf, seq(oid(AES256_CBC), octets(IV))))
    return seq(oid(ID_ENCRYPTED), explicit0(seq(integer(0), seq(oid(ID_DATA), alg, der(0x80, ciphertext)))))
def pfx(infos):
    return seq(integer(3), seq(oid(ID_DATA), explicit0(octets(seq(*infos)))))
def regression(name, data):
    d = os.path.join(here, "regressions", "pkcs12")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
# Blocks at the per-derivation cap (10 million iterations), each decrypting: before the
# budget, 4 of them took 35 s, and 16 MiB holds about 117 000.
regression("encrypted-blocks-at-10M-iterations", pfx([encrypted_block(10_000_000)] * 64))
# Many cheap blocks: each decrypts, until the budget ends them.
regression("cheap-encrypted-blocks", pfx([encrypted_block(100)] * 1000))
# Thousands of certificate bags (their contents do not matter: they are counted first).
bag = seq(oid(CERT_BAG), explicit0(seq(oid(X509), explicit0(octets(b"not a certificate")))))
regression("certificate-bags", pfx([seq(oid(ID_DATA), explicit0(octets(seq(*[bag] * 1100))))]))
