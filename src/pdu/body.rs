//! The body of every SMPP 3.4 PDU, with its field rules.

use super::error::Problem;
use super::status::CommandStatus;
use super::tag::Tag;
use super::tlv::{Tlv, TlvList};
use super::types::MessageState;
use super::wire::{FieldResult, Reader, Writer};

/// Maximum lengths of C-Octet strings, counting the NUL (SMPP 3.4 §4).
pub(crate) mod max {
    #![allow(dead_code)]
    /// system_id.
    pub(crate) const SYSTEM_ID: usize = 16;
    /// password.
    pub(crate) const PASSWORD: usize = 9;
    /// system_type.
    pub(crate) const SYSTEM_TYPE: usize = 13;
    /// address_range.
    pub(crate) const ADDRESS_RANGE: usize = 41;
    /// service_type.
    pub(crate) const SERVICE_TYPE: usize = 6;
    /// source_addr / destination_addr of submit_sm, deliver_sm, submit_multi, query_sm,
    /// cancel_sm, replace_sm.
    pub(crate) const ADDR: usize = 21;
    /// source_addr / destination_addr of data_sm; source_addr / esme_addr of
    /// alert_notification.
    pub(crate) const ADDR_65: usize = 65;
    /// message_id.
    pub(crate) const MESSAGE_ID: usize = 65;
    /// dl_name of submit_multi.
    pub(crate) const DL_NAME: usize = 21;
    /// short_message octets (sm_length is one octet; 255 is reserved).
    pub(crate) const SHORT_MESSAGE: usize = 254;
}

/// A TON / NPI / address triple. `Debug` masks a phone number or e-mail address down to its
/// last 3 characters.
#[derive(Clone, PartialEq, Eq, Default, Hash)]
pub struct Address {
    /// Type of number (0 unknown, 1 international, 2 national, 5 alphanumeric, …).
    pub ton: u8,
    /// Numbering plan indicator (0 unknown, 1 ISDN/E.164, …).
    pub npi: u8,
    /// The address digits or alphanumeric text.
    pub addr: String,
}

impl Address {
    /// An address.
    pub fn new(ton: u8, npi: u8, addr: impl Into<String>) -> Self {
        Address {
            ton,
            npi,
            addr: addr.into(),
        }
    }
}

