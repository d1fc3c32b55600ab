//! [`ConfigBuilder`]: a configuration built in code.

use super::choices::{OutagePolicy, OutboundEncoding, ReceiptText, TlsMode, TlsVersion};
use super::error::ConfigError;
use super::fields::Config;
#[cfg(doc)]
use super::options::Opt;
use super::secret::Secret;
use crate::pdu::Tlv;
use crate::session::BindMode;
use crate::text::{Encoding, SegmentMethod};
use std::path::PathBuf;
use std::time::Duration;

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
    pub(super) config: Config,
}

/// A setter that stores its argument in the field of the same name (or the one named after
/// `=>`).
macro_rules! setter {
    ($(#[$doc:meta])* $name:ident: $ty:ty) => {
        setter!($(#[$doc])* $name => $name: $ty);
    };
    ($(#[$doc:meta])* $name:ident => $($field:ident).+: $ty:ty) => {
        $(#[$doc])*
        pub fn $name(mut self, v: $ty) -> Self {
            self.config.$($field).+ = v;
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

    /// Applies one Genesys option by name (a `&str`, or an [`Opt`](super::Opt)), as
    /// [`Config::set`] does.
    pub fn option(mut self, key: impl AsRef<str>, value: &str) -> Result<Self, ConfigError> {
        self.config.set(key.as_ref(), value)?;
        Ok(self)
    }

    /// The channel (section) name, for logs. Default: none.
    pub fn channel(mut self, name: impl Into<String>) -> Self {
        self.config.channel = Some(name.into());
        self
    }

    setter!(
        /// [`Opt::Port`]: the SMSC TCP port, 1–65535. Default: 2775.
        port: u16
    );
    setter!(
        /// [`Opt::LocalAddress`]: the local IP address to connect from. Default: none (the
        /// system chooses).
        local_address: Option<std::net::IpAddr>
    );

    /// [`Opt::Password`]: the bind password, at most 8 characters. Default: empty.
    pub fn password(mut self, v: impl Into<Secret>) -> Self {
        self.config.password = v.into();
        self
    }

    /// [`Opt::SystemType`]: the bind's system_type, at most 12 characters. Default: empty.
    pub fn system_type(mut self, v: impl Into<String>) -> Self {
        self.config.system_type = v.into();
        self
    }

    setter!(
        /// [`Opt::BindMode`]. Default: [`BindMode::Transceiver`].
        bind_mode: BindMode
    );

    /// [`Opt::AddressRange`]: the bind's address_range, at most 40 characters.
    /// Default: empty.
    pub fn address_range(mut self, v: impl Into<String>) -> Self {
        self.config.address_range = v.into();
        self
    }

    setter!(
        /// [`Opt::BindAddrTon`]: the bind's addr_ton. Default: 0.
        bind_ton: u8
    );
    setter!(
        /// [`Opt::BindAddrNpi`]: the bind's addr_npi. Default: 0.
        bind_npi: u8
    );
    setter!(
        /// [`Opt::SrcAddrTon`]: source_addr_ton of submitted messages. Default: 1.
        src_ton: u8
    );
    setter!(
        /// [`Opt::SrcAddrNpi`]: source_addr_npi of submitted messages. Default: 1.
        src_npi: u8
    );
    setter!(
        /// [`Opt::DestAddrTon`]: dest_addr_ton of submitted messages. Default: 1.
        dest_ton: u8
    );
    setter!(
        /// [`Opt::DestAddrNpi`]: dest_addr_npi of submitted messages. Default: 1.
        dest_npi: u8
    );

    /// [`Opt::DefaultReplyAddress`]: the source address used when a submit gives none, at most 20
    /// characters. Default: empty.
    pub fn default_source(mut self, v: impl Into<String>) -> Self {
        self.config.default_source = v.into();
        self
    }

    /// [`Opt::ServiceType`]: at most 5 characters. Default: empty.
    pub fn service_type(mut self, v: impl Into<String>) -> Self {
        self.config.service_type = v.into();
        self
    }

    /// [`Opt::ValidityPeriod`]: at most 441 days (63 weeks); `Some(0)` is the same as `None`.
    /// Default: `None` (the SMSC's default).
    pub fn validity_period(mut self, v: Option<Duration>) -> Self {
        self.config.validity_period = v.filter(|d| !d.is_zero());
        self
    }

    setter!(
        /// [`Opt::DeliveryReport`]: ask for delivery receipts. Default: true.
        delivery_report: bool
    );
    setter!(
        /// [`Opt::ReceiptCorrelationTimeout`]: how long a message is remembered for its
        /// receipts after its outcome, 1 s – 30 days. Default: 1 day.
        receipt_correlation_timeout: Duration
    );
    setter!(
        /// [`Opt::ReceiptCorrelationMax`]: messages remembered for their receipts at once,
        /// 0–10,000,000 (0: none). Default: 100,000.
        receipt_correlation_max: u32
    );
    setter!(
        /// [`Opt::SubmitWindowSize`]: submits awaiting their response at once, 1–1000.
        /// Default: 10.
        window: u32
    );
    setter!(
        /// [`Opt::SubmitMaxRate`]: submit_sm per second, 1–1000, or `None` for unlimited.
        /// Default: `Some(10)`.
        max_rate: Option<u32>
    );
    setter!(
        /// [`Opt::SubmitDuringOutage`]. Default: [`OutagePolicy::Wait`].
        outage_policy: OutagePolicy
    );
    setter!(
        /// [`Opt::SubmitTimeout`]: 100 ms – 1 h. Default: 60 s.
        submit_timeout: Duration
    );
    setter!(
        /// [`Opt::ThrottleRetries`]: resubmissions after a throttling rejection, 0–100.
        /// Default: 5.
        throttle_retries: u32
    );
    setter!(
        /// [`Opt::ThrottleBackoff`]: the first wait after a throttling rejection, 10 ms – 60 s.
        /// Default: 1 s.
        throttle_backoff: Duration
    );
    setter!(
        /// [`Opt::Segmentation`]. Default: [`SegmentMethod::Udh8`].
        segmentation: SegmentMethod
    );
    setter!(
        /// [`Opt::SarMaxSegments`]: the most parts of a long message, 2–255. Default: 255.
        max_segments: u8
    );
    setter!(
        /// [`Opt::SarPromptResponses`]: send parts one at a time. Default: false.
        wait_each_segment: bool
    );
    setter!(
        /// [`Opt::OutboundEncDefault`]. Default: [`OutboundEncoding::Auto`].
        outbound_encoding: OutboundEncoding
    );
    setter!(
        /// [`Opt::InboundEncDefault`]: how inbound `data_coding` 0 is read: Gsm7,
        /// Gsm7Packed, Ascii or Latin1. Default: [`Encoding::Gsm7`].
        inbound_default: Encoding
    );
    setter!(
        /// [`Opt::Ucs2EncSchema`]: the `data_coding` sent with UCS-2 text. Default: 8.
        ucs2_data_coding: u8
    );

    /// [`Opt::EmptyMessage`]: the text sent for an empty body. Default: empty (an empty body
    /// is an error).
    pub fn empty_message(mut self, v: impl Into<String>) -> Self {
        self.config.empty_message = v.into();
        self
    }

    setter!(
        /// [`Opt::ExtraOpt`]: TLVs added to every submit_sm (not the SAR or message_payload
        /// tags, which segmentation sets). Default: none.
        extra_tlvs: Vec<Tlv>
    );
    setter!(
        /// [`Opt::DeliveryExtraOpt`]: TLVs added to every deliver_sm_resp. Default: none.
        deliver_resp_tlvs: Vec<Tlv>
    );
    setter!(
        /// [`Opt::MaxPduSize`]: the largest PDU accepted, 1024–1048576 octets.
        /// Default: 65536.
        max_pdu_len: u32
    );
    setter!(
        /// [`Opt::CommsTimeout`]: connect plus bind response, 1–120 s. Default: 10 s.
        connect_timeout: Duration
    );
    setter!(
        /// [`Opt::ResponseMaxWaitingTime`]: the wait for a response, 1–180 s.
        /// Default: 30 s.
        response_timeout: Duration
    );
    setter!(
        /// [`Opt::EnquireLinkTimeout`]: idle time before an enquire_link, 5–3600 s.
        /// Default: 30 s.
        enquire_link_interval: Duration
    );
    setter!(
        /// [`Opt::ReceiveTimeout`]: silence after which the link is dead, 5–3600 s and longer
        /// than the enquire_link interval. Default: 60 s.
        dead_peer_timeout: Duration
    );
    setter!(
        /// [`Opt::ReassemblyTimeout`]: how long inbound parts wait for the rest, 10–3600 s.
        /// Default: 180 s.
        reassembly_timeout: Duration
    );
    setter!(
        /// [`Opt::CloseTimeout`]: how long close waits for pending responses, 0–60 s.
        /// Default: 5 s.
        close_timeout: Duration
    );
    setter!(
        /// [`Opt::ReconnectionTimeout`]: the longest wait between reconnect attempts, 10 s – 1 day.
        /// Default: 180 s.
        reconnect_max_delay: Duration
    );

    /// [`Opt::ReconnectAttempts`]: attempts before giving up, up to 1000000; `None` or
    /// `Some(0)` retries forever. Default: `None`.
    pub fn reconnect_attempts(mut self, v: Option<u32>) -> Self {
        self.config.reconnect_attempts = v.filter(|&n| n != 0);
        self
    }

    setter!(
        /// [`Opt::ConnectRetry`]: `true` connects in the background (`Client::connect`
        /// returns at once, submits follow [`Opt::SubmitDuringOutage`]). Default: `false`.
        connect_retry: bool
    );

    setter!(
        /// [`Opt::Sessions`]: how many binds the channel keeps open, 1–64. Default: 1.
        sessions: u32
    );
    setter!(
        /// [`Opt::SessionsSpread`]: bind n prefers host n of the host list. Default: `false`.
        sessions_spread: bool
    );
    setter!(
        /// [`Opt::FailbackInterval`]: how often a bind on a later host checks an earlier one,
        /// 1 s – 1 day. Default: 30 s.
        failback_interval: Duration
    );

    setter!(
        /// [`Opt::TlsReloadFiles`]: read the PKCS#12 and CA files again before a reconnect
        /// when they changed on disk. Default: `false`.
        tls_reload_files => tls.reload_files: bool
    );

    setter!(
        /// [`Opt::TlsMode`]. Default: [`TlsMode::Off`].
        tls_mode => tls.mode: TlsMode
    );
    setter!(
        /// [`Opt::TlsVersion`]: the lowest version offered. Default: [`TlsVersion::Tls12`].
        tls_version => tls.min_version: TlsVersion
    );

    /// [`Opt::TlsPathToCertificate`]: the PKCS#12 client certificate file. Default: none.
    pub fn tls_pkcs12_path(mut self, v: impl Into<PathBuf>) -> Self {
        self.config.tls.pkcs12_path = Some(v.into());
        self
    }

    /// The client certificate chain and private key as PEM files (unencrypted key), for
    /// mutual TLS instead of a PKCS#12 file. No Genesys option sets this. Default: none.
    pub fn tls_client_pem(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.config.tls.client_pem = Some((cert.into(), key.into()));
        self
    }

    /// [`Opt::TlsCertificateFilePassword`]: opens the PKCS#12 file. Default: none.
    pub fn tls_file_password(mut self, v: impl Into<Secret>) -> Self {
        self.config.tls.file_password = Some(v.into());
        self
    }

    /// [`Opt::TlsCertificatePassword`]: the private key's password inside the PKCS#12 file.
    /// Default: none.
    pub fn tls_key_password(mut self, v: impl Into<Secret>) -> Self {
        self.config.tls.key_password = Some(v.into());
        self
    }

    /// [`Opt::TlsCaFile`]: PEM certificates to trust instead of the system's.
    /// Default: none (the system trust store).
    pub fn tls_ca_file(mut self, v: impl Into<PathBuf>) -> Self {
        self.config.tls.ca_file = Some(v.into());
        self
    }

    setter!(
        /// [`Opt::TlsMaxVersion`]: the highest version offered. Default: [`TlsVersion::Tls13`].
        tls_max_version => tls.max_version: TlsVersion
    );
    setter!(
        /// [`Opt::TlsSkipHostnameVerification`]. Default: false. Dangerous.
        tls_skip_hostname_verification => tls.skip_hostname_verification: bool
    );
    setter!(
        /// [`Opt::TlsTrustPkcs12Cas`]: trust the PKCS#12 file's CAs. Default: false.
        tls_trust_pkcs12_cas => tls.trust_pkcs12_cas: bool
    );
    setter!(
        /// [`Opt::TlsExpiryWarningDays`]: warn at each connect when a certificate (ours or
        /// the SMSC's) expires within this many days. Default: 30.
        tls_expiry_warning_days => tls.expiry_warning_days: u32
    );

    /// [`Opt::TlsServerName`]: the name to verify. Default: the host.
    pub fn tls_server_name(mut self, v: impl Into<String>) -> Self {
        self.config.tls.server_name = Some(v.into());
        self
    }

    /// [`Opt::PiiRules`]: a JSON rule file added to the built-in rules. Default: none.
    pub fn pii_rules(mut self, v: impl Into<PathBuf>) -> Self {
        self.config.pii_rules = Some(v.into());
        self
    }

    /// [`Opt::LogMaskGroup`]: the rule group masking esme's logs. Default: `default`.
    pub fn log_mask_group(mut self, v: impl Into<String>) -> Self {
        self.config.log_mask_group = v.into();
        self
    }

    /// [`Opt::LogReceiptText`]: how esme's logs show a delivery receipt's `text:`. Default:
    /// [`ReceiptText::Masked`].
    pub fn log_receipt_text(mut self, v: ReceiptText) -> Self {
        self.config.log_receipt_text = v;
        self
    }

    /// [`Opt::TlsCertificateAlias`]: the key entry to use. Default: the only one.
    pub fn tls_alias(mut self, v: impl Into<String>) -> Self {
        self.config.tls.alias = Some(v.into());
        self
    }

    setter!(
        /// [`Opt::DebugMode`]: log every PDU. Default: false.
        debug: bool
    );
}
