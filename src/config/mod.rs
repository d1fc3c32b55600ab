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

use crate::pdu::{Tag, Tlv};
use crate::text::{Encoding, SegmentMethod};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod builder;
mod choices;
mod error;
mod file;
mod options;
mod secret;
mod suggest;
mod tlvs;
mod values;

#[cfg(test)]
mod tests;

pub use builder::ConfigBuilder;
pub use choices::{OutagePolicy, OutboundEncoding, TlsMode, TlsVersion};
pub use error::ConfigError;
pub use options::OptionSpec;
pub use secret::Secret;

/// Which bind to open (`x-smpp-bind-mode`): the session's own type.
pub use crate::session::BindMode;

use error::{invalid, missing, must, unknown};
use file::{parse, Loader};
use options::{lookup, spec, Unit, IGNORED, OPTIONS, SECRETS};
use secret::wipe;
use suggest::{distance, suggest};
use tlvs::{check_extra_tlvs, parse_tlvs};
use values::*;

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
