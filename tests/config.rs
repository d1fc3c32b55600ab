//! Config: every option's default, a valid value, an invalid value and aliases; the readers
//! (options, files, text); errors; secrets.

use esme::config::{
    BindMode, Config, ConfigError, OutagePolicy, OutboundEncoding, Secret, TlsMode, TlsVersion,
};
use esme::pdu::{Tag, Tlv};
use esme::text::{Encoding, SegmentMethod};
use std::time::Duration;

const SECRET_VALUES: [&str; 3] = ["pw1secr", "filePassXYZ", "keyPassQRS"];

fn base() -> Config {
    Config::builder("smsc.example.net", "esme01")
        .build()
        .unwrap()
}

/// `base()` with one option set.
fn with(key: &str, value: &str) -> Result<Config, ConfigError> {
    let mut c = base();
    c.set(key, value)?;
    c.validate()?;
    Ok(c)
}

fn err(key: &str, value: &str) -> String {
    with(key, value)
        .map(|_| ())
        .expect_err(&format!("{key} = {value} should fail"))
        .to_string()
}

#[test]
fn defaults() {
    let c = base();
    assert_eq!(c.channel, None);
    assert_eq!(c.host, "smsc.example.net");
    assert_eq!(c.port, 2775);
    assert_eq!(c.system_id, "esme01");
    assert!(c.password.is_empty());
    assert_eq!(c.system_type, "");
    assert_eq!(c.bind_mode, BindMode::Transceiver);
    assert_eq!(c.address_range, "");
    assert_eq!((c.bind_ton, c.bind_npi), (0, 0));
    assert_eq!((c.src_ton, c.src_npi, c.dest_ton, c.dest_npi), (1, 1, 1, 1));
    assert_eq!(c.default_source, "");
    assert_eq!(c.service_type, "");
    assert_eq!(c.validity_period, None);
    assert!(c.delivery_report);
    assert_eq!(c.window, 10);
    assert_eq!(c.max_rate, Some(10));
    assert_eq!(c.outage_policy, OutagePolicy::Wait);
    assert_eq!(c.submit_timeout, Duration::from_secs(60));
    assert_eq!(c.throttle_retries, 5);
    assert_eq!(c.throttle_backoff, Duration::from_secs(1));
    assert_eq!(c.segmentation, SegmentMethod::Udh8);
    assert_eq!(c.max_segments, 255);
    assert!(!c.wait_each_segment);
    assert_eq!(c.outbound_encoding, OutboundEncoding::Auto);
    assert_eq!(c.inbound_default, Encoding::Gsm7);
    assert_eq!(c.ucs2_data_coding, 8);
    assert_eq!(c.empty_message, "");
    assert!(c.extra_tlvs.is_empty() && c.deliver_resp_tlvs.is_empty());
    assert_eq!(c.max_pdu_len, 65536);
    assert_eq!(c.connect_timeout, Duration::from_secs(10));
    assert_eq!(c.response_timeout, Duration::from_secs(30));
    assert_eq!(c.enquire_link_interval, Duration::from_secs(30));
    assert_eq!(c.dead_peer_timeout, Duration::from_secs(60));
    assert_eq!(c.reassembly_timeout, Duration::from_secs(180));
    assert_eq!(c.close_timeout, Duration::from_secs(5));
    assert_eq!(c.reconnect_max_delay, Duration::from_secs(180));
    assert_eq!(c.reconnect_attempts, None);
    assert_eq!(c.tls.mode, TlsMode::Off);
    assert_eq!(c.tls.min_version, TlsVersion::Tls12);
    assert_eq!(c.tls.pkcs12_path, None);
    assert!(c.tls.file_password.is_none() && c.tls.key_password.is_none());
    assert_eq!(c.tls.ca_file, None);
    assert!(!c.debug);
}