pub(crate) type Names = [&'static str; 3];
const SOURCE: Names = ["source_addr_ton", "source_addr_npi", "source_addr"];
const DEST: Names = ["dest_addr_ton", "dest_addr_npi", "destination_addr"];
const ESME: Names = ["esme_addr_ton", "esme_addr_npi", "esme_addr"];
const BIND: Names = ["addr_ton", "addr_npi", "address_range"];

fn read_addr(r: &mut Reader, n: Names, max: usize) -> FieldResult<Address> {
    Ok(Address {
        ton: r.u8(n[0])?,
        npi: r.u8(n[1])?,
        addr: r.cstr(n[2], max)?,
    })
}

fn write_addr(w: &mut Writer, a: &Address, n: Names, max: usize) -> FieldResult<()> {
    w.bytes(&[a.ton, a.npi]);
    w.cstr(n[2], &a.addr, max)
}

fn read_tlvs(r: &mut Reader) -> FieldResult<Vec<Tlv>> {
    let mut v = Vec::new();
    while !r.is_empty() {
        if r.remaining() < 4 {
            let rest = r.rest();
            let tag = if rest.len() >= 2 {
                u16::from_be_bytes([rest[0], rest[1]])
            } else {
                0
            };
            return Err(("tlv", Problem::TlvTruncated { tag }));
        }
        let tag = r.u16("tlv")?;
        let len = r.u16("tlv")? as usize;
        let value = r
            .bytes(len, "tlv")
            .map_err(|_| ("tlv", Problem::TlvTruncated { tag }))?;
        v.push(Tlv::decode(tag, value)?);
    }
    Ok(v)
}

fn write_tlvs(w: &mut Writer, tlvs: &[Tlv]) {
    for t in tlvs {
        t.encode(w.out);
    }
}

/// The body of responses made of one C-Octet string and TLVs; empty when absent.
fn read_id_and_tlvs(
    r: &mut Reader,
    field: &'static str,
    max: usize,
) -> FieldResult<(String, Vec<Tlv>)> {
    if r.is_empty() {
        return Ok((String::new(), Vec::new()));
    }
    Ok((r.cstr(field, max)?, read_tlvs(r)?))
}

fn write_id_and_tlvs(
    w: &mut Writer,
    field: &'static str,
    id: &str,
    max: usize,
    tlvs: &[Tlv],
) -> FieldResult<()> {
    w.cstr(field, id, max)?;
    write_tlvs(w, tlvs);
    Ok(())
}

pub(crate) fn no_trailing(r: &Reader) -> FieldResult<()> {
    if r.is_empty() {
        Ok(())
    } else {
        Err((
            "body",
            Problem::Trailing {
                count: r.remaining(),
            },
        ))
    }
}

fn read_sm(r: &mut Reader) -> FieldResult<Vec<u8>> {
    let n = r.u8("sm_length")? as usize;
    if n > r.remaining() {
        return Err((
            "sm_length",
            Problem::SmLength {
                sm_length: n,
                available: r.remaining(),
            },
        ));
    }
    Ok(r.bytes(n, "short_message")?.to_vec())
}

fn write_sm(w: &mut Writer, sm: &[u8]) -> FieldResult<()> {
    if sm.len() > max::SHORT_MESSAGE {
        return Err((
            "short_message",
            Problem::OutOfRange("short_message holds at most 254 octets; use message_payload"),
        ));
    }
    w.u8(sm.len() as u8);
    w.bytes(sm);
    Ok(())
}

fn check_payloads(sm: &[u8], tlvs: &[Tlv]) -> FieldResult<()> {
    if !sm.is_empty() && tlvs.find(Tag::MessagePayload).is_some() {
        Err(("message_payload", Problem::BothPayloads))
    } else {
        Ok(())
    }
}

/// Reads the fields submit_sm, deliver_sm and submit_multi share after their addresses:
/// esm_class … sm_default_msg_id, short_message, TLVs.
macro_rules! read_tail {
    ($r:expr, $s:expr) => {
        $s.esm_class = $r.u8("esm_class")?;
        $s.protocol_id = $r.u8("protocol_id")?;
        $s.priority_flag = $r.u8("priority_flag")?;
        $s.schedule_delivery_time = $r.time("schedule_delivery_time")?;
        $s.validity_period = $r.time("validity_period")?;
        $s.registered_delivery = $r.u8("registered_delivery")?;
        $s.replace_if_present_flag = $r.u8("replace_if_present_flag")?;
        $s.data_coding = $r.u8("data_coding")?;
        $s.sm_default_msg_id = $r.u8("sm_default_msg_id")?;
        $s.short_message = read_sm($r)?;
        $s.tlvs = read_tlvs($r)?;
        check_payloads(&$s.short_message, &$s.tlvs)?;
    };
}

/// Writes what [`read_tail`] reads.
macro_rules! write_tail {
    ($w:expr, $s:expr) => {
        $w.bytes(&[$s.esm_class, $s.protocol_id, $s.priority_flag]);
        $w.time("schedule_delivery_time", &$s.schedule_delivery_time)?;
        $w.time("validity_period", &$s.validity_period)?;
        $w.bytes(&[
            $s.registered_delivery,
            $s.replace_if_present_flag,
            $s.data_coding,
            $s.sm_default_msg_id,
        ]);
        write_sm($w, &$s.short_message)?;
        write_tlvs($w, &$s.tlvs);
    };
}

/// bind_transmitter, bind_receiver, bind_transceiver. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Bind {
    /// system_id (≤ 15 characters).
    pub system_id: String,
    /// password (≤ 8 characters). A secret: never printed by `Debug`.
    pub password: String,
    /// system_type (≤ 12 characters).
    pub system_type: String,
    /// interface_version: 0x34 for SMPP 3.4.
    pub interface_version: u8,
    /// addr_ton / addr_npi / address_range (≤ 40 characters).
    pub address_range: Address,
}

impl std::fmt::Debug for Bind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bind")
            .field("system_id", &self.system_id)
            .field("password", &"<redacted>")
            .field("system_type", &self.system_type)
            .field("interface_version", &self.interface_version)
            .field("address_range", &self.address_range)
            .finish()
    }
}

