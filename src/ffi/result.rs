//! Result codes: the `esme_result` enum of the header, and the one table that gives each
//! its text. `esme_result_str`, [`result_of`] (an `Error::code` to its result) and the docs'
//! table of codes ([`result_table_markdown`]) come from the table; the tests below prove that
//! the generated header, `Error::code`/`TlsError::code`, the docs and the Java wrapper's
//! constants agree with it. (cbindgen cannot expand a macro, so the enum is written out.)

use super::boundary::guard;
use std::ffi::{c_char, CStr};

/// The result of every call. Numbered in bands, never renumbered: 0 success, 1 nothing to
/// report, 1xx usage, 2xx I/O and timeouts, 3xx TLS and PKCS#12, 4xx SMPP protocol, 5xx the
/// SMSC refused. `esme_result_str` names each; `esme_client_last_error` / `esme_last_error`
/// give the detailed cause and hint of the last failure.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum esme_result {
    /// Success.
    ESME_OK = 0,
    /// `esme_client_poll`: no event within the timeout.
    ESME_EMPTY = 1,
    /// The call asked for something impossible (e.g. a message without a destination).
    ESME_ERR_USAGE = 100,
    /// A message field breaks an SMPP rule (e.g. a destination longer than 20 characters).
    ESME_ERR_ENCODE = 101,
    /// The text cannot be encoded or needs too many segments.
    ESME_ERR_TEXT = 102,
    /// The client is closed.
    ESME_ERR_CLOSED = 103,
    /// `esme_client_try_submit_async`: the window and the queue behind it are full.
    ESME_ERR_WINDOW_FULL = 104,
    /// A configuration option is unknown, has a bad value, or is missing.
    ESME_ERR_CONFIG = 105,
    /// A PII rule, rule file, rule name or group is invalid or unknown.
    ESME_ERR_PII = 106,
    /// A required pointer argument was NULL.
    ESME_ERR_NULL = 110,
    /// The handle was freed, closed for good, or never created.
    ESME_ERR_INVALID_HANDLE = 111,
    /// A string argument is not valid UTF-8.
    ESME_ERR_UTF8 = 112,
    /// The caller's buffer is too small; the needed size was written.
    ESME_ERR_BUFFER_TOO_SMALL = 113,
    /// An internal error was caught at the boundary (a bug: please report it).
    ESME_ERR_PANIC = 114,
    /// An argument is out of its range (e.g. `body_len` larger than any message body).
    ESME_ERR_INVALID_ARG = 115,
    /// The TCP connection could not be made.
    ESME_ERR_CONNECT = 201,
    /// Connect, handshake or bind did not finish in time.
    ESME_ERR_TIMEOUT = 202,
    /// The connection was lost or closed before binding finished.
    ESME_ERR_DISCONNECTED = 203,
    /// The CA file (the PEM certificates to trust) cannot be used.
    ESME_ERR_TLS_CA_FILE = 301,
    /// No trust anchor to verify the SMSC.
    ESME_ERR_TLS_NO_TRUST = 302,
    /// The PKCS#12 file is missing or unreadable.
    ESME_ERR_PKCS12_FILE = 303,
    /// The file is not PKCS#12.
    ESME_ERR_PKCS12_FORMAT = 304,
    /// The password of the PKCS#12 file is wrong.
    ESME_ERR_PKCS12_FILE_PASSWORD = 305,
    /// The password of the private key in the PKCS#12 file is wrong.
    ESME_ERR_PKCS12_KEY_PASSWORD = 306,
    /// The PKCS#12 file uses an unsupported algorithm.
    ESME_ERR_PKCS12_UNSUPPORTED = 307,
    /// No private key in the PKCS#12 file.
    ESME_ERR_PKCS12_NO_KEY = 308,
    /// No certificate in the PKCS#12 file.
    ESME_ERR_PKCS12_NO_CERTIFICATE = 309,
    /// The key does not match the certificate.
    ESME_ERR_PKCS12_KEY_MISMATCH = 310,
    /// The alias is not in the file, or the file has several keys and no alias was given.
    ESME_ERR_PKCS12_ALIAS = 311,
    /// Another PKCS#12 problem (e.g. an unsupported key type).
    ESME_ERR_PKCS12_OTHER = 312,
    /// Our client certificate is expired or not valid yet.
    ESME_ERR_TLS_CLIENT_CERT_DATES = 313,
    /// The SMSC's certificate: unknown issuer.
    ESME_ERR_TLS_UNKNOWN_ISSUER = 320,
    /// The SMSC's certificate expired.
    ESME_ERR_TLS_EXPIRED = 321,
    /// The SMSC's certificate is not valid yet.
    ESME_ERR_TLS_NOT_YET_VALID = 322,
    /// The SMSC's certificate is issued for another name.
    ESME_ERR_TLS_WRONG_NAME = 323,
    /// The SMSC's certificate is self-signed.
    ESME_ERR_TLS_SELF_SIGNED = 324,
    /// The SMSC's certificate is not trusted for another reason.
    ESME_ERR_TLS_UNTRUSTED = 325,
    /// The SMSC did not accept our client certificate.
    ESME_ERR_TLS_CLIENT_CERT_REJECTED = 330,
    /// No TLS version in common.
    ESME_ERR_TLS_VERSION = 331,
    /// TLS sent to a port that does not speak TLS.
    ESME_ERR_TLS_NOT_TLS = 332,
    /// Plain SMPP sent to a TLS port.
    ESME_ERR_TLS_PLAIN_TO_TLS = 333,
    /// Another TLS handshake failure.
    ESME_ERR_TLS_HANDSHAKE = 334,
    /// Inconsistent TLS options.
    ESME_ERR_TLS_SETUP = 335,
    /// The SMSC requires a client certificate (mutual TLS) and none was configured.
    ESME_ERR_TLS_CLIENT_CERT_REQUIRED = 336,
    /// The SMSC's byte stream has impossible framing.
    ESME_ERR_FRAME = 401,
    /// A PDU from the SMSC breaks a field rule.
    ESME_ERR_DECODE = 402,
    /// Bytes meant to be one PDU are not.
    ESME_ERR_PDU = 403,
    /// A receipt could not be read.
    ESME_ERR_RECEIPT = 404,
    /// The SMSC refused the bind (wrong password, system id, …).
    ESME_ERR_BIND_REFUSED = 501,
}

