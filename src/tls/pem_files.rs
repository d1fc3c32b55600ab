//! PEM files (the CA certificates to trust, a client certificate chain and key), read whole
//! with a size cap and only when they are regular files (`crate::files`) before they are
//! parsed: a path to `/dev/zero`, a directory or a huge file is a one-line error at once,
//! not an allocation without end.

use crate::files::{read_capped, MAX_TLS_FILE};
use std::path::Path;
use zeroize::Zeroizing;

/// The bytes of the PEM file at `path` (wiped when dropped: it may hold a key), or why it
/// cannot be read, in the words the TLS errors use ("no such file", "it is a character
/// device, not a regular file", …).
pub(super) fn read_pem(path: &Path) -> Result<Zeroizing<Vec<u8>>, String> {
    read_capped(path, MAX_TLS_FILE)
        .map(Zeroizing::new)
        .map_err(|e| match e {
            crate::files::ReadError::Io(why) => format!("cannot read it: {why}"),
            e => e.to_string(),
        })
}