impl Bind {
    pub(crate) fn decode(r: &mut Reader) -> FieldResult<Self> {
        let b = Bind {
            system_id: r.cstr("system_id", max::SYSTEM_ID)?,
            password: r.cstr("password", max::PASSWORD)?,
            system_type: r.cstr("system_type", max::SYSTEM_TYPE)?,
            interface_version: r.u8("interface_version")?,
            address_range: read_addr(r, BIND, max::ADDRESS_RANGE)?,
        };
        no_trailing(r)?;
        Ok(b)
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> FieldResult<()> {
        w.cstr("system_id", &self.system_id, max::SYSTEM_ID)?;
        w.cstr("password", &self.password, max::PASSWORD)?;
        w.cstr("system_type", &self.system_type, max::SYSTEM_TYPE)?;
        w.u8(self.interface_version);
        write_addr(w, &self.address_range, BIND, max::ADDRESS_RANGE)
    }
}

/// bind_*_resp. The body may be absent on an error response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BindResp {
    /// The SMSC's system_id.
    pub system_id: String,
    /// Optional parameters (sc_interface_version).
    pub tlvs: Vec<Tlv>,
}

impl BindResp {
    pub(crate) fn decode(r: &mut Reader) -> FieldResult<Self> {
        let (system_id, tlvs) = read_id_and_tlvs(r, "system_id", max::SYSTEM_ID)?;
        Ok(BindResp { system_id, tlvs })
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> FieldResult<()> {
        write_id_and_tlvs(w, "system_id", &self.system_id, max::SYSTEM_ID, &self.tlvs)
    }
}

/// outbind. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Outbind {
    /// system_id.
    pub system_id: String,
    /// password. A secret: never printed by `Debug`.
    pub password: String,
}

impl std::fmt::Debug for Outbind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbind")
            .field("system_id", &self.system_id)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl Outbind {
    pub(crate) fn decode(r: &mut Reader) -> FieldResult<Self> {
        let o = Outbind {
            system_id: r.cstr("system_id", max::SYSTEM_ID)?,
            password: r.cstr("password", max::PASSWORD)?,
        };
        no_trailing(r)?;
        Ok(o)
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> FieldResult<()> {
        w.cstr("system_id", &self.system_id, max::SYSTEM_ID)?;
        w.cstr("password", &self.password, max::PASSWORD)
    }
}

/// submit_sm and deliver_sm (same layout; in deliver_sm the SMSC leaves
/// schedule_delivery_time, validity_period, replace_if_present_flag and sm_default_msg_id
/// empty or zero). `Debug` shows the addresses masked and short_message by its length.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SubmitSm {
    /// service_type (≤ 5 characters; empty for the SMSC default).
    pub service_type: String,
    /// source_addr_ton / source_addr_npi / source_addr (≤ 20 characters).
    pub source: Address,
    /// dest_addr_ton / dest_addr_npi / destination_addr (≤ 20 characters).
    pub destination: Address,
    /// esm_class (0x40 UDHI, 0x04 delivery receipt in deliver_sm, …).
    pub esm_class: u8,
    /// protocol_id.
    pub protocol_id: u8,
    /// priority_flag.
    pub priority_flag: u8,
    /// schedule_delivery_time: empty or `YYMMDDhhmmsstnnp`.
    pub schedule_delivery_time: String,
    /// validity_period: empty or `YYMMDDhhmmsstnnp`.
    pub validity_period: String,
    /// registered_delivery (0x01: receipt on final outcome, …).
    pub registered_delivery: u8,
    /// replace_if_present_flag.
    pub replace_if_present_flag: u8,
    /// data_coding.
    pub data_coding: u8,
    /// sm_default_msg_id.
    pub sm_default_msg_id: u8,
    /// short_message (≤ 254 octets; sm_length is derived from it).
    pub short_message: Vec<u8>,
    /// Optional parameters.
    pub tlvs: Vec<Tlv>,
}

/// deliver_sm has the layout of submit_sm.
pub type DeliverSm = SubmitSm;

impl SubmitSm {
    pub(crate) fn decode(r: &mut Reader) -> FieldResult<Self> {
        let mut s = SubmitSm {
            service_type: r.cstr("service_type", max::SERVICE_TYPE)?,
            source: read_addr(r, SOURCE, max::ADDR)?,
            destination: read_addr(r, DEST, max::ADDR)?,
            ..Default::default()
        };
        read_tail!(r, s);
        Ok(s)
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> FieldResult<()> {
        check_payloads(&self.short_message, &self.tlvs)?;
        w.cstr("service_type", &self.service_type, max::SERVICE_TYPE)?;
        write_addr(w, &self.source, SOURCE, max::ADDR)?;
        write_addr(w, &self.destination, DEST, max::ADDR)?;
        write_tail!(w, self);
        Ok(())
    }

    /// The message body: `short_message`, or the `message_payload` TLV when that is used.
    pub fn payload(&self) -> &[u8] {
        if self.short_message.is_empty() {
            if let Some(p) = self.tlvs.get_octets(Tag::MessagePayload) {
                return p;
            }
        }
        &self.short_message
    }
}

/// submit_sm_resp, deliver_sm_resp, data_sm_resp: a message_id and (data_sm_resp, and
/// SMPP 5 style SMSCs) optional parameters. The body may be absent on an error response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SmResp {
    /// message_id (≤ 64 characters; unused, empty, in deliver_sm_resp).
    pub message_id: String,
    /// Optional parameters.
    pub tlvs: Vec<Tlv>,
}

