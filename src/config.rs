//! Channel configuration: a typed [`Config`](crate::config::Config), its
//! [`ConfigBuilder`](crate::config::ConfigBuilder), and the Genesys SMS driver option names
//! (`x-smpp-host`, `x-smpp-submit-window-size`, …), read from a list of options
//! ([`Config::from_options`](crate::config::Config::from_options)), a channel section file
//! ([`Config::from_file`](crate::config::Config::from_file)) or text
//! ([`Config::parse_str`](crate::config::Config::parse_str)).
//!
//! [`Config::options`](crate::config::Config::options) is the one table of option names,
//! defaults, valid values and meanings: the validation messages and the README's option table
//! both come from it.
//!
//! Every error is one line naming the option, the bad value and what is valid, e.g.
//! `x-smpp-submit-window-size = 0: must be an integer from 1 to 1000`. The values of the secret
//! options (`password`, `x-smpp-tls-certificate-file-password`,
//! `x-smpp-tls-certificate-password`) never appear in errors or in `Debug` output.

use crate::pdu::tlv::Kind;
use crate::pdu::{Tag, Tlv};
use crate::text::{choose_encoding, Encoding, SegmentMethod};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

// ---------------------------------------------------------------------------------------------
// Secret

/// A secret string (a password). `Debug` shows `***` (or `<empty>`), there is no
/// `Display`, and the bytes are overwritten with zeros when the value is dropped. The zeroing is
/// best effort: copies made before the text became a `Secret` are not reached.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret text. Take care where it goes: never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "<empty>" } else { "***" })
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Secret {
        Secret(s.to_string())
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Secret {
        Secret(s)
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        wipe(std::mem::take(&mut self.0).into_bytes());
    }
}

/// Overwrites a buffer with zeros before freeing it.
fn wipe(mut bytes: Vec<u8>) {
    bytes.iter_mut().for_each(|b| *b = 0);
    std::hint::black_box(&bytes);
}

// ---------------------------------------------------------------------------------------------
// Enumerated settings

/// Which bind to open (`x-smpp-bind-mode`): the session's own type.
pub use crate::session::BindMode;

/// Whether and how the connection uses TLS (`x-smpp-tls-mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TlsMode {
    /// Plain TCP.
    Off,
    /// TLS, the SMSC's certificate is verified.
    Single,
    /// TLS with a client certificate too (from `x-smpp-tls-path-to-certificate`).
    Mutual,
}

impl TlsMode {
    /// The option value naming this mode (`off`, `single`, `mutual`).
    pub fn name(self) -> &'static str {
        match self {
            TlsMode::Off => "off",
            TlsMode::Single => "single",
            TlsMode::Mutual => "mutual",
        }
    }
}

/// A TLS version: the lowest offered (`x-smpp-tls-version`) or the highest
/// (`x-smpp-tls-max-version`). TLS 1.1 and lower are deprecated by RFC 8996 and not supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TlsVersion {
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
}

impl TlsVersion {
    /// The option value naming this version (`1.2`, `1.3`).
    pub fn name(self) -> &'static str {
        match self {
            TlsVersion::Tls12 => "1.2",
            TlsVersion::Tls13 => "1.3",
        }
    }
}

/// What a submit does while the link is down (`x-smpp-submit-during-outage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutagePolicy {
    /// Wait for the reconnect, up to the submit timeout.
    Wait,
    /// Report the message NotSent at once.
    Fail,
}

impl OutagePolicy {
    /// The option value naming this policy (`wait`, `fail`).
    pub fn name(self) -> &'static str {
        match self {
            OutagePolicy::Wait => "wait",
            OutagePolicy::Fail => "fail",
        }
    }
}

/// The encoding of outbound text (`x-smpp-outbound-enc-default`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboundEncoding {
    /// GSM 03.38 (unpacked) when the text fits it exactly, else UCS-2
    /// ([`crate::text::choose_encoding`]).
    Auto,
    /// GSM 03.38, one septet per octet (`data_coding` 0).
    Gsm7,
    /// GSM 03.38 packed (`data_coding` 0).
    Gsm7Packed,
    /// IA5 / ASCII (`data_coding` 1).
    Ascii,
    /// ISO-8859-1 (`data_coding` 3).
    Latin1,
    /// UCS-2 / UTF-16BE (`data_coding` 8, or `x-smpp-ucs2-enc-schema`).
    Ucs2,
}

