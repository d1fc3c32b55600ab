//! Unit tests of the option table, suggestions and values.

use super::tlvs::parse_tag;
use super::*;

/// The README's row for an option.
fn readme_row(s: &OptionSpec) -> String {
    let default = match s.default {
        "" => "(empty)".to_string(),
        "required" => "**required**".to_string(),
        d => format!("`{d}`"),
    };
    format!(
        "| `{}` | {default} | {} | {} |",
        s.name, s.valid, s.description
    )
}

fn readme_table() -> String {
    let mut t = String::from("| option | default | valid values | meaning |\n|---|---|---|---|\n");
    for s in OPTIONS {
        t.push_str(&readme_row(s));
        t.push('\n');
    }
    t
}

/// README.md's option table is generated from `Config::options()`; this fails when they
/// drift, and prints the table to paste.
#[test]
fn readme_table_matches_the_option_table() {
    let readme = include_str!("../../README.md");
    let missing: Vec<&str> = OPTIONS
        .iter()
        .filter(|s| !readme.lines().any(|l| l == readme_row(s)))
        .map(|s| s.name)
        .collect();
    assert!(
        missing.is_empty() && readme.contains(&readme_table()),
        "README.md's option table is out of date for {missing:?}; replace it with:\n\n{}",
        readme_table()
    );
    let section = readme
        .find("## Configuration")
        .expect("README has ## Configuration");
    let layout = readme.find("## Layout").expect("README has ## Layout");
    assert!(section < layout);
    for name in IGNORED {
        assert!(
            readme.contains(&format!("`{name}`")),
            "README lists ignored {name}"
        );
    }
}

#[test]
fn option_table_is_well_formed() {
    for (i, s) in OPTIONS.iter().enumerate() {
        assert!(
            !OPTIONS[..i].iter().any(|o| o.name == s.name),
            "{} twice",
            s.name
        );
        for text in [s.name, s.default, s.valid, s.description] {
            assert!(
                !text.contains('|') && !text.contains('\n'),
                "{}: {text}",
                s.name
            );
        }
        assert!(s.description.ends_with('.'), "{}", s.description);
        if let Some((lo, hi)) = s.range {
            assert!(s
                .valid
                .starts_with(&format!("an integer from {lo} to {hi}")));
            if !s.default.is_empty() {
                let d: u64 = s.default.parse().unwrap();
                assert!((lo..=hi).contains(&d), "{} default {d}", s.name);
            }
        }
    }
    for name in SECRETS.iter().chain(IGNORED) {
        assert!(SECRETS.contains(name) == lookup(name).is_some(), "{name}");
    }
}

/// Setting every option to its documented default gives the built-in defaults.
#[test]
fn table_defaults_are_the_builtin_defaults() {
    let base = Config::builder("h", "s").build().unwrap();
    for s in OPTIONS {
        if s.default == "required" {
            continue;
        }
        let mut c = base.clone();
        c.set(s.name, s.default)
            .unwrap_or_else(|e| panic!("{}: {e}", s.name));
        assert_eq!(c, base, "{} = {}", s.name, s.default);
    }
}

#[test]
fn every_option_is_applied() {
    for s in OPTIONS {
        let mut c = Config::blank();
        let e = c.set(s.name, "\u{1}bogus");
        assert!(
            !matches!(e, Err(ConfigError::Unknown { .. })),
            "{} has no setter",
            s.name
        );
    }
}

#[test]
fn distance_counts_edits_and_swaps() {
    assert_eq!(distance("", ""), 0);
    assert_eq!(distance("abc", ""), 3);
    assert_eq!(distance("host", "hots"), 1);
    assert_eq!(distance("kitten", "sitting"), 3);
    assert_eq!(distance("x-smpp-port", "x-smpp-port"), 0);
}

#[test]
fn suggestions() {
    assert_eq!(suggest("x-smpp-hots"), Some("x-smpp-host"));
    assert_eq!(suggest("X-SMPP-HOST"), Some("x-smpp-host"));
    assert_eq!(suggest("x_smpp_port"), Some("x-smpp-port"));
    assert_eq!(
        suggest("submit-window-size"),
        Some("x-smpp-submit-window-size")
    );
    assert_eq!(
        suggest("x-smpp-window-size"),
        Some("x-smpp-submit-window-size")
    );
    assert_eq!(suggest("passwd"), Some("password"));
    assert_eq!(suggest("reconnection-timout"), Some("reconnection-timeout"));
    assert_eq!(suggest("completely-different"), None);
    // A long unknown name (a line of garbage) is cheap: no edit-distance matrix of its
    // length per option (found by the config fuzz target).
    let long = "x".repeat(4 << 20);
    assert_eq!(suggest(&long), None);
    assert!(parse_tag(&long).unwrap_err().starts_with("unknown TLV"));
    assert_eq!(
        parse_tag("user_mesage_reference").unwrap_err(),
        "unknown TLV 'user_mesage_reference' (did you mean 'user_message_reference'?)"
    );
    assert_eq!(suggest(""), None);
}

#[test]
fn durations_are_shown_in_their_unit() {
    assert_eq!(shown(Duration::from_secs(30), Unit::Secs), "30");
    assert_eq!(shown(Duration::from_millis(2500), Unit::Secs), "2.5");
    assert_eq!(shown(Duration::from_millis(2500), Unit::Millis), "2500");
    assert_eq!(shown(Duration::from_micros(1500), Unit::Millis), "1.5");
}

#[test]
fn secret_is_wiped_and_redacted() {
    let s = Secret::from("hunter2");
    assert_eq!(format!("{s:?}"), "***");
    assert_eq!(format!("{:?}", Secret::default()), "<empty>");
    assert_eq!(s.clone().expose(), "hunter2");
    drop(s);
}
