//! The option table: every option's name, default, valid values and meaning.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unit {
    Count,
    Secs,
    Millis,
}

/// One option: its name, default, valid values and meaning, as the README's table shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct OptionSpec {
    /// The option name, verbatim (`x-smpp-submit-window-size`).
    pub name: &'static str,
    /// The default as the option's text (`10`); empty when the default is empty or none,
    /// `required` when the option must be given.
    pub default: &'static str,
    /// The valid values (`an integer from 1 to 1000`); errors say "must be" this.
    pub valid: &'static str,
    /// What the option does.
    pub description: &'static str,
    pub(super) range: Option<(u64, u64)>,
    pub(super) unit: Unit,
}

macro_rules! opt {
    ($name:literal, $default:literal, $lo:literal..=$hi:literal, $desc:literal) => {
        opt!(@int $name, $default, $lo, $hi, "", Unit::Count, $desc)
    };
    ($name:literal, $default:literal, $lo:literal..=$hi:literal secs, $desc:literal) => {
        opt!(@int $name, $default, $lo, $hi, " (seconds)", Unit::Secs, $desc)
    };
    ($name:literal, $default:literal, $lo:literal..=$hi:literal ms, $desc:literal) => {
        opt!(@int $name, $default, $lo, $hi, " (milliseconds)", Unit::Millis, $desc)
    };
    ($name:literal, $default:literal, $valid:expr, $desc:literal) => {
        OptionSpec {
            name: $name,
            default: $default,
            valid: $valid,
            description: $desc,
            range: None,
            unit: Unit::Count,
        }
    };
    (@int $name:literal, $default:literal, $lo:literal, $hi:literal, $unit_text:literal,
     $unit:expr, $desc:literal) => {
        OptionSpec {
            name: $name,
            default: $default,
            valid: concat!("an integer from ", $lo, " to ", $hi, $unit_text),
            description: $desc,
            range: Some(($lo, $hi)),
            unit: $unit,
        }
    };
}

pub(super) const BOOL: &str = "true or false (also yes/no, on/off, 1/0)";
pub(super) const TLVS: &str =
    "tag=value pairs separated by ';': tag is a TLV name or 0xNNNN; value an \
                    integer, a string, or 0x and hex octets, as the TLV's type needs";

