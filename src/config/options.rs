//! The option table: for every option its name, default, valid values and meaning (the docs'
//! option table is generated from these), how a value is read into a [`Config`] (`apply`) and
//! how the `Config`'s value is checked (`check`, run by [`Config::validate`]); then the rules
//! between options, in one function ([`rules`]).
//!
//! How to read a row: `opt!(name, default, kind => field, meaning)`. The kind says what the
//! value is, and from it come the valid values' text, the parsing and the check:
//!
//! | kind | the field | valid values |
//! |---|---|---|
//! | `int LO..=HI` | an integer type | an integer from LO to HI |
//! | `secs LO..=HI`, `millis LO..=HI` | a `Duration`, given in that unit | … (seconds) |
//! | `bool` | `bool` | true or false (also yes/no, …) |
//! | `text MAX` | a `String` of at most MAX one-octet characters (an SMPP C-Octet string) | at most MAX characters |
//! | `one_of(TABLE, "valid")` | an enum; TABLE (in `choices.rs`) maps each name to a value | as written |
//! | `path` | `Option<PathBuf>`, empty for none | a file path |
//!
//! A row without `=> field` gives its own `.apply(…)` and `.check(…)` after the `opt!`: for
//! options whose value is not one field of one of these kinds. `.secret()` marks a password
//! (never shown), `.last(…)` an option that changes another one's value, `.example(…)` a
//! sample value for a row whose default is empty or required (for tests, e.g. of the C ABI).
//!
//! The default is the option's text, applied by [`Config::blank`] like any value: every
//! built-in default is written here, once.

use super::choices::{TlsMode, TlsVersion};
use super::choices::{
    BIND_MODES, INBOUND_ENCODINGS, OUTAGE_POLICIES, OUTBOUND_ENCODINGS, RECEIPT_TEXTS,
    SEGMENTATIONS, TLS_MODES,
};
use super::error::{missing, ConfigError};
use super::fields::Config;
use super::secret::Secret;
use super::spec::{OptionSpec, Unit};
use super::tlvs::{check_extra_tlvs, parse_tlvs};
use super::values::{
    boolean, check_choice, check_dur, check_host, check_int, check_text, choose, dur, int, invalid,
    must, path, shown, text, tls_version,
};
use crate::text::SegmentMethod;
use std::fmt;
use std::time::Duration;

/// A row; see the module's documentation for the kinds.
macro_rules! opt {
    // Kinds with a range, without a field: the row gives .apply() and .check().
    ($name:literal, $default:literal, int $lo:literal..=$hi:literal, $desc:literal) => {
        OptionSpec::new($name, $default, concat!("an integer from ", $lo, " to ", $hi), $desc)
            .range($lo, $hi, Unit::Count)
    };
    ($name:literal, $default:literal, secs $lo:literal..=$hi:literal, $desc:literal) => {
        OptionSpec::new(
            $name,
            $default,
            concat!("an integer from ", $lo, " to ", $hi, " (seconds)"),
            $desc,
        )
        .range($lo, $hi, Unit::Secs)
    };
    ($name:literal, $default:literal, millis $lo:literal..=$hi:literal, $desc:literal) => {
        OptionSpec::new(
            $name,
            $default,
            concat!("an integer from ", $lo, " to ", $hi, " (milliseconds)"),
            $desc,
        )
        .range($lo, $hi, Unit::Millis)
    };
    // Kinds with a field: read and checked by the kind.
    ($name:literal, $default:literal, int $lo:literal..=$hi:literal => $($f:ident).+,
     $desc:literal) => {
        opt!($name, $default, int $lo..=$hi, $desc)
            .apply(|c, s, v| {
                c.$($f).+ = int(s, v)? as _;
                Ok(())
            })
            .check(|c, s| check_int(s, u64::from(c.$($f).+)))
    };
    ($name:literal, $default:literal, secs $lo:literal..=$hi:literal => $($f:ident).+,
     $desc:literal) => {
        opt!($name, $default, secs $lo..=$hi, $desc).apply(|c, s, v| {
            c.$($f).+ = dur(s, v)?;
            Ok(())
        })
        .check(|c, s| check_dur(s, c.$($f).+))
    };
    ($name:literal, $default:literal, millis $lo:literal..=$hi:literal => $($f:ident).+,
     $desc:literal) => {
        opt!($name, $default, millis $lo..=$hi, $desc).apply(|c, s, v| {
            c.$($f).+ = dur(s, v)?;
            Ok(())
        })
        .check(|c, s| check_dur(s, c.$($f).+))
    };
    ($name:literal, $default:literal, bool => $($f:ident).+, $desc:literal) => {
        OptionSpec::new($name, $default, BOOL, $desc).apply(|c, s, v| {
            c.$($f).+ = boolean(s, v)?;
            Ok(())
        })
    };
    ($name:literal, $default:literal, text $max:literal => $($f:ident).+, $desc:literal) => {
        OptionSpec::new($name, $default, concat!("at most ", $max, " characters"), $desc)
            .apply(|c, s, v| {
                c.$($f).+ = text(s, v, $max)?;
                Ok(())
            })
            .check(|c, s| check_text(s, &c.$($f).+, $max))
    };
    ($name:literal, $default:literal, one_of($table:expr, $valid:literal) => $($f:ident).+,
     $desc:literal) => {
        OptionSpec::new($name, $default, $valid, $desc)
            .apply(|c, s, v| {
                c.$($f).+ = choose(s, v, $table)?;
                Ok(())
            })
            .check(|c, s| check_choice(s, &c.$($f).+, $table))
    };
    ($name:literal, $default:literal, path => $($f:ident).+, $desc:literal) => {
        OptionSpec::new($name, $default, "a file path", $desc).apply(|c, _, v| {
            c.$($f).+ = path(v);
            Ok(())
        })
    };
    // Any other valid values, as written: the row gives .apply() and .check().
    ($name:literal, $default:literal, $valid:expr, $desc:literal) => {
        OptionSpec::new($name, $default, $valid, $desc)
    };
}

