//! The simulator's log records (target `esme::sim`, channel: its listening address): each
//! connection and bind at info, each PDU at debug, masked like the client's (message text,
//! receipt text and addresses go through the built-in PII rules). Nothing is composed unless a
//! sink takes the level.

use super::shared::Shared;
use crate::log::{emit_in, enabled, Level};
use crate::pdu::{CommandId, CommandStatus, Pdu};
use crate::session::Direction;
use crate::text::Encoding;
use crate::trace::{line, LogMask};

const TARGET: &str = "esme::sim";

impl Shared {
    /// A record about this simulator; `message` is composed only when it would be delivered.
    pub(super) fn log(&self, level: Level, message: impl FnOnce() -> String) {
        if enabled(level) {
            emit_in(level, TARGET, &self.channel, &message());
        }
    }

    /// One masked line per PDU, at debug level.
    pub(super) fn log_pdu(&self, dir: Direction, conn: u64, pdu: &Pdu) {
        self.log(Level::Debug, || {
            let mask = self.log_mask.get_or_init(LogMask::builtin);
            format!("connection {conn} {}", line(dir, pdu, Encoding::Gsm7, mask))
        });
    }

    /// A header-only response, at debug level.
    pub(super) fn log_header(&self, conn: u64, id: CommandId, status: CommandStatus, seq: u32) {
        self.log(Level::Debug, || {
            format!(
                "connection {conn} sent {} length=16 status=0x{:08x} {} sequence={seq}:",
                id.name(),
                status.to_u32(),
                status.spec_name().unwrap_or("-")
            )
        });
    }
}
