//! `esme_rules`: PII masking (Genesys DataByGroup, DataByRule, DataByRegEx).

use super::boundary::{boundary, fail_err, guard, Out, Ret};
use super::handle::{self, registered};
use super::result::esme_result::{self, *};
use super::strings::{c_str, copy_out};
use crate::pii::RuleSet;
use std::ffi::c_char;

/// A compiled PII rule set (opaque): the built-in rules (group "default": payment cards,
/// e-mail, phone numbers, US SSN, IBAN), plus those of a JSON rule file. Immutable once made:
/// every function taking it is thread-safe. Released by `esme_rules_free`.
pub struct esme_rules {
    _private: [u8; 0],
}

registered!(esme_rules => RuleSet);

/// The built-in rules. `*out` gets the handle.
#[no_mangle]
pub unsafe extern "C" fn esme_rules_builtin(out: *mut *mut esme_rules) -> esme_result {
    boundary(|| {
        let out = Out::new(out, "out")?;
        out.write(handle::new(RuleSet::builtin()));
        Ok(ESME_OK)
    })
}

/// The rules of a JSON rule file (docs/pii.md "Rule file") plus the built-ins. A bad file or
/// rule: ESME_ERR_PII, with the rule named in `esme_last_error`.
#[no_mangle]
pub unsafe extern "C" fn esme_rules_load_file(
    path: *const c_char,
    out: *mut *mut esme_rules,
) -> esme_result {
    boundary(|| {
        let out = Out::new(out, "out")?;
        let path = c_str(path, "path")?;
        let rules = RuleSet::from_file(path)
            .and_then(RuleSet::with_builtins)
            .map_err(fail_err)?;
        out.write(handle::new(rules));
        Ok(ESME_OK)
    })
}

/// Releases a rule set. NULL or a freed handle: nothing.
#[no_mangle]
pub unsafe extern "C" fn esme_rules_free(rules: *mut esme_rules) {
    guard((), || drop(handle::free(rules)))
}

enum MaskBy<'a> {
    Group(&'a str),
    Rule(&'a str),
    Regex(&'a str, char),
}

/// The three masking calls after their own argument: `text` checked, then the rule set
/// (not for a regex), the masking, the result copied out and `*count` (may be NULL) written
/// when it fits.
unsafe fn mask_into(
    rules: *const esme_rules,
    text: *const c_char,
    by: MaskBy<'_>,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
    count: *mut u32,
) -> Ret {
    let text = c_str(text, "text")?;
    let masked = match by {
        MaskBy::Regex(re, c) => crate::pii::mask_by_regex(text, re, c),
        MaskBy::Group(g) => handle::get(rules, "rules")?.mask_by_group(text, g),
        MaskBy::Rule(n) => handle::get(rules, "rules")?.mask_by_rule(text, n),
    }
    .map_err(fail_err)?;
    let r = copy_out(&masked.text, buf, len, needed)?;
    if let Some(count) = Out::optional(count) {
        count.write(masked.count as u32);
    }
    Ok(r)
}

/// DataByGroup: masks `text` (NUL-terminated UTF-8) with the rules of `group`, in priority
/// order. The result and its NUL go to `buf` when `len` is enough (else
/// ESME_ERR_BUFFER_TOO_SMALL); `*needed` gets the size needed, `*count` (may be NULL) the
/// number of matches masked. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_rules_mask_group(
    rules: *const esme_rules,
    text: *const c_char,
    group: *const c_char,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
    count: *mut u32,
) -> esme_result {
    boundary(|| {
        let group = c_str(group, "group")?;
        mask_into(rules, text, MaskBy::Group(group), buf, len, needed, count)
    })
}

/// DataByRule: like `esme_rules_mask_group` with one rule by name.
#[no_mangle]
pub unsafe extern "C" fn esme_rules_mask_rule(
    rules: *const esme_rules,
    text: *const c_char,
    rule: *const c_char,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
    count: *mut u32,
) -> esme_result {
    boundary(|| {
        let rule = c_str(rule, "rule")?;
        mask_into(rules, text, MaskBy::Rule(rule), buf, len, needed, count)
    })
}

/// DataByRegEx: masks every match of `regex` (regex-lite syntax) with '*'; like
/// `esme_rules_mask_group` otherwise. A bad regex: ESME_ERR_PII.
#[no_mangle]
pub unsafe extern "C" fn esme_mask_regex(
    text: *const c_char,
    regex: *const c_char,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
    count: *mut u32,
) -> esme_result {
    boundary(|| {
        let regex = c_str(regex, "regex")?;
        mask_into(
            std::ptr::null(),
            text,
            MaskBy::Regex(regex, '*'),
            buf,
            len,
            needed,
            count,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn masking_through_the_c_functions() {
        unsafe {
            let mut rules: *mut esme_rules = std::ptr::null_mut();
            assert_eq!(esme_rules_builtin(&mut rules), ESME_OK);
            let mut buf = [0 as c_char; 128];
            let (mut needed, mut count) = (0usize, 0u32);
            let text = c"Card 4111 1111 1111 1111, mail ann@example.com";
            assert_eq!(
                esme_rules_mask_group(
                    rules,
                    text.as_ptr(),
                    c"default".as_ptr(),
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut needed,
                    &mut count
                ),
                ESME_OK
            );
            assert_eq!(
                CStr::from_ptr(buf.as_ptr()).to_str().unwrap(),
                "Card ***************1111, mail ***************"
            );
            assert_eq!(count, 2);
            assert_eq!(
                esme_rules_mask_group(
                    rules,
                    text.as_ptr(),
                    c"nope".as_ptr(),
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut needed,
                    &mut count
                ),
                ESME_ERR_PII
            );
            assert_eq!(
                esme_rules_mask_rule(
                    rules,
                    text.as_ptr(),
                    c"email".as_ptr(),
                    buf.as_mut_ptr(),
                    4,
                    &mut needed,
                    std::ptr::null_mut()
                ),
                ESME_ERR_BUFFER_TOO_SMALL
            );
            assert_eq!(needed, text.to_bytes().len() + 1);
            assert_eq!(
                esme_mask_regex(
                    c"room 101".as_ptr(),
                    c"\\d+".as_ptr(),
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut needed,
                    &mut count
                ),
                ESME_OK
            );
            assert_eq!(CStr::from_ptr(buf.as_ptr()).to_str().unwrap(), "room ***");
            assert_eq!(
                esme_mask_regex(
                    c"x".as_ptr(),
                    c"(".as_ptr(),
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut needed,
                    &mut count
                ),
                ESME_ERR_PII
            );
            esme_rules_free(rules);
            esme_rules_free(rules);
            assert_eq!(
                esme_rules_mask_group(
                    rules,
                    text.as_ptr(),
                    c"default".as_ptr(),
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut needed,
                    &mut count
                ),
                ESME_ERR_INVALID_HANDLE
            );
        }
    }
}
