//! [`Config`] and [`TlsConfig`]: one public field per setting, each named after its option.

use super::choices::{OutagePolicy, OutboundEncoding, ReceiptText, TlsMode, TlsVersion};
#[cfg(doc)]
use super::options::Opt;
use super::secret::Secret;
use crate::pdu::Tlv;
use crate::session::BindMode;
use crate::text::{Encoding, SegmentMethod};
use std::path::PathBuf;
use std::time::Duration;

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
    /// [`Opt::Host`]: the SMSC host name or IP address, or a list of them separated by
    /// commas, each with an optional `:port` (see [`Config::hosts`]). Required.
    pub host: String,
    /// [`Opt::Port`]: the SMSC TCP port.
    pub port: u16,
    /// [`Opt::LocalAddress`]: the local IP address the socket is bound to before it
    /// connects (an address the SMSC's operator allow-listed); `None`: the system's choice.
    pub local_address: Option<std::net::IpAddr>,
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
    /// [`Opt::ReceiptCorrelationTimeout`]: how long a message that asked for a receipt is
    /// remembered after its outcome, to match its receipts.
    pub receipt_correlation_timeout: Duration,
    /// [`Opt::ReceiptCorrelationMax`]: the most messages remembered for their receipts; 0
    /// matches none.
    pub receipt_correlation_max: u32,
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
    /// [`Opt::ConnectRetry`]: `Client::connect` returns at once and the client connects in
    /// the background, retrying like a reconnect, instead of failing when the first connect
    /// or bind fails.
    pub connect_retry: bool,
    /// [`Opt::Sessions`]: how many binds the channel keeps open (each with its own
    /// connection and window).
    pub sessions: u32,
    /// [`Opt::SessionsSpread`]: bind n prefers host n of [`Opt::Host`]'s list.
    pub sessions_spread: bool,
    /// [`Opt::FailbackInterval`]: how often a bind on a later host checks whether an earlier
    /// one answers again.
    pub failback_interval: Duration,
    /// The TLS options (`x-smpp-tls-…`).
    pub tls: TlsConfig,
    /// [`Opt::PiiRules`]: a JSON file of PII masking rules, added to the built-ins.
    pub pii_rules: Option<PathBuf>,
    /// [`Opt::LogMaskGroup`]: the PII rule group applied to message text and addresses in
    /// esme's own logs.
    pub log_mask_group: String,
    /// [`Opt::LogReceiptText`]: how esme's logs show a delivery receipt's `text:`.
    pub log_receipt_text: ReceiptText,
    /// [`Opt::DebugMode`]: log every PDU (secrets and message text masked by the logger).
    pub debug: bool,
    /// The option names the configuration was read from, ignored ones included (see
    /// [`Config::genesys_notes`]).
    pub given: OptionsGiven,
}

/// The option names a configuration was read from (a file, [`Config::from_options`],
/// [`Config::set`]), ignored ones included, in order; empty for one built in code. Not part
/// of equality: two configurations with the same settings are equal however they were
/// written.
#[derive(Clone, Default)]
pub struct OptionsGiven(pub Vec<String>);

impl PartialEq for OptionsGiven {
    fn eq(&self, _: &OptionsGiven) -> bool {
        true
    }
}

impl Eq for OptionsGiven {}

impl std::fmt::Debug for OptionsGiven {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} options given", self.0.len())
    }
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
    /// A PEM certificate chain and a PEM private key (PKCS#8, PKCS#1 or SEC1, unencrypted) for
    /// mutual TLS, instead of the PKCS#12 file. Set in code only
    /// ([`ConfigBuilder::tls_client_pem`](super::ConfigBuilder::tls_client_pem)); the Genesys
    /// options name PKCS#12 files.
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
    /// [`Opt::TlsReloadFiles`]: read the PKCS#12 file and the CA file again before a
    /// reconnect when they changed on disk.
    pub reload_files: bool,
    /// [`Opt::TlsExpiryWarningDays`]: at each connect, a warning when our client certificate
    /// or the SMSC's expires within this many days (0: only once expired).
    pub expiry_warning_days: u32,
}

impl Config {
    /// Where [`Config::blank`] starts: each field at its type's empty value. These are not the
    /// defaults (the option table's rows give those, and replace every one of these).
    pub(super) fn unset() -> Config {
        Config {
            channel: None,
            host: String::new(),
            port: 0,
            local_address: None,
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
            receipt_correlation_timeout: Duration::ZERO,
            receipt_correlation_max: 0,
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
            connect_retry: false,
            sessions: 0,
            sessions_spread: false,
            failback_interval: Duration::ZERO,
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
                reload_files: false,
                expiry_warning_days: 0,
            },
            pii_rules: None,
            log_mask_group: String::new(),
            log_receipt_text: ReceiptText::Masked,
            debug: false,
            given: OptionsGiven::default(),
        }
    }
}

/// How many messages a bind holds at once: its window of submits awaiting their response
/// ([`Opt::SubmitWindowSize`], [`Config::window`]), and as many again encoded and queued
/// behind it. A submitter blocks (`try_submit_async`: `WindowFull`) only when both are full.
/// What the SMSC sees is unchanged: never more than the window unanswered.
///
/// The queue is what lets the read that frees room in the window fill it in the same turn:
/// the answers are read, the queued submits go into the freed slots and out in one write
/// before the submitter is back, and the submitter encodes the next ones while the SMSC
/// works on those. With no queue (admission at the window, before issue 19) the write
/// waited for the submitter to take the outcomes and encode the next messages: its work
/// was on the link's critical path. Measured with `bash benches/ab.sh` (the two builds
/// alternating with the pre-encoded C blaster against one SMSC process, 20 000 msgs a rep,
/// medians of the per-rep ratios), without → with the queue: the smpp34 server, window 10,
/// 0.90× → 0.96× and 0.96× → 0.99× the blaster (15 reps, twice), 0.90× → 0.93× (9 reps);
/// window 100, 0.92× → 1.04×; `esme smsc`, window 10, 1.05× faster, window 100 (100 000
/// msgs) 1.49× (456k → 724k msg/s); node-smpp's SMSC (which answers one segment at a
/// time) within the noise, 0.95–1.03×.
pub(crate) fn admission_limit(window: usize) -> usize {
    2 * window
}