impl SmResp {
    pub(crate) fn decode(r: &mut Reader) -> FieldResult<Self> {
        let (message_id, tlvs) = read_id_and_tlvs(r, "message_id", max::MESSAGE_ID)?;
        Ok(SmResp { message_id, tlvs })
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> FieldResult<()> {
        write_id_and_tlvs(
            w,
            "message_id",
            &self.message_id,
            max::MESSAGE_ID,
            &self.tlvs,
        )
    }
}

/// One destination of submit_multi.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DestAddress {
    /// dest_flag 1: an SME address (destination_addr ≤ 20 characters).
    Sme(Address),
    /// dest_flag 2: a distribution list name (≤ 20 characters).
    DistributionList(String),
}

/// submit_multi. `Debug` shows the addresses masked and short_message by its length.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SubmitMulti {
    /// service_type.
    pub service_type: String,
    /// source_addr_ton / source_addr_npi / source_addr.
    pub source: Address,
    /// The destinations (1 to 254; number_of_dests is derived).
    pub destinations: Vec<DestAddress>,
    /// esm_class.
    pub esm_class: u8,
    /// protocol_id.
    pub protocol_id: u8,
    /// priority_flag.
    pub priority_flag: u8,
    /// schedule_delivery_time.
    pub schedule_delivery_time: String,
    /// validity_period.
    pub validity_period: String,
    /// registered_delivery.
    pub registered_delivery: u8,
    /// replace_if_present_flag.
    pub replace_if_present_flag: u8,
    /// data_coding.
    pub data_coding: u8,
    /// sm_default_msg_id.
    pub sm_default_msg_id: u8,
    /// short_message.
    pub short_message: Vec<u8>,
    /// Optional parameters.
    pub tlvs: Vec<Tlv>,
}

impl SubmitMulti {
    pub(crate) fn decode(r: &mut Reader) -> FieldResult<Self> {
        let mut s = SubmitMulti {
            service_type: r.cstr("service_type", max::SERVICE_TYPE)?,
            source: read_addr(r, SOURCE, max::ADDR)?,
            ..Default::default()
        };
        let n = r.u8("number_of_dests")?;
        if n == 0 {
            return Err((
                "number_of_dests",
                Problem::OutOfRange("number_of_dests must be at least 1"),
            ));
        }
        for _ in 0..n {
            s.destinations.push(match r.u8("dest_flag")? {
                1 => DestAddress::Sme(read_addr(r, DEST, max::ADDR)?),
                2 => DestAddress::DistributionList(r.cstr("dl_name", max::DL_NAME)?),
                _ => {
                    return Err((
                        "dest_flag",
                        Problem::OutOfRange(
                            "dest_flag must be 1 (SME address) or 2 (distribution list)",
                        ),
                    ))
                }
            });
        }
        read_tail!(r, s);
        Ok(s)
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> FieldResult<()> {
        check_payloads(&self.short_message, &self.tlvs)?;
        if self.destinations.is_empty() || self.destinations.len() > 254 {
            return Err((
                "number_of_dests",
                Problem::OutOfRange("submit_multi takes 1 to 254 destinations"),
            ));
        }
        w.cstr("service_type", &self.service_type, max::SERVICE_TYPE)?;
        write_addr(w, &self.source, SOURCE, max::ADDR)?;
        w.u8(self.destinations.len() as u8);
        for d in &self.destinations {
            match d {
                DestAddress::Sme(a) => {
                    w.u8(1);
                    write_addr(w, a, DEST, max::ADDR)?;
                }
                DestAddress::DistributionList(n) => {
                    w.u8(2);
                    w.cstr("dl_name", n, max::DL_NAME)?;
                }
            }
        }
        write_tail!(w, self);
        Ok(())
    }
}

/// A destination submit_multi could not deliver to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsuccessSme {
    /// The destination address.
    pub address: Address,
    /// Why (error_status_code).
    pub error_status_code: CommandStatus,
}

