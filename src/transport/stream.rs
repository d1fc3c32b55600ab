//! [`Transport`]: a connected byte stream, and [`Tcp`], the plain one.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

/// A connected byte stream.
pub(crate) trait Transport: Send + Sync {
    /// Reads some bytes; `Ok(0)` is end of stream. Called by the reader only. Returns
    /// `WouldBlock`/`TimedOut` when the read timeout passes.
    fn read(&self, buf: &mut [u8]) -> io::Result<usize>;
    /// Writes all of `data`. Callers serialise writes.
    fn write_all(&self, data: &[u8]) -> io::Result<()>;
    /// The read timeout (None = block).
    fn set_read_timeout(&self, d: Option<Duration>) -> io::Result<()>;
    /// Closes both directions; a blocked reader returns.
    fn shutdown(&self);
    /// TLS only: what the SMSC sent after the handshake, for the diagnosis of a close.
    fn after_handshake(&self) -> Option<AfterHandshake> {
        None
    }
}

/// What a TLS stream saw after its handshake: a close that follows nothing at all (no session
/// ticket, no alert, no data) is how some SMSCs refuse a client certificate in TLS 1.3.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct AfterHandshake {
    /// Octets of TLS records received since the handshake.
    pub received: u64,
    /// The SMSC ended with close_notify (an orderly TLS close).
    pub close_notify: bool,
    /// The connection was reset.
    pub reset: bool,
}

/// Plain TCP.
pub(crate) struct Tcp(pub TcpStream);

impl Transport for Tcp {
    fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        (&self.0).read(buf)
    }

    fn write_all(&self, data: &[u8]) -> io::Result<()> {
        (&self.0).write_all(data)
    }

    fn set_read_timeout(&self, d: Option<Duration>) -> io::Result<()> {
        self.0.set_read_timeout(d)
    }

    fn shutdown(&self) {
        let _ = self.0.shutdown(Shutdown::Both);
    }
}

/// Whether an I/O error is a read timeout rather than a failure.
pub(crate) fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}
