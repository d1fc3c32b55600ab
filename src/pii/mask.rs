//! Masking: one rule over a text (the styles, the validator retries, the search budget), a
//! chain of rules one after the other, and the spans of what was masked mapped back to the
//! caller's input.

use super::compile::Compiled;
use super::rule::{MaskStyle, Validator};
use super::validate::validate;

/// Matches this long (bytes) or shorter that fail their validator are retried: first their
/// prefixes that end before a separator, then the search resumes at their second token.
const RETRY_MAX_BYTES: usize = 64;
/// How many prefixes of a failed match are tried at most.
const RETRY_MAX_PREFIXES: usize = 8;
/// How many searches one rule makes in one text (one per match, per refused candidate, and
/// the last one that finds nothing). A search costs up to the text's length times the
/// regex's size, and some regexes (`x+y|x` over "xxxx…") need a search per character: a
/// 20 000-character text took 4 s. After this many, the rest of the text is masked whole:
/// bounded time, and nothing left unmasked that the rule might have matched.
const MAX_SEARCHES: usize = 256;

/// What a masking call did.
///
/// `spans` has one entry per masked match (so `spans.len() == count`): the whole match (not
/// only the chars that changed), as a half-open range of **char** offsets into the **input**
/// text given to the call, sorted by start. With several rules (a group) every rule sees the
/// text the previous one left, and its matches are mapped back to the input: with the
/// length-keeping styles positions do not move; after a [`MaskStyle::Replace`] a later match
/// that touches replacement text is widened to the whole input range that was replaced.
/// Spans of different rules may overlap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskResult {
    pub text: String,
    pub count: usize,
    pub spans: Vec<(usize, usize)>,
}

/// One masked match of one rule, in the char offsets of the text that rule saw.
#[derive(Debug, Clone, Copy)]
struct Hit {
    start: usize,
    end: usize,
    /// Chars the match became.
    out_len: usize,
}

/// A stretch of the current text that came from a replacement: current chars
/// `[cur.0, cur.1)` stand for input chars `[orig.0, orig.1)`. Outside pieces, current and input
/// chars correspond one to one (shifted by the pieces before).
#[derive(Debug, Clone, Copy)]
struct Piece {
    cur: (usize, usize),
    orig: (usize, usize),
}

/// Maps current char offsets to input char offsets.
fn map_start(pieces: &[Piece], x: usize) -> usize {
    let i = pieces.partition_point(|p| p.cur.0 <= x);
    if i == 0 {
        return x;
    }
    let p = pieces[i - 1];
    if x < p.cur.1 {
        p.orig.0
    } else {
        x - p.cur.1 + p.orig.1
    }
}

fn map_end(pieces: &[Piece], y: usize) -> usize {
    // The end of the char before `y`.
    if y == 0 {
        return map_start(pieces, 0);
    }
    let last = y - 1;
    let i = pieces.partition_point(|p| p.cur.0 <= last);
    if i == 0 {
        return y;
    }
    let p = pieces[i - 1];
    if last < p.cur.1 {
        p.orig.1
    } else {
        y - p.cur.1 + p.orig.1
    }
}

/// The pieces after a rule made `hits` (sorted, disjoint) in the text the old pieces describe.
fn compose(old: &[Piece], hits: &[Hit]) -> Vec<Piece> {
    let mut out = Vec::with_capacity(old.len() + hits.len());
    let mut delta: isize = 0;
    let mut pi = 0;
    let shift = |x: usize, d: isize| (x as isize + d) as usize;
    for h in hits.iter().filter(|h| h.out_len != h.end - h.start) {
        while pi < old.len() && old[pi].cur.1 <= h.start {
            let p = old[pi];
            out.push(Piece {
                cur: (shift(p.cur.0, delta), shift(p.cur.1, delta)),
                orig: p.orig,
            });
            pi += 1;
        }
        let (mut cs, mut ce) = (h.start, h.end);
        let (mut os, mut oe) = (map_start(old, h.start), map_end(old, h.end));
        // Old pieces the hit touches are swallowed (widening the new piece to cover them).
        while pi < old.len() && old[pi].cur.0 < h.end {
            let p = old[pi];
            cs = cs.min(p.cur.0);
            ce = ce.max(p.cur.1);
            os = os.min(p.orig.0);
            oe = oe.max(p.orig.1);
            pi += 1;
        }
        let grow = h.out_len as isize - (h.end - h.start) as isize;
        out.push(Piece {
            cur: (shift(cs, delta), shift(ce, delta + grow)),
            orig: (os, oe),
        });
        delta += grow;
    }
    for p in &old[pi..] {
        out.push(Piece {
            cur: (shift(p.cur.0, delta), shift(p.cur.1, delta)),
            orig: p.orig,
        });
    }
    out
}

