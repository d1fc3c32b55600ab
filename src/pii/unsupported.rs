//! The regex constructs the linear-time engine refuses (look-around, atomic groups, possessive
//! quantifiers, backreferences, Java-only escapes), found before compiling, so the error names
//! the construct and says how to write the rule without it.
//!
//! These constructs need a backtracking engine, and a backtracking engine on text an attacker
//! writes (any SMS) can be made to take exponential time: esme keeps `regex-lite`, which
//! matches in time linear in the text.

/// Genesys' three hard-coded Privacy Manager regexes start with this look-behind (8.5.x writes
/// `(?>^|(?<=…))`, 9.0 `(?:^|(?<=…))`); their rewrites are built-in rules.
const GENESYS_PREFIXES: &[&str] = &["(?>^|(?<=", "(?:^|(?<="];

/// A construct found in a regex: what it is, and how to do without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Unsupported {
    /// What was found, e.g. `look-behind (?<=…) at character 7`.
    pub(super) what: String,
    /// How to write it without.
    pub(super) rewrite: &'static str,
}

impl Unsupported {
    /// The one-line reason of a [`PiiError::BadRegex`](super::error::PiiError::BadRegex).
    pub(super) fn why(&self, regex: &str) -> String {
        let genesys = if GENESYS_PREFIXES.iter().any(|p| regex.starts_with(p)) {
            " This looks like one of Genesys Privacy Manager's hard-coded rules: esme has them \
             rewritten as built-in rules in group \"genesys\" (\"Credit Card (Visa and \
             MasterCard only)\", \"Phone Number (North America)\", \"SSN (Social Security \
             Number - U.S. only)\")."
        } else {
            ""
        };
        format!(
            "{} is not supported: esme matches in linear time (regex-lite), because a \
             backtracking engine on SMS text anyone can send is a denial-of-service risk. {}{}",
            self.what, self.rewrite, genesys
        )
    }
}

const LOOK_BEHIND: &str = "Remove it and match the context instead: \\b for a word boundary, or \
     (?:^|[^0-9]) before the number with \"mask\": \"groups\" and the number in a capture \
     group, or \"validate\": \"standalone\" for \"no digit right before or after\".";
const LOOK_AHEAD: &str =
    "Remove it: use \\b after the match, \"validate\": \"standalone\" for \"no \
     digit right before or after\", or spell out the allowed alternatives instead of excluding \
     some (e.g. (?!000)\\d{3} becomes (?:00[1-9]|0[1-9]\\d|[1-9]\\d\\d)).";
const ATOMIC: &str = "Write (?:…) instead: the engine never backtracks, so an atomic group \
     changes nothing there.";
const POSSESSIVE: &str = "Drop the + after the quantifier (x*+ becomes x*): the engine never \
     backtracks.";
const BACKREF: &str = "A linear-time engine cannot match a repeat of what a group matched: \
     write the repeated part out, or mask the whole span.";
const UNICODE_CLASS: &str = "Use an ASCII class such as [[:alpha:]] or [[:digit:]], or an \
     explicit range such as [а-яА-ЯёЁ].";
const JAVA_ESCAPE: &str = "Use \\s (for \\h), \\r?\\n (for \\R), \\z (for \\Z) or escape each \
     character (for \\Q…\\E).";

