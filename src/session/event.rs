//! What the session tells its driver ([`Event`]), and which way a traced PDU went.

use crate::pdu::{CommandId, CommandStatus, DecodeError, FrameError, Pdu};
use std::time::Duration;

/// What the session tells its driver.
#[derive(Debug)]
pub enum Event<T> {
    /// The bind succeeded.
    Bound {
        /// The SMSC's system_id.
        system_id: String,
        /// The SMSC's sc_interface_version TLV, if sent.
        sc_interface_version: Option<u8>,
    },
    /// The SMSC refused the bind (or answered it with generic_nack). The session is closed.
    BindRefused {
        /// The status it gave.
        status: CommandStatus,
    },
    /// The SMSC answered the bind with something unreadable or with the wrong response
    /// (a broken bind_resp, or another command's response with the bind's sequence number).
    /// The session is closed: the SMSC's state is unknown, so the bind is not retried on
    /// this connection.
    BindFailed {
        /// What was wrong, one line.
        why: String,
    },
    /// A response to one of the caller's requests (any command_status, generic_nack included).
    Response {
        /// The caller's tag.
        tag: T,
        /// The response.
        pdu: Pdu,
    },
    /// A response to one of the caller's requests that could not be decoded. The SMSC did
    /// answer, but what it said is unreadable.
    MalformedResponse {
        /// The caller's tag.
        tag: T,
        /// What was wrong.
        error: DecodeError,
    },
    /// No response within the response timeout.
    Timeout {
        /// The caller's tag.
        tag: T,
        /// The request's command.
        command: CommandId,
    },
    /// deliver_sm or data_sm: acknowledge it with
    /// [`Session::respond`](crate::session::Session::respond) once it is safely queued for the
    /// application (or refuse it with an error status).
    Inbound {
        /// The PDU.
        pdu: Pdu,
    },
    /// alert_notification (no response is due).
    Alert {
        /// The PDU.
        pdu: Pdu,
    },
    /// The SMSC unbound (already answered with unbind_resp). The session is closed.
    PeerUnbound,
    /// Our unbind was answered (or timed out). The session is closed.
    Unbound,
    /// Nothing was received for the dead-peer timeout. The session is closed.
    PeerDead {
        /// How long the silence lasted.
        silent_for: Duration,
    },
    /// The byte stream's framing broke. The session is closed.
    FramingError(FrameError),
    /// Something the peer sent was ignored (a response to nothing, a malformed request that
    /// was answered with an error, …). For logging.
    Ignored {
        /// What and why, one line.
        why: String,
    },
}

/// Which way a traced PDU went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Written to the SMSC.
    Out,
    /// Read from the SMSC.
    In,
}
