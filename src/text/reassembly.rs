//! Sans-IO reassembly of inbound concatenated messages.
//!
//! Concatenation is detected, in this order of precedence, from:
//!
//! 1. a User Data Header (UDHI bit 0x40 of `esm_class` set) holding a
//!    concatenation IE, 0x00 (8-bit reference) or 0x08 (16-bit reference);
//!    when several are present the last one counts (3GPP TS 23.040
//!    §9.2.3.24). Other IEs (port addressing etc.) are kept and returned in
//!    [`Reassembled::ies`];
//! 2. SAR TLVs ([`InboundPart::sar`]);
//! 3. otherwise the part is a complete message on its own (this includes a
//!    `message_payload` without UDH).
//!
//! The user data is `message_payload` when it is present and non-empty,
//! else `short_message`; both carrying data is an error.
//!
//! Parts are grouped by (source, destination, reference, total, kind of
//! concatenation info). Parts may arrive in any order; a repeated sequence
//! number is ignored (the first copy is kept); a copy arriving after its
//! message completed starts a new group, which later expires as
//! [`Incomplete`]. A group times out `timeout`
//! after its *first* part arrived, so a slow drip of parts cannot keep it
//! alive forever. At most [`Reassembler::max_pending`] groups are pending;
//! starting one more evicts the oldest, which is handed back by the next
//! [`Reassembler::expire`] — call it periodically, since evicted groups
//! are held until then.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use super::encoding::Encoding;
use super::error::TextError;
use super::segment::Sar;
use super::{charset, gsm};

impl std::fmt::Debug for InboundPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::pdu::redact::{Addr, Octets};
        f.debug_struct("InboundPart")
            .field("source", &Addr(&self.source))
            .field("destination", &Addr(&self.destination))
            .field("data_coding", &self.data_coding)
            .field("esm_class", &self.esm_class)
            .field("short_message", &Octets(&self.short_message))
            .field("sar", &self.sar)
            .field(
                "message_payload",
                &self.message_payload.as_deref().map(Octets),
            )
            .finish()
    }
}

impl std::fmt::Debug for Reassembled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::pdu::redact::{Addr, Chars, Octets};
        f.debug_struct("Reassembled")
            .field("source", &Addr(&self.source))
            .field("destination", &Addr(&self.destination))
            .field("data_coding", &self.data_coding)
            .field("encoding", &self.encoding)
            .field("body", &Octets(&self.body))
            .field("text", &self.text.as_deref().map(Chars))
            .field("text_error", &self.text_error)
            .field("parts", &self.parts)
            .field("ies", &self.ies)
            .finish()
    }
}

impl std::fmt::Debug for Incomplete {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::pdu::redact::{Addr, Octets};
        f.debug_struct("Incomplete")
            .field("source", &Addr(&self.source))
            .field("destination", &Addr(&self.destination))
            .field("data_coding", &self.data_coding)
            .field("ref_num", &self.ref_num)
            .field("total", &self.total)
            .field("received", &self.received)
            .field("partial_body", &Octets(&self.partial_body))
            .field("reason", &self.reason)
            .finish()
    }
}

/// Default bound on concurrently pending groups.
pub const DEFAULT_MAX_PENDING: usize = 1024;

/// One inbound deliver_sm / data_sm, as far as reassembly cares. `Debug` masks the addresses
/// and shows the octets only by their length.
#[derive(Clone, PartialEq, Eq)]
pub struct InboundPart {
    /// `source_addr`.
    pub source: String,
    /// `destination_addr`.
    pub destination: String,
    /// `data_coding`.
    pub data_coding: u8,
    /// `esm_class`; bit 0x40 (UDHI) says `short_message` starts with a UDH.
    pub esm_class: u8,
    /// `short_message`.
    pub short_message: Vec<u8>,
    /// SAR TLVs, if present.
    pub sar: Option<Sar>,
    /// `message_payload` TLV, if present.
    pub message_payload: Option<Vec<u8>>,
}

/// A UDH information element other than concatenation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InformationElement {
    /// Information Element Identifier (IEI).
    pub id: u8,
    /// The IE data (without IEI and length octets).
    pub data: Vec<u8>,
}

