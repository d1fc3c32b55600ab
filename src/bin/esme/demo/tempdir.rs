//! The demo's temporary folder: made private to the user, removed with everything in it when
//! the guard is dropped, whether the demo ends normally, with an error or with a panic.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// A folder that exists while this guard lives.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Makes a new folder `PREFIX-<pid>-<n>` in `parent` (readable by the user only, on Unix).
    pub fn new_in(parent: &Path, prefix: &str) -> io::Result<TempDir> {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let mut last = None;
        for attempt in 0..100u32 {
            let path = parent.join(format!(
                "{prefix}-{}-{:08x}",
                std::process::id(),
                seed.wrapping_add(attempt.wrapping_mul(0x9E37_79B9))
            ));
            match create_private(&path) {
                Ok(()) => return Ok(TempDir { path }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => {
                    return Err(io::Error::new(
                        e.kind(),
                        format!("cannot make a folder in {}: {e}", parent.display()),
                    ))
                }
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no free folder name")))
    }

    /// Makes the folder in the system's temporary folder (`TMPDIR`, else `/tmp`).
    pub fn new(prefix: &str) -> io::Result<TempDir> {
        TempDir::new_in(&std::env::temp_dir(), prefix)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the folder now, saying why when it cannot be.
    pub fn remove(self) -> io::Result<()> {
        let path = self.path.clone();
        std::mem::forget(self);
        std::fs::remove_dir_all(&path)
    }
}

#[cfg(unix)]
fn create_private(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().mode(0o700).create(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> io::Result<()> {
    std::fs::create_dir(path)
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Nothing to report to: a folder left behind is named in the demo's output.
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A demo step that fails after writing into the folder.
    fn fails_midway(dir: &mut Option<PathBuf>) -> Result<(), String> {
        let t = TempDir::new("esme-demo-test").map_err(|e| e.to_string())?;
        *dir = Some(t.path().to_path_buf());
        std::fs::create_dir(t.path().join("sub")).map_err(|e| e.to_string())?;
        std::fs::write(t.path().join("sub/client.p12"), b"x").map_err(|e| e.to_string())?;
        Err("the SMSC went away".into())
    }

    #[test]
    fn removed_on_error_and_on_panic() {
        let mut dir = None;
        assert!(fails_midway(&mut dir).is_err());
        let dir = dir.expect("the folder was made");
        assert!(
            !dir.exists(),
            "{} left behind after an error",
            dir.display()
        );

        let made = std::sync::Mutex::new(None);
        let r = std::panic::catch_unwind(|| {
            let t = TempDir::new("esme-demo-test").unwrap();
            std::fs::write(t.path().join("ca.pem"), b"x").unwrap();
            *made.lock().unwrap() = Some(t.path().to_path_buf());
            panic!("mid-way");
        });
        assert!(r.is_err());
        let dir = made.into_inner().unwrap().expect("the folder was made");
        assert!(!dir.exists(), "{} left behind after a panic", dir.display());
    }

    #[cfg(unix)]
    #[test]
    fn private_and_distinct() {
        use std::os::unix::fs::PermissionsExt;
        let a = TempDir::new("esme-demo-test").unwrap();
        let b = TempDir::new("esme-demo-test").unwrap();
        assert_ne!(a.path(), b.path());
        let mode = std::fs::metadata(a.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "{mode:o}");
        let missing = TempDir::new_in(Path::new("/nonexistent/esme"), "x").unwrap_err();
        assert!(
            missing.to_string().contains("/nonexistent/esme"),
            "{missing}"
        );
    }
}