/// (option, valid value, check, invalid value) for every option.
#[test]
fn every_option_valid_and_invalid() {
    type Check = fn(&Config) -> bool;
    let cases: &[(&str, &str, Check, &str)] = &[
        ("x-smpp-host", "10.0.0.1", |c| c.host == "10.0.0.1", "a b"),
        (
            "x-smpp-host",
            "smsc-a, smsc-b:2776, [::1]:2777, ::1",
            |c| {
                c.hosts()
                    == [
                        ("smsc-a".to_string(), c.port),
                        ("smsc-b".to_string(), 2776),
                        ("::1".to_string(), 2777),
                        ("::1".to_string(), c.port),
                    ]
            },
            "smsc-a,,smsc-b",
        ),
        (
            "x-smpp-host",
            "smsc-a:2776",
            |c| c.hosts()[0].1 == 2776,
            "smsc-a:0",
        ),
        ("x-smpp-port", "2776", |c| c.port == 2776, "65536"),
        (
            "x-smpp-local-address",
            "::1",
            |c| c.local_address == Some(std::net::Ipv6Addr::LOCALHOST.into()),
            "127.0.0.256",
        ),
        (
            "x-smpp-system-id",
            "abcdefghijklmno",
            |c| c.system_id == "abcdefghijklmno",
            "abcdefghijklmnop",
        ),
        (
            "password",
            "12345678",
            |c| c.password.expose() == "12345678",
            "123456789",
        ),
        (
            "x-smpp-system-type",
            "VMA",
            |c| c.system_type == "VMA",
            "1234567890123",
        ),
        (
            "x-smpp-bind-mode",
            "receiver",
            |c| c.bind_mode == BindMode::Receiver,
            "both",
        ),
        (
            "x-smpp-address-range",
            "^44",
            |c| c.address_range == "^44",
            &"9".repeat(41),
        ),
        ("x-smpp-bind-addr-ton", "5", |c| c.bind_ton == 5, "256"),
        ("x-smpp-bind-addr-npi", "0x12", |c| c.bind_npi == 0x12, "-1"),
        ("x-smpp-src-addr-ton", "5", |c| c.src_ton == 5, "x"),
        ("x-smpp-src-addr-npi", "0", |c| c.src_npi == 0, "1.5"),
        ("x-smpp-dest-addr-ton", "2", |c| c.dest_ton == 2, "300"),
        ("x-smpp-dest-addr-npi", "9", |c| c.dest_npi == 9, ""),
        (
            "default-reply-address",
            "Esme",
            |c| c.default_source == "Esme",
            &"1".repeat(21),
        ),
        (
            "x-smpp-service-type",
            "CMT",
            |c| c.service_type == "CMT",
            "TOOLONG",
        ),
        (
            "x-smpp-validity-period",
            "3600",
            |c| c.validity_period == Some(Duration::from_secs(3600)),
            "38102401",
        ),
        (
            "x-smpp-delivery-report",
            "false",
            |c| !c.delivery_report,
            "maybe",
        ),
        (
            "x-smpp-receipt-correlation-timeout",
            "2592000",
            |c| c.receipt_correlation_timeout == Duration::from_secs(2592000),
            "0",
        ),
        (
            "x-smpp-receipt-correlation-max",
            "0",
            |c| c.receipt_correlation_max == 0,
            "10000001",
        ),
        (
            "x-smpp-submit-window-size",
            "1000",
            |c| c.window == 1000,
            "0",
        ),
        (
            "x-smpp-submit-max-rate",
            "1",
            |c| c.max_rate == Some(1),
            "1001",
        ),
        (
            "x-smpp-submit-rate-unlimited",
            "true",
            |c| c.max_rate.is_none(),
            "sometimes",
        ),
        (
            "x-smpp-submit-during-outage",
            "fail",
            |c| c.outage_policy == OutagePolicy::Fail,
            "drop",
        ),
        (
            "x-smpp-submit-timeout",
            "100",
            |c| c.submit_timeout == Duration::from_millis(100),
            "99",
        ),
        (
            "x-smpp-throttle-retries",
            "0",
            |c| c.throttle_retries == 0,
            "101",
        ),
        (
            "x-smpp-throttle-backoff",
            "60000",
            |c| c.throttle_backoff == Duration::from_secs(60),
            "9",
        ),
        (
            "x-smpp-segmentation",
            "sar",
            |c| c.segmentation == SegmentMethod::Sar,
            "udh7",
        ),
        (
            "x-smpp-use-msg-payload",
            "yes",
            |c| c.segmentation == SegmentMethod::Payload,
            "y",
        ),
        ("x-smpp-sar-max-segments", "2", |c| c.max_segments == 2, "1"),
        (
            "x-smpp-sar-prompt-responses",
            "on",
            |c| c.wait_each_segment,
            "2",
        ),
        (
            "x-smpp-outbound-enc-default",
            "ucs2",
            |c| c.outbound_encoding == OutboundEncoding::Ucs2,
            "utf-8",
        ),
        (
            "x-smpp-inbound-enc-default",
            "latin1",
            |c| c.inbound_default == Encoding::Latin1,
            "ucs2",
        ),
        (
            "x-smpp-ucs2-enc-schema",
            "24",
            |c| c.ucs2_data_coding == 24,
            "256",
        ),
        (
            "x-smpp-empty-message",
            " ",
            |c| c.empty_message.is_empty(),
            "\u{0}",
        ),
        (
            "x-smpp-extraopt",
            "user_message_reference=7",
            |c| c.extra_tlvs == vec![Tlv::u16(Tag::UserMessageReference, 7).unwrap()],
            "user_message_reference=70000",
        ),
        (
            "x-smpp-delivery-extraopt",
            "0x1401=0x0102",
            |c| c.deliver_resp_tlvs == vec![Tlv::raw(0x1401, vec![1, 2]).unwrap()],
            "0x1401=12",
        ),
        (
            "x-smpp-max-pdu-size",
            "1024",
            |c| c.max_pdu_len == 1024,
            "1023",
        ),
        (
            "x-smpp-comms-timeout",
            "120000",
            |c| c.connect_timeout == Duration::from_secs(120),
            "999",
        ),
        (
            "x-smpp-response-max-waiting-time",
            "1000",
            |c| c.response_timeout == Duration::from_secs(1),
            "180001",
        ),
        (
            "x-smpp-enquire-link-timeout",
            "5",
            |c| c.enquire_link_interval == Duration::from_secs(5),
            "4",
        ),
        (
            "x-smpp-receive-timeout",
            "3600",
            |c| c.dead_peer_timeout == Duration::from_secs(3600),
            "3601",
        ),
        (
            "x-smpp-reassembly-timeout",
            "10",
            |c| c.reassembly_timeout == Duration::from_secs(10),
            "9",
        ),
        (
            "x-smpp-close-timeout",
            "0",
            |c| c.close_timeout.is_zero(),
            "60001",
        ),
        (
            "reconnection-timeout",
            "10",
            |c| c.reconnect_max_delay == Duration::from_secs(10),
            "9",
        ),
        (
            "x-smpp-reconnect-attempts",
            "3",
            |c| c.reconnect_attempts == Some(3),
            "1000001",
        ),
        ("x-smpp-sessions", "4", |c| c.sessions == 4, "65"),
        (
            "x-smpp-sessions-spread",
            "true",
            |c| c.sessions_spread,
            "maybe",
        ),
        (
            "x-smpp-failback-interval",
            "5",
            |c| c.failback_interval == Duration::from_secs(5),
            "0",
        ),
        (
            "x-smpp-tls-reload-files",
            "true",
            |c| c.tls.reload_files,
            "sometimes",
        ),
        (
            "x-smpp-connect-retry",
            "true",
            |c| c.connect_retry,
            "sometimes",
        ),
        (
            "x-smpp-tls-mode",
            "single",
            |c| c.tls.mode == TlsMode::Single,
            "double",
        ),
        (
            "x-smpp-tls-version",
            "1.3",
            |c| c.tls.min_version == TlsVersion::Tls13,
            "1.4",
        ),
        (
            "x-smpp-tls-expiry-warning-days",
            "0",
            |c| c.tls.expiry_warning_days == 0,
            "3651",
        ),
        (
            "x-smpp-log-mask-group",
            "genesys",
            |c| c.log_mask_group == "genesys",
            "auth",
        ),
        (
            "x-smpp-log-receipt-text",
            "rules",
            |c| c.log_receipt_text == esme::config::ReceiptText::Rules,
            "shown",
        ),
        ("x-debug-mode", "true", |c| c.debug, "verbose"),
    ];
    for &(name, good, check, bad) in cases {
        let c = with(name, good).unwrap_or_else(|e| panic!("{name} = {good}: {e}"));
        assert!(check(&c), "{name} = {good} not applied");
        if name == "x-smpp-empty-message" {
            continue; // any text is valid
        }
        let e = err(name, bad);
        assert!(e.starts_with(name), "{e}");
        assert!(!e.contains('\n'), "{e}");
    }
    // Options with no invalid value: paths and TLS passwords.
    let c = with("x-smpp-tls-path-to-certificate", "/etc/esme/client.p12").unwrap();
    assert_eq!(
        c.tls.pkcs12_path.as_deref(),
        Some(std::path::Path::new("/etc/esme/client.p12"))
    );
    let c = with("x-smpp-tls-ca-file", "ca.pem").unwrap();
    assert_eq!(
        c.tls.ca_file.as_deref(),
        Some(std::path::Path::new("ca.pem"))
    );
    let c = with("x-smpp-tls-certificate-file-password", "p").unwrap();
    assert_eq!(c.tls.file_password.unwrap().expose(), "p");
    let c = with("x-smpp-tls-certificate-password", "k").unwrap();
    assert_eq!(c.tls.key_password.unwrap().expose(), "k");
    assert_eq!(with("x-smpp-tls-ca-file", "").unwrap().tls.ca_file, None);
    let c = with("x-smpp-pii-rules", "examples/pii-rules.json").unwrap();
    assert_eq!(
        c.pii_rules.as_deref(),
        Some(std::path::Path::new("examples/pii-rules.json"))
    );
    assert_eq!(with("x-smpp-pii-rules", "").unwrap().pii_rules, None);
    // The file is read when the configuration is loaded.
    let e = err("x-smpp-pii-rules", "/nonexistent/pii.json");
    assert!(
        e.starts_with(
            "x-smpp-pii-rules = /nonexistent/pii.json: PII rule file /nonexistent/pii.json: "
        ),
        "{e}"
    );
    // Every option in the table is covered.
    for spec in Config::options() {
        assert!(
            cases.iter().any(|c| c.0 == spec.name)
                || spec.name.starts_with("x-smpp-tls-")
                || spec.name == "x-smpp-pii-rules",
            "{} not tested",
            spec.name
        );
    }
}

