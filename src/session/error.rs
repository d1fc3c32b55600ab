//! [`SendError`]: why a request could not be queued.

use super::machine::State;
use crate::pdu::{CommandId, EncodeError};
use std::fmt;

/// Why a request could not be queued. Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The window is full: wait for a response.
    WindowFull,
    /// The session is not in a state that allows this command.
    NotAllowed {
        /// The command.
        command: CommandId,
        /// The state.
        state: State,
    },
    /// The PDU breaks a field rule.
    Encode(EncodeError),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::WindowFull => write!(f, "the submit window is full"),
            SendError::NotAllowed { command, state } => {
                write!(
                    f,
                    "{} is not allowed while the session is {state:?}",
                    command.name()
                )
            }
            SendError::Encode(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for SendError {}
