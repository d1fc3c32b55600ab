//! The option an unknown name most likely meant.

use super::error::ConfigError;
use super::options::OPTIONS;
use super::values::distance;

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

/// An unknown option, with the one it most likely meant.
pub(super) fn unknown(name: &str) -> ConfigError {
    ConfigError::Unknown {
        name: name.to_string(),
        suggestion: suggest(name),
    }
}
