//! `Debug` of the PDU bodies that carry addresses and message octets: addresses masked,
//! octets shown by their length ([`super::redact`]).

use super::body::{Address, ReplaceSm, SubmitMulti, SubmitSm};
use super::redact::{Addr, Octets};
use std::fmt;

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Address")
            .field("ton", &self.ton)
            .field("npi", &self.npi)
            .field("addr", &Addr(&self.addr))
            .finish()
    }
}

impl fmt::Debug for SubmitSm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubmitSm")
            .field("service_type", &self.service_type)
            .field("source", &self.source)
            .field("destination", &self.destination)
            .field("esm_class", &self.esm_class)
            .field("protocol_id", &self.protocol_id)
            .field("priority_flag", &self.priority_flag)
            .field("schedule_delivery_time", &self.schedule_delivery_time)
            .field("validity_period", &self.validity_period)
            .field("registered_delivery", &self.registered_delivery)
            .field("replace_if_present_flag", &self.replace_if_present_flag)
            .field("data_coding", &self.data_coding)
            .field("sm_default_msg_id", &self.sm_default_msg_id)
            .field("short_message", &Octets(&self.short_message))
            .field("tlvs", &self.tlvs)
            .finish()
    }
}

impl fmt::Debug for SubmitMulti {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubmitMulti")
            .field("service_type", &self.service_type)
            .field("source", &self.source)
            .field("destinations", &self.destinations)
            .field("esm_class", &self.esm_class)
            .field("protocol_id", &self.protocol_id)
            .field("priority_flag", &self.priority_flag)
            .field("schedule_delivery_time", &self.schedule_delivery_time)
            .field("validity_period", &self.validity_period)
            .field("registered_delivery", &self.registered_delivery)
            .field("replace_if_present_flag", &self.replace_if_present_flag)
            .field("data_coding", &self.data_coding)
            .field("sm_default_msg_id", &self.sm_default_msg_id)
            .field("short_message", &Octets(&self.short_message))
            .field("tlvs", &self.tlvs)
            .finish()
    }
}

impl fmt::Debug for ReplaceSm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplaceSm")
            .field("message_id", &self.message_id)
            .field("source", &self.source)
            .field("schedule_delivery_time", &self.schedule_delivery_time)
            .field("validity_period", &self.validity_period)
            .field("registered_delivery", &self.registered_delivery)
            .field("sm_default_msg_id", &self.sm_default_msg_id)
            .field("short_message", &Octets(&self.short_message))
            .finish()
    }
}
