//! Reading the operator's files (the channel configuration, PII rules, CA and client
//! certificates, PKCS#12): each with a size cap, and only regular files, so that a wrong
//! path gives a one-line error within moments instead of a hang or an exhausted memory:
//! `/dev/zero` as a CA file used to allocate 4 GiB and abort the host process, and a FIFO
//! without a writer would block forever. A leaf: any module may use it.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// The largest configuration file read (a channel section is a few kilobytes).
pub(crate) const MAX_TEXT_FILE: u64 = 1 << 20;

/// The largest PII rule file read (a few kilobytes; room for large generated rule sets).
pub(crate) const MAX_RULE_FILE: u64 = 4 << 20;

/// The largest certificate, key or PKCS#12 file read (a bundle of every public CA is about
/// 250 kB; a client identity a few kilobytes).
pub(crate) const MAX_TLS_FILE: u64 = 16 << 20;

/// Why a file was not read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// It does not exist.
    NotFound,
    /// The operating system refused (permissions, …): its text.
    Io(String),
    /// Not a regular file: what it is instead ("a directory", "a character device", …).
    NotAFile(&'static str),
    /// Longer than the cap.
    TooLarge {
        /// The cap, in octets.
        limit: u64,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound => f.write_str("no such file"),
            ReadError::Io(why) => f.write_str(why),
            ReadError::NotAFile(what) => write!(f, "it is {what}, not a regular file"),
            ReadError::TooLarge { limit } => write!(
                f,
                "it is larger than {}, more than such a file ever holds: is it the right file?",
                shown_size(*limit)
            ),
        }
    }
}

/// "1 MiB", "16 MiB", "512 kB".
fn shown_size(n: u64) -> String {
    if n >= 1 << 20 && n % (1 << 20) == 0 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{} kB", n / 1000)
    }
}

/// The whole of the regular file at `path`, at most `limit` octets. Devices, directories,
/// FIFOs and sockets are refused before they are opened (opening a FIFO waits for a writer).
pub(crate) fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let io = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Io(e.to_string()),
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile(kind_of(&meta)));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let file = std::fs::File::open(path).map_err(io)?;
    // The length may change between the check and the read, and /proc files say 0: the read
    // itself is capped too.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// What a path that is not a regular file is.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_fifo() {
        "a FIFO (a named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_directories_and_large_files_are_refused_at_once() {
        for (path, want) in [
            ("/dev/zero", "it is a character device, not a regular file"),
            ("/dev/null", "it is a character device, not a regular file"),
            ("/tmp", "it is a directory, not a regular file"),
            ("/nonexistent/file", "no such file"),
        ] {
            let e = read_capped(Path::new(path), MAX_TLS_FILE).unwrap_err();
            assert_eq!(e.to_string(), want, "{path}");
        }
        let dir = std::env::temp_dir().join(format!("esme-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("big");
        std::fs::write(&big, vec![b'x'; 1025]).unwrap();
        let e = read_capped(&big, 1024).unwrap_err();
        assert!(e.to_string().starts_with("it is larger than 1 kB"), "{e}");
        assert_eq!(read_capped(&big, 1025).unwrap().len(), 1025);
        let e = read_capped(&big, MAX_TEXT_FILE).map(|b| b.len()).unwrap();
        assert_eq!(e, 1025);
        assert!(ReadError::TooLarge {
            limit: MAX_TEXT_FILE
        }
        .to_string()
        .starts_with("it is larger than 1 MiB"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
