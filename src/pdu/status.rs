//! `command_status` values (SMPP 3.4 §5.1.3, table 5-2).

macro_rules! statuses {
    ($( $(#[$m:meta])* $variant:ident = $code:literal, $name:literal, $meaning:literal; )*) => {
        /// A `command_status` value: every SMPP 3.4 code by name, anything else as
        /// [`CommandStatus::Other`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum CommandStatus {
            $( #[doc = concat!("`", $name, "` (", stringify!($code), "): ", $meaning, ".")] $variant, )*
            /// A code the SMPP 3.4 spec does not name (reserved, SMPP extension 0x100–0x3FF,
            /// or SMSC vendor specific 0x400–0x4FF).
            Other(u32),
        }

        impl CommandStatus {
            /// From the value on the wire; every value maps to a variant.
            pub fn from_u32(v: u32) -> Self {
                match v {
                    $( $code => CommandStatus::$variant, )*
                    v => CommandStatus::Other(v),
                }
            }

            /// The value on the wire.
            pub fn to_u32(self) -> u32 {
                match self {
                    $( CommandStatus::$variant => $code, )*
                    CommandStatus::Other(v) => v,
                }
            }

            /// The spec name, e.g. `ESME_RTHROTTLED`; `None` for [`CommandStatus::Other`].
            pub fn spec_name(self) -> Option<&'static str> {
                match self {
                    $( CommandStatus::$variant => Some($name), )*
                    CommandStatus::Other(_) => None,
                }
            }

            /// A short meaning, e.g. "throttling error (the ESME exceeded its message rate)".
            pub fn meaning(self) -> &'static str {
                match self {
                    $( CommandStatus::$variant => $meaning, )*
                    CommandStatus::Other(v) if (0x100..=0x3FF).contains(&v) => "reserved for SMPP extension",
                    CommandStatus::Other(v) if (0x400..=0x4FF).contains(&v) => "SMSC vendor specific error",
                    CommandStatus::Other(_) => "reserved (not defined by SMPP 3.4)",
                }
            }
        }
    };
}