/// submit_multi_resp. The body may be absent on an error response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubmitMultiResp {
    /// message_id.
    pub message_id: String,
    /// The destinations that failed (no_unsuccess is derived).
    pub unsuccess_smes: Vec<UnsuccessSme>,
    /// Optional parameters (SMPP 5 style SMSCs).
    pub tlvs: Vec<Tlv>,
}

impl SubmitMultiResp {
    pub(crate) fn decode(r: &mut Reader) -> FieldResult<Self> {
        if r.is_empty() {
            return Ok(Self::default());
        }
        let mut s = SubmitMultiResp {
            message_id: r.cstr("message_id", max::MESSAGE_ID)?,
            ..Default::default()
        };
        let n = r.u8("no_unsuccess")?;
        for _ in 0..n {
            let address = read_addr(r, DEST, max::ADDR)?;
            let code = r.u32("error_status_code")?;
            s.unsuccess_smes.push(UnsuccessSme {
                address,
                error_status_code: CommandStatus::from_u32(code),
            });
        }
        s.tlvs = read_tlvs(r)?;
        Ok(s)
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> FieldResult<()> {
        if self.unsuccess_smes.len() > 255 {
            return Err((
                "no_unsuccess",
                Problem::OutOfRange("at most 255 unsuccessful destinations"),
            ));
        }
        w.cstr("message_id", &self.message_id, max::MESSAGE_ID)?;
        w.u8(self.unsuccess_smes.len() as u8);
        for u in &self.unsuccess_smes {
            write_addr(w, &u.address, DEST, max::ADDR)?;
            w.u32(u.error_status_code.to_u32());
        }
        write_tlvs(w, &self.tlvs);
        Ok(())
    }
}

/// data_sm.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DataSm {
    /// service_type.
    pub service_type: String,
    /// source_addr_ton / source_addr_npi / source_addr (≤ 64 characters).
    pub source: Address,
    /// dest_addr_ton / dest_addr_npi / destination_addr (≤ 64 characters).
    pub destination: Address,
    /// esm_class.
    pub esm_class: u8,
    /// registered_delivery.
    pub registered_delivery: u8,
    /// data_coding.
    pub data_coding: u8,
    /// Optional parameters (the body travels in message_payload).
    pub tlvs: Vec<Tlv>,
}

