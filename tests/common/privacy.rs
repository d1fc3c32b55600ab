//! The privacy corpus and the leak scanner shared by `tests/privacy.rs` (and mirrored by
//! `ffi-tests/privacy.c`): personal data in many shapes, texts that carry it in GSM, Latin-1
//! and UCS-2, long enough to be split into parts and starting with it (so receipts cut it),
//! and a scan for any run of 4 of its digits, or 4 of the letters of its e-mail addresses and
//! IBANs, in whatever esme printed.

use std::collections::{BTreeSet, HashSet};

/// One piece of personal data.
#[derive(Debug, Clone, Copy)]
pub struct Personal {
    /// What it is, for messages.
    pub kind: &'static str,
    /// As written in the texts.
    pub text: &'static str,
}

const fn p(kind: &'static str, text: &'static str) -> Personal {
    Personal { kind, text }
}

/// The personal data of the corpus. Cards pass Luhn (checked by a test); IBANs their mod-97.
pub const PERSONAL: &[Personal] = &[
    p("Visa, grouped", "4539 1488 0343 6467"),
    p("Mastercard, grouped", "5425 2334 3010 9903"),
    p("Visa, contiguous", "4917484589897107"),
    p("Amex 4-6-5", "3714 496353 98431"),
    p("Mastercard 2-series, dashes", "2223-0031-2200-3222"),
    p("IBAN GB, grouped", "GB82 WEST 1234 5698 7654 32"),
    p("IBAN DE, contiguous", "DE89370400440532013000"),
    p("IBAN NL, grouped", "NL91 ABNA 0417 1643 00"),
    p("e-mail", "zofia.kwiatkowska@przyklad-bank.pl"),
    p("e-mail", "hvvq.trondheim@fjxrdpqst.no"),
    p("UK mobile, national, grouped", "07700 900456"),
    p("UK mobile, national, contiguous", "07911847362"),
    p("UK landline, national", "020 7946 0958"),
    p("UK landline, national, parentheses", "(0161) 496 0273"),
    p("DE landline, 00 prefix", "0049 30 1234567"),
    p("DE mobile, national, slash", "0171/9087615"),
    p("FR mobile, national, pairs", "06 98 76 54 32"),
    p("ES mobile, national, 3-3-3", "612 345 678"),
    p("UK mobile, E.164", "+44 7700 900123"),
    p("FR mobile, E.164", "+33 6 71 82 93 04"),
    p("US, E.164 with parentheses", "+1 (212) 555-0148"),
    p("US, NANP", "212-555-0187"),
    p("PIN", "4921"),
    p("one-time code", "482913"),
];

/// The destination and source numbers of the run: personal data too.
pub const NUMBERS: &[&str] = &["447700912345", "447911556677", "33671829304"];

/// A text of the corpus and how it is to be sent.
#[derive(Debug, Clone)]
pub struct Text {
    /// What it shows, for messages.
    pub label: String,
    /// The text.
    pub text: String,
    /// Sent as Latin-1 (data_coding 3) instead of the automatic GSM 7-bit / UCS-2.
    pub latin1: bool,
}

fn t(label: &str, text: String, latin1: bool) -> Text {
    Text {
        label: label.to_string(),
        text,
        latin1,
    }
}

fn pd(i: usize) -> &'static str {
    PERSONAL[i].text
}