/// x-smpp-pii-rules and x-smpp-log-mask-group are read and checked when a configuration is
/// loaded (file, text, `set` + `validate`, the builder), each mistake in one line naming the
/// option, the rule and what is wrong.
#[test]
fn pii_rules_and_log_mask_group_are_checked_when_loaded() {
    let dir = std::env::temp_dir().join(format!("esme-config-pii-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("rules.json");
    std::fs::write(
        &rules,
        r#"{"rules": [{"name": "ticket", "regex": "\\bT-\\d{6}\\b", "group": "support"}]}"#,
    )
    .unwrap();
    let path = rules.display().to_string();
    let text = |extra: &str| {
        format!(
            "[sms-main]\nx-smpp-host = smsc\nx-smpp-system-id = esme\nx-smpp-pii-rules = {path}\n{extra}"
        )
    };
    // A group of the file, from a file, from options and from the builder.
    let c = Config::parse_str(&text("x-smpp-log-mask-group = support\n")).unwrap();
    assert_eq!(c.log_mask_group, "support");
    assert_eq!(
        c.log_rules().unwrap().groups(),
        vec!["support", "default", "genesys"]
    );
    Config::from_options([
        ("x-smpp-host", "smsc"),
        ("x-smpp-system-id", "esme"),
        ("x-smpp-pii-rules", path.as_str()),
        ("x-smpp-log-mask-group", "support"),
    ])
    .unwrap();
    Config::builder("smsc", "esme")
        .pii_rules(&rules)
        .log_mask_group("support")
        .build()
        .unwrap();
    // A group nobody defines.
    let e = Config::parse_str(&text("x-smpp-log-mask-group = nope\n"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "x-smpp-log-mask-group = nope: no such PII rule group (groups: support, default, genesys)"
    );
    let e = Config::builder("smsc", "esme")
        .log_mask_group("support")
        .build()
        .unwrap_err()
        .to_string();
    assert!(e.contains("no such PII rule group (groups: default, genesys; x-smpp-pii-rules adds the groups of a rule file)"), "{e}");
    // A bad rule: named, with the construct and its rewrite, on one line.
    std::fs::write(
        &rules,
        r#"{"rules": [{"name": "card", "regex": "(?<=\\D)\\d{16}"}]}"#,
    )
    .unwrap();
    let e = Config::parse_str(&text("")).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("x-smpp-pii-rules = {path}: PII rule \"card\": bad regex: look-behind (?<=…) at character 1 is not supported")),
        "{e}"
    );
    assert!(!e.contains('\n'), "{e}");
    // Malformed JSON: the line.
    std::fs::write(&rules, "{\"rules\": [\n  {\"name\": \"a\",, }\n]}").unwrap();
    let e = Config::parse_str(&text("")).unwrap_err().to_string();
    assert!(e.contains(": line 2: "), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn error_messages() {
    assert_eq!(
        err("x-smpp-submit-window-size", "0"),
        "x-smpp-submit-window-size = 0: must be an integer from 1 to 1000"
    );
    assert_eq!(
        err("x-smpp-port", ""),
        "x-smpp-port is empty: must be an integer from 1 to 65535"
    );
    assert_eq!(
        err("x-smpp-enquire-link-timeout", "abc"),
        "x-smpp-enquire-link-timeout = abc: must be an integer from 5 to 3600 (seconds)"
    );
    assert_eq!(
        err("x-smpp-bind-mode", "both"),
        "x-smpp-bind-mode = both: must be transmitter, receiver or transceiver (also tx, rx, trx)"
    );
    assert_eq!(
        err("x-smpp-delivery-report", "maybe"),
        "x-smpp-delivery-report = maybe: must be true or false (also yes/no, on/off, 1/0)"
    );
    assert_eq!(
        err("x-smpp-system-id", "abcdefghijklmnop"),
        "x-smpp-system-id = abcdefghijklmnop: must be at most 15 characters (this has 16)"
    );
    assert_eq!(
        err("x-smpp-system-id", "€uro"),
        "x-smpp-system-id = €uro: must hold only Latin-1 characters (found '€')"
    );
    assert_eq!(
        err("password", "123456789"),
        "password: must be at most 8 characters (value not shown)"
    );
    assert_eq!(
        err("x-smpp-tls-version", "1.0"),
        "x-smpp-tls-version = 1.0: TLS 1.0 is deprecated by RFC 8996 and not supported: set \
         1.2 (or 1.3)"
    );
    assert_eq!(
        err("x-smpp-tls-max-version", "1.1"),
        "x-smpp-tls-max-version = 1.1: TLS 1.1 is deprecated by RFC 8996 and never spoken: \
         set 1.2 or 1.3"
    );
    assert_eq!(
        err("x-smpp-host", "smsc example"),
        "x-smpp-host = smsc example: must be a host name or IP address without spaces, or a list \
         of them separated by commas, each with an optional :port"
    );
    assert_eq!(
        err("x-smpp-extraopt", "user_mesage_reference=1"),
        "x-smpp-extraopt = user_mesage_reference=1: unknown TLV 'user_mesage_reference' \
         (did you mean 'user_message_reference'?)"
    );
    assert_eq!(
        err("x-smpp-extraopt", "user_message_reference=70000"),
        "x-smpp-extraopt = user_message_reference=70000: TLV user_message_reference: value \
         '70000' must be an integer from 0 to 65535"
    );
    assert_eq!(
        err("x-smpp-extraopt", "sar_msg_ref_num=1"),
        "x-smpp-extraopt = sar_msg_ref_num=1: TLV sar_msg_ref_num is set by segmentation \
         (x-smpp-segmentation) and cannot be added"
    );
    assert_eq!(
        err("x-smpp-extraopt", "source_port=1;source_port=2"),
        "x-smpp-extraopt = source_port=1;source_port=2: TLV source_port is given twice"
    );
    assert!(err("x-smpp-extraopt", "dest_subaddress=0x01").contains("expected 2 to 23"));
    assert_eq!(
        err("x-smpp-hots", "h"),
        "unknown option 'x-smpp-hots' (did you mean 'x-smpp-host'?)"
    );
    assert_eq!(err("no-such-thing", "1"), "unknown option 'no-such-thing'");
    assert_eq!(err("x-smpp-port\n", "1\n2").lines().count(), 1);
    assert_eq!(
        err("x-smpp-host", "a\tb"),
        "x-smpp-host = a\\tb: must be a host name or IP address without spaces, or a list of \
         them separated by commas, each with an optional :port"
    );
    assert_eq!(
        err("x-smpp-host", "smsc-a, smsc-b:99999"),
        "x-smpp-host = smsc-a, smsc-b:99999: host 2 of the list: port '99999' is not a number \
         from 1 to 65535"
    );
    assert_eq!(
        err("x-smpp-host", "smsc-a, , smsc-b"),
        "x-smpp-host = smsc-a, , smsc-b: host 2 of the list is empty"
    );
}

#[test]
fn aliases() {
    let bind = |v| with("x-smpp-bind-mode", v).unwrap().bind_mode;
    assert_eq!(bind("tx"), BindMode::Transmitter);
    assert_eq!(bind("rx"), BindMode::Receiver);
    assert_eq!(bind("TRX"), BindMode::Transceiver);
    assert_eq!(bind("Transmitter"), BindMode::Transmitter);
    let out = |v| {
        with("x-smpp-outbound-enc-default", v)
            .unwrap()
            .outbound_encoding
    };
    for (v, e) in [
        ("default", OutboundEncoding::Gsm7),
        ("smsc-default", OutboundEncoding::Gsm7),
        ("gsm7-packed", OutboundEncoding::Gsm7Packed),
        ("ia5", OutboundEncoding::Ascii),
        ("ISO-8859-1", OutboundEncoding::Latin1),
        ("utf-16be", OutboundEncoding::Ucs2),
        ("ucs-2", OutboundEncoding::Ucs2),
        ("auto", OutboundEncoding::Auto),
    ] {
        assert_eq!(out(v), e, "{v}");
    }
    let inb = |v| {
        with("x-smpp-inbound-enc-default", v)
            .unwrap()
            .inbound_default
    };
    assert_eq!(inb("smsc-default"), Encoding::Gsm7);
    assert_eq!(inb("gsm7-packed"), Encoding::Gsm7Packed);
    assert_eq!(inb("ascii"), Encoding::Ascii);
    assert_eq!(inb("iso-8859-1"), Encoding::Latin1);
    for (v, b) in [
        ("1", true),
        ("0", false),
        ("YES", true),
        ("no", false),
        ("On", true),
        ("off", false),
    ] {
        assert_eq!(with("x-debug-mode", v).unwrap().debug, b, "{v}");
    }
    let seg = |v| with("x-smpp-segmentation", v).unwrap().segmentation;
    assert_eq!(seg("udh16"), SegmentMethod::Udh16);
    assert_eq!(seg("payload"), SegmentMethod::Payload);
    assert_eq!(seg("UDH8"), SegmentMethod::Udh8);
    assert_eq!(
        with("x-smpp-tls-version", "TLSv1.3")
            .unwrap()
            .tls
            .min_version,
        TlsVersion::Tls13
    );
    // 1.1 is a valid Genesys value: it loads (TLS on or off) and is never spoken.
    for v in ["1.1", "TLSv1.1"] {
        assert_eq!(
            with("x-smpp-tls-version", v).unwrap().tls.min_version,
            TlsVersion::Tls11,
            "{v}"
        );
    }
    assert_eq!(
        with("x-smpp-tls-mode", "MUTUAL")
            .map(|_| ())
            .unwrap_err()
            .to_string(),
        "missing option x-smpp-tls-path-to-certificate: x-smpp-tls-mode = mutual needs the \
         PKCS#12 file with the client certificate (or, in code, ConfigBuilder::tls_client_pem)"
    );
    assert_eq!(
        with("x-smpp-validity-period", "").unwrap().validity_period,
        None
    );
    assert_eq!(
        with("x-smpp-validity-period", "0").unwrap().validity_period,
        None
    );
    assert_eq!(
        with("x-smpp-reconnect-attempts", "0")
            .unwrap()
            .reconnect_attempts,
        None
    );
    assert_eq!(with("x-smpp-port", "0x0ADF").unwrap().port, 2783);
    assert_eq!(with("x-smpp-port", " \"2776\" ").unwrap().port, 2776);
    assert_eq!(with("x-smpp-port", "'2777'").unwrap().port, 2777);
}

#[test]
fn set_overrides_in_order() {
    let mut c = base();
    c.set("x-smpp-submit-rate-unlimited", "true").unwrap();
    assert_eq!(c.max_rate, None);
    c.set("x-smpp-submit-rate-unlimited", "false").unwrap();
    assert_eq!(c.max_rate, Some(10));
    c.set("x-smpp-submit-max-rate", "50").unwrap();
    c.set("x-smpp-submit-rate-unlimited", "false").unwrap();
    assert_eq!(c.max_rate, Some(50));
    c.set("x-smpp-use-msg-payload", "true").unwrap();
    assert_eq!(c.segmentation, SegmentMethod::Payload);
    c.set("x-smpp-use-msg-payload", "false").unwrap();
    assert_eq!(c.segmentation, SegmentMethod::Udh8);
    c.set("x-smpp-segmentation", "sar").unwrap();
    c.set("x-smpp-use-msg-payload", "false").unwrap();
    assert_eq!(c.segmentation, SegmentMethod::Sar);
    // Cross-option rules wait for validate().
    c.set("x-smpp-enquire-link-timeout", "120").unwrap();
    assert!(c.validate().is_err());
    c.set("x-smpp-receive-timeout", "240").unwrap();
    c.validate().unwrap();
    // Genesys options that are not about SMPP are ignored.
    c.set(
        "driver-classname",
        "com.genesyslab.mcr.smserver.channel.sms_mms.opensmpp.SmppDriver",
    )
    .unwrap();
}

const SECTION: &str = "\
[channel-smsc1]
# A Genesys channel section, as exported
driver-classname = com.genesyslab.mcr.smserver.channel.sms_mms.opensmpp.SmppDriver
inbound-route = 101:sms_endpoint
x-smpp-host = smsc.example.net
x-smpp-port = 2775
x-smpp-system-id = esme01
password = pw1secr
x-smpp-system-type = VMA
x-smpp-bind-mode = transceiver
x-smpp-address-range =
x-smpp-src-addr-ton = 5
x-smpp-src-addr-npi = 0
x-smpp-dest-addr-ton = 1
x-smpp-dest-addr-npi = 1
x-smpp-service-type =
x-smpp-validity-period = 86400
x-smpp-delivery-report = true
x-smpp-enquire-link-timeout = 30
x-smpp-receive-timeout = 90
x-smpp-comms-timeout = 15000
x-smpp-response-max-waiting-time = 30000
x-smpp-submit-window-size = 20
x-smpp-submit-max-rate = 100
x-smpp-sar-max-segments = 10
x-smpp-use-msg-payload = false
x-smpp-outbound-enc-default = default
x-smpp-inbound-enc-default = gsm7
x-smpp-ucs2-enc-schema = 8
x-smpp-sar-prompt-responses = false
x-smpp-extraopt = user_message_reference=7; source_port=0x10
x-smpp-delivery-extraopt =
x-smpp-empty-message = (empty)
default-reply-address = Esme
x-debug-mode = false
reconnection-timeout = 60
x-smpp-tls-mode = mutual
x-smpp-tls-version = 1.2
x-smpp-tls-path-to-certificate = /etc/esme/client.p12
x-smpp-tls-certificate-file-password = filePassXYZ
x-smpp-tls-certificate-password = keyPassQRS
";

fn check_section(c: &Config) {
    assert_eq!(c.channel.as_deref(), Some("channel-smsc1"));
    assert_eq!(c.host, "smsc.example.net");
    assert_eq!(c.password.expose(), "pw1secr");
    assert_eq!((c.src_ton, c.src_npi), (5, 0));
    assert_eq!(c.validity_period, Some(Duration::from_secs(86400)));
    assert_eq!(c.dead_peer_timeout, Duration::from_secs(90));
    assert_eq!(c.connect_timeout, Duration::from_secs(15));
    assert_eq!((c.window, c.max_rate, c.max_segments), (20, Some(100), 10));
    assert_eq!(c.outbound_encoding, OutboundEncoding::Gsm7);
    assert_eq!(c.segmentation, SegmentMethod::Udh8);
    assert_eq!(c.extra_tlvs.len(), 2);
    assert_eq!(c.extra_tlvs[1], Tlv::u16(Tag::SourcePort, 16).unwrap());
    assert_eq!(c.empty_message, "(empty)");
    assert_eq!(c.default_source, "Esme");
    assert_eq!(c.reconnect_max_delay, Duration::from_secs(60));
    assert_eq!(c.tls.mode, TlsMode::Mutual);
    assert_eq!(
        c.tls.file_password.as_ref().unwrap().expose(),
        "filePassXYZ"
    );
    assert_eq!(c.tls.key_password.as_ref().unwrap().expose(), "keyPassQRS");
}

#[test]
fn full_genesys_section() {
    let c = Config::parse_str(SECTION).unwrap();
    check_section(&c);
    let pairs: Vec<(String, String)> = SECTION
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut d = Config::from_options(pairs.iter().map(|(k, v)| (k, v))).unwrap();
    assert_eq!(d.channel, None);
    d.channel = c.channel.clone();
    assert_eq!(d, c);

    let dir = std::env::temp_dir().join(format!("esme-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("channel.cfg");
    std::fs::write(&path, SECTION.replace('\n', "\r\n")).unwrap();
    assert_eq!(Config::from_file(&path).unwrap(), c);
    std::fs::write(&path, format!("{SECTION}x-smpp-port = 70000\n")).unwrap();
    let e = Config::from_file(&path).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}:42: x-smpp-port is given twice (first on line 6)",
            path.display()
        )
    );
    std::fs::write(&path, b"x-smpp-host = h\n\xff\n").unwrap();
    let e = Config::from_file(&path).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("{}:2: not UTF-8", path.display())),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();

    let e = Config::from_file(&dir.join("nope.cfg")).unwrap_err();
    assert!(matches!(e, ConfigError::Read { .. }));
    let e = e.to_string();
    assert!(
        e.starts_with("cannot read configuration file ") && e.contains("nope.cfg: "),
        "{e}"
    );
}

fn parse_err(text: &str) -> String {
    Config::parse_str(text).unwrap_err().to_string()
}

#[test]
fn file_format() {
    let c = Config::parse_str(
        "\u{FEFF}  ; comment\n\n# another\n[ channel-a ]\nx-smpp-host=h\n  x-smpp-system-id  =  's' \n\
         password = \"a#b;c d\"\nx-smpp-empty-message = ' spaced '\n",
    )
    .unwrap();
    assert_eq!(c.channel.as_deref(), Some("channel-a"));
    assert_eq!(c.system_id, "s");
    assert_eq!(c.password.expose(), "a#b;c d");
    assert_eq!(c.empty_message, " spaced ");
    // No header is fine.
    assert_eq!(
        Config::parse_str("x-smpp-host=h\nx-smpp-system-id=s")
            .unwrap()
            .channel,
        None
    );

    assert_eq!(
        parse_err("[a]\nx-smpp-host=h\n[b]\n"),
        "line 3: a second section header [b] (the first, [a], is on line 1): a file holds \
         one channel section"
    );
    assert_eq!(
        parse_err("x-smpp-host=h\n[a]\n"),
        "line 2: section header [a] after options: it must come before them"
    );
    assert_eq!(
        parse_err("[a\n"),
        "line 1: section header without its closing ']'"
    );
    assert_eq!(
        parse_err("x-smpp-host=h\n\npassword secret\n"),
        "line 3: expected 'option = value', a [section] header, or a comment starting with # or ;"
    );
    assert_eq!(
        parse_err("= 5\n"),
        "line 1: an option line without an option name before '='"
    );
    assert_eq!(
        parse_err("x-smpp-host = h\n# c\nx-smpp-host = i\n"),
        "line 3: x-smpp-host is given twice (first on line 1)"
    );
    assert_eq!(
        parse_err("x-smpp-host = h\nx-smpp-sytem-id = s\n"),
        "line 2: unknown option 'x-smpp-sytem-id' (did you mean 'x-smpp-system-id'?)"
    );
    assert_eq!(
        parse_err("x-smpp-host = h\n"),
        "missing option x-smpp-system-id: the system_id to bind as"
    );
    assert_eq!(
        parse_err("x-smpp-system-id = s\n"),
        "missing option x-smpp-host: the SMSC host name or IP address"
    );
    assert_eq!(
        parse_err("x-smpp-host=h\nx-smpp-system-id=s\nx-smpp-enquire-link-timeout=60\n"),
        "x-smpp-receive-timeout = 60 must be longer than x-smpp-enquire-link-timeout = 60, or \
         an idle link is declared dead before its enquire_link is answered"
    );
    let e = Config::parse_str("x-smpp-host=h\nx-smpp-system-id=s\nx-smpp-port=0\n").unwrap_err();
    assert_eq!(e.option(), Some("x-smpp-port"));
    assert!(matches!(
        e,
        ConfigError::File {
            line: Some(3),
            path: None,
            ..
        }
    ));
}

#[test]
fn from_options_rules() {
    let ok = Config::from_options([
        ("x-smpp-use-msg-payload", "true"),
        ("x-smpp-host", "h"),
        ("x-smpp-system-id", "s"),
        ("x-smpp-segmentation", "payload"),
    ])
    .unwrap();
    assert_eq!(ok.segmentation, SegmentMethod::Payload);
    let e = Config::from_options([
        ("x-smpp-host", "h"),
        ("x-smpp-system-id", "s"),
        ("x-smpp-use-msg-payload", "true"),
        ("x-smpp-segmentation", "udh16"),
    ])
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "x-smpp-use-msg-payload = true conflicts with x-smpp-segmentation = udh16: remove one \
         of them"
    );
    // The unlimited flag wins whatever the order.
    for opts in [
        [
            ("x-smpp-submit-rate-unlimited", "true"),
            ("x-smpp-submit-max-rate", "5"),
        ],
        [
            ("x-smpp-submit-max-rate", "5"),
            ("x-smpp-submit-rate-unlimited", "true"),
        ],
    ] {
        let c = Config::from_options(
            [("x-smpp-host", "h"), ("x-smpp-system-id", "s")]
                .into_iter()
                .chain(opts),
        )
        .unwrap();
        assert_eq!(c.max_rate, None);
    }
    let c = Config::from_options([
        ("x-smpp-submit-rate-unlimited", "false"),
        ("x-smpp-submit-max-rate", "5"),
        ("x-smpp-host", "h"),
        ("x-smpp-system-id", "s"),
    ])
    .unwrap();
    assert_eq!(c.max_rate, Some(5));
    let e = Config::from_options([("x-smpp-host", "h"), ("x-smpp-host", "i")]).unwrap_err();
    assert_eq!(e.to_string(), "x-smpp-host is given twice");
    let e = Config::from_options([("X-SMPP-HOST", "h")]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown option 'X-SMPP-HOST' (did you mean 'x-smpp-host'?)"
    );
}