/// The table: every row as `Variant: opt!(…)`, in the order the docs list them. Declares
/// [`Opt`], one variant per row in the same order (so `Opt::X as usize` is its row), and
/// [`OPTIONS`], the rows. (rustfmt leaves a macro's body alone: indent rows as the others.)
macro_rules! table {
    ($($var:ident: opt!($name:literal, $($args:tt)*) $(.$m:ident($($margs:tt)*))*),* $(,)?) => {
        /// An option of the table, named in code: `Display` (and [`Opt::name`]) gives its
        /// name as configuration files spell it, e.g. `format!("check {}", Opt::SystemId)`.
        /// Code and doc comments outside the option table name options only this way, so
        /// that each name is written once (`tests/layers.rs` checks).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Opt {
            $(
                #[doc = concat!("`", $name, "`")]
                $var,
            )*
        }

        impl Opt {
            /// Every option, in the table's order.
            pub const ALL: &'static [Opt] = &[$(Opt::$var),*];
        }

        /// Every option, in the order the docs list them; row `i` is `Opt::ALL[i]`'s.
        pub(super) static OPTIONS: &[OptionSpec] = &[
            $(opt!($name, $($args)*) $(.$m($($margs)*))*,)*
        ];
    };
}

impl Opt {
    /// The option's name, as configuration files spell it (`x-smpp-system-id`).
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The option's row of the table: default, valid values, meaning.
    pub fn spec(self) -> &'static OptionSpec {
        &OPTIONS[self as usize]
    }

    /// The option of a name, spelled exactly.
    pub fn from_name(name: &str) -> Option<Opt> {
        Opt::ALL.iter().copied().find(|o| o.name() == name)
    }
}

/// The option's name, as configuration files spell it.
impl fmt::Display for Opt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// The option's name, for the functions that take one (`ConfigBuilder::option`).
impl AsRef<str> for Opt {
    fn as_ref(&self) -> &str {
        self.name()
    }
}

/// The default of an option that must be given.
pub(super) const REQUIRED: &str = "required";

const BOOL: &str = "true or false (also yes/no, on/off, 1/0)";
const TLVS: &str = "tag=value pairs separated by ';': tag is a TLV name or 0xNNNN; value an \
                    integer, a string, or 0x and hex octets, as the TLV's type needs";