/// A complete message. `Debug` masks the addresses and shows the body and text only by their
/// length.
#[derive(Clone, PartialEq, Eq)]
pub struct Reassembled {
    /// `source_addr`.
    pub source: String,
    /// `destination_addr`.
    pub destination: String,
    /// `data_coding` of the parts.
    pub data_coding: u8,
    /// How `data_coding` was interpreted.
    pub encoding: Encoding,
    /// The concatenated user data without UDHs. For packed GSM this holds
    /// the unpacked septets (one per octet), because each part is unpacked
    /// separately with its own fill bits.
    pub body: Vec<u8>,
    /// The decoded text; `None` for binary data or if decoding failed.
    pub text: Option<String>,
    /// Why the body could not be decoded as text, if it could not.
    pub text_error: Option<TextError>,
    /// Number of parts the message arrived in.
    pub parts: u8,
    /// Non-concatenation UDH information elements of the first part.
    pub ies: Vec<InformationElement>,
}

/// Why a group was given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncompleteReason {
    /// Not all parts arrived within the timeout.
    TimedOut,
    /// Evicted to respect the bound on pending groups.
    Evicted,
}

/// A concatenated message given up before all parts arrived. `Debug` masks the addresses and
/// shows the body only by its length.
#[derive(Clone, PartialEq, Eq)]
pub struct Incomplete {
    /// `source_addr`.
    pub source: String,
    /// `destination_addr`.
    pub destination: String,
    /// `data_coding` of the received parts.
    pub data_coding: u8,
    /// Concatenation reference number.
    pub ref_num: u16,
    /// Total number of parts announced.
    pub total: u8,
    /// Sequence numbers received, ascending.
    pub received: Vec<u8>,
    /// User data of the received parts in sequence order, as in
    /// [`Reassembled::body`] (there are gaps where parts are missing).
    pub partial_body: Vec<u8>,
    /// Why it was given up.
    pub reason: IncompleteReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ConcatKind {
    Udh8,
    Udh16,
    Sar,
}

#[derive(Debug, Clone, Copy)]
struct Concat {
    kind: ConcatKind,
    ref_num: u16,
    total: u8,
    seq: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    source: String,
    destination: String,
    ref_num: u16,
    total: u8,
    kind: ConcatKind,
}

#[derive(Debug)]
struct PartData {
    user_data: Vec<u8>,
    ies: Vec<InformationElement>,
}

#[derive(Debug)]
struct Group {
    data_coding: u8,
    encoding: Encoding,
    created: Instant,
    order: u64,
    parts: BTreeMap<u8, PartData>,
}

/// Collects parts of concatenated messages. Sans-IO: the caller supplies
/// the time.
#[derive(Debug)]
pub struct Reassembler {
    timeout: Duration,
    default_alphabet: Encoding,
    max_pending: usize,
    groups: HashMap<Key, Group>,
    evicted: Vec<Incomplete>,
    next_order: u64,
}

impl Reassembler {
    /// A reassembler giving up on groups `timeout` after their first part,
    /// interpreting `data_coding` 0 as `default_alphabet` (see
    /// [`Encoding::from_data_coding`]), with at most
    /// [`DEFAULT_MAX_PENDING`] pending groups.
    pub fn new(timeout: Duration, default_alphabet: Encoding) -> Reassembler {
        Reassembler {
            timeout,
            default_alphabet,
            max_pending: DEFAULT_MAX_PENDING,
            groups: HashMap::new(),
            evicted: Vec::new(),
            next_order: 0,
        }
    }

    /// Sets the bound on concurrently pending groups (at least 1; 0 is
    /// treated as 1).
    pub fn with_max_pending(mut self, max_pending: usize) -> Reassembler {
        self.max_pending = max_pending.max(1);
        self
    }

    /// The bound on concurrently pending groups.
    pub fn max_pending(&self) -> usize {
        self.max_pending
    }

    /// Number of groups waiting for more parts.
    pub fn pending(&self) -> usize {
        self.groups.len()
    }

