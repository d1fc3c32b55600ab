//! Primitive readers and writers for SMPP field types, reporting problems by field name.

use super::error::Problem;

/// A field-level failure before the PDU context is attached.
pub(crate) type FieldResult<T> = Result<T, (&'static str, Problem)>;

/// Reads fields off a PDU body.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    #[inline]
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    #[inline]
    pub(crate) fn bytes(&mut self, n: usize, field: &'static str) -> FieldResult<&'a [u8]> {
        if self.remaining() < n {
            return Err((field, Problem::Truncated));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let s = &self.buf[self.pos..];
        self.pos = self.buf.len();
        s
    }

    #[inline]
    pub(crate) fn u8(&mut self, field: &'static str) -> FieldResult<u8> {
        Ok(self.bytes(1, field)?[0])
    }

    #[inline]
    pub(crate) fn u16(&mut self, field: &'static str) -> FieldResult<u16> {
        let b = self.bytes(2, field)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    #[inline]
    pub(crate) fn u32(&mut self, field: &'static str) -> FieldResult<u32> {
        let b = self.bytes(4, field)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A C-Octet string of at most `max` octets including the NUL. Octets are read as
    /// Latin-1, so any octet string maps to a `String` and back unchanged.
    pub(crate) fn cstr(&mut self, field: &'static str, max: usize) -> FieldResult<String> {
        let rest = &self.buf[self.pos..];
        let window = &rest[..rest.len().min(max)];
        match window.iter().position(|&b| b == 0) {
            Some(n) => {
                self.pos += n + 1;
                Ok(latin1(&window[..n]))
            }
            None if rest.len() < max => Err((field, Problem::Truncated)),
            None => Err((field, Problem::NotTerminated { max })),
        }
    }

    /// A time C-Octet string: empty or exactly 16 characters.
    pub(crate) fn time(&mut self, field: &'static str) -> FieldResult<String> {
        if self.buf.get(self.pos) == Some(&0) {
            // Empty, the usual case.
            self.pos += 1;
            return Ok(String::new());
        }
        let s = self.cstr(field, 17)?;
        check_time(field, &s)?;
        Ok(s)
    }
}

/// Octets as Latin-1 text: lossless both ways.
pub(crate) fn latin1(b: &[u8]) -> String {
    // ASCII (nearly every address, id and time field) is the same in Latin-1 and UTF-8.
    if b.iter().fold(0, |acc, &c| acc | c) < 0x80 {
        if let Ok(s) = std::str::from_utf8(b) {
            return s.to_owned();
        }
    }
    latin1_high(b)
}

/// [`latin1`] of octets some of which are above 0x7F (two UTF-8 octets each).
#[inline(never)]
fn latin1_high(b: &[u8]) -> String {
    let high = b.iter().filter(|&&c| c >= 0x80).count();
    let mut s = String::with_capacity(b.len() + high);
    s.extend(b.iter().map(|&c| char::from(c)));
    s
}

pub(crate) fn check_time(field: &'static str, s: &str) -> FieldResult<()> {
    if s.is_empty() {
        return Ok(());
    }
    let b = s.as_bytes();
    let ok = b.len() == 16
        && b[..15].iter().all(u8::is_ascii_digit)
        && matches!(b[15], b'+' | b'-' | b'R');
    if ok {
        Ok(())
    } else {
        Err((field, Problem::BadTime))
    }
}

/// Appends fields to an output buffer.
pub(crate) struct Writer<'a> {
    pub(crate) out: &'a mut Vec<u8>,
}

impl Writer<'_> {
    #[inline]
    pub(crate) fn u8(&mut self, v: u8) {
        self.out.push(v);
    }

    #[inline]
    pub(crate) fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }

    #[inline]
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.out.extend_from_slice(b);
    }

    /// A C-Octet string of at most `max` octets including the NUL.
    #[inline]
    pub(crate) fn cstr(&mut self, field: &'static str, s: &str, max: usize) -> FieldResult<()> {
        let b = s.as_bytes();
        // Nearly every string: short enough, ASCII without NUL (octets 1..=0x7F), so one
        // octet per character. Checked without a branch per octet.
        if b.len() < max
            && b.iter()
                .fold(true, |ok, &c| ok & (c.wrapping_sub(1) < 0x7F))
        {
            self.out.extend_from_slice(b);
            self.out.push(0);
            return Ok(());
        }
        self.cstr_latin1(field, s, max)
    }

    /// [`Writer::cstr`] for the rest: characters above 0x7F, and every error.
    #[inline(never)]
    fn cstr_latin1(&mut self, field: &'static str, s: &str, max: usize) -> FieldResult<()> {
        let start = self.out.len();
        for c in s.chars() {
            let v = c as u32;
            if v > 0xFF {
                self.out.truncate(start);
                return Err((field, Problem::NotOctets));
            }
            if v == 0 {
                self.out.truncate(start);
                return Err((field, Problem::ContainsNul));
            }
            self.out.push(v as u8);
        }
        let len = self.out.len() - start;
        if len + 1 > max {
            self.out.truncate(start);
            return Err((field, Problem::TooLong { max, len }));
        }
        self.out.push(0);
        Ok(())
    }

    #[inline]
    pub(crate) fn time(&mut self, field: &'static str, s: &str) -> FieldResult<()> {
        if s.is_empty() {
            // The usual case.
            self.out.push(0);
            return Ok(());
        }
        check_time(field, s)?;
        self.cstr(field, s, 17)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cstr_reads_up_to_nul_and_reports_missing_terminator() {
        let mut r = Reader::new(b"abc\0rest");
        assert_eq!(r.cstr("f", 16).unwrap(), "abc");
        assert_eq!(r.remaining(), 4);
        let mut r = Reader::new(b"abcdef");
        assert_eq!(
            r.cstr("f", 4),
            Err(("f", Problem::NotTerminated { max: 4 }))
        );
        let mut r = Reader::new(b"ab");
        assert_eq!(r.cstr("f", 4), Err(("f", Problem::Truncated)));
        let mut r = Reader::new(b"\xe9\0");
        assert_eq!(r.cstr("f", 4).unwrap(), "\u{e9}");
    }

    #[test]
    fn cstr_writer_enforces_rules_and_leaves_nothing_on_error() {
        let mut v = vec![1];
        let mut w = Writer { out: &mut v };
        assert_eq!(
            w.cstr("f", "abcd", 4),
            Err(("f", Problem::TooLong { max: 4, len: 4 }))
        );
        assert_eq!(w.cstr("f", "a\u{416}", 4), Err(("f", Problem::NotOctets)));
        assert_eq!(w.cstr("f", "a\0", 4), Err(("f", Problem::ContainsNul)));
        assert_eq!(v, vec![1]);
        let mut w = Writer { out: &mut v };
        w.cstr("f", "abc", 4).unwrap();
        assert_eq!(v, b"\x01abc\0");
    }

    /// What `Writer::cstr` did before its ASCII fast path: the reference for the property.
    fn cstr_reference(s: &str, max: usize) -> Result<Vec<u8>, Problem> {
        let mut out = Vec::new();
        for c in s.chars() {
            match c as u32 {
                v if v > 0xFF => return Err(Problem::NotOctets),
                0 => return Err(Problem::ContainsNul),
                v => out.push(v as u8),
            }
        }
        if out.len() + 1 > max {
            return Err(Problem::TooLong {
                max,
                len: out.len(),
            });
        }
        out.push(0);
        Ok(out)
    }

    #[test]
    fn cstr_fast_and_latin1_paths_agree_with_the_reference() {
        for (s, max) in [
            ("", 1),
            ("", 6),
            ("abcde", 6),
            ("abcdef", 6),
            ("\x7f", 2),
            ("\u{e9}t\u{e9}", 4),
            ("\u{e9}t\u{e9}", 3),
            ("\0\u{416}", 9),
            ("\u{416}\0", 9),
            ("ab\0", 9),
            ("ab\u{ff}", 9),
            ("ab\u{100}", 9),
        ] {
            let mut v = vec![7];
            let got = Writer { out: &mut v }.cstr("f", s, max);
            match cstr_reference(s, max) {
                Ok(bytes) => {
                    assert_eq!(got, Ok(()), "{s:?}");
                    assert_eq!(v[1..], bytes[..], "{s:?}");
                }
                Err(p) => {
                    assert_eq!(got, Err(("f", p)), "{s:?}");
                    assert_eq!(v, [7], "{s:?}");
                }
            }
        }
    }

    #[test]
    fn latin1_reads_every_octet_as_its_code_point() {
        let all: Vec<u8> = (0..=255).collect();
        let s = latin1(&all);
        assert_eq!(s.chars().count(), 256);
        assert!(s.chars().zip(0u32..).all(|(c, i)| c as u32 == i));
        assert_eq!(latin1(b""), "");
        assert_eq!(latin1(b"31600000000"), "31600000000");
        assert_eq!(latin1(b"caf\xe9"), "caf\u{e9}");
        let long = b"0123456789abcdef0123456789abcdef0123456789";
        assert_eq!(latin1(long).as_bytes(), long);
    }

    proptest::proptest! {
        #[test]
        fn cstr_matches_the_reference(s in "(?s).{0,30}", max in 1usize..32) {
            let mut v = Vec::new();
            let got = Writer { out: &mut v }.cstr("f", &s, max);
            match cstr_reference(&s, max) {
                Ok(bytes) => {
                    proptest::prop_assert_eq!(got, Ok(()));
                    proptest::prop_assert_eq!(v, bytes);
                }
                Err(p) => {
                    proptest::prop_assert_eq!(got, Err(("f", p)));
                    proptest::prop_assert!(v.is_empty());
                }
            }
        }

        #[test]
        fn latin1_round_trips(b in proptest::collection::vec(1u8..=255, 0..40)) {
            let s = latin1(&b);
            let mut v = Vec::new();
            Writer { out: &mut v }.cstr("f", &s, 64).unwrap();
            proptest::prop_assert_eq!(&v[..v.len() - 1], &b[..]);
            let mut r = Reader::new(&v);
            proptest::prop_assert_eq!(r.cstr("f", 64).unwrap(), s);
        }
    }

    #[test]
    fn time_fields() {
        assert!(check_time("t", "").is_ok());
        assert!(check_time("t", "000001000000000R").is_ok());
        assert!(check_time("t", "261126101500004+").is_ok());
        assert!(check_time("t", "26112610150000+").is_err());
        assert!(check_time("t", "261126101500004X").is_err());
        assert!(check_time("t", "2611261015a0004+").is_err());
    }
}