impl OutboundEncoding {
    /// The option value naming this encoding (`auto`, `gsm7`, …).
    pub fn name(self) -> &'static str {
        match self {
            OutboundEncoding::Auto => "auto",
            OutboundEncoding::Gsm7 => "gsm7",
            OutboundEncoding::Gsm7Packed => "gsm7-packed",
            OutboundEncoding::Ascii => "ascii",
            OutboundEncoding::Latin1 => "latin1",
            OutboundEncoding::Ucs2 => "ucs2",
        }
    }

    /// The encoding to send `text` in.
    pub fn encoding_for(self, text: &str) -> Encoding {
        match self {
            OutboundEncoding::Auto => choose_encoding(text),
            OutboundEncoding::Gsm7 => Encoding::Gsm7,
            OutboundEncoding::Gsm7Packed => Encoding::Gsm7Packed,
            OutboundEncoding::Ascii => Encoding::Ascii,
            OutboundEncoding::Latin1 => Encoding::Latin1,
            OutboundEncoding::Ucs2 => Encoding::Ucs2,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Config

/// A channel's configuration. Build one with [`Config::builder`], or read Genesys options with
/// [`Config::from_options`], [`Config::from_file`] or [`Config::parse_str`]. Each field names
/// its option; [`Config::options`] lists defaults and valid values.
///
/// The fields are public; after changing them directly, call [`Config::validate`].
/// `Debug` never shows the passwords.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The `[section]` name of the file the configuration came from, if any.
    pub channel: Option<String>,
    /// `x-smpp-host`: the SMSC host name or IP address. Required.
    pub host: String,
    /// `x-smpp-port`: the SMSC TCP port.
    pub port: u16,
    /// `x-smpp-system-id`: the bind's system_id. Required, at most 15 characters.
    pub system_id: String,
    /// `password`: the bind's password, at most 8 characters.
    pub password: Secret,
    /// `x-smpp-system-type`: the bind's system_type, at most 12 characters.
    pub system_type: String,
    /// `x-smpp-bind-mode`: which bind to open.
    pub bind_mode: BindMode,
    /// `x-smpp-address-range`: the bind's address_range, at most 40 characters.
    pub address_range: String,
    /// `x-smpp-bind-addr-ton`: the bind's addr_ton.
    pub bind_ton: u8,
    /// `x-smpp-bind-addr-npi`: the bind's addr_npi.
    pub bind_npi: u8,
    /// `x-smpp-src-addr-ton`: source_addr_ton of submitted messages.
    pub src_ton: u8,
    /// `x-smpp-src-addr-npi`: source_addr_npi of submitted messages.
    pub src_npi: u8,
    /// `x-smpp-dest-addr-ton`: dest_addr_ton of submitted messages.
    pub dest_ton: u8,
    /// `x-smpp-dest-addr-npi`: dest_addr_npi of submitted messages.
    pub dest_npi: u8,
    /// `default-reply-address`: the source address used when a submit gives none, at most 20
    /// characters.
    pub default_source: String,
    /// `x-smpp-service-type`: service_type of submitted messages, at most 5 characters.
    pub service_type: String,
    /// `x-smpp-validity-period`: validity_period of submitted messages (sent as an SMPP relative
    /// time, whole seconds); `None` leaves it to the SMSC.
    pub validity_period: Option<Duration>,
    /// `x-smpp-delivery-report`: ask for delivery receipts (registered_delivery 1).
    pub delivery_report: bool,
    /// `x-smpp-submit-window-size`: the most submits awaiting their response at once.
    pub window: u32,
    /// `x-smpp-submit-max-rate` / `x-smpp-submit-rate-unlimited`: the most submit_sm per second
    /// (each part of a long message counts); `None` is unlimited.
    pub max_rate: Option<u32>,
    /// `x-smpp-submit-during-outage`: what a submit does while the link is down.
    pub outage_policy: OutagePolicy,
    /// `x-smpp-submit-timeout`: the longest a blocking submit waits for window space, the rate
    /// limiter or a reconnect before its message is NotSent.
    pub submit_timeout: Duration,
    /// `x-smpp-throttle-retries`: resubmissions after ESME_RTHROTTLED or ESME_RMSGQFUL.
    pub throttle_retries: u32,
    /// `x-smpp-throttle-backoff`: the wait before the first resubmission after a throttling
    /// rejection; it doubles each retry, up to 30 s (or this value, if larger).
    pub throttle_backoff: Duration,
    /// `x-smpp-segmentation` / `x-smpp-use-msg-payload`: how long text is split.
    pub segmentation: SegmentMethod,
    /// `x-smpp-sar-max-segments`: the most parts a long message may take.
    pub max_segments: u8,
    /// `x-smpp-sar-prompt-responses`: send the parts of a long message one at a time, each
    /// after the previous one's response, instead of pipelined.
    pub wait_each_segment: bool,
    /// `x-smpp-outbound-enc-default`: the encoding of outbound text.
    pub outbound_encoding: OutboundEncoding,
    /// `x-smpp-inbound-enc-default`: how inbound `data_coding` 0 is read: Gsm7, Gsm7Packed,
    /// Ascii or Latin1.
    pub inbound_default: Encoding,
    /// `x-smpp-ucs2-enc-schema`: the `data_coding` sent with UCS-2 text.
    pub ucs2_data_coding: u8,
    /// `x-smpp-empty-message`: the text sent when a submit has an empty body; if this is empty
    /// too, an empty body is an error at submit time.
    pub empty_message: String,
    /// `x-smpp-extraopt`: TLVs added to every submit_sm.
    pub extra_tlvs: Vec<Tlv>,
    /// `x-smpp-delivery-extraopt`: TLVs added to every deliver_sm_resp.
    pub deliver_resp_tlvs: Vec<Tlv>,
    /// `x-smpp-max-pdu-size`: the largest PDU accepted from the SMSC, in octets.
    pub max_pdu_len: u32,
    /// `x-smpp-comms-timeout`: the longest the TCP connect (and TLS handshake) plus the bind
    /// response may take.
    pub connect_timeout: Duration,
    /// `x-smpp-response-max-waiting-time`: the longest to wait for the response to a request.
    pub response_timeout: Duration,
    /// `x-smpp-enquire-link-timeout`: send enquire_link after this long without traffic.
    pub enquire_link_interval: Duration,
    /// `x-smpp-receive-timeout`: the link is declared dead when nothing at all is received for
    /// this long. Longer than `enquire_link_interval`.
    pub dead_peer_timeout: Duration,
    /// `x-smpp-reassembly-timeout`: how long the parts of an inbound long message are kept
    /// waiting for the rest.
    pub reassembly_timeout: Duration,
    /// `x-smpp-close-timeout`: how long close waits for pending responses.
    pub close_timeout: Duration,
    /// `reconnection-timeout`: the longest wait between reconnect attempts. The first retry is
    /// after 1 s, then the wait doubles (±20% jitter) up to this.
    pub reconnect_max_delay: Duration,
    /// `x-smpp-reconnect-attempts`: reconnect attempts before giving up; `None` is forever.
    pub reconnect_attempts: Option<u32>,
    /// `x-smpp-tls-mode`: whether and how TLS is used.
    pub tls_mode: TlsMode,
    /// `x-smpp-tls-version`: the lowest TLS version offered.
    pub tls_version: TlsVersion,
    /// `x-smpp-tls-path-to-certificate`: the PKCS#12 file with the client certificate and key
    /// (required for [`TlsMode::Mutual`]).
    pub tls_pkcs12_path: Option<PathBuf>,
    /// `x-smpp-tls-certificate-file-password`: the password that opens the PKCS#12 file.
    pub tls_file_password: Option<Secret>,
    /// `x-smpp-tls-certificate-password`: the password of the private key inside it, when it
    /// differs from the file's.
    pub tls_key_password: Option<Secret>,
    /// `x-smpp-tls-ca-file`: PEM certificates to trust instead of the system's trust store.
    pub tls_ca_file: Option<PathBuf>,
    /// `x-smpp-tls-max-version`: the highest TLS version offered.
    pub tls_max_version: TlsVersion,
    /// `x-smpp-tls-server-name`: the name the SMSC's certificate must carry (default: the host).
    pub tls_server_name: Option<String>,
    /// `x-smpp-tls-skip-hostname-verification`: accept a certificate issued for another name
    /// (the chain is still verified). Dangerous.
    pub tls_skip_hostname_verification: bool,
    /// `x-smpp-tls-trust-pkcs12-cas`: trust the CA certificates found in the PKCS#12 file.
    pub tls_trust_pkcs12_cas: bool,
    /// `x-smpp-tls-certificate-alias`: which key entry of the PKCS#12 file to use.
    pub tls_alias: Option<String>,
    /// A PEM certificate chain and a PEM private key (PKCS#8, PKCS#1 or SEC1, unencrypted)
    /// for mutual TLS, instead of the PKCS#12 file. Set in code only
    /// ([`ConfigBuilder::tls_client_pem`]); the Genesys options name PKCS#12 files.
    pub tls_client_pem: Option<(PathBuf, PathBuf)>,
    /// `x-smpp-pii-rules`: a JSON file of PII masking rules, added to the built-ins.
    pub pii_rules: Option<PathBuf>,
    /// `x-smpp-log-mask-group`: the PII rule group applied to message text and addresses in
    /// esme's own logs.
    pub log_mask_group: String,
    /// `x-debug-mode`: log every PDU (secrets and message text masked by the logger).
    pub debug: bool,
}

impl Config {
    /// A builder for a configuration connecting to `host` as `system_id`, every other setting
    /// at its default.
    pub fn builder(host: impl Into<String>, system_id: impl Into<String>) -> ConfigBuilder {
        let mut config = Config::blank();
        config.host = host.into();
        config.system_id = system_id.into();
        ConfigBuilder { config }
    }

    /// Every setting at its default, host and system_id empty (not valid until they are set).
    fn blank() -> Config {
        Config {
            channel: None,
            host: String::new(),
            port: 2775,
            system_id: String::new(),
            password: Secret::default(),
            system_type: String::new(),
            bind_mode: BindMode::Transceiver,
            address_range: String::new(),
            bind_ton: 0,
            bind_npi: 0,
            src_ton: 1,
            src_npi: 1,
            dest_ton: 1,
            dest_npi: 1,
            default_source: String::new(),
            service_type: String::new(),
            validity_period: None,
            delivery_report: true,
            window: 10,
            max_rate: Some(DEFAULT_MAX_RATE),
            outage_policy: OutagePolicy::Wait,
            submit_timeout: Duration::from_millis(60_000),
            throttle_retries: 5,
            throttle_backoff: Duration::from_millis(1000),
            segmentation: SegmentMethod::Udh8,
            max_segments: 255,
            wait_each_segment: false,
            outbound_encoding: OutboundEncoding::Auto,
            inbound_default: Encoding::Gsm7,
            ucs2_data_coding: 8,
            empty_message: String::new(),
            extra_tlvs: Vec::new(),
            deliver_resp_tlvs: Vec::new(),
            max_pdu_len: 65_536,
            connect_timeout: Duration::from_millis(10_000),
            response_timeout: Duration::from_millis(30_000),
            enquire_link_interval: Duration::from_secs(30),
            dead_peer_timeout: Duration::from_secs(60),
            reassembly_timeout: Duration::from_secs(180),
            close_timeout: Duration::from_millis(5000),
            reconnect_max_delay: Duration::from_secs(180),
            reconnect_attempts: None,
            tls_mode: TlsMode::Off,
            tls_version: TlsVersion::Tls12,
            tls_pkcs12_path: None,
            tls_file_password: None,
            tls_key_password: None,
            tls_ca_file: None,
            tls_max_version: TlsVersion::Tls13,
            tls_server_name: None,
            tls_skip_hostname_verification: false,
            tls_trust_pkcs12_cas: false,
            tls_alias: None,
            tls_client_pem: None,
            pii_rules: None,
            log_mask_group: crate::pii::DEFAULT_GROUP.to_string(),
            debug: false,
        }
    }

    /// The option table: every option's name, default, valid values and meaning, in the order
    /// the README lists them.
    pub fn options() -> &'static [OptionSpec] {
        OPTIONS
    }

    /// Genesys channel options that are not about SMPP (`driver-classname`, `inbound-route`,
    /// …): accepted and ignored, so a channel section can be pasted as it is.
    pub fn ignored_options() -> &'static [&'static str] {
        IGNORED
    }

    /// A configuration from Genesys options (name, value), names verbatim. Whitespace around
    /// names and values is trimmed, and a value in matching `"…"` or `'…'` quotes is unquoted.
    /// `x-smpp-host` and `x-smpp-system-id` are required; an option given twice is an error.
    ///
    /// ```
    /// let c = esme::config::Config::from_options([
    ///     ("x-smpp-host", "smsc.example.net"),
    ///     ("x-smpp-system-id", "esme01"),
    ///     ("x-smpp-submit-window-size", "50"),
    /// ]).unwrap();
    /// assert_eq!(c.window, 50);
    /// ```
    pub fn from_options<I, K, V>(opts: I) -> Result<Config, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut loader = Loader::new();
        for (k, v) in opts {
            loader.entry(k.as_ref(), v.as_ref(), None)?;
        }
        loader.finish(None)
    }

    /// Reads a channel section file (see [`Config::parse_str`] for the format). Errors name the
    /// file and, where there is one, the line (`path:line: …`).
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let bytes = std::fs::read(path).map_err(|e| ConfigError::Read {
            path: path.to_path_buf(),
            why: e.to_string(),
        })?;
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
                wipe(bytes);
                return Err(ConfigError::File {
                    path: Some(path.to_path_buf()),
                    line: Some(line),
                    error: Box::new(ConfigError::Syntax {
                        why: "not UTF-8 text: save the file as UTF-8".to_string(),
                    }),
                });
            }
        };
        let result = parse(&text, Some(path));
        wipe(text.into_bytes());
        result
    }

    /// Reads a channel section from text: an optional `[channel-name]` header (one only),
    /// `option = value` lines, comment lines starting with `#` or `;`, and blank lines. Values
    /// follow [`Config::from_options`]'s rules; a `#` inside a value is part of the value.
    /// Errors name the line (`line 3: …`).
    pub fn parse_str(text: &str) -> Result<Config, ConfigError> {
        parse(text, None)
    }

    /// Applies one option (name verbatim, value as in a file), e.g. a command line's
    /// `--set name=value` after loading a file. The value is checked; checks that involve
    /// several options run in [`Config::validate`]: call it after the last `set`.
    /// Unlike [`Config::from_options`], a later `set` simply wins: `x-smpp-use-msg-payload`
    /// and `x-smpp-segmentation` override each other, as do `x-smpp-submit-max-rate` and
    /// `x-smpp-submit-rate-unlimited`.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let key = key.trim();
        if IGNORED.contains(&key) {
            return Ok(());
        }
        let spec = lookup(key).ok_or_else(|| unknown(key))?;
        self.apply(spec, unquote(value.trim()))
    }

    /// Checks every setting and the rules between them (e.g. `x-smpp-receive-timeout` longer
    /// than `x-smpp-enquire-link-timeout`; `mutual` TLS needs a certificate). The readers and
    /// [`ConfigBuilder::build`] call it.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.host.is_empty() {
            return Err(missing("x-smpp-host", "the SMSC host name or IP address"));
        }
        check_host(&self.host)?;
        if self.system_id.is_empty() {
            return Err(missing("x-smpp-system-id", "the system_id to bind as"));
        }
        check_text(spec("x-smpp-system-id"), &self.system_id, 15)?;
        check_text(spec("password"), self.password.expose(), 8)?;
        check_text(spec("x-smpp-system-type"), &self.system_type, 12)?;
        check_text(spec("x-smpp-address-range"), &self.address_range, 40)?;
        check_text(spec("default-reply-address"), &self.default_source, 20)?;
        check_text(spec("x-smpp-service-type"), &self.service_type, 5)?;
        if let Some(d) = self.validity_period {
            if d < Duration::from_secs(1) {
                return Err(invalid(
                    spec("x-smpp-validity-period"),
                    &shown(d, Unit::Secs),
                    "must be at least 1 second, or None for the SMSC default",
                ));
            }
            check_dur(spec("x-smpp-validity-period"), d)?;
        }
        check_int(spec("x-smpp-port"), self.port.into())?;
        check_int(spec("x-smpp-submit-window-size"), self.window.into())?;
        if let Some(rate) = self.max_rate {
            check_int(spec("x-smpp-submit-max-rate"), rate.into())?;
        }
        check_dur(spec("x-smpp-submit-timeout"), self.submit_timeout)?;
        check_int(
            spec("x-smpp-throttle-retries"),
            self.throttle_retries.into(),
        )?;
        check_dur(spec("x-smpp-throttle-backoff"), self.throttle_backoff)?;
        check_int(spec("x-smpp-sar-max-segments"), self.max_segments.into())?;
        check_inbound(self.inbound_default)?;
        check_extra_tlvs(spec("x-smpp-extraopt"), &self.extra_tlvs, true, None)?;
        check_extra_tlvs(
            spec("x-smpp-delivery-extraopt"),
            &self.deliver_resp_tlvs,
            false,
            None,
        )?;
        check_int(spec("x-smpp-max-pdu-size"), self.max_pdu_len.into())?;
        check_dur(spec("x-smpp-comms-timeout"), self.connect_timeout)?;
        check_dur(
            spec("x-smpp-response-max-waiting-time"),
            self.response_timeout,
        )?;
        check_dur(
            spec("x-smpp-enquire-link-timeout"),
            self.enquire_link_interval,
        )?;
        check_dur(spec("x-smpp-receive-timeout"), self.dead_peer_timeout)?;
        check_dur(spec("x-smpp-reassembly-timeout"), self.reassembly_timeout)?;
        check_dur(spec("x-smpp-close-timeout"), self.close_timeout)?;
        check_dur(spec("reconnection-timeout"), self.reconnect_max_delay)?;
        if let Some(n) = self.reconnect_attempts {
            if n == 0 {
                return Err(invalid(
                    spec("x-smpp-reconnect-attempts"),
                    "0",
                    "Some(0) is not a number of attempts: use None to retry forever",
                ));
            }
            check_int(spec("x-smpp-reconnect-attempts"), n.into())?;
        }
        if self.dead_peer_timeout <= self.enquire_link_interval {
            return Err(ConfigError::Conflict {
                name: "x-smpp-receive-timeout",
                other: "x-smpp-enquire-link-timeout",
                why: format!(
                    "x-smpp-receive-timeout = {} must be longer than \
                     x-smpp-enquire-link-timeout = {}, or an idle link is declared dead \
                     before its enquire_link is answered",
                    shown(self.dead_peer_timeout, Unit::Secs),
                    shown(self.enquire_link_interval, Unit::Secs),
                ),
            });
        }
        if self.tls_max_version < self.tls_version {
            return Err(ConfigError::Conflict {
                name: "x-smpp-tls-max-version",
                other: "x-smpp-tls-version",
                why: "x-smpp-tls-max-version = 1.2 is below x-smpp-tls-version = 1.3: no version \
                      is left to offer"
                    .into(),
            });
        }
        if self.tls_trust_pkcs12_cas && self.tls_pkcs12_path.is_none() {
            return Err(missing(
                "x-smpp-tls-path-to-certificate",
                "x-smpp-tls-trust-pkcs12-cas = true needs the PKCS#12 file whose CAs it trusts",
            ));
        }
        if self.tls_pkcs12_path.is_some() && self.tls_client_pem.is_some() {
            return Err(ConfigError::Conflict {
                name: "x-smpp-tls-path-to-certificate",
                other: "tls_client_pem",
                why: "a client certificate comes from a PKCS#12 file or from PEM files, not both"
                    .into(),
            });
        }
        if self.tls_mode == TlsMode::Mutual
            && self.tls_pkcs12_path.is_none()
            && self.tls_client_pem.is_none()
        {
            return Err(missing(
                "x-smpp-tls-path-to-certificate",
                "x-smpp-tls-mode = mutual needs the PKCS#12 file with the client certificate (or, in code, ConfigBuilder::tls_client_pem)",
            ));
        }
        Ok(())
    }

    /// Applies one option's value (already trimmed and unquoted).
    fn apply(&mut self, spec: &'static OptionSpec, v: &str) -> Result<(), ConfigError> {
        match spec.name {
            "x-smpp-host" => {
                check_host(v)?;
                self.host = v.to_string();
            }
            "x-smpp-port" => self.port = int(spec, v)? as u16,
            "x-smpp-system-id" => {
                if v.is_empty() {
                    return Err(invalid(spec, v, "must not be empty"));
                }
                self.system_id = text(spec, v, 15)?;
            }
            "password" => {
                check_text(spec, v, 8)?;
                self.password = Secret::from(v);
            }
            "x-smpp-system-type" => self.system_type = text(spec, v, 12)?,
            "x-smpp-bind-mode" => {
                self.bind_mode = match lower(v).as_str() {
                    "transmitter" | "tx" => BindMode::Transmitter,
                    "receiver" | "rx" => BindMode::Receiver,
                    "transceiver" | "trx" => BindMode::Transceiver,
                    _ => return Err(must(spec, v)),
                }
            }
            "x-smpp-address-range" => self.address_range = text(spec, v, 40)?,
            "x-smpp-bind-addr-ton" => self.bind_ton = int(spec, v)? as u8,
            "x-smpp-bind-addr-npi" => self.bind_npi = int(spec, v)? as u8,
            "x-smpp-src-addr-ton" => self.src_ton = int(spec, v)? as u8,
            "x-smpp-src-addr-npi" => self.src_npi = int(spec, v)? as u8,
            "x-smpp-dest-addr-ton" => self.dest_ton = int(spec, v)? as u8,
            "x-smpp-dest-addr-npi" => self.dest_npi = int(spec, v)? as u8,
            "default-reply-address" => self.default_source = text(spec, v, 20)?,
            "x-smpp-service-type" => self.service_type = text(spec, v, 5)?,
            "x-smpp-validity-period" => {
                self.validity_period = if v.is_empty() {
                    None
                } else {
                    Some(dur(spec, v)?).filter(|d| !d.is_zero())
                }
            }
            "x-smpp-delivery-report" => self.delivery_report = boolean(spec, v)?,
            "x-smpp-submit-window-size" => self.window = int(spec, v)? as u32,
            "x-smpp-submit-max-rate" => self.max_rate = Some(int(spec, v)? as u32),
            "x-smpp-submit-rate-unlimited" => {
                if boolean(spec, v)? {
                    self.max_rate = None;
                } else if self.max_rate.is_none() {
                    self.max_rate = Some(DEFAULT_MAX_RATE);
                }
            }
            "x-smpp-submit-during-outage" => {
                self.outage_policy = match lower(v).as_str() {
                    "wait" => OutagePolicy::Wait,
                    "fail" => OutagePolicy::Fail,
                    _ => return Err(must(spec, v)),
                }
            }
            "x-smpp-submit-timeout" => self.submit_timeout = dur(spec, v)?,
            "x-smpp-throttle-retries" => self.throttle_retries = int(spec, v)? as u32,
            "x-smpp-throttle-backoff" => self.throttle_backoff = dur(spec, v)?,
            "x-smpp-segmentation" => {
                self.segmentation = match lower(v).as_str() {
                    "udh8" | "udh" => SegmentMethod::Udh8,
                    "udh16" => SegmentMethod::Udh16,
                    "sar" => SegmentMethod::Sar,
                    "payload" | "message_payload" => SegmentMethod::Payload,
                    _ => return Err(must(spec, v)),
                }
            }
            "x-smpp-use-msg-payload" => {
                if boolean(spec, v)? {
                    self.segmentation = SegmentMethod::Payload;
                } else if self.segmentation == SegmentMethod::Payload {
                    self.segmentation = SegmentMethod::Udh8;
                }
            }
            "x-smpp-sar-max-segments" => self.max_segments = int(spec, v)? as u8,
            "x-smpp-sar-prompt-responses" => self.wait_each_segment = boolean(spec, v)?,
            "x-smpp-outbound-enc-default" => {
                self.outbound_encoding = match lower(v).as_str() {
                    "auto" => OutboundEncoding::Auto,
                    "gsm7" | "gsm" | "default" | "smsc-default" => OutboundEncoding::Gsm7,
                    "gsm7-packed" => OutboundEncoding::Gsm7Packed,
                    "ascii" | "ia5" => OutboundEncoding::Ascii,
                    "latin1" | "latin-1" | "iso-8859-1" => OutboundEncoding::Latin1,
                    "ucs2" | "ucs-2" | "utf-16be" | "utf-16" => OutboundEncoding::Ucs2,
                    _ => return Err(must(spec, v)),
                }
            }
            "x-smpp-inbound-enc-default" => {
                self.inbound_default = match lower(v).as_str() {
                    "gsm7" | "gsm" | "default" | "smsc-default" => Encoding::Gsm7,
                    "gsm7-packed" => Encoding::Gsm7Packed,
                    "ascii" | "ia5" => Encoding::Ascii,
                    "latin1" | "latin-1" | "iso-8859-1" => Encoding::Latin1,
                    _ => return Err(must(spec, v)),
                }
            }
            "x-smpp-ucs2-enc-schema" => self.ucs2_data_coding = int(spec, v)? as u8,
            "x-smpp-empty-message" => self.empty_message = v.to_string(),
            "x-smpp-extraopt" => {
                let tlvs = parse_tlvs(spec, v)?;
                check_extra_tlvs(spec, &tlvs, true, Some(v))?;
                self.extra_tlvs = tlvs;
            }
            "x-smpp-delivery-extraopt" => {
                let tlvs = parse_tlvs(spec, v)?;
                check_extra_tlvs(spec, &tlvs, false, Some(v))?;
                self.deliver_resp_tlvs = tlvs;
            }
            "x-smpp-max-pdu-size" => self.max_pdu_len = int(spec, v)? as u32,
            "x-smpp-comms-timeout" => self.connect_timeout = dur(spec, v)?,
            "x-smpp-response-max-waiting-time" => self.response_timeout = dur(spec, v)?,
            "x-smpp-enquire-link-timeout" => self.enquire_link_interval = dur(spec, v)?,
            "x-smpp-receive-timeout" => self.dead_peer_timeout = dur(spec, v)?,
            "x-smpp-reassembly-timeout" => self.reassembly_timeout = dur(spec, v)?,
            "x-smpp-close-timeout" => self.close_timeout = dur(spec, v)?,
            "reconnection-timeout" => self.reconnect_max_delay = dur(spec, v)?,
            "x-smpp-reconnect-attempts" => {
                self.reconnect_attempts = Some(int(spec, v)? as u32).filter(|&n| n != 0)
            }
            "x-smpp-tls-mode" => {
                self.tls_mode = match lower(v).as_str() {
                    "off" | "none" => TlsMode::Off,
                    "single" => TlsMode::Single,
                    "mutual" => TlsMode::Mutual,
                    _ => return Err(must(spec, v)),
                }
            }
            "x-smpp-tls-version" | "x-smpp-tls-max-version" => {
                let l = lower(v);
                let n = l
                    .strip_prefix("tlsv")
                    .or_else(|| l.strip_prefix("tls"))
                    .unwrap_or(&l)
                    .trim();
                let version = match n {
                    "1.2" => TlsVersion::Tls12,
                    "1.3" => TlsVersion::Tls13,
                    "1.1" | "1.0" | "1" => {
                        return Err(invalid(
                            spec,
                            v,
                            "TLS 1.1 and lower are deprecated by RFC 8996 and not supported: \
                             set 1.2 (or 1.3)",
                        ))
                    }
                    _ => return Err(must(spec, v)),
                };
                if spec.name == "x-smpp-tls-version" {
                    self.tls_version = version;
                } else {
                    self.tls_max_version = version;
                }
            }
            "x-smpp-tls-server-name" => {
                self.tls_server_name = (!v.is_empty()).then(|| v.to_string())
            }
            "x-smpp-tls-skip-hostname-verification" => {
                self.tls_skip_hostname_verification = boolean(spec, v)?
            }
            "x-smpp-tls-trust-pkcs12-cas" => self.tls_trust_pkcs12_cas = boolean(spec, v)?,
            "x-smpp-tls-certificate-alias" => {
                self.tls_alias = (!v.is_empty()).then(|| v.to_string())
            }
            "x-smpp-pii-rules" => self.pii_rules = path(v),
            "x-smpp-log-mask-group" => {
                if v.is_empty() {
                    return Err(must(spec, v));
                }
                self.log_mask_group = v.to_string()
            }
            "x-smpp-tls-path-to-certificate" => self.tls_pkcs12_path = path(v),
            "x-smpp-tls-certificate-file-password" => {
                self.tls_file_password = (!v.is_empty()).then(|| Secret::from(v))
            }
            "x-smpp-tls-certificate-password" => {
                self.tls_key_password = (!v.is_empty()).then(|| Secret::from(v))
            }
            "x-smpp-tls-ca-file" => self.tls_ca_file = path(v),
            "x-debug-mode" => self.debug = boolean(spec, v)?,
            _ => return Err(unknown(spec.name)),
        }
        Ok(())
    }
}