/// The first construct of `regex` the engine refuses or reads differently from Java and
/// PCRE, if any.
pub(super) fn find(regex: &str) -> Option<Unsupported> {
    let c: Vec<char> = regex.chars().collect();
    let at = |i: usize| i + 1; // 1-based, as an editor shows it
    let mut i = 0;
    // Depth of `[...]` classes (POSIX classes such as [:alpha:] nest one more level).
    let mut class = 0usize;
    // The previous token can take a quantifier's possessive `+`.
    let mut after_quantifier = false;
    while i < c.len() {
        let ch = c[i];
        if ch == '\\' {
            let next = c.get(i + 1).copied();
            if class == 0 {
                if let Some(d @ '1'..='9') = next {
                    return Some(Unsupported {
                        what: format!("the backreference \\{d} at character {}", at(i)),
                        rewrite: BACKREF,
                    });
                }
                if next == Some('k') && matches!(c.get(i + 2), Some('<' | '\'' | '{')) {
                    return Some(Unsupported {
                        what: format!("the named backreference \\k at character {}", at(i)),
                        rewrite: BACKREF,
                    });
                }
            }
            match next {
                Some(p @ ('p' | 'P')) => {
                    return Some(Unsupported {
                        what: format!("the Unicode class \\{p} at character {}", at(i)),
                        rewrite: UNICODE_CLASS,
                    })
                }
                Some(e @ ('h' | 'H' | 'R' | 'Z' | 'Q' | 'E' | 'G')) => {
                    return Some(Unsupported {
                        what: format!("the Java escape \\{e} at character {}", at(i)),
                        rewrite: JAVA_ESCAPE,
                    })
                }
                _ => {}
            }
            i += 2;
            after_quantifier = false;
            continue;
        }
        if class > 0 {
            match ch {
                '[' if c.get(i + 1) == Some(&':') => {
                    // A POSIX class [:name:] inside a class.
                    if let Some(end) =
                        (i + 2..c.len().saturating_sub(1)).find(|&j| c[j] == ':' && c[j + 1] == ']')
                    {
                        i = end + 2;
                        continue;
                    }
                }
                '[' => class += 1,
                ']' => class -= 1,
                _ => {}
            }
            i += 1;
            continue;
        }
        match ch {
            '[' => {
                class = 1;
                i += 1;
                // A `]` or `^]` right after the opening bracket is a literal.
                if c.get(i) == Some(&'^') {
                    i += 1;
                }
                if c.get(i) == Some(&']') {
                    i += 1;
                }
                after_quantifier = false;
                continue;
            }
            '(' if c.get(i + 1) == Some(&'?') => {
                let rest: String = c[i + 2..].iter().take(2).collect();
                let found = if rest.starts_with("<=") {
                    Some(("look-behind (?<=…)", LOOK_BEHIND))
                } else if rest.starts_with("<!") {
                    Some(("negative look-behind (?<!…)", LOOK_BEHIND))
                } else if rest.starts_with('=') {
                    Some(("look-ahead (?=…)", LOOK_AHEAD))
                } else if rest.starts_with('!') {
                    Some(("negative look-ahead (?!…)", LOOK_AHEAD))
                } else if rest.starts_with('>') {
                    Some(("the atomic group (?>…)", ATOMIC))
                } else {
                    None
                };
                if let Some((what, rewrite)) = found {
                    return Some(Unsupported {
                        what: format!("{what} at character {}", at(i)),
                        rewrite,
                    });
                }
                i += 2;
                after_quantifier = false;
                continue;
            }
            '*' | '+' | '?' => {
                if after_quantifier && ch == '+' {
                    return Some(Unsupported {
                        what: format!("the possessive quantifier at character {}", at(i - 1)),
                        rewrite: POSSESSIVE,
                    });
                }
                // `x*?` (lazy) is fine: the `?` ends the quantifier.
                after_quantifier = !(ch == '?' && after_quantifier);
                i += 1;
                continue;
            }
            '{' => {
                // `{n}`, `{n,}`, `{n,m}` is a quantifier; anything else a literal brace.
                let close = (i + 1..c.len()).find(|&j| c[j] == '}');
                if let Some(j) = close {
                    let inner: String = c[i + 1..j].iter().collect();
                    let ok = !inner.is_empty()
                        && inner.chars().all(|x| x.is_ascii_digit() || x == ',')
                        && inner.chars().next().is_some_and(|x| x.is_ascii_digit())
                        && inner.matches(',').count() <= 1;
                    if ok {
                        i = j + 1;
                        after_quantifier = true;
                        continue;
                    }
                }
            }
            _ => {}
        }
        after_quantifier = false;
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn what(re: &str) -> Option<String> {
        find(re).map(|u| u.what)
    }

    #[test]
    fn finds_each_construct_once_and_only_outside_classes_and_escapes() {
        assert_eq!(
            what(r"(?<=\D)\d{4}").as_deref(),
            Some("look-behind (?<=…) at character 1")
        );
        assert!(what(r"a(?<!x)")
            .unwrap()
            .starts_with("negative look-behind"));
        assert!(what(r"(?=a)").unwrap().starts_with("look-ahead"));
        assert!(what(r"x(?!00)").unwrap().starts_with("negative look-ahead"));
        assert!(what(r"(?>a|b)").unwrap().starts_with("the atomic group"));
        assert!(what(r"\d++").unwrap().starts_with("the possessive"));
        assert!(what(r"a*+").unwrap().starts_with("the possessive"));
        assert!(what(r"a{2,3}+").unwrap().starts_with("the possessive"));
        assert!(what(r"(a)\1").unwrap().starts_with("the backreference \\1"));
        assert!(what(r"(?<n>a)\k<n>").unwrap().starts_with("the named"));
        assert!(what(r"\p{L}+").unwrap().starts_with("the Unicode class"));
        assert!(what(r"a\Z").unwrap().starts_with("the Java escape"));
        // Not constructs: escaped, inside classes, lazy, named groups, literal braces.
        for fine in [
            r"\(?=",
            r"[(?=]",
            r"[\s[:alpha:](),.:;?!]x",
            r"a*?b+?",
            r"\++",
            r"(?<name>x)(?P<n>y)(?i)z(?:w)",
            r"a{x}+",
            r"[]+]+",
            r"[^]a]+",
            r"[\]]+",
            r"\d+",
        ] {
            assert_eq!(what(fine), None, "{fine}");
        }
    }
}
