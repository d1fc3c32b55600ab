//! The TLV tag table (SMPP 3.4 §5.3): every optional parameter's tag number, spec name and
//! value type. A leaf: errors, the wire readers, TLVs and bodies all name tags from here.

/// The value type the spec gives a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// No value (length 0), e.g. `alert_on_message_delivery`.
    Empty,
    /// One octet integer.
    U8,
    /// Two octet integer.
    U16,
    /// Four octet integer.
    U32,
    /// An integer of one or two octets. SMPP 3.4 is ambiguous for the telematics ids (one
    /// table says 1 octet, another 2; node-smpp writes 2, other stacks 1): both are accepted.
    U8OrU16,
    /// C-Octet string of at most `max` octets including the NUL. Decoding also accepts the
    /// value without its NUL, as several SMSCs send `receipted_message_id` that way.
    COctet {
        /// Maximum length including the NUL.
        max: usize,
    },
    /// Octet string with a length in `min..=max`.
    Octets {
        /// Minimum length.
        min: usize,
        /// Maximum length.
        max: usize,
    },
    /// `network_error_code`: network type (1 octet) and error code (2 octets).
    NetworkErrorCode,
    /// `message_state` (1 octet, [`MessageState`](super::types::MessageState)).
    MessageState,
}

macro_rules! tags {
    ($( $variant:ident = $code:literal, $name:literal, $kind:expr; )*) => {
        /// A TLV tag: every SMPP 3.4 optional parameter by name, others as [`Tag::Other`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Tag {
            $( #[doc = concat!("`", $name, "` (", stringify!($code), ").")] $variant, )*
            /// A tag SMPP 3.4 does not define (reserved, or SMSC vendor specific 0x1400–0x3FFF).
            Other(u16),
        }

        impl Tag {
            /// From the value on the wire.
            pub fn from_u16(v: u16) -> Tag {
                match v {
                    $( $code => Tag::$variant, )*
                    v => Tag::Other(v),
                }
            }

            /// The value on the wire.
            pub fn to_u16(self) -> u16 {
                match self {
                    $( Tag::$variant => $code, )*
                    Tag::Other(v) => v,
                }
            }

            /// The spec name (`sar_msg_ref_num`, …); `vendor_specific` or `unknown` for others.
            pub fn name(self) -> &'static str {
                match self {
                    $( Tag::$variant => $name, )*
                    Tag::Other(v) if (0x1400..=0x3FFF).contains(&v) => "vendor_specific",
                    Tag::Other(_) => "unknown",
                }
            }

            /// The value type the spec defines; `None` for tags it does not define.
            pub fn kind(self) -> Option<Kind> {
                match self {
                    $( Tag::$variant => Some($kind), )*
                    Tag::Other(_) => None,
                }
            }

            /// Every tag SMPP 3.4 defines.
            pub const ALL: &'static [Tag] = &[ $( Tag::$variant, )* ];
        }
    };
}

tags! {
    DestAddrSubunit = 0x0005, "dest_addr_subunit", Kind::U8;
    DestNetworkType = 0x0006, "dest_network_type", Kind::U8;
    DestBearerType = 0x0007, "dest_bearer_type", Kind::U8;
    DestTelematicsId = 0x0008, "dest_telematics_id", Kind::U8OrU16;
    SourceAddrSubunit = 0x000D, "source_addr_subunit", Kind::U8;
    SourceNetworkType = 0x000E, "source_network_type", Kind::U8;
    SourceBearerType = 0x000F, "source_bearer_type", Kind::U8;
    SourceTelematicsId = 0x0010, "source_telematics_id", Kind::U8OrU16;
    QosTimeToLive = 0x0017, "qos_time_to_live", Kind::U32;
    PayloadType = 0x0019, "payload_type", Kind::U8;
    AdditionalStatusInfoText = 0x001D, "additional_status_info_text", Kind::COctet { max: 256 };
    ReceiptedMessageId = 0x001E, "receipted_message_id", Kind::COctet { max: 65 };
    MsMsgWaitFacilities = 0x0030, "ms_msg_wait_facilities", Kind::U8;
    PrivacyIndicator = 0x0201, "privacy_indicator", Kind::U8;
    SourceSubaddress = 0x0202, "source_subaddress", Kind::Octets { min: 2, max: 23 };
    DestSubaddress = 0x0203, "dest_subaddress", Kind::Octets { min: 2, max: 23 };
    UserMessageReference = 0x0204, "user_message_reference", Kind::U16;
    UserResponseCode = 0x0205, "user_response_code", Kind::U8;
    SourcePort = 0x020A, "source_port", Kind::U16;
    DestinationPort = 0x020B, "destination_port", Kind::U16;
    SarMsgRefNum = 0x020C, "sar_msg_ref_num", Kind::U16;
    LanguageIndicator = 0x020D, "language_indicator", Kind::U8;
    SarTotalSegments = 0x020E, "sar_total_segments", Kind::U8;
    SarSegmentSeqnum = 0x020F, "sar_segment_seqnum", Kind::U8;
    ScInterfaceVersion = 0x0210, "sc_interface_version", Kind::U8;
    CallbackNumPresInd = 0x0302, "callback_num_pres_ind", Kind::U8;
    CallbackNumAtag = 0x0303, "callback_num_atag", Kind::Octets { min: 0, max: 65 };
    NumberOfMessages = 0x0304, "number_of_messages", Kind::U8;
    CallbackNum = 0x0381, "callback_num", Kind::Octets { min: 4, max: 19 };
    DpfResult = 0x0420, "dpf_result", Kind::U8;
    SetDpf = 0x0421, "set_dpf", Kind::U8;
    MsAvailabilityStatus = 0x0422, "ms_availability_status", Kind::U8;
    NetworkErrorCode = 0x0423, "network_error_code", Kind::NetworkErrorCode;
    MessagePayload = 0x0424, "message_payload", Kind::Octets { min: 0, max: 65535 };
    DeliveryFailureReason = 0x0425, "delivery_failure_reason", Kind::U8;
    MoreMessagesToSend = 0x0426, "more_messages_to_send", Kind::U8;
    MessageState = 0x0427, "message_state", Kind::MessageState;
    UssdServiceOp = 0x0501, "ussd_service_op", Kind::U8;
    DisplayTime = 0x1201, "display_time", Kind::U8;
    SmsSignal = 0x1203, "sms_signal", Kind::U16;
    MsValidity = 0x1204, "ms_validity", Kind::U8;
    AlertOnMessageDelivery = 0x130C, "alert_on_message_delivery", Kind::Empty;
    ItsReplyType = 0x1380, "its_reply_type", Kind::U8;
    ItsSessionInfo = 0x1383, "its_session_info", Kind::Octets { min: 2, max: 2 };
}