const DEFAULT_MAX_RATE: u32 = 10;

// ---------------------------------------------------------------------------------------------
// Builder

/// Builds a [`Config`] in code: [`Config::builder`]`(host, system_id)`, setters, then
/// [`ConfigBuilder::build`], which checks every value as the option readers do.
///
/// ```
/// use esme::config::{BindMode, Config};
/// use std::time::Duration;
/// let c = Config::builder("smsc.example.net", "esme01")
///     .password("secret")
///     .bind_mode(BindMode::Transmitter)
///     .window(50)
///     .max_rate(None)
///     .response_timeout(Duration::from_secs(10))
///     .build()
///     .unwrap();
/// assert_eq!(c.window, 50);
/// assert!(!format!("{c:?}").contains("secret"));
/// ```
#[derive(Debug, Clone)]
pub struct ConfigBuilder {
    config: Config,
}

macro_rules! setter {
    ($(#[$doc:meta])* $name:ident: $ty:ty) => {
        $(#[$doc])*
        pub fn $name(mut self, v: $ty) -> Self {
            self.config.$name = v;
            self
        }
    };
}

impl ConfigBuilder {
    /// Checks every value and the rules between them, and gives the configuration.
    pub fn build(self) -> Result<Config, ConfigError> {
        self.config.validate()?;
        Ok(self.config)
    }

    /// Applies one Genesys option by name, as [`Config::set`] does.
    pub fn option(mut self, key: &str, value: &str) -> Result<Self, ConfigError> {
        self.config.set(key, value)?;
        Ok(self)
    }

    /// The channel (section) name, for logs. Default: none.
    pub fn channel(mut self, name: impl Into<String>) -> Self {
        self.config.channel = Some(name.into());
        self
    }

    setter!(
        /// `x-smpp-port`: the SMSC TCP port, 1–65535. Default: 2775.
        port: u16
    );

    /// `password`: the bind password, at most 8 characters. Default: empty.
    pub fn password(mut self, v: impl Into<Secret>) -> Self {
        self.config.password = v.into();
        self
    }

    /// `x-smpp-system-type`: the bind's system_type, at most 12 characters. Default: empty.
    pub fn system_type(mut self, v: impl Into<String>) -> Self {
        self.config.system_type = v.into();
        self
    }

    setter!(
        /// `x-smpp-bind-mode`. Default: [`BindMode::Transceiver`].
        bind_mode: BindMode
    );

    /// `x-smpp-address-range`: the bind's address_range, at most 40 characters.
    /// Default: empty.
    pub fn address_range(mut self, v: impl Into<String>) -> Self {
        self.config.address_range = v.into();
        self
    }

    setter!(
        /// `x-smpp-bind-addr-ton`: the bind's addr_ton. Default: 0.
        bind_ton: u8
    );
    setter!(
        /// `x-smpp-bind-addr-npi`: the bind's addr_npi. Default: 0.
        bind_npi: u8
    );
    setter!(
        /// `x-smpp-src-addr-ton`: source_addr_ton of submitted messages. Default: 1.
        src_ton: u8
    );
    setter!(
        /// `x-smpp-src-addr-npi`: source_addr_npi of submitted messages. Default: 1.
        src_npi: u8
    );
    setter!(
        /// `x-smpp-dest-addr-ton`: dest_addr_ton of submitted messages. Default: 1.
        dest_ton: u8
    );
    setter!(
        /// `x-smpp-dest-addr-npi`: dest_addr_npi of submitted messages. Default: 1.
        dest_npi: u8
    );

    /// `default-reply-address`: the source address used when a submit gives none, at most 20
    /// characters. Default: empty.
    pub fn default_source(mut self, v: impl Into<String>) -> Self {
        self.config.default_source = v.into();
        self
    }

    /// `x-smpp-service-type`: at most 5 characters. Default: empty.
    pub fn service_type(mut self, v: impl Into<String>) -> Self {
        self.config.service_type = v.into();
        self
    }

    /// `x-smpp-validity-period`: at most 441 days (63 weeks); `Some(0)` is the same as `None`.
    /// Default: `None` (the SMSC's default).
    pub fn validity_period(mut self, v: Option<Duration>) -> Self {
        self.config.validity_period = v.filter(|d| !d.is_zero());
        self
    }

    setter!(
        /// `x-smpp-delivery-report`: ask for delivery receipts. Default: true.
        delivery_report: bool
    );
    setter!(
        /// `x-smpp-submit-window-size`: submits awaiting their response at once, 1–1000.
        /// Default: 10.
        window: u32
    );
    setter!(
        /// `x-smpp-submit-max-rate`: submit_sm per second, 1–1000, or `None` for unlimited.
        /// Default: `Some(10)`.
        max_rate: Option<u32>
    );
    setter!(
        /// `x-smpp-submit-during-outage`. Default: [`OutagePolicy::Wait`].
        outage_policy: OutagePolicy
    );
    setter!(
        /// `x-smpp-submit-timeout`: 100 ms – 1 h. Default: 60 s.
        submit_timeout: Duration
    );
    setter!(
        /// `x-smpp-throttle-retries`: resubmissions after a throttling rejection, 0–100.
        /// Default: 5.
        throttle_retries: u32
    );
    setter!(
        /// `x-smpp-throttle-backoff`: the first wait after a throttling rejection, 10 ms – 60 s.
        /// Default: 1 s.
        throttle_backoff: Duration
    );
    setter!(
        /// `x-smpp-segmentation`. Default: [`SegmentMethod::Udh8`].
        segmentation: SegmentMethod
    );
    setter!(
        /// `x-smpp-sar-max-segments`: the most parts of a long message, 2–255. Default: 255.
        max_segments: u8
    );
    setter!(
        /// `x-smpp-sar-prompt-responses`: send parts one at a time. Default: false.
        wait_each_segment: bool
    );
    setter!(
        /// `x-smpp-outbound-enc-default`. Default: [`OutboundEncoding::Auto`].
        outbound_encoding: OutboundEncoding
    );
    setter!(
        /// `x-smpp-inbound-enc-default`: how inbound `data_coding` 0 is read: Gsm7,
        /// Gsm7Packed, Ascii or Latin1. Default: [`Encoding::Gsm7`].
        inbound_default: Encoding
    );
    setter!(
        /// `x-smpp-ucs2-enc-schema`: the `data_coding` sent with UCS-2 text. Default: 8.
        ucs2_data_coding: u8
    );

    /// `x-smpp-empty-message`: the text sent for an empty body. Default: empty (an empty body
    /// is an error).
    pub fn empty_message(mut self, v: impl Into<String>) -> Self {
        self.config.empty_message = v.into();
        self
    }

    setter!(
        /// `x-smpp-extraopt`: TLVs added to every submit_sm (not the SAR or message_payload
        /// tags, which segmentation sets). Default: none.
        extra_tlvs: Vec<Tlv>
    );
    setter!(
        /// `x-smpp-delivery-extraopt`: TLVs added to every deliver_sm_resp. Default: none.
        deliver_resp_tlvs: Vec<Tlv>
    );
    setter!(
        /// `x-smpp-max-pdu-size`: the largest PDU accepted, 1024–1048576 octets.
        /// Default: 65536.
        max_pdu_len: u32
    );
    setter!(
        /// `x-smpp-comms-timeout`: connect plus bind response, 1–120 s. Default: 10 s.
        connect_timeout: Duration
    );
    setter!(
        /// `x-smpp-response-max-waiting-time`: the wait for a response, 1–180 s.
        /// Default: 30 s.
        response_timeout: Duration
    );
    setter!(
        /// `x-smpp-enquire-link-timeout`: idle time before an enquire_link, 5–3600 s.
        /// Default: 30 s.
        enquire_link_interval: Duration
    );
    setter!(
        /// `x-smpp-receive-timeout`: silence after which the link is dead, 5–3600 s and longer
        /// than the enquire_link interval. Default: 60 s.
        dead_peer_timeout: Duration
    );
    setter!(
        /// `x-smpp-reassembly-timeout`: how long inbound parts wait for the rest, 10–3600 s.
        /// Default: 180 s.
        reassembly_timeout: Duration
    );
    setter!(
        /// `x-smpp-close-timeout`: how long close waits for pending responses, 0–60 s.
        /// Default: 5 s.
        close_timeout: Duration
    );
    setter!(
        /// `reconnection-timeout`: the longest wait between reconnect attempts, 10 s – 1 day.
        /// Default: 180 s.
        reconnect_max_delay: Duration
    );

    /// `x-smpp-reconnect-attempts`: attempts before giving up, up to 1000000; `None` or
    /// `Some(0)` retries forever. Default: `None`.
    pub fn reconnect_attempts(mut self, v: Option<u32>) -> Self {
        self.config.reconnect_attempts = v.filter(|&n| n != 0);
        self
    }

    setter!(
        /// `x-smpp-tls-mode`. Default: [`TlsMode::Off`].
        tls_mode: TlsMode
    );
    setter!(
        /// `x-smpp-tls-version`: the lowest version offered. Default: [`TlsVersion::Tls12`].
        tls_version: TlsVersion
    );

    /// `x-smpp-tls-path-to-certificate`: the PKCS#12 client certificate file. Default: none.
    pub fn tls_pkcs12_path(mut self, v: impl Into<PathBuf>) -> Self {
        self.config.tls_pkcs12_path = Some(v.into());
        self
    }

    /// The client certificate chain and private key as PEM files (unencrypted key), for
    /// mutual TLS instead of a PKCS#12 file. No Genesys option sets this. Default: none.
    pub fn tls_client_pem(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.config.tls_client_pem = Some((cert.into(), key.into()));
        self
    }

    /// `x-smpp-tls-certificate-file-password`: opens the PKCS#12 file. Default: none.
    pub fn tls_file_password(mut self, v: impl Into<Secret>) -> Self {
        self.config.tls_file_password = Some(v.into());
        self
    }

    /// `x-smpp-tls-certificate-password`: the private key's password inside the PKCS#12 file.
    /// Default: none.
    pub fn tls_key_password(mut self, v: impl Into<Secret>) -> Self {
        self.config.tls_key_password = Some(v.into());
        self
    }

    /// `x-smpp-tls-ca-file`: PEM certificates to trust instead of the system's.
    /// Default: none (the system trust store).
    pub fn tls_ca_file(mut self, v: impl Into<PathBuf>) -> Self {
        self.config.tls_ca_file = Some(v.into());
        self
    }

    setter!(
        /// `x-smpp-tls-max-version`: the highest version offered. Default: [`TlsVersion::Tls13`].
        tls_max_version: TlsVersion
    );
    setter!(
        /// `x-smpp-tls-skip-hostname-verification`. Default: false. Dangerous.
        tls_skip_hostname_verification: bool
    );
    setter!(
        /// `x-smpp-tls-trust-pkcs12-cas`: trust the PKCS#12 file's CAs. Default: false.
        tls_trust_pkcs12_cas: bool
    );

    /// `x-smpp-tls-server-name`: the name to verify. Default: the host.
    pub fn tls_server_name(mut self, v: impl Into<String>) -> Self {
        self.config.tls_server_name = Some(v.into());
        self
    }

    /// `x-smpp-pii-rules`: a JSON rule file added to the built-in rules. Default: none.
    pub fn pii_rules(mut self, v: impl Into<PathBuf>) -> Self {
        self.config.pii_rules = Some(v.into());
        self
    }

    /// `x-smpp-log-mask-group`: the rule group masking esme's logs. Default: `default`.
    pub fn log_mask_group(mut self, v: impl Into<String>) -> Self {
        self.config.log_mask_group = v.into();
        self
    }

    /// `x-smpp-tls-certificate-alias`: the key entry to use. Default: the only one.
    pub fn tls_alias(mut self, v: impl Into<String>) -> Self {
        self.config.tls_alias = Some(v.into());
        self
    }

    setter!(
        /// `x-debug-mode`: log every PDU. Default: false.
        debug: bool
    );
}

// ---------------------------------------------------------------------------------------------
// Option table

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
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
    range: Option<(u64, u64)>,
    unit: Unit,
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

const BOOL: &str = "true or false (also yes/no, on/off, 1/0)";
const TLVS: &str = "tag=value pairs separated by ';': tag is a TLV name or 0xNNNN; value an \
                    integer, a string, or 0x and hex octets, as the TLV's type needs";

static OPTIONS: &[OptionSpec] = &[
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
static IGNORED: &[&str] = &[
    "driver-classname",
    "inbound-route",
    "session-by-address",
    "session-by-text",
];

/// Options whose values are secrets: never shown.
const SECRETS: &[&str] = &[
    "password",
    "x-smpp-tls-certificate-file-password",
    "x-smpp-tls-certificate-password",
];

fn lookup(name: &str) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|s| s.name == name)
}

/// The spec of an option the code names (always in the table; the tests check every one).
fn spec(name: &str) -> &'static OptionSpec {
    let found = lookup(name);
    debug_assert!(found.is_some(), "option {name} is not in the table");
    found.unwrap_or(&OPTIONS[0])
}

