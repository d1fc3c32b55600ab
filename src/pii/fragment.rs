//! Fragments: a text cut from a longer one (a part of a concatenated message, the `text:` of a
//! delivery receipt, the start of a text quoted in an error). A card number or an e-mail
//! address cut in two is no longer a whole match of any rule, so the words at each cut that
//! could be part of personal data are masked whole before the rules run.

/// Which ends of a text were cut from a longer one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// A whole text: masked by the rules only.
    None,
    /// The text is the end of a longer one (it was cut at its start).
    Start,
    /// The text is the start of a longer one (it was cut at its end), like a receipt's `text:`.
    End,
    /// Cut at both ends: a middle part.
    Both,
}

impl Cut {
    /// The cut of part `seq` of `total` (1-based) of a concatenated message.
    pub fn of_part(seq: u8, total: u8) -> Cut {
        match (seq <= 1, seq >= total) {
            (true, true) => Cut::None,
            (true, false) => Cut::End,
            (false, true) => Cut::Start,
            (false, false) => Cut::Both,
        }
    }

    fn start(self) -> bool {
        matches!(self, Cut::Start | Cut::Both)
    }

    fn end(self) -> bool {
        matches!(self, Cut::End | Cut::Both)
    }
}

/// The char the words at a cut are masked with.
pub(super) const EDGE_MASK: char = '*';

/// A word that may be part of personal data cut at an edge: it holds a digit or `@`, is a
/// group of 2–4 capitals and digits (as IBANs are written: `GB82 WEST 1234`), or is only
/// separators (`-`, `/`, `(`, …) between such words.
fn may_be_personal(word: &[char]) -> bool {
    word.iter().any(|c| c.is_ascii_digit() || *c == '@')
        || ((2..=4).contains(&word.len())
            && word
                .iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
        || word
            .iter()
            .all(|c| matches!(c, '+' | '-' | '.' | '/' | '(' | ')' | '#' | '*' | '=' | ','))
}

/// Masks the words at the cut ends of `text`: at each cut, the word touching it (whatever it
/// is), then each next word while it [may be personal](may_be_personal) (a word separated from
/// the cut by white space only needs to be one to be masked). Returns the text (same char
/// count) and the masked stretches as half-open char ranges, sorted.
pub(super) fn mask_edges(text: &str, cut: Cut) -> (String, Vec<(usize, usize)>) {
    if cut == Cut::None || text.is_empty() {
        return (text.to_string(), Vec::new());
    }
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    // Words as char ranges.
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in chars.iter().enumerate() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                words.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((s, n));
    }
    let mut masked = vec![false; words.len()];
    let mut take = |order: &mut dyn Iterator<Item = usize>, touches: &dyn Fn(usize) -> bool| {
        for (k, w) in order.enumerate() {
            let (a, b) = words[w];
            if (k == 0 && touches(w)) || may_be_personal(&chars[a..b]) {
                masked[w] = true;
            } else {
                break;
            }
        }
    };
    if cut.end() {
        take(&mut (0..words.len()).rev(), &|w| words[w].1 == n);
    }
    if cut.start() {
        take(&mut (0..words.len()), &|w| words[w].0 == 0);
    }
    let mut out = chars.clone();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for (w, &(a, b)) in words.iter().enumerate() {
        if !masked[w] {
            continue;
        }
        for c in &mut out[a..b] {
            *c = EDGE_MASK;
        }
        // Adjacent masked words make one stretch.
        match spans.last_mut() {
            Some(last) if w > 0 && masked[w - 1] => last.1 = b,
            _ => spans.push((a, b)),
        }
    }
    (out.into_iter().collect(), spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(t: &str, cut: Cut) -> String {
        mask_edges(t, cut).0
    }

    #[test]
    fn words_at_a_cut_that_may_be_personal_are_masked() {
        assert_eq!(
            edges("Card 4111 1111 1111 ", Cut::End),
            "Card **** **** **** "
        );
        assert_eq!(
            edges("My IBAN DE8937040044", Cut::End),
            "My **** ************"
        );
        assert_eq!(
            edges("PIN 4921 for card 55", Cut::End),
            "PIN 4921 for card **"
        );
        assert_eq!(
            edges("Call me on +44 7700", Cut::End),
            "Call me on *** ****"
        );
        assert_eq!(
            edges("IBAN GB82 WEST 1234 56", Cut::End),
            "**** **** **** **** **"
        );
        assert_eq!(edges("mail ann.lee@exa", Cut::End), "mail ***********");
        assert_eq!(edges("mple.com, thanks", Cut::Start), "********* thanks");
        assert_eq!(edges("11 1111 and more", Cut::Start), "** **** and more");
        // The word touching a cut is masked whatever it is; words inside are not.
        assert_eq!(edges("der, thanks ord", Cut::Both), "**** thanks ***");
        assert_eq!(edges("hello", Cut::None), "hello");
        let (t, spans) = mask_edges("a 12 34 b 5", Cut::Both);
        assert_eq!(t, "* ** ** b *");
        assert_eq!(spans, vec![(0, 7), (10, 11)]);
        // Char offsets, any script.
        let (t, spans) = mask_edges("Карта 4111 11", Cut::End);
        assert_eq!((t.as_str(), spans), ("Карта **** **", vec![(6, 13)]));
    }
}