use esme_result::*;

/// The one table of results: every `esme_result`, in the order of its number, with the short
/// static text `esme_result_str` gives. The number and the C name are the enum's. A new code
/// is one variant above and one row here (CONTRIBUTING.md "Adding an error code").
#[rustfmt::skip]
const RESULTS: &[(esme_result, &CStr)] = &[
    (ESME_OK, c"ok"),
    (ESME_EMPTY, c"no event"),
    (ESME_ERR_USAGE, c"invalid request"),
    (ESME_ERR_ENCODE, c"a message field breaks an SMPP rule"),
    (ESME_ERR_TEXT, c"the text cannot be encoded or segmented"),
    (ESME_ERR_CLOSED, c"the client is closed"),
    (ESME_ERR_WINDOW_FULL, c"the submit window and the queue behind it are full"),
    (ESME_ERR_CONFIG, c"invalid configuration"),
    (ESME_ERR_PII, c"invalid or unknown PII rule"),
    (ESME_ERR_NULL, c"a required argument is NULL"),
    (ESME_ERR_INVALID_HANDLE, c"invalid handle (freed or never created)"),
    (ESME_ERR_UTF8, c"a string is not valid UTF-8"),
    (ESME_ERR_BUFFER_TOO_SMALL, c"the buffer is too small"),
    (ESME_ERR_PANIC, c"internal error"),
    (ESME_ERR_INVALID_ARG, c"an argument is out of range"),
    (ESME_ERR_CONNECT, c"cannot connect to the SMSC"),
    (ESME_ERR_TIMEOUT, c"timed out"),
    (ESME_ERR_DISCONNECTED, c"the connection was lost"),
    (ESME_ERR_TLS_CA_FILE, c"the CA file cannot be used"),
    (ESME_ERR_TLS_NO_TRUST, c"no trust anchor for the SMSC"),
    (ESME_ERR_PKCS12_FILE, c"the PKCS#12 file cannot be read"),
    (ESME_ERR_PKCS12_FORMAT, c"not a PKCS#12 file"),
    (ESME_ERR_PKCS12_FILE_PASSWORD, c"wrong PKCS#12 file password"),
    (ESME_ERR_PKCS12_KEY_PASSWORD, c"wrong PKCS#12 key password"),
    (ESME_ERR_PKCS12_UNSUPPORTED, c"unsupported PKCS#12 algorithm"),
    (ESME_ERR_PKCS12_NO_KEY, c"no private key in the PKCS#12 file"),
    (ESME_ERR_PKCS12_NO_CERTIFICATE, c"no certificate in the PKCS#12 file"),
    (ESME_ERR_PKCS12_KEY_MISMATCH, c"the key does not match the certificate"),
    (ESME_ERR_PKCS12_ALIAS, c"PKCS#12 alias not found or ambiguous"),
    (ESME_ERR_PKCS12_OTHER, c"the PKCS#12 file cannot be used"),
    (ESME_ERR_TLS_CLIENT_CERT_DATES, c"our client certificate is expired or not yet valid"),
    (ESME_ERR_TLS_UNKNOWN_ISSUER, c"the SMSC's certificate has an unknown issuer"),
    (ESME_ERR_TLS_EXPIRED, c"the SMSC's certificate expired"),
    (ESME_ERR_TLS_NOT_YET_VALID, c"the SMSC's certificate is not valid yet"),
    (ESME_ERR_TLS_WRONG_NAME, c"the SMSC's certificate is for another name"),
    (ESME_ERR_TLS_SELF_SIGNED, c"the SMSC's certificate is self-signed"),
    (ESME_ERR_TLS_UNTRUSTED, c"the SMSC's certificate is not trusted"),
    (ESME_ERR_TLS_CLIENT_CERT_REJECTED, c"the SMSC did not accept our client certificate"),
    (ESME_ERR_TLS_VERSION, c"no TLS version in common"),
    (ESME_ERR_TLS_NOT_TLS, c"the SMSC does not speak TLS on this port"),
    (ESME_ERR_TLS_PLAIN_TO_TLS, c"the SMSC expects TLS on this port"),
    (ESME_ERR_TLS_HANDSHAKE, c"the TLS handshake failed"),
    (ESME_ERR_TLS_SETUP, c"inconsistent TLS options"),
    (ESME_ERR_TLS_CLIENT_CERT_REQUIRED, c"the SMSC requires a client certificate"),
    (ESME_ERR_FRAME, c"broken SMPP framing"),
    (ESME_ERR_DECODE, c"malformed PDU"),
    (ESME_ERR_PDU, c"not a single PDU"),
    (ESME_ERR_RECEIPT, c"unreadable receipt"),
    (ESME_ERR_BIND_REFUSED, c"the SMSC refused the bind"),
];