    /// Adds a part. Returns the complete message when this part completes
    /// one (a non-concatenated part completes immediately), `Ok(None)` when
    /// more parts are needed or the part is a duplicate.
    ///
    /// Errors (the part is discarded, pending groups are unaffected): a
    /// malformed UDH, impossible concatenation numbers (total 0, sequence 0
    /// or above total), both `short_message` and `message_payload`
    /// carrying data, or a `data_coding` differing from earlier parts.
    pub fn push(
        &mut self,
        part: InboundPart,
        now: Instant,
    ) -> Result<Option<Reassembled>, TextError> {
        let InboundPart {
            source,
            destination,
            data_coding,
            esm_class,
            short_message,
            sar,
            message_payload,
        } = part;
        let data = match message_payload {
            Some(p) if !p.is_empty() => {
                if !short_message.is_empty() {
                    return Err(TextError::ConflictingUserData {
                        short_message: short_message.len(),
                        message_payload: p.len(),
                    });
                }
                p
            }
            _ => short_message,
        };
        let encoding = Encoding::from_data_coding(data_coding, self.default_alphabet);
        let (udh_len, ies, mut concat) = if esm_class & 0x40 != 0 {
            parse_udh(&data)?
        } else {
            (0, Vec::new(), None)
        };
        if concat.is_none() {
            concat = sar.map(|s| Concat {
                kind: ConcatKind::Sar,
                ref_num: s.ref_num,
                total: s.total,
                seq: s.seqnum,
            });
        }
        let user = &data[udh_len..];
        let user_data = if encoding == Encoding::Gsm7Packed {
            gsm::unpack(user, gsm::fill_bits_for_udh(udh_len))?
        } else {
            user.to_vec()
        };
        let concat = match concat {
            Some(c) => {
                if c.total == 0 || c.seq == 0 || c.seq > c.total {
                    return Err(TextError::InvalidConcatenation {
                        ref_num: c.ref_num,
                        total: c.total,
                        seq: c.seq,
                    });
                }
                c
            }
            None => {
                return Ok(Some(finish(
                    source,
                    destination,
                    data_coding,
                    encoding,
                    user_data,
                    1,
                    ies,
                )))
            }
        };
        if concat.total == 1 {
            return Ok(Some(finish(
                source,
                destination,
                data_coding,
                encoding,
                user_data,
                1,
                ies,
            )));
        }
        let key = Key {
            source,
            destination,
            ref_num: concat.ref_num,
            total: concat.total,
            kind: concat.kind,
        };
        if let Some(group) = self.groups.get(&key) {
            if group.data_coding != data_coding {
                return Err(TextError::DataCodingMismatch {
                    ref_num: concat.ref_num,
                    seq: concat.seq,
                    expected: group.data_coding,
                    got: data_coding,
                });
            }
        } else {
            if self.groups.len() >= self.max_pending {
                self.evict_oldest();
            }
            let order = self.next_order;
            self.next_order += 1;
            self.groups.insert(
                key.clone(),
                Group {
                    data_coding,
                    encoding,
                    created: now,
                    order,
                    parts: BTreeMap::new(),
                },
            );
        }
        let Some(group) = self.groups.get_mut(&key) else {
            return Ok(None);
        };
        group
            .parts
            .entry(concat.seq)
            .or_insert(PartData { user_data, ies });
        if group.parts.len() < usize::from(concat.total) {
            return Ok(None);
        }
        let Some(group) = self.groups.remove(&key) else {
            return Ok(None);
        };
        let mut body = Vec::new();
        let mut first_ies = None;
        for (_, p) in group.parts {
            body.extend_from_slice(&p.user_data);
            first_ies.get_or_insert(p.ies);
        }
        Ok(Some(finish(
            key.source,
            key.destination,
            group.data_coding,
            group.encoding,
            body,
            concat.total,
            first_ies.unwrap_or_default(),
        )))
    }

    /// Gives up on groups whose first part arrived `timeout` or longer
    /// before `now`, and returns them together with any groups evicted
    /// since the last call, oldest first.
    pub fn expire(&mut self, now: Instant) -> Vec<Incomplete> {
        let timeout = self.timeout;
        let mut expired: Vec<(Key, Group)> = Vec::new();
        let keys: Vec<Key> = self
            .groups
            .iter()
            .filter(|(_, g)| now.saturating_duration_since(g.created) >= timeout)
            .map(|(k, _)| k.clone())
            .collect();
        for key in keys {
            if let Some(g) = self.groups.remove(&key) {
                expired.push((key, g));
            }
        }
        expired.sort_by_key(|(_, g)| g.order);
        let mut out = std::mem::take(&mut self.evicted);
        out.extend(
            expired
                .into_iter()
                .map(|(k, g)| incomplete(k, g, IncompleteReason::TimedOut)),
        );
        out
    }