table! {
    Host: opt!(
        "x-smpp-host",
        "required",
        "a host name or IP address without spaces, or a list of them separated by commas, each with an optional :port",
        "The SMSC to connect to; a list (smsc-a, smsc-b:2776) is tried in order, the first that answers taken, and an earlier one taken back when it answers again (x-smpp-failback-interval). A host without :port uses x-smpp-port."
    )
    .example("smsc.example.net")
    .apply(|c, s, v| {
        check_host(s, v)?;
        c.host = v.trim().to_string();
        Ok(())
    })
    .check(|c, s| match c.host.as_str() {
        "" => Err(missing(s.name, "the SMSC host name or IP address")),
        host => check_host(s, host),
    }),
    Port: opt!("x-smpp-port", "2775", int 1..=65535 => port,
        "The SMSC's TCP port."),
    LocalAddress: opt!(
        "x-smpp-local-address",
        "",
        "an IPv4 or IPv6 address of this machine, or empty",
        "The local IP address to connect from (the address the SMSC's operator allow-listed); empty: the system chooses."
    )
    .example("127.0.0.2")
    .apply(|c, s, v| {
        c.local_address = match v.trim() {
            "" => None,
            t => Some(
                t.trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse()
                    .map_err(|_| must(s, v))?,
            ),
        };
        Ok(())
    })
    .check(|_, _| Ok(())),
    SystemId: opt!(
        "x-smpp-system-id",
        "required",
        "at most 15 characters",
        "system_id of the bind (the account name)."
    )
    .example("esme01")
    .apply(|c, s, v| {
        if v.is_empty() {
            return Err(invalid(s, v, "must not be empty"));
        }
        c.system_id = text(s, v, 15)?;
        Ok(())
    })
    .check(|c, s| match c.system_id.as_str() {
        "" => Err(missing(s.name, "the system_id to bind as")),
        id => check_text(s, id, 15),
    }),
    Password: opt!(
        "password",
        "",
        "at most 8 characters",
        "Password of the bind. Never shown in logs or errors."
    )
    .example("secret")
    .secret()
    .apply(|c, s, v| {
        check_text(s, v, 8)?;
        c.password = Secret::from(v);
        Ok(())
    })
    .check(|c, s| check_text(s, c.password.expose(), 8)),
    SystemType: opt!("x-smpp-system-type", "", text 12 => system_type,
        "system_type of the bind.")
    .example("VMA"),
    BindMode: opt!("x-smpp-bind-mode", "transceiver",
        one_of(BIND_MODES, "transmitter, receiver or transceiver (also tx, rx, trx)") => bind_mode,
        "Which bind to open: send only, receive only, or both."),
    AddressRange: opt!("x-smpp-address-range", "", text 40 => address_range,
        "address_range of the bind: the addresses this receiver serves.")
    .example("4477.*"),
    BindAddrTon: opt!("x-smpp-bind-addr-ton", "0", int 0..=255 => bind_ton,
        "addr_ton of the bind."),
    BindAddrNpi: opt!("x-smpp-bind-addr-npi", "0", int 0..=255 => bind_npi,
        "addr_npi of the bind."),
    SrcAddrTon: opt!("x-smpp-src-addr-ton", "1", int 0..=255 => src_ton,
        "source_addr_ton of submitted messages."),
    SrcAddrNpi: opt!("x-smpp-src-addr-npi", "1", int 0..=255 => src_npi,
        "source_addr_npi of submitted messages."),
    DestAddrTon: opt!("x-smpp-dest-addr-ton", "1", int 0..=255 => dest_ton,
        "dest_addr_ton of submitted messages."),
    DestAddrNpi: opt!("x-smpp-dest-addr-npi", "1", int 0..=255 => dest_npi,
        "dest_addr_npi of submitted messages."),
    DefaultReplyAddress: opt!("default-reply-address", "", text 20 => default_source,
        "Source address of a submit that gives none.")
    .example("447700900123"),
    ServiceType: opt!("x-smpp-service-type", "", text 5 => service_type,
        "service_type of submitted messages.")
    .example("CMT"),
    ValidityPeriod: opt!("x-smpp-validity-period", "0", secs 0..=38102400,
        "validity_period of submitted messages, sent as a relative time; 0 or empty leaves it \
         to the SMSC. At most 63 weeks, the longest GSM relative validity.")
    .apply(|c, s, v| {
        c.validity_period = match v {
            "" => None,
            v => Some(dur(s, v)?).filter(|d| !d.is_zero()),
        };
        Ok(())
    })
    .check(|c, s| match c.validity_period {
        Some(d) if d < Duration::from_secs(1) => Err(invalid(
            s,
            &shown(d, Unit::Secs),
            "must be at least 1 second, or None for the SMSC default",
        )),
        Some(d) => check_dur(s, d),
        None => Ok(()),
    }),
    DeliveryReport: opt!("x-smpp-delivery-report", "true", bool => delivery_report,
        "Ask for a delivery receipt for every message (registered_delivery 1)."),
    ReceiptCorrelationTimeout: opt!("x-smpp-receipt-correlation-timeout", "86400", secs 1..=2592000 => receipt_correlation_timeout,
        "How long the client remembers a message that asked for a receipt, from its outcome, \
         to hand each receipt back with the message's user data; then it reports the message \
         released (no final receipt in time), and later receipts for it arrive unmatched."),
    ReceiptCorrelationMax: opt!("x-smpp-receipt-correlation-max", "100000", int 0..=10000000 => receipt_correlation_max,
        "The most messages remembered for their receipts at once (each about 190 octets plus twice \
         its message id; measured by tests/correlation_memory.rs); \
         beyond it the oldest is released early. 0: receipts are never matched."),
    SubmitWindowSize: opt!("x-smpp-submit-window-size", "10", int 1..=1000 => window,
        "The most submits awaiting their response at once."),
    SubmitMaxRate: opt!("x-smpp-submit-max-rate", "10", int 1..=1000,
        "The most submit_sm per second; each part of a long message counts.")
    .apply(|c, s, v| {
        c.max_rate = Some(int(s, v)? as u32);
        Ok(())
    })
    .check(|c, s| c.max_rate.map_or(Ok(()), |r| check_int(s, r.into()))),
    SubmitRateUnlimited: opt!(
        "x-smpp-submit-rate-unlimited",
        "false",
        BOOL,
        "true: no rate limit, whatever x-smpp-submit-max-rate says (for benchmarks)."
    )
    .last("x-smpp-submit-max-rate", false)
    .apply(|c, s, v| {
        if boolean(s, v)? {
            c.max_rate = None;
        } else if c.max_rate.is_none() {
            reset(c, Opt::SubmitMaxRate)?;
        }
        Ok(())
    }),
    SubmitDuringOutage: opt!("x-smpp-submit-during-outage", "wait", one_of(OUTAGE_POLICIES, "wait or fail") => outage_policy,
        "wait: while the link is down a submit waits for the reconnect, until the link has \
         been down for x-smpp-submit-timeout; from then on every waiting and every new \
         message is NotSent at once until the link is back. fail: NotSent at once."),
    SubmitTimeout: opt!("x-smpp-submit-timeout", "60000", millis 100..=3600000 => submit_timeout,
        "The longest a submit waits for window space, the rate limiter or a reconnect before \
         its message is NotSent; an outage ends all waiting this long after it began, however \
         many messages wait."),
    ThrottleRetries: opt!("x-smpp-throttle-retries", "5", int 0..=100 => throttle_retries,
        "Resubmissions of a message rejected with ESME_RTHROTTLED or ESME_RMSGQFUL."),
    ThrottleBackoff: opt!("x-smpp-throttle-backoff", "1000", millis 10..=60000 => throttle_backoff,
        "The wait before the first resubmission after a throttling rejection; it doubles \
         each retry, up to 30 s (or this value, if larger)."),
    Segmentation: opt!("x-smpp-segmentation", "udh8", one_of(SEGMENTATIONS, "udh8, udh16, sar or payload") => segmentation,
        "How long text is split: UDH with an 8 or 16-bit reference, SAR TLVs, or whole in one \
         message_payload TLV."),
    UseMsgPayload: opt!(
        "x-smpp-use-msg-payload",
        "false",
        BOOL,
        "true: send long text whole in message_payload (x-smpp-segmentation = payload)."
    )
    .last("x-smpp-segmentation", true)
    .apply(|c, s, v| {
        if boolean(s, v)? {
            c.segmentation = SegmentMethod::Payload;
        } else if c.segmentation == SegmentMethod::Payload {
            reset(c, Opt::Segmentation)?;
        }
        Ok(())
    }),
    SarMaxSegments: opt!("x-smpp-sar-max-segments", "255", int 2..=255 => max_segments,
        "The most parts a long message may take; longer messages are refused."),
    SarPromptResponses: opt!("x-smpp-sar-prompt-responses", "false", bool => wait_each_segment,
        "true: send the parts of a long message one at a time, each after the previous \
         one's response, instead of pipelined."),
    OutboundEncDefault: opt!("x-smpp-outbound-enc-default", "auto",
        one_of(OUTBOUND_ENCODINGS, "auto, gsm7, gsm7-packed, ascii, latin1 or ucs2 (also default, \
         smsc-default, gsm, ia5, iso-8859-1, ucs-2, utf-16be)") => outbound_encoding,
        "Encoding of outbound text; auto is GSM 03.38 when the text fits it exactly, else \
         UCS-2."),
    InboundEncDefault: opt!("x-smpp-inbound-enc-default", "gsm7",
        one_of(INBOUND_ENCODINGS, "gsm7, gsm7-packed, ascii or latin1 (also default, smsc-default, \
         gsm, ia5, iso-8859-1)") => inbound_default,
        "How inbound text with data_coding 0 (the SMSC default alphabet) is read."),
    Ucs2EncSchema: opt!("x-smpp-ucs2-enc-schema", "8", int 0..=255 => ucs2_data_coding,
        "data_coding sent with UCS-2 text."),
    EmptyMessage: opt!(
        "x-smpp-empty-message",
        "",
        "any text",
        "Text sent when a submit has an empty body; if empty too, an empty body is an error."
    )
    .genesys(|_| {
        Some(
            "the text of an outbound submit whose body is empty, where the Genesys driver put \
             it in place of an empty inbound message"
                .into(),
        )
    })
    .example("(empty message)")
    .apply(|c, _, v| {
        c.empty_message = v.to_string();
        Ok(())
    }),
    ExtraOpt: opt!(
        "x-smpp-extraopt",
        "",
        TLVS,
        "TLVs added to every submit_sm, e.g. user_message_reference=7;0x1401=0x0102."
    )
    .example("user_message_reference=7;0x1401=0x0102")
    .apply(|c, s, v| {
        let tlvs = parse_tlvs(s, v)?;
        check_extra_tlvs(s, &tlvs, Some(&Opt::Segmentation), Some(v))?;
        c.extra_tlvs = tlvs;
        Ok(())
    })
    .check(|c, s| check_extra_tlvs(s, &c.extra_tlvs, Some(&Opt::Segmentation), None)),
    DeliveryExtraOpt: opt!(
        "x-smpp-delivery-extraopt",
        "",
        TLVS,
        "TLVs added to every deliver_sm_resp."
    )
    .example("0x1401=0x0102")
    .apply(|c, s, v| {
        let tlvs = parse_tlvs(s, v)?;
        check_extra_tlvs(s, &tlvs, None, Some(v))?;
        c.deliver_resp_tlvs = tlvs;
        Ok(())
    })
    .check(|c, s| check_extra_tlvs(s, &c.deliver_resp_tlvs, None, None)),
    MaxPduSize: opt!("x-smpp-max-pdu-size", "65536", int 1024..=1048576 => max_pdu_len,
        "The largest PDU accepted from the SMSC, in octets."),
    CommsTimeout: opt!("x-smpp-comms-timeout", "10000", millis 1000..=120000 => connect_timeout,
        "The longest the TCP connect (and TLS handshake) plus the bind response may take."),
    ResponseMaxWaitingTime: opt!("x-smpp-response-max-waiting-time", "30000", millis 1000..=180000 => response_timeout,
        "The longest to wait for a response; a submit without one ends Unknown.")
    .genesys(|_| {
        Some(
            "a submit without a response by then ends Unknown (it may have been accepted, so \
             it is not sent again), where the Genesys driver counted it as failed"
                .into(),
        )
    }),
    EnquireLinkTimeout: opt!("x-smpp-enquire-link-timeout", "30", secs 5..=3600 => enquire_link_interval,
        "Send enquire_link after this long without traffic."),
    ReceiveTimeout: opt!("x-smpp-receive-timeout", "60", secs 5..=3600 => dead_peer_timeout,
        "The link is declared dead when nothing at all is received for this long; must be \
         longer than x-smpp-enquire-link-timeout."),
    ReassemblyTimeout: opt!("x-smpp-reassembly-timeout", "180", secs 10..=3600 => reassembly_timeout,
        "How long the parts of an inbound long message wait for the rest."),
    CloseTimeout: opt!("x-smpp-close-timeout", "5000", millis 0..=60000 => close_timeout,
        "How long close waits for pending responses, and for the queue behind the window to go out while bound; what is still queued then is NotSent."),
    ReconnectionTimeout: opt!("reconnection-timeout", "180", secs 10..=86400 => reconnect_max_delay,
        "The longest wait between reconnect attempts: the first is after 1 s, then the wait \
         doubles (with 20% jitter) up to this. With several hosts, after a connection that \
         lasted 1 s, one extra attempt comes first, after 50-250 ms.")
    .genesys(|_| {
        Some(
            "the longest wait between reconnect attempts (the first after 1 s, then doubling up \
             to it; with several hosts an extra one first, after 50-250 ms), where the Genesys \
             driver waited this long every time"
                .into(),
        )
    }),
    ReconnectAttempts: opt!("x-smpp-reconnect-attempts", "0", int 0..=1000000,
        "Reconnect attempts before giving up; 0 retries forever.")
    .apply(|c, s, v| {
        c.reconnect_attempts = Some(int(s, v)? as u32).filter(|&n| n != 0);
        Ok(())
    })
    .check(|c, s| match c.reconnect_attempts {
        Some(0) => Err(invalid(
            s,
            "0",
            "Some(0) is not a number of attempts: use None to retry forever",
        )),
        Some(n) => check_int(s, n.into()),
        None => Ok(()),
    }),
    Sessions: opt!("x-smpp-sessions", "1", int 1..=64 => sessions,
        "How many binds the channel keeps open, each with its own connection and window: \
         submits go to the least loaded bound one, x-smpp-submit-max-rate is their total, \
         and receipts and inbound messages from any of them arrive in the one event stream."),
    SessionsSpread: opt!("x-smpp-sessions-spread", "false", bool => sessions_spread,
        "true: with several hosts, bind n prefers host n (counting round the list), so the \
         binds are spread over the hosts; false: every bind prefers the hosts in their order."),
    FailbackInterval: opt!("x-smpp-failback-interval", "30", secs 1..=86400 => failback_interval,
        "Seconds between background checks, while a bind is on a later host of x-smpp-host, \
         of whether an earlier host answers again: when it binds, new submits move to it and \
         the later host's bind is drained and closed."),
    ConnectRetry: opt!("x-smpp-connect-retry", "false", bool => connect_retry,
        "true: connect returns at once and the client connects in the background, retrying \
         as after a lost connection (x-smpp-reconnect-attempts, reconnection-timeout) while \
         submits follow x-smpp-submit-during-outage; false: connect fails when the first \
         connect or bind does. Configuration and TLS file errors fail connect either way."),
    TlsMode: opt!("x-smpp-tls-mode", "off", one_of(TLS_MODES, "off, single or mutual") => tls.mode,
        "off: plain TCP; single: TLS, the SMSC's certificate verified; mutual: TLS with a \
         client certificate too.")
    .genesys(|c| {
        (c.tls.mode != TlsMode::Off && !c.tls.skip_hostname_verification).then(|| {
            format!(
                "also checks that the SMSC's certificate carries its name ({}, default the \
                 host; Java checks it only when the driver asks), and trusts the system store \
                 beside the keystore's trust entries",
                Opt::TlsServerName
            )
        })
    }),
    TlsVersion: opt!(
        "x-smpp-tls-version",
        "1.2",
        "1.1, 1.2 or 1.3",
        "The lowest TLS version offered: 1.2 offers TLS 1.2 and 1.3 (pin 1.2 with \
         x-smpp-tls-max-version = 1.2). 1.1, valid in Genesys, loads but is never spoken \
         (RFC 8996): TLS 1.2 and 1.3 are offered and each connect warns."
    )
    .apply(|c, s, v| {
        c.tls.min_version = tls_version(s, v)?;
        Ok(())
    })
    .genesys(|c| match (c.tls.mode, c.tls.min_version, c.tls.max_version) {
        (TlsMode::Off, _, _) => None,
        (_, TlsVersion::Tls11, _) => Some(format!(
            "1.1 is never spoken (RFC 8996): TLS 1.2 and 1.3 are offered{}",
            if c.tls.max_version == TlsVersion::Tls12 { " (1.2 only: x-smpp-tls-max-version)" } else { "" }
        )),
        (_, TlsVersion::Tls12, TlsVersion::Tls13) => Some(format!(
            "the lowest version offered: TLS 1.2 and 1.3 are offered, where the Genesys driver \
             spoke exactly 1.2 ({} = 1.2 does the same)",
            Opt::TlsMaxVersion
        )),
        _ => None,
    }),
    TlsPathToCertificate: opt!("x-smpp-tls-path-to-certificate", "", path => tls.pkcs12_path,
        "PKCS#12 keystore (as Java's): its trust entries verify the SMSC, in single and mutual \
         mode; its key entry is our client certificate (mutual, where it is required).")
    .example("/etc/esme/client.p12"),
    TlsCertificateFilePassword: opt!(
        "x-smpp-tls-certificate-file-password",
        "",
        "any text",
        "Password that opens the PKCS#12 file. Never shown."
    )
    .example("changeit")
    .secret()
    .apply(|c, _, v| {
        c.tls.file_password = (!v.is_empty()).then(|| Secret::from(v));
        Ok(())
    }),
    TlsCertificatePassword: opt!(
        "x-smpp-tls-certificate-password",
        "",
        "any text",
        "Password of the private key in the PKCS#12 file, when it differs. Never shown."
    )
    .example("keypass")
    .secret()
    .apply(|c, _, v| {
        c.tls.key_password = (!v.is_empty()).then(|| Secret::from(v));
        Ok(())
    }),
    TlsCaFile: opt!("x-smpp-tls-ca-file", "", path => tls.ca_file,
        "PEM certificates to trust instead of the system trust store and the keystore's trust \
         entries; one identical to the SMSC's own certificate pins it.")
    .example("/etc/esme/smsc-ca.pem"),
    TlsReloadFiles: opt!("x-smpp-tls-reload-files", "false", bool => tls.reload_files,
        "true: the PKCS#12 file and x-smpp-tls-ca-file are read again before a reconnect when \
         they changed on disk (a renewed certificate is used without a restart; a file that no \
         longer loads gets one warning naming it and why, and the material in use is kept); \
         false: they are read once."),
    TlsMaxVersion: opt!(
        "x-smpp-tls-max-version",
        "1.3",
        "1.2 or 1.3",
        "The highest TLS version offered (with x-smpp-tls-version 1.2: 1.2 and 1.3 are offered, \
         the SMSC picks)."
    )
    .apply(|c, s, v| {
        c.tls.max_version = match tls_version(s, v)? {
            TlsVersion::Tls11 => {
                return Err(invalid(
                    s,
                    v,
                    "TLS 1.1 is deprecated by RFC 8996 and never spoken: set 1.2 or 1.3",
                ))
            }
            other => other,
        };
        Ok(())
    })
    .check(|c, s| match c.tls.max_version {
        TlsVersion::Tls11 => Err(invalid(
            s,
            "1.1",
            "TLS 1.1 is deprecated by RFC 8996 and never spoken: set 1.2 or 1.3",
        )),
        _ => Ok(()),
    }),
    TlsServerName: opt!(
        "x-smpp-tls-server-name",
        "",
        "a DNS name or IP address",
        "The name the SMSC's certificate must carry; default: x-smpp-host. An IP address is \
         checked against the certificate's IP addresses."
    )
    .example("smsc.example.net")
    .apply(|c, _, v| {
        c.tls.server_name = (!v.is_empty()).then(|| v.to_string());
        Ok(())
    }),
    TlsSkipHostnameVerification: opt!("x-smpp-tls-skip-hostname-verification", "false", bool => tls.skip_hostname_verification,
        "true: accept an SMSC certificate issued for another name (its chain and dates are \
         still verified). Dangerous: warned about at every connect."),
    TlsTrustPkcs12Cas: opt!("x-smpp-tls-trust-pkcs12-cas", "false", bool => tls.trust_pkcs12_cas,
        "true: also trust the PKCS#12 file's CA certificates that are not trust entries (e.g. \
         the chain OpenSSL's -chain adds)."),
    TlsExpiryWarningDays: opt!("x-smpp-tls-expiry-warning-days", "30", int 0..=3650 => tls.expiry_warning_days,
        "At each connect, a warning is logged when our client certificate or the SMSC's \
         expires within this many days (0: none before they expire); the days left are in the \
         stats and esme check."),
    TlsCertificateAlias: opt!(
        "x-smpp-tls-certificate-alias",
        "",
        "an alias (friendlyName)",
        "Which key entry of the PKCS#12 file to use; needed only when it holds several."
    )
    .example("esme-client")
    .apply(|c, _, v| {
        c.tls.alias = (!v.is_empty()).then(|| v.to_string());
        Ok(())
    }),
    PiiRules: opt!("x-smpp-pii-rules", "", path => pii_rules,
        "A JSON file of PII masking rules, added to the built-in ones (see PII masking); read \
         and checked when the configuration is loaded.")
    .example("examples/pii-rules.json"),
    LogMaskGroup: opt!(
        "x-smpp-log-mask-group",
        "default",
        "a rule group name",
        "The PII rule group that masks message text and addresses in esme's own logs; the \
         group must exist among the built-in rules (default, genesys) and those of \
         x-smpp-pii-rules."
    )
    .apply(|c, s, v| {
        if v.is_empty() {
            return Err(must(s, v));
        }
        c.log_mask_group = v.to_string();
        Ok(())
    })
    .check(|c, s| match c.log_mask_group.as_str() {
        "" => Err(must(s, "")),
        _ => Ok(()),
    }),
    LogReceiptText: opt!("x-smpp-log-receipt-text", "masked",
        one_of(RECEIPT_TEXTS, "masked or rules") => log_receipt_text,
        "How esme's logs show a delivery receipt's text: field (the start of the message): \
         masked, every character; rules, masked by x-smpp-log-mask-group with the words cut at \
         its ends masked too. The receipt's id, state, dates and error stay readable."),
    DebugMode: opt!("x-debug-mode", "false", bool => debug,
        "true: log every PDU and the configuration at info level (passwords redacted, text and \
         addresses masked); otherwise they are logged at debug level."),
}

