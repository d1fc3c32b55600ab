//! `command_id` values (SMPP 3.4 §5.1.2, table 5-1): every command by number and name.

macro_rules! command_ids {
    ($( $variant:ident = $code:literal, $name:literal; )*) => {
        /// A `command_id`: every SMPP 3.4 command by name, others as [`CommandId::Other`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum CommandId {
            $( #[doc = concat!("`", $name, "` (", stringify!($code), ").")] $variant, )*
            /// A command SMPP 3.4 does not define.
            Other(u32),
        }

        impl CommandId {
            /// From the value on the wire.
            pub fn from_u32(v: u32) -> Self {
                match v {
                    $( $code => CommandId::$variant, )*
                    v => CommandId::Other(v),
                }
            }

            /// The value on the wire.
            pub fn to_u32(self) -> u32 {
                match self {
                    $( CommandId::$variant => $code, )*
                    CommandId::Other(v) => v,
                }
            }

            /// The spec name (`submit_sm`, …) or `unknown`.
            pub fn name(self) -> &'static str {
                match self {
                    $( CommandId::$variant => $name, )*
                    CommandId::Other(_) => "unknown",
                }
            }

            /// Every command SMPP 3.4 defines.
            pub const ALL: &'static [CommandId] = &[ $( CommandId::$variant, )* ];
        }
    };
}

command_ids! {
    GenericNack = 0x8000_0000, "generic_nack";
    BindReceiver = 0x0000_0001, "bind_receiver";
    BindReceiverResp = 0x8000_0001, "bind_receiver_resp";
    BindTransmitter = 0x0000_0002, "bind_transmitter";
    BindTransmitterResp = 0x8000_0002, "bind_transmitter_resp";
    QuerySm = 0x0000_0003, "query_sm";
    QuerySmResp = 0x8000_0003, "query_sm_resp";
    SubmitSm = 0x0000_0004, "submit_sm";
    SubmitSmResp = 0x8000_0004, "submit_sm_resp";
    DeliverSm = 0x0000_0005, "deliver_sm";
    DeliverSmResp = 0x8000_0005, "deliver_sm_resp";
    Unbind = 0x0000_0006, "unbind";
    UnbindResp = 0x8000_0006, "unbind_resp";
    ReplaceSm = 0x0000_0007, "replace_sm";
    ReplaceSmResp = 0x8000_0007, "replace_sm_resp";
    CancelSm = 0x0000_0008, "cancel_sm";
    CancelSmResp = 0x8000_0008, "cancel_sm_resp";
    BindTransceiver = 0x0000_0009, "bind_transceiver";
    BindTransceiverResp = 0x8000_0009, "bind_transceiver_resp";
    Outbind = 0x0000_000B, "outbind";
    EnquireLink = 0x0000_0015, "enquire_link";
    EnquireLinkResp = 0x8000_0015, "enquire_link_resp";
    SubmitMulti = 0x0000_0021, "submit_multi";
    SubmitMultiResp = 0x8000_0021, "submit_multi_resp";
    AlertNotification = 0x0000_0102, "alert_notification";
    DataSm = 0x0000_0103, "data_sm";
    DataSmResp = 0x8000_0103, "data_sm_resp";
}

impl CommandId {
    /// True for responses (the high bit of command_id), generic_nack included.
    pub fn is_response(self) -> bool {
        self.to_u32() & 0x8000_0000 != 0
    }

    /// The response's command_id for a request (generic_nack for commands without one).
    pub fn response(self) -> CommandId {
        match self {
            CommandId::Outbind | CommandId::AlertNotification => CommandId::GenericNack,
            c if c.is_response() => CommandId::GenericNack,
            c => CommandId::from_u32(c.to_u32() | 0x8000_0000),
        }
    }
}
