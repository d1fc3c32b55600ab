//! The `esme` binary, run as a user would.

use std::io::Write;
use std::process::{Command, Stdio};

fn esme(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_esme"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut i = c.stdin.take().unwrap();
        if let Some(s) = stdin {
            i.write_all(s.as_bytes()).unwrap();
        }
    }
    let o = c.wait_with_output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

const SUBMIT: &str =
    "000000270000000400000000000000020001013132000101333400000000000000000000026869";

#[test]
fn decode_prints_every_field_by_name() {
    let (code, out, err) = esme(&["decode", SUBMIT], None);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "submit_sm length=39 status=0x00000000 ESME_ROK sequence=2"
    );
    for want in [
        "  service_type = \"\"",
        "  source_addr_ton = 1",
        "  source_addr = \"12\"",
        "  destination_addr = \"34\"",
        "  esm_class = 0x00",
        "  data_coding = 0x00",
        "  sm_length = 2",
        "  short_message = 6869 (2 octets)",
    ] {
        assert!(lines.contains(&want), "missing {want:?} in\n{out}");
    }
}

#[test]
fn decode_reads_stdin_with_separators_and_several_pdus() {
    let input = "0x00 00 00 10 00 00 00 15 00 00 00 00 00 00 00 01\n00:00:00:10:80:00:00:15:00:00:00:00:00:00:00:01\n";
    let (code, out, _) = esme(&["decode"], Some(input));
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "enquire_link length=16 status=0x00000000 ESME_ROK sequence=1\n\
         enquire_link_resp length=16 status=0x00000000 ESME_ROK sequence=1\n"
    );
}

#[test]
fn decode_names_the_bad_field_and_fails() {
    // enquire_link with one stray body octet, then a valid enquire_link.
    let (code, out, _) = esme(
        &[
            "decode",
            "00000011000000150000000000000007ff",
            "00000010000000150000000000000008",
        ],
        None,
    );
    assert_eq!(code, 1);
    assert!(out.starts_with("error at offset 0: malformed enquire_link (sequence 7): field body: 1 unexpected octets"), "{out}");
    assert!(
        out.contains("enquire_link length=16 status=0x00000000 ESME_ROK sequence=8"),
        "{out}"
    );
}

#[test]
fn bad_input_gets_one_clear_line() {
    let (code, _, err) = esme(&["decode", "00zz"], None);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "esme decode: invalid hex input: character 'z' at offset 2 is not a hex digit\n"
    );
    let (code, _, err) = esme(&["decode", "000"], None);
    assert_eq!(code, 2);
    assert!(err.contains("odd number of hex digits (3)"), "{err}");
    let (code, out, _) = esme(&["decode", "0000000f"], None);
    assert_eq!(code, 1);
    assert!(out.contains("invalid command_length 15"), "{out}");
    let (code, out, _) = esme(&["decode", "00000020000000150000"], None);
    assert_eq!(code, 1);
    assert!(
        out.contains("incomplete PDU: 10 octets given, 32 needed"),
        "{out}"
    );
    let (code, _, err) = esme(&["frobnicate"], None);
    assert_eq!(code, 2);
    assert!(err.contains("unknown command 'frobnicate'"), "{err}");
}

#[test]
fn decode_never_prints_a_bind_password() {
    use esme::pdu::{Address, Bind, Body, Pdu};
    let p = Pdu::new(
        1,
        Body::BindTransceiver(Bind {
            system_id: "sys".into(),
            password: "hunter2".into(),
            system_type: String::new(),
            interface_version: 0x34,
            address_range: Address::default(),
        }),
    );
    let hex: String = p
        .to_bytes()
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let (code, out, _) = esme(&["decode", &hex], None);
    assert_eq!(code, 0);
    assert!(!out.contains("hunter2"), "{out}");
    assert!(
        out.contains("  password = <redacted, 7 characters>"),
        "{out}"
    );
}

#[test]
fn version() {
    let (code, out, _) = esme(&["version"], None);
    assert_eq!(code, 0);
    assert_eq!(out, format!("esme {}\n", env!("CARGO_PKG_VERSION")));
}

fn golden(name: &str) -> String {
    include_str!("golden/node-smpp.txt")
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}\t")).map(str::to_string))
        .unwrap_or_else(|| panic!("no golden vector {name}"))
}

#[test]
fn decode_shows_text_udh_and_receipts() {
    let (code, out, _) = esme(&["decode", &golden("submit_sm_ucs2")], None);
    assert_eq!(code, 0);
    assert!(
        out.contains("  short_message.text = \"Привет €\"\n"),
        "{out}"
    );

    let (_, out, _) = esme(&["decode", &golden("submit_sm_udh_concat")], None);
    assert!(
        out.contains("  short_message.udh = 0500032a0201\n"),
        "{out}"
    );
    assert!(
        out.contains("  short_message.text = \"First half \"\n"),
        "{out}"
    );

    let (code, out, _) = esme(&["decode", &golden("deliver_sm_receipt")], None);
    assert_eq!(code, 0);
    for want in [
        "  receipt.id = \"a1b2c3d4e5\"\n",
        "  receipt.state = DELIVERED\n",
        "  receipt.stat = \"DELIVRD\"\n",
        "  receipt.done_date = 2401011201\n",
        "  receipt.final = true\n",
        "  tlv message_state (0x0427) = 2 (DELIVERED)\n",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
}