/// The texts: short and long, GSM, Latin-1 and UCS-2, personal data at their start (the
/// receipt's `text:` cuts it), in their middle and across their part boundaries (the long
/// ones, at several offsets).
pub fn texts() -> Vec<Text> {
    let mut v = vec![
        t(
            "GSM, short",
            format!(
                "Card {}, exp 09/29. Call {} or mail {}",
                pd(0),
                pd(10),
                pd(8)
            ),
            false,
        ),
        t(
            "GSM, card first",
            format!("{} is my card, IBAN {}", pd(2), pd(6)),
            false,
        ),
        t(
            "GSM, IBAN first",
            format!("{} please, and {} too", pd(5), pd(7)),
            false,
        ),
        t(
            "GSM, phone first",
            format!("{} call me, or {}", pd(20), pd(11)),
            false,
        ),
        t(
            "GSM, PIN",
            format!(
                "PIN {} for card {}; your code is {}.",
                pd(22),
                pd(4),
                pd(23)
            ),
            false,
        ),
        t(
            "Latin-1",
            format!(
                "Grüße aus Köln! Konto {}, Tel. {} oder {}, Karte {}. Merci, Zoë",
                pd(6),
                pd(14),
                pd(15),
                pd(1)
            ),
            true,
        ),
        t(
            "Latin-1, number first",
            format!("{} é la mia carta; tel. {}", pd(3), pd(16)),
            true,
        ),
        t(
            "UCS-2, Russian",
            format!(
                "Здравствуйте! Карта {}, телефон {}, почта {}.",
                pd(0),
                pd(19),
                pd(9)
            ),
            false,
        ),
        t(
            "UCS-2, Chinese, number first",
            format!("{}是我的电话，邮箱{}，谢谢", pd(12), pd(8)),
            false,
        ),
    ];
    // Long texts: every item, after a varying lead, so part boundaries cut different ones.
    let all: Vec<&str> = PERSONAL.iter().map(|p| p.text).collect();
    for (lead, latin1, script) in [
        (0usize, false, "GSM"),
        (5, false, "GSM"),
        (11, false, "GSM"),
        (3, true, "Latin-1"),
        (0, false, "UCS-2"),
        (4, false, "UCS-2"),
    ] {
        let mut s = "Hello".to_string() + &" x".repeat(lead);
        if script == "UCS-2" {
            s.push_str(" Привет");
        }
        if latin1 {
            s.push_str(" Grüße");
        }
        for (i, item) in all.iter().enumerate() {
            s.push_str(if i % 2 == 0 { ", " } else { " and " });
            match PERSONAL[i].kind {
                "PIN" => s.push_str("PIN "),
                "one-time code" => s.push_str("code "),
                _ => {}
            }
            s.push_str(item);
        }
        s.push_str(". Thanks!");
        v.push(t(&format!("{script}, long, lead {lead}"), s, latin1));
    }
    v
}

/// A leak found: the window and where.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub window: String,
    pub context: String,
}

/// Scans texts for windows of the personal data.
#[derive(Debug, Clone)]
pub struct Scanner {
    digits: HashSet<String>,
    letters: HashSet<String>,
    /// Tokens never counted (this run's message ids, ports, …), whole words only.
    exempt: Vec<String>,
}

fn windows(s: &str) -> Vec<String> {
    let c: Vec<char> = s.chars().collect();
    c.windows(4).map(|w| w.iter().collect()).collect()
}

impl Scanner {
    /// Every 4-digit window of the personal data's digits (items and numbers), and every
    /// 4-letter window of the letters of its e-mail addresses and IBANs.
    pub fn new() -> Scanner {
        let mut digits = HashSet::new();
        let mut letters = HashSet::new();
        let items = PERSONAL.iter().map(|p| (p.kind, p.text));
        let numbers = NUMBERS.iter().map(|n| ("number", *n));
        for (kind, text) in items.chain(numbers) {
            let d: String = text.chars().filter(char::is_ascii_digit).collect();
            digits.extend(windows(&d));
            if kind.starts_with("e-mail") || kind.starts_with("IBAN") {
                // Each run of letters on its own (`zofia`, `kwiatkowska`, `WEST`).
                for run in text
                    .split(|c: char| !c.is_ascii_alphabetic())
                    .filter(|r| r.len() >= 4)
                {
                    letters.extend(windows(&run.to_ascii_lowercase()));
                }
            }
        }
        Scanner {
            digits,
            letters,
            exempt: Vec::new(),
        }
    }

    /// Never counts `token` (a message id of this run, a port) where it stands as a whole
    /// word: it is what esme must show, not personal data.
    pub fn exempt(&mut self, token: impl Into<String>) {
        let t = token.into();
        if !t.is_empty() {
            self.exempt.push(t);
        }
    }

    /// The 4-digit windows, for the precondition that structural numbers do not collide.
    pub fn digit_windows(&self) -> &HashSet<String> {
        &self.digits
    }

