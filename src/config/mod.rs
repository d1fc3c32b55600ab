//! Channel configuration: a typed [`Config`](crate::config::Config), its
//! [`ConfigBuilder`](crate::config::ConfigBuilder), and the Genesys SMS driver option names
//! (named in code by [`Opt`](crate::config::Opt)), read from a list of options
//! ([`Config::from_options`](crate::config::Config::from_options)), a channel section file
//! ([`Config::from_file`](crate::config::Config::from_file)) or text
//! ([`Config::parse_str`](crate::config::Config::parse_str)).
//!
//! [`Config::options`](crate::config::Config::options) is the one table of options: for each,
//! its name, default, valid values and meaning (the docs' option table is generated from
//! them), and how its value is read into a `Config` and checked there. Every reader, the
//! builder's [`ConfigBuilder::option`](crate::config::ConfigBuilder::option),
//! [`Config::set`](crate::config::Config::set) and
//! [`Config::validate`](crate::config::Config::validate) go through that table. The table is
//! the only place that spells an option's name; everything else names it by its
//! [`Opt`](crate::config::Opt), whose `Display` is the name.
//!
//! Every error is one line naming the option, the bad value and what is valid, e.g. a window
//! size of 0 gives "(the option's name) = 0: must be an integer from 1 to 1000". The values of
//! the secret options (the bind password and the two PKCS#12 passwords) never appear in
//! errors or in `Debug` output.
//!
//! Files: `mod.rs` this type and its entry points; `options.rs` the option table and the rules
//! between options; `values.rs` reading and checking values; `tlvs.rs` the TLV options;
//! `choices.rs` the enumerated settings and their names; `file.rs` the readers (option lists,
//! section files); `builder.rs`; `error.rs`; `suggest.rs` (did you mean …?); `secret.rs`.

use crate::pdu::Tlv;
use crate::text::{Encoding, SegmentMethod};
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
pub use options::{Opt, OptionSpec};
pub use secret::Secret;

/// Which bind to open ([`Opt::BindMode`]): the session's own type.
pub use crate::session::BindMode;