/// Genesys channel options that are not about SMPP: accepted and ignored (and said so by
/// [`Config::genesys_notes`], with [`ignored_because`]'s reason).
pub(super) static IGNORED: &[&str] = &[
    "driver-classname",
    "inbound-route",
    "session-by-address",
    "session-by-text",
];

/// Why an option of [`IGNORED`] is ignored; `None` for any other name.
pub(super) fn ignored_because(name: &str) -> Option<&'static str> {
    Some(match name {
        "driver-classname" => "the Java driver class to load; esme is the driver",
        "inbound-route" => {
            "where Genesys routes inbound messages: the media server's business, not SMPP's"
        }
        "session-by-address" | "session-by-text" => {
            "how Genesys groups messages into chat sessions: the media server's business, not SMPP's"
        }
        _ => return None,
    })
}

/// The rules between options, checked by [`Config::validate`] after each option's own check.
pub(super) fn rules(c: &Config) -> Result<(), ConfigError> {
    if c.dead_peer_timeout <= c.enquire_link_interval {
        return Err(ConfigError::Conflict {
            name: "x-smpp-receive-timeout",
            other: "x-smpp-enquire-link-timeout",
            why: format!(
                "x-smpp-receive-timeout = {} must be longer than \
                 x-smpp-enquire-link-timeout = {}, or an idle link is declared dead \
                 before its enquire_link is answered",
                shown(c.dead_peer_timeout, Unit::Secs),
                shown(c.enquire_link_interval, Unit::Secs),
            ),
        });
    }
    let tls = &c.tls;
    if tls.max_version < tls.min_version {
        return Err(ConfigError::Conflict {
            name: "x-smpp-tls-max-version",
            other: "x-smpp-tls-version",
            why: "x-smpp-tls-max-version = 1.2 is below x-smpp-tls-version = 1.3: no version \
                  is left to offer"
                .into(),
        });
    }
    if tls.trust_pkcs12_cas && tls.pkcs12_path.is_none() {
        return Err(missing(
            "x-smpp-tls-path-to-certificate",
            "x-smpp-tls-trust-pkcs12-cas = true needs the PKCS#12 file whose CAs it trusts",
        ));
    }
    if tls.pkcs12_path.is_some() && tls.client_pem.is_some() {
        return Err(ConfigError::Conflict {
            name: "x-smpp-tls-path-to-certificate",
            other: "tls_client_pem",
            why: "a client certificate comes from a PKCS#12 file or from PEM files, not both"
                .into(),
        });
    }
    if tls.mode == TlsMode::Mutual && tls.pkcs12_path.is_none() && tls.client_pem.is_none() {
        return Err(missing(
            "x-smpp-tls-path-to-certificate",
            "x-smpp-tls-mode = mutual needs the PKCS#12 file with the client certificate (or, in code, ConfigBuilder::tls_client_pem)",
        ));
    }
    pii_rules(c).map(|_| ())
}

