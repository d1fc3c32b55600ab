//! One TLS connection shared by the reader thread and the writers (std only).
//!
//! The reader reads ciphertext from its own socket handle without any lock, then locks the
//! `rustls::ClientConnection` only to feed it and take out plaintext. A writer takes the
//! write lock, then the connection lock to encrypt into a buffer, releases the connection,
//! and writes the buffer: records go out in the order they were encrypted, and the reader
//! is never blocked by a slow socket write.

use super::stream::{AfterHandshake, Transport};
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn to_io(e: rustls::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

/// A TLS connection after its handshake: the socket, a second handle on it for the writers,
/// and the rustls state.
pub(crate) struct TlsStream {
    rsock: TcpStream,
    wsock: Mutex<TcpStream>,
    conn: Mutex<rustls::ClientConnection>,
    rbuf: Mutex<Vec<u8>>,
    after: Mutex<AfterHandshake>,
}

impl TlsStream {
    /// Shares a connection whose handshake is done (the writers get their own handle on the
    /// socket).
    pub(crate) fn new(sock: TcpStream, conn: rustls::ClientConnection) -> io::Result<TlsStream> {
        let wsock = sock.try_clone()?;
        Ok(TlsStream {
            rsock: sock,
            wsock: Mutex::new(wsock),
            conn: Mutex::new(conn),
            rbuf: Mutex::new(vec![0u8; 32 * 1024]),
            after: Mutex::new(AfterHandshake::default()),
        })
    }
}

impl TlsStream {
    /// Encrypts `plain` (possibly empty: only pending TLS records) and writes it. Callers
    /// hold no lock.
    fn send(&self, plain: &[u8]) -> io::Result<()> {
        let mut w = lock(&self.wsock);
        let mut out = Vec::with_capacity(plain.len() + 64);
        {
            let mut c = lock(&self.conn);
            if !plain.is_empty() {
                c.writer().write_all(plain)?;
            }
            while c.wants_write() {
                c.write_tls(&mut out)?;
            }
        }
        if out.is_empty() {
            return Ok(());
        }
        w.write_all(&out)
    }
}

impl Transport for TlsStream {
    fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let mut cbuf = lock(&self.rbuf);
        loop {
            {
                let mut c = lock(&self.conn);
                match c.reader().read(buf) {
                    Ok(0) if !buf.is_empty() => {
                        // The SMSC sent close_notify.
                        lock(&self.after).close_notify = true;
                        return Ok(0);
                    }
                    Ok(n) => return Ok(n),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) => return Err(e),
                }
            }
            let n = match (&self.rsock).read(&mut cbuf) {
                Ok(n) => n,
                Err(e) => {
                    if e.kind() == io::ErrorKind::ConnectionReset {
                        lock(&self.after).reset = true;
                    }
                    return Err(e);
                }
            };
            if n == 0 {
                return Ok(0);
            }
            lock(&self.after).received += n as u64;
            let wants_write = {
                let mut c = lock(&self.conn);
                let mut rd = &cbuf[..n];
                while !rd.is_empty() {
                    c.read_tls(&mut rd)?;
                    c.process_new_packets().map_err(to_io)?;
                }
                c.wants_write()
            };
            if wants_write {
                // Key updates, alerts: written in order with the writers' records.
                self.send(&[])?;
            }
        }
    }

    fn write_all(&self, data: &[u8]) -> io::Result<()> {
        self.send(data)
    }

    fn set_read_timeout(&self, d: Option<Duration>) -> io::Result<()> {
        self.rsock.set_read_timeout(d)
    }

    fn after_handshake(&self) -> Option<AfterHandshake> {
        Some(*lock(&self.after))
    }

    fn shutdown(&self) {
        if let Ok(mut c) = self.conn.try_lock() {
            c.send_close_notify();
        }
        let _ = self.send(&[]);
        let _ = self.rsock.shutdown(Shutdown::Both);
    }
}