/// Applies rules one after the other; spans mapped back to the input.
pub(super) fn mask_chain<'a>(text: &str, rules: impl Iterator<Item = &'a Compiled>) -> MaskResult {
    let mut current: Option<String> = None;
    let mut pieces: Vec<Piece> = Vec::new();
    let mut spans = Vec::new();
    for c in rules {
        let input = current.as_deref().unwrap_or(text);
        let Some((out, hits)) = apply(c, input) else {
            continue;
        };
        for h in &hits {
            spans.push((map_start(&pieces, h.start), map_end(&pieces, h.end)));
        }
        if hits.iter().any(|h| h.out_len != h.end - h.start) {
            pieces = compose(&pieces, &hits);
        }
        current = Some(out);
    }
    spans.sort_unstable();
    MaskResult {
        text: current.unwrap_or_else(|| text.to_string()),
        count: spans.len(),
        spans,
    }
}

/// One rule over `text`: the masked text and the hits, or None when nothing was masked.
fn apply(c: &Compiled, text: &str) -> Option<(String, Vec<Hit>)> {
    if let Some(b) = c.needs.byte {
        if !text.as_bytes().contains(&b) {
            return None;
        }
    }
    if c.needs.digits > 0
        && text
            .bytes()
            .filter(u8::is_ascii_digit)
            .take(c.needs.digits)
            .count()
            < c.needs.digits
    {
        return None;
    }
    let use_groups = c.rule.style == MaskStyle::Groups && c.has_groups;
    let mut out = String::new();
    let mut hits = Vec::new();
    // `out` holds text[..copied] masked; `chars` is the char count of text[..counted].
    let mut copied = 0;
    let (mut counted, mut chars) = (0, 0);
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut at = 0;
    let mut searches = 0;
    while at <= text.len() {
        if searches == MAX_SEARCHES {
            // The budget is spent: text[at..] is masked whole, as one more hit.
            if at < text.len() {
                if out.capacity() == 0 {
                    out.reserve(text.len());
                }
                out.push_str(&text[copied..at]);
                let start = chars + text[counted..at].chars().count();
                let n = text[at..].chars().count();
                out.extend(std::iter::repeat_n(c.rule.mask_char, n));
                hits.push(Hit {
                    start,
                    end: start + n,
                    out_len: n,
                });
                copied = text.len();
            }
            break;
        }
        searches += 1;
        groups.clear();
        let (s, e) = if use_groups {
            let Some(caps) = c.re.captures_at(text, at) else {
                break;
            };
            let m = caps.get(0).expect("group 0 always matches");
            groups.extend(
                (1..caps.len())
                    .filter_map(|i| caps.get(i))
                    .map(|g| (g.start(), g.end())),
            );
            (m.start(), m.end())
        } else {
            let Some(m) = c.re.find_at(text, at) else {
                break;
            };
            (m.start(), m.end())
        };
        if s == e {
            // Empty matches mask nothing; step over one char.
            at = next_boundary(text, e);
            continue;
        }
        let (s, e) = match c.rule.validate {
            None => (s, e),
            Some(v) if validate(v, text, s, e) => (s, e),
            Some(v) => match retry_prefix(c, v, text, s, e, use_groups.then_some(&mut groups)) {
                Some(p) => (s, p),
                None => {
                    at = retry_resume(text, s, e);
                    continue;
                }
            },
        };
        at = if e > at { e } else { next_boundary(text, e) };
        // What to mask, as byte ranges inside [s, e).
        let style = &c.rule.style;
        let masked_any = if use_groups {
            groups.retain(|&(gs, ge)| ge > gs);
            !groups.is_empty()
        } else {
            true
        };
        if !masked_any {
            continue;
        }
        if out.capacity() == 0 {
            out.reserve(text.len());
        }
        out.push_str(&text[copied..s]);
        chars += text[counted..s].chars().count();
        let m = &text[s..e];
        let n = m.chars().count();
        let mask = c.rule.mask_char;
        let out_len = match style {
            MaskStyle::Replace(r) => {
                out.push_str(r);
                r.chars().count()
            }
            _ if use_groups => {
                groups.sort_unstable();
                let mut gi = 0;
                for (b, ch) in m.char_indices() {
                    let pos = s + b;
                    while gi < groups.len() && groups[gi].1 <= pos {
                        gi += 1;
                    }
                    let inside = groups[gi..]
                        .iter()
                        .take_while(|g| g.0 <= pos)
                        .any(|g| pos < g.1);
                    out.push(if inside { mask } else { ch });
                }
                n
            }
            _ => {
                let (keep_first, keep_last) = match *style {
                    MaskStyle::KeepFirst(a) => (a, 0),
                    MaskStyle::KeepLast(b) => (0, b),
                    MaskStyle::KeepFirstLast(a, b) => (a, b),
                    _ => (0, 0),
                };
                // Never reveal a whole match: keeping it all masks it all.
                let (keep_first, keep_last) = if keep_first.saturating_add(keep_last) >= n {
                    (0, 0)
                } else {
                    (keep_first, keep_last)
                };
                for (i, ch) in m.chars().enumerate() {
                    out.push(if i < keep_first || i >= n - keep_last {
                        ch
                    } else {
                        mask
                    });
                }
                n
            }
        };
        hits.push(Hit {
            start: chars,
            end: chars + n,
            out_len,
        });
        chars += n;
        counted = e;
        copied = e;
    }
    if hits.is_empty() {
        return None;
    }
    out.push_str(&text[copied..]);
    Some((out, hits))
}