use options::{IGNORED, OPTIONS};

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
    /// [`Opt::Host`]: the SMSC host name or IP address. Required.
    pub host: String,
    /// [`Opt::Port`]: the SMSC TCP port.
    pub port: u16,
    /// [`Opt::SystemId`]: the bind's system_id. Required, at most 15 characters.
    pub system_id: String,
    /// [`Opt::Password`]: the bind's password, at most 8 characters.
    pub password: Secret,
    /// [`Opt::SystemType`]: the bind's system_type, at most 12 characters.
    pub system_type: String,
    /// [`Opt::BindMode`]: which bind to open.
    pub bind_mode: BindMode,
    /// [`Opt::AddressRange`]: the bind's address_range, at most 40 characters.
    pub address_range: String,
    /// [`Opt::BindAddrTon`]: the bind's addr_ton.
    pub bind_ton: u8,
    /// [`Opt::BindAddrNpi`]: the bind's addr_npi.
    pub bind_npi: u8,
    /// [`Opt::SrcAddrTon`]: source_addr_ton of submitted messages.
    pub src_ton: u8,
    /// [`Opt::SrcAddrNpi`]: source_addr_npi of submitted messages.
    pub src_npi: u8,
    /// [`Opt::DestAddrTon`]: dest_addr_ton of submitted messages.
    pub dest_ton: u8,
    /// [`Opt::DestAddrNpi`]: dest_addr_npi of submitted messages.
    pub dest_npi: u8,
    /// [`Opt::DefaultReplyAddress`]: the source address used when a submit gives none, at most 20
    /// characters.
    pub default_source: String,
    /// [`Opt::ServiceType`]: service_type of submitted messages, at most 5 characters.
    pub service_type: String,
    /// [`Opt::ValidityPeriod`]: validity_period of submitted messages (sent as an SMPP relative
    /// time, whole seconds); `None` leaves it to the SMSC.
    pub validity_period: Option<Duration>,
    /// [`Opt::DeliveryReport`]: ask for delivery receipts (registered_delivery 1).
    pub delivery_report: bool,
    /// [`Opt::SubmitWindowSize`]: the most submits awaiting their response at once.
    pub window: u32,
    /// [`Opt::SubmitMaxRate`] / [`Opt::SubmitRateUnlimited`]: the most submit_sm per second
    /// (each part of a long message counts); `None` is unlimited.
    pub max_rate: Option<u32>,
    /// [`Opt::SubmitDuringOutage`]: what a submit does while the link is down.
    pub outage_policy: OutagePolicy,
    /// [`Opt::SubmitTimeout`]: the longest a blocking submit waits for window space, the rate
    /// limiter or a reconnect before its message is NotSent.
    pub submit_timeout: Duration,
    /// [`Opt::ThrottleRetries`]: resubmissions after ESME_RTHROTTLED or ESME_RMSGQFUL.
    pub throttle_retries: u32,
    /// [`Opt::ThrottleBackoff`]: the wait before the first resubmission after a throttling
    /// rejection; it doubles each retry, up to 30 s (or this value, if larger).
    pub throttle_backoff: Duration,
    /// [`Opt::Segmentation`] / [`Opt::UseMsgPayload`]: how long text is split.
    pub segmentation: SegmentMethod,
    /// [`Opt::SarMaxSegments`]: the most parts a long message may take.
    pub max_segments: u8,
    /// [`Opt::SarPromptResponses`]: send the parts of a long message one at a time, each
    /// after the previous one's response, instead of pipelined.
    pub wait_each_segment: bool,
    /// [`Opt::OutboundEncDefault`]: the encoding of outbound text.
    pub outbound_encoding: OutboundEncoding,
    /// [`Opt::InboundEncDefault`]: how inbound `data_coding` 0 is read: Gsm7, Gsm7Packed,
    /// Ascii or Latin1.
    pub inbound_default: Encoding,
    /// [`Opt::Ucs2EncSchema`]: the `data_coding` sent with UCS-2 text.
    pub ucs2_data_coding: u8,
    /// [`Opt::EmptyMessage`]: the text sent when a submit has an empty body; if this is empty
    /// too, an empty body is an error at submit time.
    pub empty_message: String,
    /// [`Opt::ExtraOpt`]: TLVs added to every submit_sm.
    pub extra_tlvs: Vec<Tlv>,
    /// [`Opt::DeliveryExtraOpt`]: TLVs added to every deliver_sm_resp.
    pub deliver_resp_tlvs: Vec<Tlv>,
    /// [`Opt::MaxPduSize`]: the largest PDU accepted from the SMSC, in octets.
    pub max_pdu_len: u32,
    /// [`Opt::CommsTimeout`]: the longest the TCP connect (and TLS handshake) plus the bind
    /// response may take.
    pub connect_timeout: Duration,
    /// [`Opt::ResponseMaxWaitingTime`]: the longest to wait for the response to a request.
    pub response_timeout: Duration,
    /// [`Opt::EnquireLinkTimeout`]: send enquire_link after this long without traffic.
    pub enquire_link_interval: Duration,
    /// [`Opt::ReceiveTimeout`]: the link is declared dead when nothing at all is received for
    /// this long. Longer than `enquire_link_interval`.
    pub dead_peer_timeout: Duration,
    /// [`Opt::ReassemblyTimeout`]: how long the parts of an inbound long message are kept
    /// waiting for the rest.
    pub reassembly_timeout: Duration,
    /// [`Opt::CloseTimeout`]: how long close waits for pending responses.
    pub close_timeout: Duration,
    /// [`Opt::ReconnectionTimeout`]: the longest wait between reconnect attempts. The first retry
    /// is after 1 s, then the wait doubles (±20% jitter) up to this.
    pub reconnect_max_delay: Duration,
    /// [`Opt::ReconnectAttempts`]: reconnect attempts before giving up; `None` is forever.
    pub reconnect_attempts: Option<u32>,
    /// The TLS options (`x-smpp-tls-…`).
    pub tls: TlsConfig,
    /// [`Opt::PiiRules`]: a JSON file of PII masking rules, added to the built-ins.
    pub pii_rules: Option<PathBuf>,
    /// [`Opt::LogMaskGroup`]: the PII rule group applied to message text and addresses in
    /// esme's own logs.
    pub log_mask_group: String,
    /// [`Opt::DebugMode`]: log every PDU (secrets and message text masked by the logger).
    pub debug: bool,
}