statuses! {
    Ok = 0x0000_0000, "ESME_ROK", "no error";
    InvMsgLen = 0x0000_0001, "ESME_RINVMSGLEN", "message length is invalid";
    InvCmdLen = 0x0000_0002, "ESME_RINVCMDLEN", "command length is invalid";
    InvCmdId = 0x0000_0003, "ESME_RINVCMDID", "invalid command id";
    InvBndSts = 0x0000_0004, "ESME_RINVBNDSTS", "incorrect bind status for the given command";
    AlyBnd = 0x0000_0005, "ESME_RALYBND", "ESME already in bound state";
    InvPrtFlg = 0x0000_0006, "ESME_RINVPRTFLG", "invalid priority flag";
    InvRegDlvFlg = 0x0000_0007, "ESME_RINVREGDLVFLG", "invalid registered delivery flag";
    SysErr = 0x0000_0008, "ESME_RSYSERR", "system error";
    InvSrcAdr = 0x0000_000A, "ESME_RINVSRCADR", "invalid source address";
    InvDstAdr = 0x0000_000B, "ESME_RINVDSTADR", "invalid destination address";
    InvMsgId = 0x0000_000C, "ESME_RINVMSGID", "message id is invalid";
    BindFail = 0x0000_000D, "ESME_RBINDFAIL", "bind failed";
    InvPaswd = 0x0000_000E, "ESME_RINVPASWD", "invalid password";
    InvSysId = 0x0000_000F, "ESME_RINVSYSID", "invalid system id";
    CancelFail = 0x0000_0011, "ESME_RCANCELFAIL", "cancel_sm failed";
    ReplaceFail = 0x0000_0013, "ESME_RREPLACEFAIL", "replace_sm failed";
    MsgQFul = 0x0000_0014, "ESME_RMSGQFUL", "message queue full";
    InvSerTyp = 0x0000_0015, "ESME_RINVSERTYP", "invalid service type";
    InvNumDests = 0x0000_0033, "ESME_RINVNUMDESTS", "invalid number of destinations";
    InvDlName = 0x0000_0034, "ESME_RINVDLNAME", "invalid distribution list name";
    InvDestFlag = 0x0000_0040, "ESME_RINVDESTFLAG", "destination flag is invalid (submit_multi)";
    InvSubRep = 0x0000_0042, "ESME_RINVSUBREP", "invalid 'submit with replace' request";
    InvEsmClass = 0x0000_0043, "ESME_RINVESMCLASS", "invalid esm_class field data";
    CntSubDl = 0x0000_0044, "ESME_RCNTSUBDL", "cannot submit to distribution list";
    SubmitFail = 0x0000_0045, "ESME_RSUBMITFAIL", "submit_sm or submit_multi failed";
    InvSrcTon = 0x0000_0048, "ESME_RINVSRCTON", "invalid source address TON";
    InvSrcNpi = 0x0000_0049, "ESME_RINVSRCNPI", "invalid source address NPI";
    InvDstTon = 0x0000_0050, "ESME_RINVDSTTON", "invalid destination address TON";
    InvDstNpi = 0x0000_0051, "ESME_RINVDSTNPI", "invalid destination address NPI";
    InvSysTyp = 0x0000_0053, "ESME_RINVSYSTYP", "invalid system_type field";
    InvRepFlag = 0x0000_0054, "ESME_RINVREPFLAG", "invalid replace_if_present flag";
    InvNumMsgs = 0x0000_0055, "ESME_RINVNUMMSGS", "invalid number of messages";
    Throttled = 0x0000_0058, "ESME_RTHROTTLED", "throttling error (the ESME exceeded its allowed message rate)";
    InvSched = 0x0000_0061, "ESME_RINVSCHED", "invalid scheduled delivery time";
    InvExpiry = 0x0000_0062, "ESME_RINVEXPIRY", "invalid message validity period (expiry time)";
    InvDftMsgId = 0x0000_0063, "ESME_RINVDFTMSGID", "predefined message invalid or not found";
    RxTAppn = 0x0000_0064, "ESME_RX_T_APPN", "ESME receiver temporary application error";
    RxPAppn = 0x0000_0065, "ESME_RX_P_APPN", "ESME receiver permanent application error";
    RxRAppn = 0x0000_0066, "ESME_RX_R_APPN", "ESME receiver reject message error";
    QueryFail = 0x0000_0067, "ESME_RQUERYFAIL", "query_sm request failed";
    InvOptParStream = 0x0000_00C0, "ESME_RINVOPTPARSTREAM", "error in the optional part of the PDU body";
    OptParNotAllwd = 0x0000_00C1, "ESME_ROPTPARNOTALLWD", "optional parameter not allowed";
    InvParLen = 0x0000_00C2, "ESME_RINVPARLEN", "invalid parameter length";
    MissingOptParam = 0x0000_00C3, "ESME_RMISSINGOPTPARAM", "expected optional parameter missing";
    InvOptParamVal = 0x0000_00C4, "ESME_RINVOPTPARAMVAL", "invalid optional parameter value";
    DeliveryFailure = 0x0000_00FE, "ESME_RDELIVERYFAILURE", "delivery failure (data_sm_resp)";
    UnknownErr = 0x0000_00FF, "ESME_RUNKNOWNERR", "unknown error";
}

impl CommandStatus {
    /// True for ESME_ROK.
    pub fn is_ok(self) -> bool {
        self == CommandStatus::Ok
    }

    /// True for the statuses after which the SMSC definitely did not take the message and a
    /// resubmission after a backoff is safe: ESME_RTHROTTLED (0x58) and ESME_RMSGQFUL (0x14).
    pub fn is_transient_throttle(self) -> bool {
        matches!(self, CommandStatus::Throttled | CommandStatus::MsgQFul)
    }
}

impl std::fmt::Display for CommandStatus {
    /// `ESME_RTHROTTLED (0x00000058): throttling error (…)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.spec_name() {
            Some(n) => write!(f, "{n} (0x{:08X}): {}", self.to_u32(), self.meaning()),
            None => write!(f, "0x{:08X}: {}", self.to_u32(), self.meaning()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_code_round_trips_and_others_stay_other() {
        for v in 0..0x600u32 {
            let s = CommandStatus::from_u32(v);
            assert_eq!(s.to_u32(), v);
            if let CommandStatus::Other(_) = s {
                assert!(s.spec_name().is_none());
            } else {
                assert!(s.spec_name().unwrap().starts_with("ESME_R"));
            }
        }
        assert_eq!(CommandStatus::from_u32(0x58), CommandStatus::Throttled);
        assert_eq!(CommandStatus::from_u32(0x14), CommandStatus::MsgQFul);
        assert!(CommandStatus::Throttled.is_transient_throttle());
        assert!(!CommandStatus::SysErr.is_transient_throttle());
        assert_eq!(
            CommandStatus::InvPaswd.to_string(),
            "ESME_RINVPASWD (0x0000000E): invalid password"
        );
        assert_eq!(
            CommandStatus::Other(0x401).to_string(),
            "0x00000401: SMSC vendor specific error"
        );
    }
}