#[test]
fn secrets_never_shown() {
    let c = Config::parse_str(SECTION).unwrap();
    let debug = format!("{c:?} {c:#?}");
    for s in SECRET_VALUES {
        assert!(!debug.contains(s), "{s} in Debug");
    }
    assert!(debug.contains("***"));
    let b = Config::builder("h", "s")
        .password("pw1secr")
        .tls_file_password("filePassXYZ")
        .tls_key_password(String::from("keyPassQRS"));
    assert!(!format!("{b:?}").contains("pw1secr"));

    // Errors about secrets never carry the value.
    for (name, value) in [
        ("password", "pw1secr-too-long"),
        ("password", "pw1secr€"),
        ("password", "pw1secr\0"),
    ] {
        let e = with(name, value).map(|_| ()).unwrap_err();
        assert!(
            matches!(e, ConfigError::Invalid { value: None, .. }),
            "{e:?}"
        );
        let text = format!("{e} {e:?}");
        assert!(!text.contains("pw1secr"), "{text}");
    }
    let e = Config::parse_str("x-smpp-host = h\npassword pw1secr\n").unwrap_err();
    assert!(!format!("{e} {e:?}").contains("pw1secr"));
    let e = Config::parse_str("x-smpp-host = h\npasword = pw1secr\n").unwrap_err();
    assert!(!format!("{e} {e:?}").contains("pw1secr"));
    assert!(e.to_string().contains("did you mean 'password'"));
    let e = Config::builder("h", "s")
        .password("pw1secr-long")
        .build()
        .unwrap_err();
    assert!(!format!("{e} {e:?}").contains("pw1secr"));
    let s = Secret::from("pw1secr");
    assert_eq!(format!("{s:?}"), "***");
}