// ---------------------------------------------------------------------------------------------
// Errors

/// Why a configuration was refused. `Display` is one line naming the option, the bad value
/// (never a secret's) and what is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// An option name esme does not know.
    Unknown {
        /// The name as given.
        name: String,
        /// The known option it most likely meant.
        suggestion: Option<&'static str>,
    },
    /// A value that is not valid for its option.
    Invalid {
        /// The option.
        name: &'static str,
        /// The value as given; `None` for the secret options.
        value: Option<String>,
        /// What is wrong, e.g. "must be an integer from 1 to 1000".
        why: String,
    },
    /// A required option is not given.
    Missing {
        /// The option.
        name: &'static str,
        /// What it is for, or which other setting needs it.
        why: &'static str,
    },
    /// Two options that contradict each other.
    Conflict {
        /// The option reported.
        name: &'static str,
        /// The option it conflicts with.
        other: &'static str,
        /// Both values and the rule, in one line.
        why: String,
    },
    /// An option given twice.
    Duplicate {
        /// The option.
        name: &'static str,
        /// The line of its first occurrence (files and text only).
        first_line: Option<usize>,
    },
    /// A line of a file that is not a header, an option, a comment or blank.
    Syntax {
        /// What is wrong (the line's text is not repeated: it may hold a secret).
        why: String,
    },
    /// The configuration file cannot be read.
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        why: String,
    },
    /// An error found in a file or text, with where it is.
    File {
        /// The file; `None` for [`Config::parse_str`].
        path: Option<PathBuf>,
        /// The line (1-based), when the error belongs to one.
        line: Option<usize>,
        /// The error.
        error: Box<ConfigError>,
    },
}