    fn evict_oldest(&mut self) {
        let oldest = self
            .groups
            .iter()
            .min_by_key(|(_, g)| g.order)
            .map(|(k, _)| k.clone());
        if let Some(key) = oldest {
            if let Some(group) = self.groups.remove(&key) {
                self.evicted
                    .push(incomplete(key, group, IncompleteReason::Evicted));
            }
        }
    }
}

fn incomplete(key: Key, group: Group, reason: IncompleteReason) -> Incomplete {
    let received = group.parts.keys().copied().collect();
    let partial_body = group
        .parts
        .into_values()
        .flat_map(|p| p.user_data)
        .collect();
    Incomplete {
        source: key.source,
        destination: key.destination,
        data_coding: group.data_coding,
        ref_num: key.ref_num,
        total: key.total,
        received,
        partial_body,
        reason,
    }
}

fn finish(
    source: String,
    destination: String,
    data_coding: u8,
    encoding: Encoding,
    body: Vec<u8>,
    parts: u8,
    ies: Vec<InformationElement>,
) -> Reassembled {
    let decoded = match encoding {
        Encoding::Binary => None,
        // Packed parts were unpacked to septets on arrival.
        Encoding::Gsm7 | Encoding::Gsm7Packed => Some(gsm::decode_unpacked(&body)),
        Encoding::Ascii => Some(charset::decode_ascii(&body)),
        Encoding::Latin1 => Some(Ok(charset::decode_latin1(&body))),
        Encoding::Ucs2 => Some(charset::decode_ucs2(&body)),
    };
    let (text, text_error) = match decoded {
        None => (None, None),
        Some(Ok(t)) => (Some(t), None),
        Some(Err(e)) => (None, Some(e)),
    };
    Reassembled {
        source,
        destination,
        data_coding,
        encoding,
        body,
        text,
        text_error,
        parts,
        ies,
    }
}

/// The concatenation IE of the UDH at the start of `data` (user data with UDHI set), as
/// `(reference, total, sequence)`: `None` when the UDH has none. Errors like a UDH the
/// reassembly refuses.
pub fn udh_concat(data: &[u8]) -> Result<Option<(u16, u8, u8)>, TextError> {
    let (_, _, c) = parse_udh(data)?;
    Ok(c.map(|c| (c.ref_num, c.total, c.seq)))
}

/// Parses a UDH at the start of `data`: returns its length in octets
/// (including the UDHL octet), the non-concatenation IEs and the
/// concatenation info, if any.
fn parse_udh(data: &[u8]) -> Result<(usize, Vec<InformationElement>, Option<Concat>), TextError> {
    let Some(&udhl) = data.first() else {
        return Err(TextError::MalformedUdh(
            "UDHI is set but the user data is empty".to_string(),
        ));
    };
    let end = 1 + usize::from(udhl);
    if end > data.len() {
        return Err(TextError::MalformedUdh(format!(
            "UDH length {udhl} exceeds the {} octets that follow it",
            data.len() - 1
        )));
    }
    let mut ies = Vec::new();
    let mut concat = None;
    let mut i = 1;
    while i < end {
        let id = data[i];
        let Some(&len) = data.get(i + 1).filter(|_| i + 1 < end) else {
            return Err(TextError::MalformedUdh(format!(
                "information element 0x{id:02X} at offset {i} has no length octet"
            )));
        };
        let start = i + 2;
        let stop = start + usize::from(len);
        if stop > end {
            return Err(TextError::MalformedUdh(format!(
                "information element 0x{id:02X} at offset {i} has length {len} \
                 but only {} octets remain in the UDH",
                end - start
            )));
        }
        let d = &data[start..stop];
        match id {
            0x00 => {
                if let [r, total, seq] = *d {
                    concat = Some(Concat {
                        kind: ConcatKind::Udh8,
                        ref_num: u16::from(r),
                        total,
                        seq,
                    });
                } else {
                    return Err(TextError::MalformedUdh(format!(
                        "concatenation IE 0x00 must have length 3, got {len}"
                    )));
                }
            }
            0x08 => {
                if let [hi, lo, total, seq] = *d {
                    concat = Some(Concat {
                        kind: ConcatKind::Udh16,
                        ref_num: u16::from_be_bytes([hi, lo]),
                        total,
                        seq,
                    });
                } else {
                    return Err(TextError::MalformedUdh(format!(
                        "concatenation IE 0x08 must have length 4, got {len}"
                    )));
                }
            }
            _ => ies.push(InformationElement {
                id,
                data: d.to_vec(),
            }),
        }
        i = stop;
    }
    Ok((end, ies, concat))
}
