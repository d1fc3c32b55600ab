//! What `Debug` shows of the fields that may hold personal data: an address keeps its last 3
//! characters when it holds a digit or `@` (a phone number, an e-mail), message octets and
//! texts only their length. Used by the `Debug` of the PDU bodies (`debug.rs`), of TLVs and
//! of the client's messages, events and receipts. ([`crate::pdu::describe`], what `esme
//! decode` prints, shows everything: it is for PDUs the user gives it.)

use std::fmt;

/// An address as `Debug` and the logs show it: a phone number or an e-mail address keeps its
/// last 3 characters, every other one is `*`; an alphanumeric sender id without digits
/// ("Shop") stays.
pub fn masked_address(a: &str) -> String {
    if !a.chars().any(|c| c.is_ascii_digit() || c == '@') {
        return a.to_string();
    }
    let n = a.chars().count();
    let keep = 3.min(n);
    a.chars()
        .enumerate()
        .map(|(i, c)| if i + keep < n { '*' } else { c })
        .collect()
}

/// Octets shown by their count: `<N octets>`.
pub struct Octets<'a>(pub &'a [u8]);

impl fmt::Debug for Octets<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} octets>", self.0.len())
    }
}

/// A text shown by its length: `<N characters>`.
pub struct Chars<'a>(pub &'a str);

impl fmt::Debug for Chars<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} characters>", self.0.chars().count())
    }
}

/// An address shown masked ([`masked_address`]).
pub struct Addr<'a>(pub &'a str);

impl fmt::Debug for Addr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", masked_address(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdu::{Address, SubmitSm};

    #[test]
    fn debug_shows_no_number_or_text() {
        assert_eq!(masked_address("447700900123"), "*********123");
        assert_eq!(masked_address("+447700900123"), "**********123");
        assert_eq!(masked_address("ann@example.com"), "************com");
        assert_eq!(masked_address("Shop"), "Shop");
        let s = SubmitSm {
            destination: Address::new(1, 1, "447700900555"),
            short_message: b"card 4111 1111 1111 1111".to_vec(),
            ..Default::default()
        };
        let d = format!("{s:?}");
        assert!(d.contains("addr: \"*********555\""), "{d}");
        assert!(d.contains("short_message: <24 octets>"), "{d}");
        assert!(!d.contains("447700900") && !d.contains("52, 49"), "{d}");
    }
}