#[test]
fn builder_validation() {
    let c = Config::builder("h", "s")
        .port(2776)
        .bind_mode(BindMode::Receiver)
        .window(100)
        .max_rate(None)
        .segmentation(SegmentMethod::Udh16)
        .validity_period(Some(Duration::ZERO))
        .reconnect_attempts(Some(0))
        .tls_mode(TlsMode::Mutual)
        .tls_pkcs12_path("c.p12")
        .channel("channel-x")
        .option("x-smpp-sar-max-segments", "9")
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        (c.port, c.window, c.max_rate, c.max_segments),
        (2776, 100, None, 9)
    );
    assert_eq!((c.validity_period, c.reconnect_attempts), (None, None));
    assert_eq!(c.channel.as_deref(), Some("channel-x"));

    let e = |b: esme::config::ConfigBuilder| b.build().unwrap_err().to_string();
    let b = || Config::builder("h", "s");
    assert_eq!(
        e(b().window(0)),
        "x-smpp-submit-window-size = 0: must be an integer from 1 to 1000"
    );
    assert_eq!(
        e(b().max_rate(Some(2000))),
        "x-smpp-submit-max-rate = 2000: must be an integer from 1 to 1000"
    );
    assert_eq!(
        e(b().port(0)),
        "x-smpp-port = 0: must be an integer from 1 to 65535"
    );
    assert_eq!(
        e(b().max_segments(1)),
        "x-smpp-sar-max-segments = 1: must be an integer from 2 to 255"
    );
    assert_eq!(
        e(b().enquire_link_interval(Duration::from_millis(4500))),
        "x-smpp-enquire-link-timeout = 4.5: must be an integer from 5 to 3600 (seconds)"
    );
    assert_eq!(
        e(b().response_timeout(Duration::from_secs(600))),
        "x-smpp-response-max-waiting-time = 600000: must be an integer from 1000 to 180000 (milliseconds)"
    );
    assert_eq!(
        e(b().validity_period(Some(Duration::from_secs(500 * 86400)))),
        "x-smpp-validity-period = 43200000: must be an integer from 0 to 38102400 (seconds)"
    );
    assert_eq!(
        e(b().inbound_default(Encoding::Ucs2)),
        "x-smpp-inbound-enc-default = ucs2: must be gsm7, gsm7-packed, ascii or latin1 (also \
         default, smsc-default, gsm, ia5, iso-8859-1)"
    );
    assert_eq!(
        e(b().extra_tlvs(vec![Tlv::message_payload(vec![1]).unwrap()])),
        "x-smpp-extraopt = message_payload=0x01: TLV message_payload is set by segmentation \
         (x-smpp-segmentation) and cannot be added"
    );
    assert_eq!(
        e(Config::builder("", "s")),
        "missing option x-smpp-host: the SMSC host name or IP address"
    );
    assert_eq!(
        e(Config::builder("h", "")),
        "missing option x-smpp-system-id: the system_id to bind as"
    );
    assert!(e(Config::builder("h", "s").tls_mode(TlsMode::Mutual))
        .starts_with("missing option x-smpp-tls-path-to-certificate"));
    assert!(e(b().dead_peer_timeout(Duration::from_secs(30))).contains("must be longer than"));
    let mut c = base();
    c.reconnect_attempts = Some(0);
    assert!(c.validate().is_err());
    c.reconnect_attempts = Some(7);
    c.validate().unwrap();
}