/// The result for a stable code (`Error::code`, `TlsError::code`); `ESME_ERR_PANIC` for a
/// code that has none (a test proves every code has one).
pub(crate) fn result_of(code: u32) -> esme_result {
    RESULTS
        .iter()
        .find(|(r, _)| *r as u32 == code)
        .map_or(ESME_ERR_PANIC, |(r, _)| *r)
}

/// Static text for a result (never NULL, never freed). Unknown values give "unknown result".
#[no_mangle]
pub extern "C" fn esme_result_str(result: u32) -> *const c_char {
    guard(c"unknown result".as_ptr(), || {
        RESULTS
            .iter()
            .find(|(r, _)| *r as u32 == result)
            .map_or(c"unknown result", |(_, text)| text)
            .as_ptr()
    })
}

/// Where the docs keep the table of result codes (the block between the markers), relative
/// to the repository root. The test `the_docs_table_is_the_table` checks it.
/// cbindgen:ignore
pub const RESULT_TABLE_DOC: &str = "docs/c-api.md";

/// The docs' table of result codes, generated from the one table: a Markdown table with one
/// row per `esme_result` (number, C name, `esme_result_str` text), in the order of the numbers.
pub fn result_table_markdown() -> String {
    let mut t = String::from("| code | `esme_result` | `esme_result_str` |\n|---:|---|---|\n");
    for (r, text) in RESULTS {
        let text = text.to_str().unwrap_or("(not UTF-8)");
        t.push_str(&format!("| {} | `{r:?}` | {text} |\n", *r as u32));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdu::{CommandId, CommandStatus, DecodeError, EncodeError, FrameError, Problem};
    use crate::tls::pkcs12::Pkcs12Error;
    use crate::tls::{CertProblem, TlsError};
    use crate::Error;
    use std::collections::BTreeSet;

    fn name(r: esme_result) -> String {
        format!("{r:?}")
    }

    /// The table as (number, C name) pairs, sorted by number.
    fn table() -> Vec<(u32, String)> {
        let mut t: Vec<_> = RESULTS.iter().map(|(r, _)| (*r as u32, name(*r))).collect();
        t.sort();
        t
    }

    fn read(path: &str) -> String {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    #[test]
    fn each_result_has_one_row_one_number_and_its_own_text() {
        let mut numbers = BTreeSet::new();
        let mut texts = BTreeSet::new();
        for (r, text) in RESULTS {
            assert!(numbers.insert(*r as u32), "{r:?} is in the table twice");
            let t = text.to_str().unwrap();
            assert!(!t.is_empty() && t != "unknown result", "{r:?}: text '{t}'");
            assert!(texts.insert(t), "{r:?} shares its text '{t}'");
            assert_eq!(result_of(*r as u32), *r);
            let s = unsafe { CStr::from_ptr(esme_result_str(*r as u32)) };
            assert_eq!(s, *text);
        }
        let by_number: Vec<u32> = RESULTS.iter().map(|(r, _)| *r as u32).collect();
        assert!(
            by_number.windows(2).all(|w| w[0] < w[1]),
            "the table is in the order of the numbers: {by_number:?}"
        );
        // Numbers between the bands and far out are unknown.
        for n in [2, 99, 107, 116, 200, 999, u32::MAX] {
            let s = unsafe { CStr::from_ptr(esme_result_str(n)) };
            assert_eq!(s.to_str().unwrap(), "unknown result", "{n}");
            assert_eq!(result_of(n), ESME_ERR_PANIC, "{n}");
        }
    }

    #[test]
    fn results_keep_to_their_bands() {
        for (r, _) in RESULTS {
            let (n, name) = (*r as u32, name(*r));
            match n {
                0 => assert_eq!(name, "ESME_OK"),
                1 => assert_eq!(name, "ESME_EMPTY"),
                100..=599 => assert!(name.starts_with("ESME_ERR_"), "{name} = {n}"),
                _ => panic!("{name} = {n} is outside the bands (0, 1, 1xx … 5xx)"),
            }
            let tls = name.starts_with("ESME_ERR_TLS_") || name.starts_with("ESME_ERR_PKCS12_");
            assert_eq!(
                tls,
                (300..400).contains(&n),
                "{name} = {n}: 3xx is TLS and PKCS#12, and only they"
            );
        }
    }

    /// One error of every kind `Error::code` and `TlsError::code` tell apart.
    fn one_of_each_error() -> Vec<Error> {
        let config = crate::config::Config::from_options(std::iter::empty::<(&str, &str)>())
            .expect_err("a configuration without a host is refused");
        let pii = crate::pii::mask_by_regex("x", "(", '*').expect_err("a bad regex is refused");
        let (command_id, field, problem) =
            (CommandId::SubmitSm, "destination_addr", Problem::Truncated);
        let mut all = vec![
            Error::Usage("usage".into()),
            Error::Config(config),
            Error::Pii(pii),
            Error::Encode(EncodeError {
                command_id,
                field,
                problem: problem.clone(),
            }),
            Error::Text(crate::text::TextError::InvalidSeptet {
                value: 0x80,
                index: 0,
            }),
            Error::Frame(FrameError {
                command_length: 1,
                min: 16,
                max: 65536,
            }),
            Error::Decode(DecodeError {
                command_id,
                sequence_number: 1,
                field,
                problem,
            }),
            Error::Pdu(crate::pdu::PduError::Incomplete {
                have: 0,
                needed: 16,
            }),
            Error::Receipt(crate::receipt::ReceiptError::Empty),
            Error::Closed,
            Error::WindowFull { window: 1 },
            Error::Connect {
                addr: "127.0.0.1:1".into(),
                why: "refused".into(),
            },
            Error::Timeout {
                phase: "the bind response",
                after: std::time::Duration::from_secs(1),
            },
            Error::Disconnected { why: "lost".into() },
            Error::BindRefused {
                status: CommandStatus::InvPaswd,
            },
        ];
        let s = String::new;
        let pkcs12 = [
            Pkcs12Error::Missing { path: "p".into() },
            Pkcs12Error::Unreadable {
                path: "p".into(),
                why: s(),
            },
            Pkcs12Error::NotPkcs12 { why: s() },
            Pkcs12Error::WrongFilePassword {
                what: s(),
                password_given: true,
            },
            Pkcs12Error::WrongKeyPassword {
                key_password_given: true,
                file_password_checked: true,
            },
            Pkcs12Error::WrongKeyPassword {
                key_password_given: false,
                file_password_checked: false,
            },
            Pkcs12Error::Unsupported {
                what: s(),
                oid: s(),
            },
            Pkcs12Error::NoPrivateKey,
            Pkcs12Error::NoCertificate,
            Pkcs12Error::KeyDoesNotMatchCertificate { subject: s() },
            Pkcs12Error::AliasNotFound {
                wanted: s(),
                present: vec![],
            },
            Pkcs12Error::SeveralKeys { present: vec![] },
            Pkcs12Error::UnsupportedKey { why: s() },
            Pkcs12Error::TooCostly { why: s() },
        ];
        let problems = [
            CertProblem::UnknownIssuer,
            CertProblem::SelfSigned,
            CertProblem::Expired(None),
            CertProblem::NotYetValid(None),
            CertProblem::WrongName {
                wanted: s(),
                presented: vec![],
            },
            CertProblem::IncompleteChain { issuer: s() },
            CertProblem::CaAsEndEntity,
            CertProblem::NotForServers { purposes: s() },
            CertProblem::NoSubjectAltName {
                wanted: s(),
                cn: None,
            },
            CertProblem::Other(s()),
        ];
        let mut tls = vec![
            TlsError::CaFile {
                path: s(),
                why: s(),
            },
            TlsError::NoTrustAnchors { sources: s() },
            TlsError::ClientCertRejected {
                why: s(),
                subject: None,
                issuer: None,
                accepted: vec![],
            },
            TlsError::ClientCertRequired {
                how: s(),
                accepted: vec![],
            },
            TlsError::VersionMismatch {
                offered: s(),
                detail: s(),
            },
            TlsError::NotTls {
                what: s(),
                certain: false,
            },
            TlsError::PlainToTls { evidence: s() },
            TlsError::ClientCertDates {
                subject: s(),
                when: s(),
            },
            TlsError::Handshake { detail: s() },
            TlsError::Setup { detail: s() },
        ];
        tls.extend(pkcs12.into_iter().map(TlsError::Pkcs12));
        tls.extend(problems.into_iter().map(|problem| TlsError::Untrusted {
            problem,
            trust: s(),
            subject: None,
        }));
        all.extend(tls.into_iter().map(Error::Tls));
        all
    }

    /// Does not compile when `Error`, `TlsError`, `Pkcs12Error` or `CertProblem` gains a
    /// variant (no `_` arm on purpose): add the new one to `one_of_each_error` too.
    #[allow(dead_code)]
    fn every_variant_is_in_one_of_each_error(e: &Error) {
        match e {
            Error::Usage(_)
            | Error::Config(_)
            | Error::Pii(_)
            | Error::Encode(_)
            | Error::Text(_)
            | Error::Frame(_)
            | Error::Decode(_)
            | Error::Pdu(_)
            | Error::Receipt(_)
            | Error::Closed
            | Error::WindowFull { .. }
            | Error::Connect { .. }
            | Error::Timeout { .. }
            | Error::Disconnected { .. }
            | Error::BindRefused { .. } => {}
            Error::Tls(t) => match t {
                TlsError::CaFile { .. }
                | TlsError::NoTrustAnchors { .. }
                | TlsError::ClientCertRejected { .. }
                | TlsError::ClientCertRequired { .. }
                | TlsError::VersionMismatch { .. }
                | TlsError::NotTls { .. }
                | TlsError::PlainToTls { .. }
                | TlsError::ClientCertDates { .. }
                | TlsError::Handshake { .. }
                | TlsError::Setup { .. } => {}
                TlsError::Pkcs12(p) => match p {
                    Pkcs12Error::Missing { .. }
                    | Pkcs12Error::Unreadable { .. }
                    | Pkcs12Error::NotPkcs12 { .. }
                    | Pkcs12Error::WrongFilePassword { .. }
                    | Pkcs12Error::WrongKeyPassword { .. }
                    | Pkcs12Error::Unsupported { .. }
                    | Pkcs12Error::NoPrivateKey
                    | Pkcs12Error::NoCertificate
                    | Pkcs12Error::KeyDoesNotMatchCertificate { .. }
                    | Pkcs12Error::AliasNotFound { .. }
                    | Pkcs12Error::SeveralKeys { .. }
                    | Pkcs12Error::UnsupportedKey { .. }
                    | Pkcs12Error::TooCostly { .. } => {}
                },
                TlsError::Untrusted { problem, .. } => match problem {
                    CertProblem::UnknownIssuer
                    | CertProblem::IncompleteChain { .. }
                    | CertProblem::SelfSigned
                    | CertProblem::CaAsEndEntity
                    | CertProblem::NotForServers { .. }
                    | CertProblem::NoSubjectAltName { .. }
                    | CertProblem::Expired(_)
                    | CertProblem::NotYetValid(_)
                    | CertProblem::WrongName { .. }
                    | CertProblem::Other(_) => {}
                },
            },
        }
    }

    /// Results only the C boundary gives (no `Error` has their code).
    const BOUNDARY_ONLY: &[esme_result] = &[
        ESME_OK,
        ESME_EMPTY,
        ESME_ERR_NULL,
        ESME_ERR_INVALID_HANDLE,
        ESME_ERR_UTF8,
        ESME_ERR_BUFFER_TOO_SMALL,
        ESME_ERR_PANIC,
        ESME_ERR_INVALID_ARG,
    ];

    #[test]
    fn error_codes_are_the_table() {
        let mut from_errors = BTreeSet::new();
        for e in one_of_each_error() {
            let code = e.code();
            let r = RESULTS.iter().find(|(r, _)| *r as u32 == code);
            assert!(r.is_some(), "{e:?}: code {code} has no esme_result");
            assert!(
                !BOUNDARY_ONLY.contains(&r.unwrap().0),
                "{e:?}: code {code} is one only the C boundary gives"
            );
            from_errors.insert(code);
        }
        let rest: BTreeSet<u32> = RESULTS
            .iter()
            .filter(|(r, _)| !BOUNDARY_ONLY.contains(r))
            .map(|(r, _)| *r as u32)
            .collect();
        assert_eq!(
            from_errors, rest,
            "the codes Error::code gives and the table's (other than the boundary's) differ"
        );
    }

    #[test]
    #[cfg_attr(miri, ignore = "reads include/esme.h: Miri isolates the file system")]
    fn the_generated_header_is_the_table() {
        let h = read("include/esme.h");
        let start = h
            .find("enum esme_result\n")
            .expect("include/esme.h declares enum esme_result");
        let body = &h[start..];
        let body = &body[body.find("\n {\n").expect("the enum's body") + 4..];
        let body = &body[..body.find("\n};").expect("the end of the enum")];
        let mut in_header: Vec<(u32, String)> = body
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("ESME_"))
            .map(|l| {
                let (name, number) = l
                    .trim_end_matches(',')
                    .split_once(" = ")
                    .unwrap_or_else(|| panic!("not `NAME = number,`: {l}"));
                (number.parse().expect(l), name.to_string())
            })
            .collect();
        in_header.sort();
        assert_eq!(
            in_header,
            table(),
            "include/esme.h's esme_result and the table differ (regenerate the header: \
             CONTRIBUTING.md \"Adding an error code\")"
        );
    }

    #[test]
    #[cfg_attr(miri, ignore = "reads the docs: Miri isolates the file system")]
    fn the_docs_table_is_the_table() {
        const BEGIN: &str = "<!-- BEGIN esme_result table:";
        const END: &str = "<!-- END esme_result table -->";
        let doc = read(RESULT_TABLE_DOC);
        let want = result_table_markdown();
        let start = doc
            .find(BEGIN)
            .and_then(|s| doc[s..].find('\n').map(|n| s + n + 1))
            .unwrap_or_else(|| panic!("{RESULT_TABLE_DOC} has no line starting {BEGIN}"));
        let len = doc[start..]
            .find(END)
            .unwrap_or_else(|| panic!("{RESULT_TABLE_DOC} has no {END}"));
        assert_eq!(
            doc[start..start + len].trim(),
            want.trim(),
            "{RESULT_TABLE_DOC}: the table between the markers is not the generated one; \
             it should read:\n{want}"
        );
    }

    #[test]
    #[cfg_attr(miri, ignore = "reads the Java sources: Miri isolates the file system")]
    fn the_java_codes_are_the_table() {
        // In `EsmeException.Code`: `/** ESME_ERR_X: … */` then `X(N),`, one per error result.
        let path = "java/src/main/java/io/esme/EsmeException.java";
        let java = read(path);
        let mut lines = java.lines().map(str::trim);
        let mut java_codes = BTreeSet::new();
        while let Some(l) = lines.next() {
            let Some(doc) = l.strip_prefix("/** ESME_ERR_") else {
                continue;
            };
            let c_name = format!("ESME_ERR_{}", &doc[..doc.find(':').expect(l)]);
            let decl = lines.next().unwrap_or_default();
            let (java_name, n) = decl
                .trim_end_matches(',')
                .trim_end_matches(')')
                .split_once('(')
                .unwrap_or_else(|| panic!("after {l}: {decl}"));
            let n: u32 = n.parse().expect(decl);
            assert_eq!(format!("ESME_ERR_{java_name}"), c_name, "{path}: {decl}");
            java_codes.insert((n, c_name));
        }
        let want: BTreeSet<(u32, String)> = table()
            .into_iter()
            .filter(|(_, name)| name.starts_with("ESME_ERR_"))
            .collect();
        assert_eq!(
            java_codes, want,
            "{path}: EsmeException.Code must list every ESME_ERR_ result of the table, no more"
        );
    }
}