pub(super) static OPTIONS: &[OptionSpec] = &[
    opt!(
        "x-smpp-host",
        "required",
        "a host name or IP address, without spaces",
        "The SMSC to connect to."
    ),
    opt!("x-smpp-port", "2775", 1..=65535, "The SMSC's TCP port."),
    opt!(
        "x-smpp-system-id",
        "required",
        "at most 15 characters",
        "system_id of the bind (the account name)."
    ),
    opt!(
        "password",
        "",
        "at most 8 characters",
        "Password of the bind. Never shown in logs or errors."
    ),
    opt!(
        "x-smpp-system-type",
        "",
        "at most 12 characters",
        "system_type of the bind."
    ),
    opt!(
        "x-smpp-bind-mode",
        "transceiver",
        "transmitter, receiver or transceiver (also tx, rx, trx)",
        "Which bind to open: send only, receive only, or both."
    ),
    opt!(
        "x-smpp-address-range",
        "",
        "at most 40 characters",
        "address_range of the bind: the addresses this receiver serves."
    ),
    opt!(
        "x-smpp-bind-addr-ton",
        "0",
        0..=255,
        "addr_ton of the bind."
    ),
    opt!(
        "x-smpp-bind-addr-npi",
        "0",
        0..=255,
        "addr_npi of the bind."
    ),
    opt!(
        "x-smpp-src-addr-ton",
        "1",
        0..=255,
        "source_addr_ton of submitted messages."
    ),
    opt!(
        "x-smpp-src-addr-npi",
        "1",
        0..=255,
        "source_addr_npi of submitted messages."
    ),
    opt!(
        "x-smpp-dest-addr-ton",
        "1",
        0..=255,
        "dest_addr_ton of submitted messages."
    ),
    opt!(
        "x-smpp-dest-addr-npi",
        "1",
        0..=255,
        "dest_addr_npi of submitted messages."
    ),
    opt!(
        "default-reply-address",
        "",
        "at most 20 characters",
        "Source address of a submit that gives none."
    ),
    opt!(
        "x-smpp-service-type",
        "",
        "at most 5 characters",
        "service_type of submitted messages."
    ),
    opt!("x-smpp-validity-period", "0", 0..=38102400 secs,
        "validity_period of submitted messages, sent as a relative time; 0 or empty leaves it \
         to the SMSC. At most 63 weeks, the longest GSM relative validity."),
    opt!(
        "x-smpp-delivery-report",
        "true",
        BOOL,
        "Ask for a delivery receipt for every message (registered_delivery 1)."
    ),
    opt!(
        "x-smpp-submit-window-size",
        "10",
        1..=1000,
        "The most submits awaiting their response at once."
    ),
    opt!(
        "x-smpp-submit-max-rate",
        "10",
        1..=1000,
        "The most submit_sm per second; each part of a long message counts."
    ),
    opt!(
        "x-smpp-submit-rate-unlimited",
        "false",
        BOOL,
        "true: no rate limit, whatever x-smpp-submit-max-rate says (for benchmarks)."
    ),
    opt!(
        "x-smpp-submit-during-outage",
        "wait",
        "wait or fail",
        "While the link is down a submit waits for the reconnect (up to \
         x-smpp-submit-timeout), or fails at once with NotSent."
    ),
    opt!("x-smpp-submit-timeout", "60000", 100..=3600000 ms,
        "The longest a submit waits for window space, the rate limiter or a reconnect before \
         its message is NotSent."),
    opt!(
        "x-smpp-throttle-retries",
        "5",
        0..=100,
        "Resubmissions of a message rejected with ESME_RTHROTTLED or ESME_RMSGQFUL."
    ),
    opt!("x-smpp-throttle-backoff", "1000", 10..=60000 ms,
        "The wait before the first resubmission after a throttling rejection; it doubles \
         each retry, up to 30 s (or this value, if larger)."),
    opt!(
        "x-smpp-segmentation",
        "udh8",
        "udh8, udh16, sar or payload",
        "How long text is split: UDH with an 8 or 16-bit reference, SAR TLVs, or whole in one \
         message_payload TLV."
    ),
    opt!(
        "x-smpp-use-msg-payload",
        "false",
        BOOL,
        "true: send long text whole in message_payload (x-smpp-segmentation = payload)."
    ),
    opt!(
        "x-smpp-sar-max-segments",
        "255",
        2..=255,
        "The most parts a long message may take; longer messages are refused."
    ),
    opt!(
        "x-smpp-sar-prompt-responses",
        "false",
        BOOL,
        "true: send the parts of a long message one at a time, each after the previous \
         one's response, instead of pipelined."
    ),
    opt!(
        "x-smpp-outbound-enc-default",
        "auto",
        "auto, gsm7, gsm7-packed, ascii, latin1 or ucs2 (also default, smsc-default, gsm, ia5, \
         iso-8859-1, ucs-2, utf-16be)",
        "Encoding of outbound text; auto is GSM 03.38 when the text fits it exactly, else \
         UCS-2."
    ),
    opt!(
        "x-smpp-inbound-enc-default",
        "gsm7",
        "gsm7, gsm7-packed, ascii or latin1 (also default, smsc-default, gsm, ia5, iso-8859-1)",
        "How inbound text with data_coding 0 (the SMSC default alphabet) is read."
    ),
    opt!(
        "x-smpp-ucs2-enc-schema",
        "8",
        0..=255,
        "data_coding sent with UCS-2 text."
    ),
    opt!(
        "x-smpp-empty-message",
        "",
        "any text",
        "Text sent when a submit has an empty body; if empty too, an empty body is an error."
    ),
    opt!(
        "x-smpp-extraopt",
        "",
        TLVS,
        "TLVs added to every submit_sm, e.g. user_message_reference=7;0x1401=0x0102."
    ),
    opt!(
        "x-smpp-delivery-extraopt",
        "",
        TLVS,
        "TLVs added to every deliver_sm_resp."
    ),
    opt!(
        "x-smpp-max-pdu-size",
        "65536",
        1024..=1048576,
        "The largest PDU accepted from the SMSC, in octets."
    ),
    opt!("x-smpp-comms-timeout", "10000", 1000..=120000 ms,
        "The longest the TCP connect (and TLS handshake) plus the bind response may take."),
    opt!("x-smpp-response-max-waiting-time", "30000", 1000..=180000 ms,
        "The longest to wait for a response; a submit without one ends Unknown."),
    opt!("x-smpp-enquire-link-timeout", "30", 5..=3600 secs,
        "Send enquire_link after this long without traffic."),
    opt!("x-smpp-receive-timeout", "60", 5..=3600 secs,
        "The link is declared dead when nothing at all is received for this long; must be \
         longer than x-smpp-enquire-link-timeout."),
    opt!("x-smpp-reassembly-timeout", "180", 10..=3600 secs,
        "How long the parts of an inbound long message wait for the rest."),
    opt!("x-smpp-close-timeout", "5000", 0..=60000 ms,
        "How long close waits for pending responses."),
    opt!("reconnection-timeout", "180", 10..=86400 secs,
        "The longest wait between reconnect attempts: the first is after 1 s, then the wait \
         doubles (with 20% jitter) up to this."),
    opt!(
        "x-smpp-reconnect-attempts",
        "0",
        0..=1000000,
        "Reconnect attempts before giving up; 0 retries forever."
    ),
    opt!(
        "x-smpp-tls-mode",
        "off",
        "off, single or mutual",
        "off: plain TCP; single: TLS, the SMSC's certificate verified; mutual: TLS with a \
         client certificate too."
    ),
    opt!(
        "x-smpp-tls-version",
        "1.2",
        "1.2 or 1.3",
        "The lowest TLS version offered. TLS 1.1 and lower are deprecated by RFC 8996 and not \
         supported."
    ),
    opt!(
        "x-smpp-tls-path-to-certificate",
        "",
        "a file path",
        "PKCS#12 file with the client certificate and key; required for mutual."
    ),
    opt!(
        "x-smpp-tls-certificate-file-password",
        "",
        "any text",
        "Password that opens the PKCS#12 file. Never shown."
    ),
    opt!(
        "x-smpp-tls-certificate-password",
        "",
        "any text",
        "Password of the private key in the PKCS#12 file, when it differs. Never shown."
    ),
    opt!(
        "x-smpp-tls-ca-file",
        "",
        "a file path",
        "PEM certificates to trust instead of the system trust store."
    ),
    opt!(
        "x-smpp-tls-max-version",
        "1.3",
        "1.2 or 1.3",
        "The highest TLS version offered (with x-smpp-tls-version 1.2: 1.2 and 1.3 are offered, \
         the SMSC picks)."
    ),
    opt!(
        "x-smpp-tls-server-name",
        "",
        "a DNS name or IP address",
        "The name the SMSC's certificate must carry; default: x-smpp-host. An IP address is \
         checked against the certificate's IP addresses."
    ),
    opt!(
        "x-smpp-tls-skip-hostname-verification",
        "false",
        BOOL,
        "true: accept an SMSC certificate issued for another name (its chain and dates are \
         still verified). Dangerous: warned about at every connect."
    ),
    opt!(
        "x-smpp-tls-trust-pkcs12-cas",
        "false",
        BOOL,
        "true: also trust the CA certificates found in the PKCS#12 file."
    ),
    opt!(
        "x-smpp-tls-certificate-alias",
        "",
        "an alias (friendlyName)",
        "Which key entry of the PKCS#12 file to use; needed only when it holds several."
    ),
    opt!(
        "x-debug-mode",
        "false",
        BOOL,
        "true: log every PDU and the configuration at info level (passwords redacted, text and \
         addresses masked); otherwise they are logged at debug level."
    ),
];

/// Genesys channel options that are not about SMPP: accepted and ignored.
pub(super) static IGNORED: &[&str] = &[
    "driver-classname",
    "inbound-route",
    "session-by-address",
    "session-by-text",
];

/// Options whose values are secrets: never shown.
pub(super) const SECRETS: &[&str] = &[
    "password",
    "x-smpp-tls-certificate-file-password",
    "x-smpp-tls-certificate-password",
];

pub(super) fn lookup(name: &str) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|s| s.name == name)
}

/// The spec of an option the code names (always in the table; the tests check every one).
pub(super) fn spec(name: &str) -> &'static OptionSpec {
    let found = lookup(name);
    debug_assert!(found.is_some(), "option {name} is not in the table");
    found.unwrap_or(&OPTIONS[0])
}