/// The TLS options of a channel ([`Config::tls`]), as the TLS layer takes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    /// [`Opt::TlsMode`]: whether and how TLS is used.
    pub mode: TlsMode,
    /// [`Opt::TlsVersion`]: the lowest TLS version offered.
    pub min_version: TlsVersion,
    /// [`Opt::TlsMaxVersion`]: the highest TLS version offered.
    pub max_version: TlsVersion,
    /// [`Opt::TlsPathToCertificate`]: the PKCS#12 file with the client certificate and key
    /// (required for [`TlsMode::Mutual`]).
    pub pkcs12_path: Option<PathBuf>,
    /// [`Opt::TlsCertificateFilePassword`]: the password that opens the PKCS#12 file.
    pub file_password: Option<Secret>,
    /// [`Opt::TlsCertificatePassword`]: the password of the private key inside it, when it
    /// differs from the file's.
    pub key_password: Option<Secret>,
    /// [`Opt::TlsCertificateAlias`]: which key entry of the PKCS#12 file to use.
    pub alias: Option<String>,
    /// A PEM certificate chain and a PEM private key (PKCS#8, PKCS#1 or SEC1, unencrypted)
    /// for mutual TLS, instead of the PKCS#12 file. Set in code only
    /// ([`ConfigBuilder::tls_client_pem`]); the Genesys options name PKCS#12 files.
    pub client_pem: Option<(PathBuf, PathBuf)>,
    /// [`Opt::TlsCaFile`]: PEM certificates to trust instead of the system's trust store.
    pub ca_file: Option<PathBuf>,
    /// [`Opt::TlsTrustPkcs12Cas`]: trust the CA certificates found in the PKCS#12 file.
    pub trust_pkcs12_cas: bool,
    /// [`Opt::TlsServerName`]: the name the SMSC's certificate must carry (default: the host).
    pub server_name: Option<String>,
    /// [`Opt::TlsSkipHostnameVerification`]: accept a certificate issued for another name
    /// (the chain is still verified). Dangerous.
    pub skip_hostname_verification: bool,
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

    /// Every option at its default from the table; host and system_id empty (not valid until
    /// they are set).
    pub(super) fn blank() -> Config {
        let mut c = Config::unset();
        for spec in OPTIONS {
            if spec.default != options::REQUIRED {
                let applied = (spec.apply)(&mut c, spec, spec.default);
                // A unit test applies every default; it cannot fail here.
                debug_assert!(applied.is_ok(), "{}: {applied:?}", spec.name);
            }
        }
        c
    }

    /// Where [`Config::blank`] starts: each field at its type's empty value. These are not the
    /// defaults (the option table's rows give those, and replace every one of these).
    fn unset() -> Config {
        Config {
            channel: None,
            host: String::new(),
            port: 0,
            system_id: String::new(),
            password: Secret::default(),
            system_type: String::new(),
            bind_mode: BindMode::Transceiver,
            address_range: String::new(),
            bind_ton: 0,
            bind_npi: 0,
            src_ton: 0,
            src_npi: 0,
            dest_ton: 0,
            dest_npi: 0,
            default_source: String::new(),
            service_type: String::new(),
            validity_period: None,
            delivery_report: false,
            window: 0,
            max_rate: None,
            outage_policy: OutagePolicy::Wait,
            submit_timeout: Duration::ZERO,
            throttle_retries: 0,
            throttle_backoff: Duration::ZERO,
            segmentation: SegmentMethod::Udh8,
            max_segments: 0,
            wait_each_segment: false,
            outbound_encoding: OutboundEncoding::Auto,
            inbound_default: Encoding::Gsm7,
            ucs2_data_coding: 0,
            empty_message: String::new(),
            extra_tlvs: Vec::new(),
            deliver_resp_tlvs: Vec::new(),
            max_pdu_len: 0,
            connect_timeout: Duration::ZERO,
            response_timeout: Duration::ZERO,
            enquire_link_interval: Duration::ZERO,
            dead_peer_timeout: Duration::ZERO,
            reassembly_timeout: Duration::ZERO,
            close_timeout: Duration::ZERO,
            reconnect_max_delay: Duration::ZERO,
            reconnect_attempts: None,
            tls: TlsConfig {
                mode: TlsMode::Off,
                min_version: TlsVersion::Tls12,
                max_version: TlsVersion::Tls12,
                pkcs12_path: None,
                file_password: None,
                key_password: None,
                alias: None,
                client_pem: None,
                ca_file: None,
                trust_pkcs12_cas: false,
                server_name: None,
                skip_hostname_verification: false,
            },
            pii_rules: None,
            log_mask_group: String::new(),
            debug: false,
        }
    }

    /// The option table: every option's name, default, valid values and meaning, in the order
    /// the docs list them.
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
    /// [`Opt::Host`] and [`Opt::SystemId`] are required; an option given twice is an error.
    ///
    /// The names as files spell them, or as [`Opt`]s:
    ///
    /// ```
    /// use esme::config::{Config, Opt};
    /// let c = Config::from_options([
    ///     (Opt::Host, "smsc.example.net"),
    ///     (Opt::SystemId, "esme01"),
    ///     (Opt::SubmitWindowSize, "50"),
    /// ]).unwrap();
    /// assert_eq!(c.window, 50);
    /// let same = Config::from_options(
    ///     [(Opt::Host, "smsc.example.net"), (Opt::SystemId, "esme01")]
    ///         .map(|(o, v)| (o.name(), v)),
    /// ).unwrap();
    /// assert_eq!(same.host, c.host);
    /// ```
    pub fn from_options<I, K, V>(opts: I) -> Result<Config, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut loader = file::Loader::new();
        for (k, v) in opts {
            loader.entry(k.as_ref(), v.as_ref(), None)?;
        }
        loader.finish(None)
    }

    /// Reads a channel section file (see [`Config::parse_str`] for the format). Errors name the
    /// file and, where there is one, the line (`path:line: …`).
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        file::read(path)
    }

    /// Reads a channel section from text: an optional `[channel-name]` header (one only),
    /// `option = value` lines, comment lines starting with `#` or `;`, and blank lines. Values
    /// follow [`Config::from_options`]'s rules; a `#` inside a value is part of the value.
    /// Errors name the line (`line 3: …`).
    pub fn parse_str(text: &str) -> Result<Config, ConfigError> {
        file::parse(text, None)
    }

    /// Applies one option (name verbatim, value as in a file), e.g. a command line's
    /// `--set name=value` after loading a file. The value is checked; checks that involve
    /// several options run in [`Config::validate`]: call it after the last `set`.
    /// Unlike [`Config::from_options`], a later `set` simply wins: [`Opt::UseMsgPayload`]
    /// and [`Opt::Segmentation`] override each other, as do [`Opt::SubmitMaxRate`] and
    /// [`Opt::SubmitRateUnlimited`].
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let key = key.trim();
        if IGNORED.contains(&key) {
            return Ok(());
        }
        let spec = options::lookup(key).ok_or_else(|| error::unknown(key))?;
        (spec.apply)(self, spec, values::unquote(value.trim()))
    }

    /// Checks every setting (each option's own check, from the table) and the rules between
    /// them (e.g. [`Opt::ReceiveTimeout`] longer than [`Opt::EnquireLinkTimeout`]; `mutual`
    /// TLS needs a certificate). The readers and [`ConfigBuilder::build`] call it.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for spec in OPTIONS {
            (spec.check)(self, spec)?;
        }
        options::rules(self)
    }
}
