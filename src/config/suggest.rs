//! The option an unknown name most likely meant.

use super::options::OPTIONS;

/// The option `name` most likely meant: the same name in other case or with `_`, the name
/// without its `x-smpp-` prefix, a unique option containing it, or the nearest by edit
/// distance (at most 2, or 3 for long names).
pub(super) fn suggest(name: &str) -> Option<&'static str> {
    let n = name.trim().to_ascii_lowercase().replace('_', "-");
    if n.is_empty() {
        return None;
    }
    if let Some(s) = OPTIONS.iter().find(|s| s.name == n) {
        return Some(s.name);
    }
    let bare = n.strip_prefix("x-smpp-").unwrap_or(&n);
    if let Some(s) = OPTIONS
        .iter()
        .find(|s| s.name.strip_prefix("x-smpp-") == Some(bare))
    {
        return Some(s.name);
    }
    // The distance is at least the difference in length, so only names within `max` of
    // this one's length can be near: a long line of garbage costs no O(len) matrices.
    let len = n.chars().count();
    let max = if len > 12 { 3 } else { 2 };
    let near = OPTIONS
        .iter()
        .filter(|s| s.name.len().abs_diff(len) <= max)
        .map(|s| (s.name, distance(&n, s.name)))
        .min_by_key(|&(_, d)| d);
    if let Some((best, _)) = near.filter(|&(_, d)| d <= max) {
        return Some(best);
    }
    if bare.len() >= 4 {
        let mut hits = OPTIONS.iter().filter(|s| s.name.contains(bare));
        if let (Some(s), None) = (hits.next(), hits.next()) {
            return Some(s.name);
        }
    }
    None
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbours each cost 1.
pub(super) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}
