//! `esme_config`: a channel configuration under construction, by Genesys option names.

use super::boundary::{boundary, fail_err, guard, lock, Out};
use super::handle::{self, registered};
use super::result::esme_result::{self, *};
use super::strings::c_str;
use crate::config::Config;
use std::ffi::c_char;
use std::sync::Mutex;

/// A channel configuration under construction (opaque). Created by `esme_config_new`,
/// filled by `esme_config_load_file` / `esme_config_set` (Genesys option names), released by
/// `esme_config_free`. Secrets in it are wiped when it is freed. Not for concurrent
/// modification (each call is safe, but two threads setting options interleave).
pub struct esme_config {
    _private: [u8; 0],
}

/// What an `esme_config` holds: a loaded file, or the options set so far (checked one by
/// one, applied together when connecting).
pub(crate) struct ConfigState {
    base: Option<Config>,
    pairs: Vec<(String, zeroize::Zeroizing<String>)>,
}

registered!(esme_config => Mutex<ConfigState>);

impl ConfigState {
    /// The configuration to connect with, validated.
    pub(crate) fn build(&self) -> Result<Config, crate::Error> {
        match &self.base {
            Some(b) => {
                b.validate()?;
                Ok(b.clone())
            }
            None => Ok(Config::from_options(
                self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            )?),
        }
    }
}

/// Creates an empty configuration. `*out` gets the handle (free it with `esme_config_free`).
#[no_mangle]
pub unsafe extern "C" fn esme_config_new(out: *mut *mut esme_config) -> esme_result {
    boundary(|| {
        let out = Out::new(out, "out")?;
        out.write(handle::new(Mutex::new(ConfigState {
            base: None,
            pairs: Vec::new(),
        })));
        Ok(ESME_OK)
    })
}

/// Sets one option by its Genesys name (as a channel section file spells it; the docs' option
/// table lists them), checking the name and value at once: ESME_ERR_CONFIG names the option
/// and what is valid (never a secret's value).
#[no_mangle]
pub unsafe extern "C" fn esme_config_set(
    cfg: *mut esme_config,
    key: *const c_char,
    value: *const c_char,
) -> esme_result {
    boundary(|| {
        let st = handle::get(cfg, "cfg")?;
        let key = c_str(key, "key")?;
        let value = c_str(value, "value")?;
        let mut st = lock(&st);
        if let Some(base) = st.base.as_mut() {
            base.set(key, value).map_err(fail_err)?;
            return Ok(ESME_OK);
        }
        // Check the option alone against a placeholder configuration.
        let mut probe = Config::builder("placeholder", "placeholder")
            .build()
            .map_err(fail_err)?;
        probe.set(key, value).map_err(fail_err)?;
        st.pairs.retain(|(k, _)| k != key);
        st.pairs
            .push((key.to_string(), zeroize::Zeroizing::new(value.to_string())));
        Ok(ESME_OK)
    })
}

/// Loads a channel section file (Genesys export style: optional `[channel-name]`, `key =
/// value`, `#` comments). Options set before are applied on top of the file.
#[no_mangle]
pub unsafe extern "C" fn esme_config_load_file(
    cfg: *mut esme_config,
    path: *const c_char,
) -> esme_result {
    boundary(|| {
        let st = handle::get(cfg, "cfg")?;
        let path = c_str(path, "path")?;
        let mut base = Config::from_file(std::path::Path::new(path)).map_err(fail_err)?;
        let mut st = lock(&st);
        for (k, v) in &st.pairs {
            base.set(k, v).map_err(fail_err)?;
        }
        st.pairs.clear();
        st.base = Some(base);
        Ok(ESME_OK)
    })
}

/// Releases a configuration (secrets are wiped). NULL or an already freed handle: nothing.
#[no_mangle]
pub unsafe extern "C" fn esme_config_free(cfg: *mut esme_config) {
    guard((), || drop(handle::free(cfg)))
}

#[cfg(test)]
mod tests {
    use super::super::boundary::esme_last_error;
    use super::*;
    use std::ffi::{CStr, CString};

    fn last_error() -> String {
        let mut buf = [0 as c_char; 512];
        let mut n = 0usize;
        // SAFETY: `buf` is writable for its length; `n` is a valid out-parameter.
        let r = unsafe { esme_last_error(buf.as_mut_ptr(), buf.len(), &mut n) };
        assert_eq!(r, ESME_OK);
        // SAFETY: esme_last_error wrote a NUL-terminated string into `buf`.
        unsafe { CStr::from_ptr(buf.as_ptr()) }
            .to_string_lossy()
            .into_owned()
    }

    /// Every option of the table is accepted by `esme_config_set` on a fresh configuration,
    /// with its example value and with its default (when it has one): the C ABI reaches every
    /// row, as files and `Config::set` do.
    #[test]
    fn config_set_accepts_every_option_of_the_table() {
        let mut tried = 0;
        for spec in Config::options() {
            let mut values = vec![spec.example];
            if spec.default != spec.example && spec.default != "required" {
                values.push(spec.default);
            }
            for value in values {
                let key = CString::new(spec.name).unwrap();
                let value_c = CString::new(value).unwrap();
                let mut cfg: *mut esme_config = std::ptr::null_mut();
                // SAFETY: valid out-parameter, NUL-terminated strings, a live handle freed once.
                unsafe {
                    assert_eq!(esme_config_new(&mut cfg), ESME_OK);
                    let r = esme_config_set(cfg, key.as_ptr(), value_c.as_ptr());
                    let why = if r == ESME_OK {
                        String::new()
                    } else {
                        last_error()
                    };
                    esme_config_free(cfg);
                    assert_eq!(r, ESME_OK, "{} = {value}: {why}", spec.name);
                }
                tried += 1;
            }
        }
        assert!(tried > Config::options().len(), "only {tried} values tried");
    }
}