impl ConfigError {
    /// The option the error is about, if it is about one.
    pub fn option(&self) -> Option<&str> {
        match self {
            ConfigError::Unknown { name, .. } => Some(name),
            ConfigError::Invalid { name, .. }
            | ConfigError::Missing { name, .. }
            | ConfigError::Conflict { name, .. }
            | ConfigError::Duplicate { name, .. } => Some(name),
            ConfigError::File { error, .. } => error.option(),
            ConfigError::Syntax { .. } | ConfigError::Read { .. } => None,
        }
    }
}

/// Writes text from outside with control characters escaped, so the error stays one line.
fn one_line(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    for c in s.chars() {
        if c.is_control() {
            write!(f, "{}", c.escape_debug())?;
        } else {
            write!(f, "{c}")?;
        }
    }
    Ok(())
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Unknown { name, suggestion } => {
                f.write_str("unknown option '")?;
                one_line(f, name)?;
                match suggestion {
                    Some(s) => write!(f, "' (did you mean '{s}'?)"),
                    None => f.write_str("'"),
                }
            }
            ConfigError::Invalid { name, value, why } => match value {
                Some(v) if v.is_empty() => write!(f, "{name} is empty: {why}"),
                Some(v) => {
                    write!(f, "{name} = ")?;
                    one_line(f, v)?;
                    write!(f, ": {why}")
                }
                None => write!(f, "{name}: {why} (value not shown)"),
            },
            ConfigError::Missing { name, why } => write!(f, "missing option {name}: {why}"),
            ConfigError::Conflict { why, .. } => f.write_str(why),
            ConfigError::Duplicate { name, first_line } => match first_line {
                Some(l) => write!(f, "{name} is given twice (first on line {l})"),
                None => write!(f, "{name} is given twice"),
            },
            ConfigError::Syntax { why } => f.write_str(why),
            ConfigError::Read { path, why } => {
                write!(
                    f,
                    "cannot read configuration file {}: {why}",
                    path.display()
                )
            }
            ConfigError::File { path, line, error } => {
                match (path, line) {
                    (Some(p), Some(l)) => write!(f, "{}:{l}: ", p.display())?,
                    (Some(p), None) => write!(f, "{}: ", p.display())?,
                    (None, Some(l)) => write!(f, "line {l}: ")?,
                    (None, None) => {}
                }
                error.fmt(f)
            }
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::File { error, .. } => Some(error.as_ref()),
            _ => None,
        }
    }
}

