//! Sans-IO SMPP session: bind state, sequence numbers, the window of pending requests with
//! their deadlines, matching responses, answering the SMSC (enquire_link, unbind, unknown
//! commands), keepalive and the dead-peer verdict. It never touches a socket or a clock:
//! feed it the bytes received and the current time, take the bytes to send and the events.
//!
//! Files: `machine.rs` the [`Session`](crate::session::Session) (configuration, state, pending
//! requests, queues); `send.rs` the requests it sends; `receive.rs` what it receives; `timers.rs`
//! timeouts, keepalive and the dead-peer verdict; `bind_mode.rs`, `event.rs`, `error.rs` the types
//! the driver sees.

mod bind_mode;
mod error;
mod event;
mod machine;
mod receive;
mod send;
#[cfg(test)]
mod tests;
mod timers;

pub use bind_mode::BindMode;
pub use error::SendError;
pub use event::{Direction, Event};
pub use machine::{Session, SessionConfig, State};