#[test]
fn outbound_encoding_auto_chooses() {
    assert_eq!(OutboundEncoding::Auto.encoding_for("hello"), Encoding::Gsm7);
    assert_eq!(
        OutboundEncoding::Auto.encoding_for("привет"),
        Encoding::Ucs2
    );
    assert_eq!(
        OutboundEncoding::Latin1.encoding_for("привет"),
        Encoding::Latin1
    );
    assert!(BindMode::Transmitter.can_submit() && !BindMode::Transmitter.can_receive());
    assert_eq!(TlsMode::Mutual.name(), "mutual");
    assert_eq!(TlsVersion::Tls13.name(), "1.3");
    assert_eq!(OutagePolicy::Fail.name(), "fail");
    assert_eq!(OutboundEncoding::Gsm7Packed.name(), "gsm7-packed");
    assert_eq!(BindMode::Receiver.name(), "receiver");
}

#[test]
fn tlv_option_format() {
    let c = with(
        "x-smpp-extraopt",
        " user_message_reference = 7 ; qos_time_to_live=3600;receipted_message_id='abc';\
         alert_on_message_delivery; 0x1401=0x0A0B;callback_num=0x01010131;",
    )
    .unwrap();
    assert_eq!(
        c.extra_tlvs,
        vec![
            Tlv::u16(Tag::UserMessageReference, 7).unwrap(),
            Tlv::u32(Tag::QosTimeToLive, 3600).unwrap(),
            Tlv::cstr(Tag::ReceiptedMessageId, "abc").unwrap(),
            Tlv::raw(0x130C, vec![]).unwrap(),
            Tlv::raw(0x1401, vec![0x0A, 0x0B]).unwrap(),
            Tlv::raw(0x0381, vec![1, 1, 1, 0x31]).unwrap(),
        ]
    );
    assert!(err("x-smpp-extraopt", "0x1401=zz").contains("must be 0x and hex octets"));
    assert!(err("x-smpp-extraopt", "0x14011=1").contains("must be 0x and 1 to 4 hex digits"));
    assert!(err("x-smpp-extraopt", "alert_on_message_delivery=1").contains("takes no value"));
    assert!(err("x-smpp-extraopt", "receipted_message_id=€").contains("receipted_message_id"));
    assert!(err("x-smpp-extraopt", "frobnicate=1").contains("unknown TLV 'frobnicate'"));
}