fn unknown(name: &str) -> ConfigError {
    ConfigError::Unknown {
        name: name.to_string(),
        suggestion: suggest(name),
    }
}

fn missing(name: &'static str, why: &'static str) -> ConfigError {
    ConfigError::Missing { name, why }
}

fn invalid(spec: &'static OptionSpec, value: &str, why: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        name: spec.name,
        value: (!SECRETS.contains(&spec.name)).then(|| value.to_string()),
        why: why.into(),
    }
}

/// "must be" and the option's valid values.
fn must(spec: &'static OptionSpec, value: &str) -> ConfigError {
    invalid(spec, value, format!("must be {}", spec.valid))
}

// ---------------------------------------------------------------------------------------------
// Suggestions

/// The option `name` most likely meant: the same name in other case or with `_`, the name
/// without its `x-smpp-` prefix, a unique option containing it, or the nearest by edit
/// distance (at most 2, or 3 for long names).
fn suggest(name: &str) -> Option<&'static str> {
    let n = name.trim().to_ascii_lowercase().replace('_', "-");
    if n.is_empty() {
        return None;
    }
    if let Some(s) = OPTIONS.iter().find(|s| s.name == n) {
        return Some(s.name);
    }
    let bare = n.strip_prefix("x-smpp-").unwrap_or(&n);
    if let Some(s) = OPTIONS
        .iter()
        .find(|s| s.name.strip_prefix("x-smpp-") == Some(bare))
    {
        return Some(s.name);
    }
    // The distance is at least the difference in length, so only names within `max` of
    // this one's length can be near: a long line of garbage costs no O(len) matrices.
    let len = n.chars().count();
    let max = if len > 12 { 3 } else { 2 };
    let near = OPTIONS
        .iter()
        .filter(|s| s.name.len().abs_diff(len) <= max)
        .map(|s| (s.name, distance(&n, s.name)))
        .min_by_key(|&(_, d)| d);
    if let Some((best, _)) = near.filter(|&(_, d)| d <= max) {
        return Some(best);
    }
    if bare.len() >= 4 {
        let mut hits = OPTIONS.iter().filter(|s| s.name.contains(bare));
        if let (Some(s), None) = (hits.next(), hits.next()) {
            return Some(s.name);
        }
    }
    None
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbours each cost 1.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

// ---------------------------------------------------------------------------------------------
// Value parsing and checks

fn lower(v: &str) -> String {
    v.to_ascii_lowercase()
}

/// Strips one pair of matching `"` or `'` quotes.
fn unquote(v: &str) -> &str {
    let b = v.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

/// A decimal or `0x` hexadecimal integer.
fn parse_u64(v: &str) -> Option<u64> {
    if let Some(hex) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u64::from_str_radix(hex, 16).ok()
    } else if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        v.parse().ok()
    } else {
        None
    }
}

fn boolean(spec: &'static OptionSpec, v: &str) -> Result<bool, ConfigError> {
    match lower(v).as_str() {
        "true" | "yes" | "on" | "1" => Ok(true),
        "false" | "no" | "off" | "0" => Ok(false),
        _ => Err(must(spec, v)),
    }
}

/// An integer option's value, within its range.
fn int(spec: &'static OptionSpec, v: &str) -> Result<u64, ConfigError> {
    let n = parse_u64(v).ok_or_else(|| must(spec, v))?;
    match spec.range {
        Some((lo, hi)) if n < lo || n > hi => Err(must(spec, v)),
        _ => Ok(n),
    }
}

fn unit_duration(n: u64, unit: Unit) -> Duration {
    match unit {
        Unit::Secs => Duration::from_secs(n),
        Unit::Millis | Unit::Count => Duration::from_millis(n),
    }
}