fn next_boundary(text: &str, i: usize) -> usize {
    match text[i..].chars().next() {
        Some(ch) => i + ch.len_utf8(),
        None => text.len() + 1,
    }
}

/// A failed match: the longest of its prefixes that end before a separator, match the whole
/// regex and validate. Returns the prefix end (and refills `groups` when given).
fn retry_prefix(
    c: &Compiled,
    v: Validator,
    text: &str,
    s: usize,
    e: usize,
    mut groups: Option<&mut Vec<(usize, usize)>>,
) -> Option<usize> {
    let anchored = c.anchored.as_ref()?;
    if e - s > RETRY_MAX_BYTES {
        return None;
    }
    let m = &text[s..e];
    let mut tries = 0;
    let mut prev_alnum = false;
    let mut ends: Vec<usize> = Vec::new();
    for (b, ch) in m.char_indices() {
        let alnum = ch.is_alphanumeric();
        if !alnum && prev_alnum {
            ends.push(s + b);
        }
        prev_alnum = alnum;
    }
    for &p in ends.iter().rev() {
        if tries == RETRY_MAX_PREFIXES {
            break;
        }
        tries += 1;
        if validate(v, text, s, p) {
            match groups.as_deref_mut() {
                Some(groups) => {
                    let Some(caps) = anchored.captures(&text[s..p]) else {
                        continue;
                    };
                    groups.clear();
                    groups.extend(
                        (1..caps.len())
                            .filter_map(|i| caps.get(i))
                            .map(|g| (s + g.start(), s + g.end())),
                    );
                    return Some(p);
                }
                None if anchored.is_match(&text[s..p]) => return Some(p),
                None => {}
            }
        }
    }
    None
}

/// Where the search goes on after a failed match: its second token (after the first
/// separator), when the match is short; its end otherwise.
fn retry_resume(text: &str, s: usize, e: usize) -> usize {
    if e - s <= RETRY_MAX_BYTES {
        let m = &text[s..e];
        let mut seen_sep = false;
        for (b, ch) in m.char_indices() {
            if !ch.is_alphanumeric() {
                seen_sep = true;
            } else if seen_sep {
                return s + b;
            }
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn piece_mapping() {
        // "ab[X]cd" where [X] (3 chars) replaced input chars 2..10.
        let pieces = vec![Piece {
            cur: (2, 5),
            orig: (2, 10),
        }];
        assert_eq!(map_start(&pieces, 1), 1);
        assert_eq!(map_start(&pieces, 3), 2);
        assert_eq!(map_end(&pieces, 4), 10);
        assert_eq!(map_start(&pieces, 5), 10);
        assert_eq!(map_end(&pieces, 7), 12);
        // A later replacement of cur 0..3 (touching the piece) swallows it.
        let next = compose(
            &pieces,
            &[Hit {
                start: 0,
                end: 3,
                out_len: 1,
            }],
        );
        assert_eq!(next.len(), 1);
        assert_eq!((next[0].cur, next[0].orig), ((0, 3), (0, 10)));
    }
}