    /// What in `text` is not scanned: loopback `address:port`, the `date:` values of
    /// receipts, an ISO time at the start of a line (the CLI's log lines), Unicode code points
    /// `U+HHHH` (an encoding error names the character it cannot encode: one character, and
    /// its code point is no digit of the data), and the exempt tokens, each replaced by `#`.
    fn strip(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for line in text.split_inclusive('\n') {
            let mut l = line.to_string();
            // `2026-06-01T10:15:00.123Z ` at the start: the CLI's time.
            if l.len() > 25
                && l.as_bytes()[4] == b'-'
                && l.as_bytes()[10] == b'T'
                && l.as_bytes()[23] == b'Z'
            {
                l.replace_range(..24, "#");
            }
            // A receipt's dates as its Debug shows them: they hold the time of the run,
            // whose digits may meet the corpus's by chance (`…0440` at 04:40).
            while let Some(i) = l.find("ReceiptDate {") {
                let end = l[i..].find('}').map_or(l.len(), |e| i + e + 1);
                l.replace_range(i..end, "#");
            }
            for prefix in [
                "127.0.0.1:",
                "[::1]:",
                "date:",
                "date_raw: Some(\"",
                "port: ",
                "port ",
                "U+",
            ] {
                let mut from = 0;
                while let Some(i) = l[from..].find(prefix) {
                    let start = from + i + prefix.len();
                    let hex = prefix == "U+";
                    let end = l[start..]
                        .find(|c: char| !(c.is_ascii_digit() || hex && c.is_ascii_hexdigit()))
                        .map_or(l.len(), |e| start + e);
                    l.replace_range(start..end, "#");
                    from = start + 1;
                }
            }
            for t in &self.exempt {
                let mut from = 0;
                while let Some(i) = l[from..].find(t.as_str()) {
                    let (a, b) = (from + i, from + i + t.len());
                    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
                    if !word(l[..a].chars().next_back()) && !word(l[b..].chars().next()) {
                        l.replace_range(a..b, "#");
                        from = a + 1;
                    } else {
                        from = b;
                    }
                }
            }
            out.push_str(&l);
        }
        out
    }

    /// Every window of the personal data in `text`: a run of ASCII digits (up to two of the
    /// separators ` .-/()` between two digits do not end it, so `612 345 678` is one run) or
    /// of ASCII letters (case ignored) holding one.
    pub fn scan(&self, text: &str) -> Vec<Hit> {
        let s = self.strip(text);
        let mut hits = BTreeSet::new();
        let chars: Vec<char> = s.chars().collect();
        let sep = |c: char| matches!(c, ' ' | '.' | '-' | '/' | '(' | ')');
        let mut i = 0;
        while i < chars.len() {
            let digit = chars[i].is_ascii_digit();
            let letter = chars[i].is_ascii_alphabetic();
            if !digit && !letter {
                i += 1;
                continue;
            }
            let start = i;
            let mut run = String::new();
            loop {
                while i < chars.len()
                    && (if digit {
                        chars[i].is_ascii_digit()
                    } else {
                        chars[i].is_ascii_alphabetic()
                    })
                {
                    run.push(chars[i].to_ascii_lowercase());
                    i += 1;
                }
                // Digits go on across one or two separators.
                let mut j = i;
                while digit && j < chars.len() && j - i < 2 && sep(chars[j]) {
                    j += 1;
                }
                if digit && j > i && j < chars.len() && chars[j].is_ascii_digit() {
                    i = j;
                } else {
                    break;
                }
            }
            let set = if digit { &self.digits } else { &self.letters };
            for w in windows(&run) {
                if set.contains(&w) {
                    let a = start.saturating_sub(40);
                    let b = (i + 40).min(chars.len());
                    hits.insert(Hit {
                        window: w,
                        context: chars[a..b].iter().collect(),
                    });
                }
            }
        }
        hits.into_iter().collect()
    }

    /// Panics listing every leak in `text` (`what` says where it came from).
    pub fn assert_clean(&self, what: &str, text: &str) {
        let hits = self.scan(text);
        assert!(
            hits.is_empty(),
            "{what}: {} run(s) of personal data:\n{}",
            hits.len(),
            hits.iter()
                .take(40)
                .map(|h| format!("  {:?} in …{}…", h.window, h.context))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    /// Which personal data items have a window in `text` (for the controls): one of their
    /// digit windows, or for e-mails one of their letter windows.
    pub fn items_seen(&self, text: &str) -> Vec<&'static str> {
        let found: HashSet<String> = self.scan(text).into_iter().map(|h| h.window).collect();
        PERSONAL
            .iter()
            .filter(|p| {
                let d: String = p.text.chars().filter(char::is_ascii_digit).collect();
                let l: String = p
                    .text
                    .chars()
                    .filter(char::is_ascii_alphabetic)
                    .collect::<String>()
                    .to_ascii_lowercase();
                windows(&d).iter().any(|w| found.contains(w))
                    || (p.kind.starts_with("e-mail")
                        && windows(&l).iter().any(|w| found.contains(w)))
            })
            .map(|p| p.text)
            .collect()
    }
}
