//! Unit tests of the option table, suggestions and values. The docs' option table is checked
//! against [`Config::options`] by `tests/option_docs.rs`.

use super::options::{lookup, IGNORED, OPTIONS, REQUIRED};
use super::spec::{Order, Unit};
use super::suggest::suggest;
use super::tlvs::parse_tag;
use super::values::{distance, shown};
use super::*;
use std::time::Duration;

#[test]
fn option_table_is_well_formed() {
    for (i, s) in OPTIONS.iter().enumerate() {
        assert!(
            !OPTIONS[..i].iter().any(|o| o.name == s.name),
            "{} twice",
            s.name
        );
        for text in [s.name, s.default, s.valid, s.description, s.example] {
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
    for name in IGNORED {
        assert!(lookup(name).is_none(), "{name} is ignored and an option");
    }
    // The docs say which values are never shown; the rows that hide them are those.
    for s in OPTIONS {
        assert_eq!(
            s.secret,
            s.description.contains("Never shown"),
            "{}: secret or not as its meaning says",
            s.name
        );
        if let Order::Last { other, .. } = s.order {
            assert!(lookup(other).is_some(), "{}: {other}", s.name);
            assert_ne!(other, s.name);
            assert!(!s.secret);
        }
    }
}

/// Every default in the table is a valid value of its option: the built-in defaults are
/// these (see `Config::blank`).
#[test]
fn every_default_applies() {
    for s in OPTIONS {
        let mut c = Config::blank();
        if s.default == REQUIRED {
            assert!(
                (s.check)(&c, s).is_err(),
                "{} is required but blank passes its check",
                s.name
            );
            continue;
        }
        (s.apply)(&mut c, s, s.default).unwrap_or_else(|e| panic!("{}: {e}", s.name));
        (s.check)(&c, s).unwrap_or_else(|e| panic!("{}: {e}", s.name));
    }
    let c = Config::builder("h", "s").build().unwrap();
    assert_eq!((c.port, c.window, c.max_rate), (2775, 10, Some(10)));
    assert_eq!(c.log_mask_group, crate::pii::DEFAULT_GROUP);
}

/// An integer or duration option refuses a value just outside its range, when read and when
/// checked.
#[test]
fn ranged_options_refuse_their_neighbours() {
    for s in OPTIONS {
        let Some((lo, hi)) = s.range else { continue };
        let mut c = Config::builder("h", "s").build().unwrap();
        let over = (hi + 1).to_string();
        assert!(c.set(s.name, &over).is_err(), "{} = {over}", s.name);
        if lo > 0 {
            let under = (lo - 1).to_string();
            assert!(c.set(s.name, &under).is_err(), "{} = {under}", s.name);
        }
        c.set(s.name, &hi.to_string()).unwrap();
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

/// `Opt` has one variant per row, in the table's order, and names each option as its row does.
#[test]
fn opt_names_every_row() {
    assert_eq!(Opt::ALL.len(), OPTIONS.len());
    for (i, (&opt, spec)) in Opt::ALL.iter().zip(OPTIONS).enumerate() {
        assert_eq!(opt as usize, i);
        assert_eq!(opt.name(), spec.name);
        assert_eq!(opt.spec(), spec);
        assert_eq!(opt.to_string(), spec.name);
        assert_eq!(opt.as_ref(), spec.name);
        assert_eq!(Opt::from_name(spec.name), Some(opt));
    }
    assert_eq!(Opt::SystemId.to_string(), "x-smpp-system-id");
    assert_eq!(format!("check {}", Opt::Password), "check password");
    assert_eq!(format!("[{:>12}]", Opt::Port), "[ x-smpp-port]");
    assert_eq!(Opt::from_name("x-smpp-hots"), None);
    let c = Config::builder("h", "s")
        .option(Opt::SubmitWindowSize, "7")
        .and_then(|b| b.build())
        .unwrap();
    assert_eq!(c.window, 7);
}

/// Every row has a non-empty example (its own where the default is empty or required), and
/// it is a valid value: set alone on a valid configuration, the configuration stays valid.
#[test]
fn every_example_is_a_valid_value() {
    for s in OPTIONS {
        assert!(!s.example.is_empty(), "{}: no example", s.name);
        if s.default.is_empty() || s.default == REQUIRED {
            assert_ne!(s.example, s.default, "{}", s.name);
        }
        let mut c = Config::builder("smsc", "esme").build().unwrap();
        c.set(s.name, s.example)
            .unwrap_or_else(|e| panic!("{} = {}: {e}", s.name, s.example));
        c.validate()
            .unwrap_or_else(|e| panic!("{} = {}: {e}", s.name, s.example));
    }
}

/// A section printed with its secrets masked: every secret option, unknown options and
/// stray lines hidden, everything else as written, and what is left still parses the same.
#[test]
fn masked_section_hides_every_secret() {
    let secrets: Vec<&OptionSpec> = OPTIONS.iter().filter(|s| s.secret).collect();
    assert!(
        secrets.len() >= 3,
        "the bind password and the two PKCS#12 passwords"
    );
    let mut text = String::from("\u{FEFF}[channel-sms]\n# a comment = kept\n\n");
    for s in OPTIONS {
        if s.secret {
            text.push_str(&format!("{} =  Secret-{}\n", s.name, s.name.len()));
        } else {
            text.push_str(&format!("{} = {}\n", s.name, s.example));
        }
    }
    text.push_str(&format!("{}-typo = Secret-typo\n", Opt::Password));
    text.push_str("; password = Secret-old\nSecret-alone\ndriver-classname = com.x.Driver\n");
    text.push_str(&format!("{} =\n", Opt::Password));
    let shown = Config::masked_section(&text);
    assert!(!shown.contains("Secret"), "{shown}");
    assert_eq!(shown.lines().count(), text.lines().count());
    for s in &secrets {
        assert!(
            shown.contains(&format!("\n{} =  ***\n", s.name)),
            "{}: {shown}",
            s.name
        );
    }
    for s in OPTIONS.iter().filter(|s| !s.secret) {
        assert!(
            shown.contains(&format!("\n{} = {}\n", s.name, s.example)),
            "{}: {shown}",
            s.name
        );
    }
    for kept in [
        "[channel-sms]\n# a comment = kept\n\n",
        "\n; password = ***\n***\ndriver-classname = com.x.Driver\n",
    ] {
        assert!(shown.contains(kept), "{kept:?} in {shown}");
    }
    assert!(
        shown.ends_with(&format!("\n{} =\n", Opt::Password)),
        "{shown}"
    );
    assert!(shown.contains(&format!("\n{}-typo = ***\n", Opt::Password)));
}