impl DataSm {
    pub(crate) fn decode(r: &mut Reader) -> FieldResult<Self> {
        Ok(DataSm {
            service_type: r.cstr("service_type", max::SERVICE_TYPE)?,
            source: read_addr(r, SOURCE, max::ADDR_65)?,
            destination: read_addr(r, DEST, max::ADDR_65)?,
            esm_class: r.u8("esm_class")?,
            registered_delivery: r.u8("registered_delivery")?,
            data_coding: r.u8("data_coding")?,
            tlvs: read_tlvs(r)?,
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> FieldResult<()> {
        w.cstr("service_type", &self.service_type, max::SERVICE_TYPE)?;
        write_addr(w, &self.source, SOURCE, max::ADDR_65)?;
        write_addr(w, &self.destination, DEST, max::ADDR_65)?;
        w.u8(self.esm_class);
        w.u8(self.registered_delivery);
        w.u8(self.data_coding);
        write_tlvs(w, &self.tlvs);
        Ok(())
    }
}

/// query_sm.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QuerySm {
    /// message_id to query.
    pub message_id: String,
    /// The original source address.
    pub source: Address,
}

impl QuerySm {
    pub(crate) fn decode(r: &mut Reader) -> FieldResult<Self> {
        let q = QuerySm {
            message_id: r.cstr("message_id", max::MESSAGE_ID)?,
            source: read_addr(r, SOURCE, max::ADDR)?,
        };
        no_trailing(r)?;
        Ok(q)
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> FieldResult<()> {
        w.cstr("message_id", &self.message_id, max::MESSAGE_ID)?;
        write_addr(w, &self.source, SOURCE, max::ADDR)
    }
}

/// query_sm_resp. The body may be absent on an error response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuerySmResp {
    /// message_id.
    pub message_id: String,
    /// final_date: empty or `YYMMDDhhmmsstnnp`.
    pub final_date: String,
    /// message_state.
    pub message_state: MessageState,
    /// error_code (network specific).
    pub error_code: u8,
}

impl Default for QuerySmResp {
    fn default() -> Self {
        QuerySmResp {
            message_id: String::new(),
            final_date: String::new(),
            message_state: MessageState::Other(0),
            error_code: 0,
        }
    }
}

impl QuerySmResp {
    pub(crate) fn decode(r: &mut Reader) -> FieldResult<Self> {
        if r.is_empty() {
            return Ok(Self::default());
        }
        let q = QuerySmResp {
            message_id: r.cstr("message_id", max::MESSAGE_ID)?,
            final_date: r.time("final_date")?,
            message_state: MessageState::from_u8(r.u8("message_state")?),
            error_code: r.u8("error_code")?,
        };
        no_trailing(r)?;
        Ok(q)
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> FieldResult<()> {
        w.cstr("message_id", &self.message_id, max::MESSAGE_ID)?;
        w.time("final_date", &self.final_date)?;
        w.u8(self.message_state.to_u8());
        w.u8(self.error_code);
        Ok(())
    }
}

/// cancel_sm.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CancelSm {
    /// service_type.
    pub service_type: String,
    /// message_id to cancel (or empty, with service_type and addresses).
    pub message_id: String,
    /// The original source address.
    pub source: Address,
    /// The original destination address.
    pub destination: Address,
}

impl CancelSm {
    pub(crate) fn decode(r: &mut Reader) -> FieldResult<Self> {
        let c = CancelSm {
            service_type: r.cstr("service_type", max::SERVICE_TYPE)?,
            message_id: r.cstr("message_id", max::MESSAGE_ID)?,
            source: read_addr(r, SOURCE, max::ADDR)?,
            destination: read_addr(r, DEST, max::ADDR)?,
        };
        no_trailing(r)?;
        Ok(c)
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> FieldResult<()> {
        w.cstr("service_type", &self.service_type, max::SERVICE_TYPE)?;
        w.cstr("message_id", &self.message_id, max::MESSAGE_ID)?;
        write_addr(w, &self.source, SOURCE, max::ADDR)?;
        write_addr(w, &self.destination, DEST, max::ADDR)
    }
}

/// replace_sm. `Debug` shows the address masked and short_message by its length.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ReplaceSm {
    /// message_id to replace.
    pub message_id: String,
    /// The original source address.
    pub source: Address,
    /// schedule_delivery_time.
    pub schedule_delivery_time: String,
    /// validity_period.
    pub validity_period: String,
    /// registered_delivery.
    pub registered_delivery: u8,
    /// sm_default_msg_id.
    pub sm_default_msg_id: u8,
    /// short_message.
    pub short_message: Vec<u8>,
}

impl ReplaceSm {
    pub(crate) fn decode(r: &mut Reader) -> FieldResult<Self> {
        let s = ReplaceSm {
            message_id: r.cstr("message_id", max::MESSAGE_ID)?,
            source: read_addr(r, SOURCE, max::ADDR)?,
            schedule_delivery_time: r.time("schedule_delivery_time")?,
            validity_period: r.time("validity_period")?,
            registered_delivery: r.u8("registered_delivery")?,
            sm_default_msg_id: r.u8("sm_default_msg_id")?,
            short_message: read_sm(r)?,
        };
        no_trailing(r)?;
        Ok(s)
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> FieldResult<()> {
        w.cstr("message_id", &self.message_id, max::MESSAGE_ID)?;
        write_addr(w, &self.source, SOURCE, max::ADDR)?;
        w.time("schedule_delivery_time", &self.schedule_delivery_time)?;
        w.time("validity_period", &self.validity_period)?;
        w.u8(self.registered_delivery);
        w.u8(self.sm_default_msg_id);
        write_sm(w, &self.short_message)
    }
}

/// alert_notification.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AlertNotification {
    /// source_addr_ton / source_addr_npi / source_addr (≤ 64 characters).
    pub source: Address,
    /// esme_addr_ton / esme_addr_npi / esme_addr (≤ 64 characters).
    pub esme: Address,
    /// Optional parameters (ms_availability_status).
    pub tlvs: Vec<Tlv>,
}

impl AlertNotification {
    pub(crate) fn decode(r: &mut Reader) -> FieldResult<Self> {
        Ok(AlertNotification {
            source: read_addr(r, SOURCE, max::ADDR_65)?,
            esme: read_addr(r, ESME, max::ADDR_65)?,
            tlvs: read_tlvs(r)?,
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> FieldResult<()> {
        write_addr(w, &self.source, SOURCE, max::ADDR_65)?;
        write_addr(w, &self.esme, ESME, max::ADDR_65)?;
        write_tlvs(w, &self.tlvs);
        Ok(())
    }
}