/// A duration option's value, in the option's unit.
fn dur(spec: &'static OptionSpec, v: &str) -> Result<Duration, ConfigError> {
    Ok(unit_duration(int(spec, v)?, spec.unit))
}

/// A duration as its option's number (`30`, `2.5`).
fn shown(d: Duration, unit: Unit) -> String {
    let (whole, frac, scale) = match unit {
        Unit::Secs => (d.as_secs() as u128, d.subsec_nanos(), 1_000_000_000u32),
        Unit::Millis | Unit::Count => (d.as_millis(), d.subsec_nanos() % 1_000_000, 1_000_000),
    };
    if frac == 0 {
        return whole.to_string();
    }
    let digits = if scale == 1_000_000_000 { 9 } else { 6 };
    let frac = format!("{:0digits$}", frac, digits = digits);
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

fn check_int(spec: &'static OptionSpec, n: u64) -> Result<(), ConfigError> {
    match spec.range {
        Some((lo, hi)) if n < lo || n > hi => Err(must(spec, &n.to_string())),
        _ => Ok(()),
    }
}

fn check_dur(spec: &'static OptionSpec, d: Duration) -> Result<(), ConfigError> {
    match spec.range {
        Some((lo, hi)) if d < unit_duration(lo, spec.unit) || d > unit_duration(hi, spec.unit) => {
            Err(must(spec, &shown(d, spec.unit)))
        }
        _ => Ok(()),
    }
}

/// An SMPP C-Octet string field: at most `max` characters, each one octet (Latin-1), no NUL.
fn check_text(spec: &'static OptionSpec, v: &str, max: usize) -> Result<(), ConfigError> {
    let secret = SECRETS.contains(&spec.name);
    if let Some(c) = v.chars().find(|&c| c == '\0' || c as u32 > 0xFF) {
        let why = if c == '\0' {
            "must not hold a NUL character".to_string()
        } else if secret {
            "must hold only Latin-1 characters".to_string()
        } else {
            format!("must hold only Latin-1 characters (found '{c}')")
        };
        return Err(invalid(spec, v, why));
    }
    let len = v.chars().count();
    if len > max {
        let why = if secret {
            format!("must be at most {max} characters")
        } else {
            format!("must be at most {max} characters (this has {len})")
        };
        return Err(invalid(spec, v, why));
    }
    Ok(())
}

fn text(spec: &'static OptionSpec, v: &str, max: usize) -> Result<String, ConfigError> {
    check_text(spec, v, max)?;
    Ok(v.to_string())
}

fn check_host(v: &str) -> Result<(), ConfigError> {
    if v.is_empty() || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(must(spec("x-smpp-host"), v));
    }
    Ok(())
}

fn check_inbound(e: Encoding) -> Result<(), ConfigError> {
    match e {
        Encoding::Gsm7 | Encoding::Gsm7Packed | Encoding::Ascii | Encoding::Latin1 => Ok(()),
        other => Err(must(
            spec("x-smpp-inbound-enc-default"),
            &format!("{other:?}").to_ascii_lowercase(),
        )),
    }
}

fn path(v: &str) -> Option<PathBuf> {
    (!v.is_empty()).then(|| PathBuf::from(v))
}

/// No tag twice; for submit_sm, none of the tags segmentation sets.
/// `shown` is the option's text, when the TLVs came from one.
fn check_extra_tlvs(
    spec: &'static OptionSpec,
    tlvs: &[Tlv],
    submit: bool,
    shown: Option<&str>,
) -> Result<(), ConfigError> {
    let value = || shown.map_or_else(|| tlvs_text(tlvs), str::to_string);
    for (i, t) in tlvs.iter().enumerate() {
        let name = tlv_name(t.tag());
        let owned = [
            Tag::SarMsgRefNum,
            Tag::SarTotalSegments,
            Tag::SarSegmentSeqnum,
            Tag::MessagePayload,
        ];
        if submit && owned.contains(&t.tag()) {
            return Err(invalid(
                spec,
                &value(),
                format!(
                    "TLV {name} is set by segmentation (x-smpp-segmentation) and cannot be added"
                ),
            ));
        }
        if tlvs[..i].iter().any(|o| o.tag_u16() == t.tag_u16()) {
            return Err(invalid(
                spec,
                &value(),
                format!("TLV {name} is given twice"),
            ));
        }
    }
    Ok(())
}

/// A TLV's name for messages: the spec name, or the hex tag.
fn tlv_name(tag: Tag) -> String {
    match tag {
        Tag::Other(v) => format!("0x{v:04X}"),
        t => t.name().to_string(),
    }
}

/// TLVs written back in the option's format (for errors about TLVs given in code).
fn tlvs_text(tlvs: &[Tlv]) -> String {
    let mut out = String::new();
    for t in tlvs {
        if !out.is_empty() {
            out.push(';');
        }
        out.push_str(&tlv_name(t.tag()));
        out.push_str("=0x");
        for b in t.bytes() {
            out.push_str(&format!("{b:02X}"));
        }
    }
    out
}

/// `tag=value;tag=value` → TLVs (see the `x-smpp-extraopt` row of the option table).
fn parse_tlvs(spec: &'static OptionSpec, v: &str) -> Result<Vec<Tlv>, ConfigError> {
    let mut out = Vec::new();
    for item in v.split(';') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let (tag_text, value) = match item.split_once('=') {
            Some((t, val)) => (t.trim(), unquote(val.trim())),
            None => (item, ""),
        };
        let tag = parse_tag(tag_text).map_err(|why| invalid(spec, v, why))?;
        let tlv = tlv_value(tag, value)
            .map_err(|why| invalid(spec, v, format!("TLV {}: {why}", tlv_name(tag))))?;
        out.push(tlv);
    }
    Ok(out)
}

fn parse_tag(t: &str) -> Result<Tag, String> {
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        if !hex.is_empty() && hex.len() <= 4 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            if let Ok(n) = u16::from_str_radix(hex, 16) {
                return Ok(Tag::from_u16(n));
            }
        }
        return Err(format!("TLV tag '{t}' must be 0x and 1 to 4 hex digits"));
    }
    let l = lower(t);
    if let Some(&tag) = Tag::ALL.iter().find(|tag| tag.name() == l) {
        return Ok(tag);
    }
    // As in `suggest`: only names within 3 of its length can be within 3 edits.
    let len = l.chars().count();
    let near = Tag::ALL
        .iter()
        .filter(|tag| tag.name().len().abs_diff(len) <= 3)
        .map(|tag| (tag.name(), distance(&l, tag.name())))
        .min_by_key(|&(_, d)| d)
        .filter(|&(_, d)| d <= 3);
    Err(match near {
        Some((n, _)) => format!("unknown TLV '{t}' (did you mean '{n}'?)"),
        None => format!(
            "unknown TLV '{t}': use an SMPP 3.4 TLV name such as user_message_reference, or \
             a hex tag such as 0x1401"
        ),
    })
}

fn hex_octets(v: &str) -> Option<Vec<u8>> {
    let hex = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X"))?;
    if hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect()
}

fn tlv_value(tag: Tag, v: &str) -> Result<Tlv, String> {
    let num = |max: u64| -> Result<u64, String> {
        parse_u64(v)
            .filter(|&n| n <= max)
            .ok_or_else(|| format!("value '{v}' must be an integer from 0 to {max}"))
    };
    let hex = || -> Result<Vec<u8>, String> {
        hex_octets(v).ok_or_else(|| {
            format!("value '{v}' must be 0x and hex octets (an even number of digits)")
        })
    };
    let t = tag.to_u16();
    let built = match tag.kind() {
        Some(Kind::Empty) if v.is_empty() => Tlv::raw(t, Vec::new()),
        Some(Kind::Empty) => return Err(format!("takes no value (found '{v}')")),
        Some(Kind::U8 | Kind::MessageState) => Tlv::raw(t, vec![num(0xFF)? as u8]),
        Some(Kind::U16 | Kind::U8OrU16) => Tlv::u16(tag, num(0xFFFF)? as u16),
        Some(Kind::U32) => Tlv::u32(tag, num(0xFFFF_FFFF)? as u32),
        Some(Kind::COctet { .. }) => Tlv::cstr(tag, v),
        Some(Kind::Octets { .. } | Kind::NetworkErrorCode) | None => Tlv::raw(t, hex()?),
    };
    built.map_err(|p| p.to_string())
}

// ---------------------------------------------------------------------------------------------
// Readers

/// Collects options, refusing unknown and repeated names, and applies them. The two options
/// that modify another (`x-smpp-use-msg-payload`, `x-smpp-submit-rate-unlimited`) apply last,
/// so the order of the options does not matter.
struct Loader {
    config: Config,
    seen: Vec<(&'static str, Option<usize>)>,
    use_payload: Option<bool>,
    unlimited: Option<bool>,
}

impl Loader {
    fn new() -> Loader {
        Loader {
            config: Config::blank(),
            seen: Vec::new(),
            use_payload: None,
            unlimited: None,
        }
    }