/// The rules that mask esme's logs: the built-in ones and those of x-smpp-pii-rules (read and
/// compiled here, so a bad file or rule is reported when the configuration is loaded), with
/// x-smpp-log-mask-group among their groups.
pub(crate) fn pii_rules(c: &Config) -> Result<crate::pii::RuleSet, ConfigError> {
    let rules = match &c.pii_rules {
        Some(p) => crate::pii::RuleSet::from_file(p)
            .and_then(crate::pii::RuleSet::with_builtins)
            .map_err(|e| ConfigError::Invalid {
                name: "x-smpp-pii-rules",
                value: Some(p.display().to_string()),
                why: e.to_string(),
            })?,
        None => crate::pii::RuleSet::builtin(),
    };
    if rules.group_rules(&c.log_mask_group).is_none() {
        return Err(ConfigError::Invalid {
            name: "x-smpp-log-mask-group",
            value: Some(c.log_mask_group.clone()),
            why: format!(
                "no such PII rule group (groups: {}{})",
                rules.groups().join(", "),
                if c.pii_rules.is_none() {
                    "; x-smpp-pii-rules adds the groups of a rule file"
                } else {
                    ""
                }
            ),
        });
    }
    Ok(rules)
}

/// The row of an option.
pub(super) fn lookup(name: &str) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|s| s.name == name)
}

impl Config {
    /// The hosts of [`Opt::Host`], in the order they are tried, each with its port
    /// ([`Opt::Port`] when the item names none). Empty when the option is not valid.
    pub fn hosts(&self) -> Vec<(String, u16)> {
        super::values::host_list(&self.host, self.port).unwrap_or_default()
    }

    /// Every option at its default from the table; host and system_id empty (not valid until
    /// they are set).
    pub(super) fn blank() -> Config {
        let mut c = Config::unset();
        for spec in OPTIONS {
            if spec.default != REQUIRED {
                let applied = (spec.apply)(&mut c, spec, spec.default);
                // A unit test applies every default; it cannot fail here.
                debug_assert!(applied.is_ok(), "{}: {applied:?}", spec.name);
            }
        }
        c
    }
}

/// Sets an option back to its default (for the options that change another one).
fn reset(c: &mut Config, opt: Opt) -> Result<(), ConfigError> {
    let spec = opt.spec();
    (spec.apply)(c, spec, spec.default)
}