    fn entry(&mut self, key: &str, value: &str, line: Option<usize>) -> Result<(), ConfigError> {
        let key = key.trim();
        let value = unquote(value.trim());
        if IGNORED.contains(&key) {
            return Ok(());
        }
        let spec = lookup(key).ok_or_else(|| unknown(key))?;
        if let Some(&(_, first_line)) = self.seen.iter().find(|(n, _)| *n == spec.name) {
            return Err(ConfigError::Duplicate {
                name: spec.name,
                first_line,
            });
        }
        self.seen.push((spec.name, line));
        match spec.name {
            "x-smpp-use-msg-payload" => self.use_payload = Some(boolean(spec, value)?),
            "x-smpp-submit-rate-unlimited" => self.unlimited = Some(boolean(spec, value)?),
            _ => self.config.apply(spec, value)?,
        }
        Ok(())
    }

    fn given(&self, name: &str) -> bool {
        self.seen.iter().any(|(n, _)| *n == name)
    }

    fn finish(mut self, channel: Option<String>) -> Result<Config, ConfigError> {
        if let Some(on) = self.use_payload {
            let seg = self.config.segmentation;
            if self.given("x-smpp-segmentation") && on != (seg == SegmentMethod::Payload) {
                let seg_name = match seg {
                    SegmentMethod::Udh8 => "udh8",
                    SegmentMethod::Udh16 => "udh16",
                    SegmentMethod::Sar => "sar",
                    SegmentMethod::Payload => "payload",
                };
                return Err(ConfigError::Conflict {
                    name: "x-smpp-use-msg-payload",
                    other: "x-smpp-segmentation",
                    why: format!(
                        "x-smpp-use-msg-payload = {on} conflicts with x-smpp-segmentation = \
                         {seg_name}: remove one of them"
                    ),
                });
            }
            if on {
                self.config.segmentation = SegmentMethod::Payload;
            }
        }
        if self.unlimited == Some(true) {
            self.config.max_rate = None;
        }
        self.config.channel = channel;
        self.config.validate()?;
        Ok(self.config)
    }
}

/// Reads a channel section; errors carry `path` (if any) and the line.
fn parse(text: &str, path: Option<&Path>) -> Result<Config, ConfigError> {
    let at = |line: Option<usize>, error: ConfigError| ConfigError::File {
        path: path.map(Path::to_path_buf),
        line,
        error: Box::new(error),
    };
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut header: Option<(String, usize)> = None;
    let mut loader = Loader::new();
    let mut options_seen = false;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let syntax = |why: String| at(Some(n), ConfigError::Syntax { why });
            let name = rest
                .strip_suffix(']')
                .ok_or_else(|| syntax("section header without its closing ']'".to_string()))?
                .trim();
            if name.is_empty() {
                return Err(syntax("empty section header '[]'".to_string()));
            }
            if let Some((first, l)) = &header {
                return Err(syntax(format!(
                    "a second section header [{name}] (the first, [{first}], is on line {l}): \
                     a file holds one channel section"
                )));
            }
            if options_seen {
                return Err(syntax(format!(
                    "section header [{name}] after options: it must come before them"
                )));
            }
            header = Some((name.to_string(), n));
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(at(
                Some(n),
                ConfigError::Syntax {
                    why: "expected 'option = value', a [section] header, or a comment starting \
                          with # or ;"
                        .to_string(),
                },
            ));
        };
        if key.trim().is_empty() {
            return Err(at(
                Some(n),
                ConfigError::Syntax {
                    why: "an option line without an option name before '='".to_string(),
                },
            ));
        }
        options_seen = true;
        loader
            .entry(key, value, Some(n))
            .map_err(|e| at(Some(n), e))?;
    }
    loader
        .finish(header.map(|(name, _)| name))
        .map_err(|e| at(None, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's row for an option.
    fn readme_row(s: &OptionSpec) -> String {
        let default = match s.default {
            "" => "(empty)".to_string(),
            "required" => "**required**".to_string(),
            d => format!("`{d}`"),
        };
        format!(
            "| `{}` | {default} | {} | {} |",
            s.name, s.valid, s.description
        )
    }

    fn readme_table() -> String {
        let mut t =
            String::from("| option | default | valid values | meaning |\n|---|---|---|---|\n");
        for s in OPTIONS {
            t.push_str(&readme_row(s));
            t.push('\n');
        }
        t
    }

    /// docs/configuration.md's option table is generated from `Config::options()`; this fails
    /// when they drift, and prints the table to paste.
    #[test]
    fn readme_table_matches_the_option_table() {
        let readme = include_str!("../docs/configuration.md");
        let missing: Vec<&str> = OPTIONS
            .iter()
            .filter(|s| !readme.lines().any(|l| l == readme_row(s)))
            .map(|s| s.name)
            .collect();
        assert!(
            missing.is_empty() && readme.contains(&readme_table()),
            "docs/configuration.md's option table is out of date for {missing:?}; replace it with:\n\n{}",
            readme_table()
        );
        let section = readme
            .find("# Configuration")
            .expect("docs/configuration.md has # Configuration");
        let layout = readme
            .find("## Every option")
            .expect("docs/configuration.md has ## Every option");
        assert!(section < layout);
        for name in IGNORED {
            assert!(
                readme.contains(&format!("`{name}`")),
                "docs/configuration.md lists ignored {name}"
            );
        }
    }

    #[test]
    fn option_table_is_well_formed() {
        for (i, s) in OPTIONS.iter().enumerate() {
            assert!(
                !OPTIONS[..i].iter().any(|o| o.name == s.name),
                "{} twice",
                s.name
            );
            for text in [s.name, s.default, s.valid, s.description] {
                assert!(
                    !text.contains('|') && !text.contains('\n'),
                    "{}: {text}",
                    s.name
                );
            }
            assert!(s.description.ends_with('.'), "{}", s.description);
            if let Some((lo, hi)) = s.range {
                assert!(s
                    .valid
                    .starts_with(&format!("an integer from {lo} to {hi}")));
                if !s.default.is_empty() {
                    let d: u64 = s.default.parse().unwrap();
                    assert!((lo..=hi).contains(&d), "{} default {d}", s.name);
                }
            }
        }
        for name in SECRETS.iter().chain(IGNORED) {
            assert!(SECRETS.contains(name) == lookup(name).is_some(), "{name}");
        }
    }

    /// Setting every option to its documented default gives the built-in defaults.
    #[test]
    fn table_defaults_are_the_builtin_defaults() {
        let base = Config::builder("h", "s").build().unwrap();
        for s in OPTIONS {
            if s.default == "required" {
                continue;
            }
            let mut c = base.clone();
            c.set(s.name, s.default)
                .unwrap_or_else(|e| panic!("{}: {e}", s.name));
            assert_eq!(c, base, "{} = {}", s.name, s.default);
        }
    }

    #[test]
    fn every_option_is_applied() {
        for s in OPTIONS {
            let mut c = Config::blank();
            let e = c.set(s.name, "\u{1}bogus");
            assert!(
                !matches!(e, Err(ConfigError::Unknown { .. })),
                "{} has no setter",
                s.name
            );
        }
    }

    #[test]
    fn distance_counts_edits_and_swaps() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("host", "hots"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("x-smpp-port", "x-smpp-port"), 0);
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("x-smpp-hots"), Some("x-smpp-host"));
        assert_eq!(suggest("X-SMPP-HOST"), Some("x-smpp-host"));
        assert_eq!(suggest("x_smpp_port"), Some("x-smpp-port"));
        assert_eq!(
            suggest("submit-window-size"),
            Some("x-smpp-submit-window-size")
        );
        assert_eq!(
            suggest("x-smpp-window-size"),
            Some("x-smpp-submit-window-size")
        );
        assert_eq!(suggest("passwd"), Some("password"));
        assert_eq!(suggest("reconnection-timout"), Some("reconnection-timeout"));
        assert_eq!(suggest("completely-different"), None);
        // A long unknown name (a line of garbage) is cheap: no edit-distance matrix of its
        // length per option (found by the config fuzz target).
        let long = "x".repeat(4 << 20);
        assert_eq!(suggest(&long), None);
        assert!(parse_tag(&long).unwrap_err().starts_with("unknown TLV"));
        assert_eq!(
            parse_tag("user_mesage_reference").unwrap_err(),
            "unknown TLV 'user_mesage_reference' (did you mean 'user_message_reference'?)"
        );
        assert_eq!(suggest(""), None);
    }

    #[test]
    fn durations_are_shown_in_their_unit() {
        assert_eq!(shown(Duration::from_secs(30), Unit::Secs), "30");
        assert_eq!(shown(Duration::from_millis(2500), Unit::Secs), "2.5");
        assert_eq!(shown(Duration::from_millis(2500), Unit::Millis), "2500");
        assert_eq!(shown(Duration::from_micros(1500), Unit::Millis), "1.5");
    }

    #[test]
    fn secret_is_wiped_and_redacted() {
        let s = Secret::from("hunter2");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(format!("{:?}", Secret::default()), "<empty>");
        assert_eq!(s.clone().expose(), "hunter2");
        drop(s);
    }
}
