//! PII masking: styles, priorities, groups, the three requests, errors, validators, built-in
//! true and false positives, multibyte text, and properties.

use esme::pii::{self, mask_by_regex, MaskStyle, PiiError, Rule, RuleSet, Validator};
use proptest::prelude::*;

fn set(rules: Vec<Rule>) -> RuleSet {
    RuleSet::from_rules(rules).expect("rules compile")
}

fn one(text: &str, rule: Rule) -> pii::MaskResult {
    let name = rule.name.clone();
    set(vec![rule]).mask_by_rule(text, &name).unwrap()
}

fn styled(regex: &str, style: MaskStyle) -> Rule {
    Rule {
        style,
        ..Rule::new("r", regex)
    }
}

fn default(text: &str) -> pii::MaskResult {
    RuleSet::builtin().mask_by_group(text, "default").unwrap()
}

/// Appends the Luhn check digit.
fn luhn_complete(prefix: &str) -> String {
    (0..10)
        .map(|d| format!("{prefix}{d}"))
        .find(|s| pii::luhn(s))
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Styles

#[test]
fn style_full() {
    let r = one("a12b345", styled(r"\d+", MaskStyle::Full));
    assert_eq!((r.text.as_str(), r.count), ("a**b***", 2));
    assert_eq!(r.spans, vec![(1, 3), (4, 7)]);
}

#[test]
fn style_keep_first_last_and_both() {
    assert_eq!(
        one("x123456y", styled(r"\d+", MaskStyle::KeepFirst(2))).text,
        "x12****y"
    );
    assert_eq!(
        one("x123456y", styled(r"\d+", MaskStyle::KeepLast(2))).text,
        "x****56y"
    );
    assert_eq!(
        one("x123456y", styled(r"\d+", MaskStyle::KeepFirstLast(1, 2))).text,
        "x1***56y"
    );
}

#[test]
fn keep_styles_never_reveal_a_whole_match() {
    assert_eq!(
        one("pin 1234", styled(r"\d+", MaskStyle::KeepLast(4))).text,
        "pin ****"
    );
    assert_eq!(
        one("pin 12", styled(r"\d+", MaskStyle::KeepFirst(9))).text,
        "pin **"
    );
    assert_eq!(
        one("pin 123", styled(r"\d+", MaskStyle::KeepFirstLast(2, 1))).text,
        "pin ***"
    );
    assert_eq!(
        one("pin 1234", styled(r"\d+", MaskStyle::KeepFirstLast(2, 1))).text,
        "pin 12*4"
    );
}

#[test]
fn style_groups() {
    let r = one("pin:1234 ok", styled(r"pin:(\d+)", MaskStyle::Groups));
    assert_eq!(r.text, "pin:**** ok");
    assert_eq!(r.spans, vec![(0, 8)], "the span is the whole match");
    let r = one(
        "ssn 123-45-6789",
        styled(r"(\d{3})-(\d{2})-\d{4}", MaskStyle::Groups),
    );
    assert_eq!(r.text, "ssn ***-**-6789");
    // Nested groups mask their union once.
    let r = one("k=abcd", styled(r"k=((a)b)c", MaskStyle::Groups));
    assert_eq!(r.text, "k=**cd");
    // No groups: the whole match.
    assert_eq!(
        one("pin:1234", styled(r"\d+", MaskStyle::Groups)).text,
        "pin:****"
    );
    // An optional group that took no part masks nothing and is not counted.
    let rule = styled(r"code(?::(\d+))?", MaskStyle::Groups);
    let r = one("code here, code:77", rule);
    assert_eq!(
        (r.text.as_str(), r.count, r.spans),
        ("code here, code:**", 1, vec![(11, 18)])
    );
}

#[test]
fn style_replace_changes_length_and_spans_stay_in_input_offsets() {
    let r = one(
        "pin 1234 and 5678!",
        styled(r"\d{4}", MaskStyle::Replace("[PIN]".into())),
    );
    assert_eq!(r.text, "pin [PIN] and [PIN]!");
    assert_eq!(r.spans, vec![(4, 8), (13, 17)]);
    assert_eq!(
        one("a1b", styled(r"\d", MaskStyle::Replace(String::new()))).text,
        "ab"
    );
}

#[test]
fn mask_char_any_char_one_per_masked_char() {
    let rule = Rule {
        mask_char: '█',
        ..Rule::new("r", r"\d+")
    };
    let r = one("код 12345", rule);
    assert_eq!(r.text, "код █████");
    assert_eq!(r.text.chars().count(), "код 12345".chars().count());
    let rule = Rule {
        mask_char: '#',
        ..Rule::new("r", r"[а-я]+")
    };
    assert_eq!(one("да, 1", rule).text, "##, 1");
}

/// A regex that matches the empty string would match at every position and mask nothing
/// there, and masking would search again one character on each time (a fuzzed rule took
/// seconds for a 3 kB text): refused when loaded, saying so, in a rule file and ad hoc.
#[test]
fn a_regex_that_matches_the_empty_string_is_refused_with_a_hint() {
    for re in [r"\\d*", r"(a)?b*", r"|x", r"x|", r"^", r"(?m)$", r"a{0,3}"] {
        let e = err(&format!(
            r#"{{"rules": [{{"name": "empty", "regex": "{re}"}}]}}"#
        ));
        assert!(
            matches!(&e, PiiError::BadRegex { rule, .. } if rule == "empty"),
            "{re}: {e:?}"
        );
        assert_one_line_naming(&e, "matches the empty string");
        assert_one_line_naming(&e, "+ instead of *");
        let re = re.replace("\\\\", "\\");
        let e = pii::mask_by_regex("ab1", &re, '*').unwrap_err();
        assert_one_line_naming(&e, "matches the empty string");
    }
    // Empty matches only in context (a word boundary) are not refused, and mask nothing.
    let r = one("ab 12", styled(r"\d+|\b", MaskStyle::Full));
    assert_eq!((r.text.as_str(), r.count), ("ab **", 1));
    let r = one("", styled(r"\d+", MaskStyle::Full));
    assert_eq!((r.text.as_str(), r.count), ("", 0));
}

/// One rule makes at most 256 searches in one text; after that the rest of the text is
/// masked whole (bounded time, nothing left unmasked). Up to 255 matches are exact.
#[test]
fn a_rule_gives_up_after_256_searches_and_masks_the_rest_of_the_text() {
    let digits = |n: usize| vec!["7"; n].join(" ") + " end";
    // 255 matches and the search that finds nothing more: exact.
    let t = digits(255);
    let r = one(&t, styled(r"\d", MaskStyle::Full));
    assert_eq!(r.count, 255);
    assert_eq!(r.text, t.replace('7', "*"));
    // 300 matches: 256 searches, then the rest (from the end of the 256th match) is one hit.
    let t = digits(300);
    let r = one(&t, styled(r"\d", MaskStyle::Full));
    assert_eq!(r.count, 257);
    let cut = 2 * 256 - 1; // chars up to the end of the 256th digit
    assert_eq!(r.spans[256], (cut, t.chars().count()));
    assert_eq!(&r.text[..cut], &t[..cut].replace('7', "*"));
    assert!(
        r.text[cut..].chars().all(|c| c == '*'),
        "{}",
        &r.text[cut..]
    );
    // The rest is masked with the rule's mask char, whatever its style, in input offsets.
    let r = one(
        &t,
        Rule {
            mask_char: '#',
            ..styled(r"\d", MaskStyle::Replace("<n>".into()))
        },
    );
    assert_eq!(r.count, 257);
    assert!(r.text.ends_with(&"#".repeat(t.chars().count() - cut)));
    assert_eq!(r.spans[256], (cut, t.chars().count()));
    // The case it is for: a search per character, each scanning to the end of the text.
    let t = "x".repeat(20_000);
    let r = pii::mask_by_regex(&t, "x+y|x", '*').unwrap();
    assert_eq!((r.count, r.text), (257, "*".repeat(20_000)));
}

// ---------------------------------------------------------------------------------------------
// Priority, groups, the three requests

#[test]
fn group_applies_rules_in_priority_order_on_the_previous_output() {
    let low = Rule {
        priority: 2,
        group: "g".into(),
        ..Rule::new("digits", r"\d+")
    };
    let high = Rule {
        priority: 1,
        group: "g".into(),
        style: MaskStyle::Replace("[N]".into()),
        ..Rule::new("four", r"\b\d{4}\b")
    };
    let rules = set(vec![low, high]);
    assert_eq!(rules.rule_names(), vec!["digits", "four"]);
    assert_eq!(rules.group_rules("g").unwrap(), vec!["four", "digits"]);
    let r = rules.mask_by_group("1234 56", "g").unwrap();
    assert_eq!(r.text, "[N] **");
    assert_eq!(r.count, 2);
    // "56" is at chars 5..7 of the input although the first rule shortened the text.
    assert_eq!(r.spans, vec![(0, 4), (5, 7)]);
}

#[test]
fn equal_priorities_keep_the_given_order() {
    let num = Rule {
        priority: 5,
        style: MaskStyle::Replace("N".into()),
        ..Rule::new("num", r"\d+")
    };
    let n = Rule {
        priority: 5,
        style: MaskStyle::Replace("n".into()),
        ..Rule::new("n", "N")
    };
    let a = set(vec![num.clone(), n.clone()]);
    assert_eq!(a.mask_by_group("a1", "default").unwrap().text, "an");
    let b = set(vec![n, num]);
    assert_eq!(b.mask_by_group("a1", "default").unwrap().text, "aN");
}

#[test]
fn a_later_match_inside_replacement_text_maps_to_the_replaced_input() {
    let num = Rule {
        priority: 1,
        style: MaskStyle::Replace("<num>".into()),
        ..Rule::new("num", r"\d+")
    };
    let tag = Rule {
        priority: 2,
        ..Rule::new("tag", "<num>")
    };
    let r = set(vec![num, tag])
        .mask_by_group("ab 123 c", "default")
        .unwrap();
    assert_eq!(r.text, "ab ***** c");
    assert_eq!(r.spans, vec![(3, 6), (3, 6)]);
}

#[test]
fn groups_are_separate() {
    let rules = RuleSet::from_json(
        r#"{"rules": [
            {"name": "pin", "regex": "\\bpin \\d{4}\\b", "priority": 1, "group": "auth"},
            {"name": "order", "regex": "\\bORD-\\d+\\b", "priority": 1, "group": "orders"}
        ]}"#,
    )
    .unwrap();
    assert_eq!(rules.groups(), vec!["auth", "orders"]);
    let text = "pin 1234 for ORD-77";
    assert_eq!(
        rules.mask_by_group(text, "auth").unwrap().text,
        "******** for ORD-77"
    );
    assert_eq!(
        rules.mask_by_group(text, "orders").unwrap().text,
        "pin 1234 for ******"
    );
    assert_eq!(
        rules.mask_by_rule(text, "order").unwrap().text,
        "pin 1234 for ******"
    );
}

#[test]
fn data_by_regex() {
    let r = mask_by_regex("Call 555-0123 now", r"\d{3}-\d{4}", '*').unwrap();
    assert_eq!(
        (r.text.as_str(), r.count, r.spans),
        ("Call ******** now", 1, vec![(5, 13)])
    );
    let r = mask_by_regex("нет совпадений", r"\d", 'x').unwrap();
    assert_eq!((r.text.as_str(), r.count), ("нет совпадений", 0));
    assert!(matches!(
        mask_by_regex("x", "(", '*'),
        Err(PiiError::BadRegex { rule, .. }) if rule == "DataByRegEx"
    ));
}

#[test]
fn data_by_rule_on_builtins() {
    let rules = RuleSet::builtin();
    let text = "mail a.b@example.com, call 212-555-0123";
    assert_eq!(
        rules.mask_by_rule(text, "email").unwrap().text,
        "mail ***************, call 212-555-0123"
    );
    assert_eq!(
        rules.mask_by_rule(text, "phone-nanp").unwrap().text,
        "mail a.b@example.com, call ************"
    );
}

#[test]
fn builtin_names_group_and_order() {
    let rules = RuleSet::builtin();
    assert_eq!(
        rules.rule_names(),
        vec![
            "payment-card",
            "iban",
            "email",
            "us-ssn",
            "phone-e164",
            "phone-nanp",
            "phone-international",
            "phone-national",
            "one-time-code",
            "Credit Card (Visa and MasterCard only)",
            "Phone Number (North America)",
            "SSN (Social Security Number - U.S. only)",
        ]
    );
    assert_eq!(rules.groups(), vec!["default", "genesys"]);
    assert_eq!(
        rules.group_rules("genesys").unwrap(),
        vec![
            pii::GENESYS_CARD_NAME,
            pii::GENESYS_PHONE_NAME,
            pii::GENESYS_SSN_NAME
        ]
    );
    assert_eq!(
        rules.rule("payment-card").unwrap().style,
        MaskStyle::KeepLast(4)
    );
    assert_eq!(
        rules.rule("payment-card").unwrap().validate,
        Some(Validator::Card)
    );
}

// ---------------------------------------------------------------------------------------------
// The rule file and errors

const FILE: &str = r##"{
  "rules": [
    { "name": "card", "regex": "\\b\\d(?:[ -]?\\d){12,18}\\b", "priority": 1, "group": "payment",
      "mask": "keep-last-4", "mask_char": "*", "validate": "luhn" },
    { "name": "pin", "regex": "(?i)pin:? ?(\\d{4})", "priority": 2, "group": "payment", "mask": "groups" },
    { "name": "name", "regex": "Mr\\.? [A-Z][a-z]+", "group": "people", "mask": {"replace": "[name]"},
      "description": "honorific and surname" },
    { "name": "acct", "regex": "\\bACC\\d{6,}\\b", "priority": 3, "group": "payment",
      "mask": "keep-first-3-last-2", "mask_char": "#" }
  ]
}"##;

#[test]
fn rule_file_expresses_every_option() {
    let rules = RuleSet::from_json(FILE).unwrap();
    assert_eq!(rules.rule_names(), vec!["card", "pin", "name", "acct"]);
    assert_eq!(rules.groups(), vec!["payment", "people"]);
    let pin = rules.rule("pin").unwrap();
    assert_eq!((pin.priority, pin.style.clone()), (2, MaskStyle::Groups));
    let name = rules.rule("name").unwrap();
    assert_eq!(name.priority, pii::DEFAULT_PRIORITY);
    assert_eq!(name.style, MaskStyle::Replace("[name]".into()));
    assert_eq!(
        rules.rule("acct").unwrap().style,
        MaskStyle::KeepFirstLast(3, 2)
    );
    let r = rules
        .mask_by_group(
            "card 4111-1111-1111-1111 PIN 1234 acct ACC12345678",
            "payment",
        )
        .unwrap();
    assert_eq!(r.text, "card ***************1111 PIN **** acct ACC######78");
    assert_eq!(
        rules.mask_by_group("ask Mr. Smith", "people").unwrap().text,
        "ask [name]"
    );
}

#[test]
fn rule_file_from_disk_and_with_builtins() {
    let path = std::env::temp_dir().join(format!("esme-pii-{}.json", std::process::id()));
    std::fs::write(&path, FILE).unwrap();
    let rules = RuleSet::from_file(&path).unwrap().with_builtins().unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        rules.groups(),
        vec!["payment", "people", "default", "genesys"]
    );
    assert_eq!(
        rules.rule_names().len(),
        4 + RuleSet::builtin().rule_names().len()
    );
    assert!(rules.mask_by_group("x@y.org", "default").unwrap().count == 1);
}

fn err(json: &str) -> PiiError {
    RuleSet::from_json(json).unwrap_err()
}

fn assert_one_line_naming(e: &PiiError, what: &str) {
    let shown = e.to_string();
    assert!(!shown.contains('\n'), "one line: {shown}");
    assert!(shown.contains(what), "{shown} should name {what}");
}

#[test]
fn error_bad_regex_names_the_rule() {
    let e = err(r#"{"rules": [{"name": "broken", "regex": "(\\d"}]}"#);
    assert!(
        matches!(&e, PiiError::BadRegex { rule, .. } if rule == "broken"),
        "{e:?}"
    );
    assert_one_line_naming(&e, "\"broken\"");
    // Backreferences and lookaround are not in regex-lite (linear time).
    let e = err(r#"{"rules": [{"name": "look", "regex": "(?=a)"}]}"#);
    assert!(
        matches!(&e, PiiError::BadRegex { rule, .. } if rule == "look"),
        "{e:?}"
    );
}

#[test]
fn error_unknown_rule_and_group_list_the_known() {
    let rules = RuleSet::builtin();
    let e = rules.mask_by_rule("x", "card").unwrap_err();
    assert!(
        matches!(&e, PiiError::UnknownRule { name, known } if name == "card" && known.len() == 12)
    );
    assert_one_line_naming(&e, "payment-card");
    let e = rules.mask_by_group("x", "payment").unwrap_err();
    assert!(
        matches!(&e, PiiError::UnknownGroup { name, known } if name == "payment" && known == &["default", "genesys"])
    );
    assert_one_line_naming(&e, "\"payment\"");
}

#[test]
fn error_duplicate_rule() {
    let e = err(r#"{"rules": [{"name": "a", "regex": "x"}, {"name": "a", "regex": "y"}]}"#);
    assert_eq!(e, PiiError::DuplicateRule { name: "a".into() });
    assert_one_line_naming(&e, "\"a\"");
    let e = RuleSet::from_json(r#"{"rules": [{"name": "email", "regex": "@"}]}"#)
        .unwrap()
        .with_builtins()
        .unwrap_err();
    assert_eq!(
        e,
        PiiError::DuplicateRule {
            name: "email".into()
        }
    );
}

#[test]
fn error_bad_file_has_the_line() {
    let e = err("{\n  \"rules\": [\n    {\"name\": \"a\",, \"regex\": \"x\"}\n  ]\n}");
    assert!(
        matches!(&e, PiiError::BadFile { line: Some(3), .. }),
        "{e:?}"
    );
    assert_one_line_naming(&e, "line 3");
    let e = err("{\"rulez\": []}");
    assert!(
        matches!(&e, PiiError::BadFile { line: Some(1), why, .. } if why.contains("rulez")),
        "{e:?}"
    );
    let e = RuleSet::from_file("/nonexistent/pii.json").unwrap_err();
    assert!(matches!(&e, PiiError::BadFile { line: None, .. }), "{e:?}");
    assert_one_line_naming(&e, "/nonexistent/pii.json");
    // Not a file: refused before it is read (a device or a FIFO would never end or block).
    for not_a_file in ["/dev/zero", "/tmp", "/dev/null"] {
        let e = RuleSet::from_file(not_a_file).unwrap_err();
        assert_one_line_naming(&e, "not a regular file");
    }
    let big = std::env::temp_dir().join(format!("esme-pii-big-{}.json", std::process::id()));
    std::fs::write(&big, vec![b' '; (4 << 20) + 1]).unwrap();
    let e = RuleSet::from_file(&big).unwrap_err();
    std::fs::remove_file(&big).unwrap();
    assert_one_line_naming(&e, "larger than 4 MiB");
}

#[test]
fn error_bad_rule_names_rule_and_key() {
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"{"name": "a", "regex": "x", "colour": "red"}"#,
            "a",
            "colour",
        ),
        (r#"{"name": "a"}"#, "a", "regex"),
        (r#"{"regex": "x"}"#, "#1", "name"),
        (
            r#"{"name": "a", "regex": "x", "mask": "keep-some"}"#,
            "a",
            "keep-some",
        ),
        (
            r#"{"name": "a", "regex": "x", "mask": {"replace": 1}}"#,
            "a",
            "replace",
        ),
        (r#"{"name": "a", "regex": "x", "mask": 4}"#, "a", "mask"),
        (
            r#"{"name": "a", "regex": "x", "mask_char": "**"}"#,
            "a",
            "mask_char",
        ),
        (
            r#"{"name": "a", "regex": "x", "priority": 0}"#,
            "a",
            "priority",
        ),
        (
            r#"{"name": "a", "regex": "x", "priority": "high"}"#,
            "a",
            "priority",
        ),
        (
            r#"{"name": "a", "regex": "x", "validate": "crc"}"#,
            "a",
            "crc",
        ),
        (r#"{"name": "a", "regex": "x", "group": ""}"#, "a", "group"),
    ];
    for (rule, name, key) in cases {
        let e = err(&format!(r#"{{"rules": [{rule}]}}"#));
        assert!(
            matches!(&e, PiiError::BadRule { rule, why } if rule == name && why.contains(key)),
            "{rule}: {e:?}"
        );
        assert_one_line_naming(&e, &format!("\"{name}\""));
    }
}

// ---------------------------------------------------------------------------------------------
// Validators

#[test]
fn luhn_validator() {
    let rule = Rule {
        validate: Some(Validator::Luhn),
        ..Rule::new("l", r"\b\d{4,19}\b")
    };
    let rules = set(vec![rule]);
    assert_eq!(
        rules.mask_by_rule("n 79927398713", "l").unwrap().text,
        "n ***********"
    );
    assert_eq!(rules.mask_by_rule("n 79927398710", "l").unwrap().count, 0);
}

#[test]
fn iban_validator() {
    for good in [
        "DE89 3704 0044 0532 0130 00",
        "GB29 NWBK 6016 1331 9268 19",
        "FR14 2004 1010 0505 0001 3M02 606",
        "NL91ABNA0417164300",
        "CH93 0076 2011 6238 5295 7",
        "NO93 8601 1117 947",
        "gb29nwbk60161331926819",
    ] {
        assert!(pii::iban(good), "{good}");
        let r = RuleSet::builtin()
            .mask_by_rule(&format!("IBAN: {good}."), "iban")
            .unwrap();
        assert_eq!(r.spans, vec![(6, 6 + good.len())], "{good}");
    }
    for bad in [
        "DE89 3704 0044 0532 0130 01", // check digits
        "DE89 3704 0044 0532 0130 0",  // length for DE
        "ZZ89 3704 0044 0532 0130 00", // no such country
        "DE8X 3704 0044 0532 0130 00",
    ] {
        assert!(!pii::iban(bad), "{bad}");
        assert_eq!(
            RuleSet::builtin().mask_by_rule(bad, "iban").unwrap().count,
            0,
            "{bad}"
        );
    }
}

#[test]
fn card_validator_issuer_and_smpp_time() {
    let rules = RuleSet::builtin();
    let amex = "378282246310005";
    assert_eq!(
        rules.mask_by_rule(amex, "payment-card").unwrap().text,
        "***********0005"
    );
    assert_eq!(
        rules
            .mask_by_rule(&format!("{amex}+"), "payment-card")
            .unwrap()
            .count,
        0
    );
    // Luhn-valid but no card issuer starts with 1 or 9.
    for n in [
        luhn_complete("123456789012345"),
        luhn_complete("912345678901234"),
    ] {
        assert!(pii::luhn(&n));
        assert_eq!(
            rules.mask_by_rule(&n, "payment-card").unwrap().count,
            0,
            "{n}"
        );
    }
    // The SMPP time below is Luhn-valid and looks like a 2-series Mastercard prefix.
    assert!(pii::luhn("261126101500004"));
    assert_eq!(default("261126101500004+").count, 0);
}

#[test]
fn card_retries_prefix_and_next_token() {
    let r = default("card 4111 1111 1111 1111 12 months");
    assert_eq!(r.text, "card ***************1111 12 months");
    let r = default("ref 9999 4111 1111 1111 1111");
    assert_eq!(r.text, "ref 9999 ***************1111");
    let r = default("AT61 1904 3002 3457 3201 Bank");
    assert_eq!(r.text, "************************ Bank");
}

// ---------------------------------------------------------------------------------------------
// Built-ins: false positives

#[test]
fn builtins_no_false_positives() {
    let negatives = [
        // SMPP message ids
        "1A2B",
        "2871-1",
        "0123456789abcdef",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
        "4111111111111111411111111111111141111111111111114111111111111111",
        "message_id=5A3BF4F1B2B0B822",
        // timestamps
        "2611261015",
        "261126101500004+",
        "261126101500004-",
        "000001000000000R",
        "2026-11-26 10:15:00",
        "2026-11-26T10:15:00.123+03:00",
        "20261126101500",
        "1764152100000",
        "26.11.2026 10:15",
        // delivery receipts
        "id:1234567890 sub:001 dlvr:001 submit date:2611261015 done date:2611261016 stat:DELIVRD err:000 text:Hello",
        "id:0123456789abcdef sub:001 dlvr:000 submit date:2611261015 done date:2611261016 stat:UNDELIV err:045 text:Ваш код",
        "id:2871-1 sub:001 dlvr:001 submit date:261126101500004+ done date:261126101600004+ stat:DELIVRD err:000",
        // sequence numbers
        "seq 1",
        "sequence_number=305419896",
        "seq=0x7FFFFFFF",
        "seqs 100001 100002 100003 100004 100005",
        "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19",
        // short codes
        "12345",
        "Reply STOP to 12345",
        "Text HELP to 900",
        // amounts
        "1,234.56",
        "$1,234,567.89",
        "Total: 1 234 567,89 руб.",
        "合计 ¥12,345.00 元",
        "+25°C",
        "+1,234.56 EUR",
        // other numbers
        "192.168.100.200",
        "v3.4.0",
        "Order #A12345678",
        "ISBN 978-3-16-148410-0",
        "user@localhost",
        "2026-11-26",
        "call 555-0123",
        "123-45-678",
    ];
    let rules = RuleSet::builtin();
    for text in negatives {
        let r = rules.mask_by_group(text, "default").unwrap();
        assert_eq!(
            (r.text.as_str(), r.count),
            (text, 0),
            "false positive in {text:?}"
        );
    }
}

#[test]
fn builtin_ssn_exclusions() {
    let rules = RuleSet::builtin();
    for bad in [
        "000-12-3456",
        "666-12-3456",
        "912-34-5678",
        "123-00-4567",
        "123-45-0000",
    ] {
        assert_eq!(
            rules.mask_by_group(bad, "default").unwrap().count,
            0,
            "{bad}"
        );
    }
    for good in ["123-45-6789", "001-01-0001", "665-99-9999", "899-12-3456"] {
        assert_eq!(
            rules.mask_by_rule(good, "us-ssn").unwrap().count,
            1,
            "{good}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Built-ins: true positives

#[test]
fn builtins_english() {
    let r = default(
        "Hi, card 4111 1111 1111 1111, mail john.smith@example.com, call (212) 555-0123 \
         or +1 212-555-0123 or 212.555.0123, SSN 123-45-6789, IBAN DE89 3704 0044 0532 0130 00.",
    );
    assert_eq!(
        r.text,
        "Hi, card ***************1111, mail **********************, call ************** \
         or *************** or ************, SSN ***********, IBAN ***************************."
    );
    assert_eq!(r.count, 7);
}

#[test]
fn builtins_more_formats() {
    for (text, want) in [
        ("5555-5555-5555-4444", "***************4444"),
        ("3782 822463 10005", "*************0005"),
        ("1-212-555-0123", "**************"),
        ("+44 (0)20 7946 0958", "*******************"),
        ("+33 6 12 34 56 78", "*****************"),
        ("+8613800138000", "**************"),
        (
            "x: o'neil+tag@mail.example.co.uk;",
            "x: o'***************************;",
        ),
    ] {
        assert_eq!(default(text).text, want, "{text}");
    }
}

#[test]
fn builtins_russian() {
    let card = luhn_complete("427638001234567");
    let text = format!(
        "Здравствуйте! Моя карта {card}, телефон +7 (495) 123-45-67, почта ivan.petrov@mail.ru. Спасибо"
    );
    let r = default(&text);
    assert_eq!(
        r.text,
        "Здравствуйте! Моя карта ************5679, телефон ******************, почта *******************. Спасибо"
    );
    assert_eq!(r.count, 3);
    assert_eq!(r.text.chars().count(), text.chars().count());
    // Spans are char offsets: the card starts at char 24.
    assert_eq!(r.spans[0], (24, 40));
}

#[test]
fn builtins_chinese() {
    let card = luhn_complete("622202123456789012");
    let text = format!(
        "您好，我的卡号是{card}（工行），手机+86 138 0013 8000，邮箱zhang.wei@example.cn。"
    );
    let r = default(&text);
    assert_eq!(
        r.text,
        "您好，我的卡号是***************0128（工行），手机*****************，邮箱********************。"
    );
    assert_eq!(r.count, 3);
    assert_eq!(r.spans[0], (8, 27));
}

#[test]
fn builtins_emoji() {
    let text = "📞 +44 20 7946 0958 🙂 💳4111111111111111✅ 📧 a@b.io 👍🏽";
    let r = default(text);
    assert_eq!(
        r.text,
        "📞 **************** 🙂 💳************1111✅ 📧 ****** 👍🏽"
    );
    assert_eq!(r.text.chars().count(), text.chars().count());
    assert_eq!(r.spans, vec![(2, 18), (22, 38), (42, 48)]);
}

// ---------------------------------------------------------------------------------------------
// Properties

fn any_style() -> impl Strategy<Value = MaskStyle> {
    prop_oneof![
        Just(MaskStyle::Full),
        (0usize..6).prop_map(MaskStyle::KeepFirst),
        (0usize..6).prop_map(MaskStyle::KeepLast),
        (0usize..4, 0usize..4).prop_map(|(a, b)| MaskStyle::KeepFirstLast(a, b)),
        Just(MaskStyle::Groups),
        "[a-zя😀]{0,4}".prop_map(MaskStyle::Replace),
    ]
}

fn mixed_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "\\PC{0,12}",
        "[0-9 +()\\-.]{0,24}",
        Just("4111 1111 1111 1111".to_string()),
        Just("+7 (495) 123-45-67".to_string()),
        Just("ivan@mail.ru".to_string()),
        Just("212-555-0123".to_string()),
        Just("123-45-6789".to_string()),
        Just("DE89 3704 0044 0532 0130 00".to_string()),
        Just("Привет 😀 你好".to_string()),
    ];
    proptest::collection::vec(piece, 0..8).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn any_rule_on_any_text_keeps_utf8_and_char_count(
        text in mixed_text(),
        style in any_style(),
        regex in prop_oneof![Just(r"\d+"), Just(r"(\d)\d(\d)"), Just(r"[а-я]+|[😀-🙏]"), Just(r"\S+@\S+"), Just(r"(a)?b+")],
        mask_char in prop_oneof![Just('*'), Just('█'), Just('x')],
    ) {
        let rule = Rule { style: style.clone(), mask_char, ..Rule::new("r", regex) };
        let r = one(&text, rule);
        prop_assert_eq!(r.count, r.spans.len());
        let n = text.chars().count();
        prop_assert!(r.spans.iter().all(|&(a, b)| a < b && b <= n));
        prop_assert!(r.spans.windows(2).all(|w| w[0].1 <= w[1].0));
        if !matches!(style, MaskStyle::Replace(_)) {
            prop_assert_eq!(r.text.chars().count(), n);
        }
    }

    #[test]
    fn full_and_keep_styles_leave_no_unmasked_match(
        text in mixed_text(),
        style in prop_oneof![
            Just(MaskStyle::Full),
            Just(MaskStyle::KeepFirst(4)),
            Just(MaskStyle::KeepLast(4)),
            Just(MaskStyle::KeepFirstLast(2, 2)),
        ],
    ) {
        let rule = Rule { style, ..Rule::new("r", r"\d{5,}|[а-яё]{5,}") };
        let r = one(&text, rule.clone());
        prop_assert_eq!(r.text.chars().count(), text.chars().count());
        prop_assert_eq!(one(&r.text, rule).count, 0, "unmasked match left in {:?}", r.text);
    }

    #[test]
    fn default_group_is_total_and_idempotent(text in mixed_text()) {
        let r = default(&text);
        prop_assert_eq!(r.text.chars().count(), text.chars().count());
        prop_assert_eq!(r.count, r.spans.len());
        let again = default(&r.text);
        prop_assert_eq!(again.count, 0, "left in {:?} (from {:?})", again.spans, r.text);
        // Every masked span holds the mask char (the card keeps only its end, a one-time
        // code its keyword).
        let chars: Vec<char> = r.text.chars().collect();
        prop_assert!(r.spans.iter().all(|&(a, b)| chars[a..b].contains(&'*')));
    }
}

// ---------------------------------------------------------------------------------------------
// National and international phone numbers, one-time codes

#[test]
fn default_group_masks_national_and_international_numbers() {
    for (text, want) in [
        ("07700900456", "***********"),
        ("07700 900456", "************"),
        ("020 7946 0958", "*************"),
        ("(020) 7946 0958", "***************"),
        ("0049 30 1234567", "***************"),
        ("0044 (0)20 7946 0958", "********************"),
        ("030 1234567", "***********"),
        ("030/1234567", "***********"),
        ("0171-1234567", "************"),
        ("089 123456", "**********"),
        ("06 12 34 56 78", "**************"),
        ("06.12.34.56.78", "**************"),
        ("0612345678", "**********"),
        ("612 345 678", "***********"),
        ("333 123 4567", "************"),
        ("GB82 WEST 1234 5698 7654 32", "***************************"),
    ] {
        assert_eq!(default(text).text, want, "{text}");
        let framed = format!("Call me on {text}, thanks");
        assert_eq!(
            default(&framed).text,
            format!("Call me on {want}, thanks"),
            "{framed}"
        );
    }
    let r = default("… or 07700900456, or 020 7946 0958; ring 0049 30 1234567.");
    assert_eq!(
        r.text,
        "… or ***********, or *************; ring ***************."
    );
    assert_eq!(r.count, 3);
}

#[test]
fn national_numbers_are_not_dates_ids_or_receipt_fields() {
    for text in [
        "id:0000002a stat:DELIVRD err:000",
        "id:0000002a sub:001 dlvrd:001 submit date:2611261015 done date:2611261016 stat:DELIVRD err:000 text:",
        "01.02.2026 10:15",
        "on 05.06.2025 at 10:15",
        "0000000042",
        "0 1 2 3 4 5 6 7 8 9",
        "1 234 567,89",
        "0.5 0.25 0.125",
    ] {
        let r = default(text);
        assert_eq!((r.text.as_str(), r.count), (text, 0), "{text}");
    }
}

#[test]
fn one_time_codes_keep_their_keyword() {
    for (text, want) in [
        ("Your code is 482913.", "Your code is ******."),
        ("PIN 4921 for your card", "PIN **** for your card"),
        ("OTP: 5521-", "OTP: ****-"),
        ("Ваш код: 7731", "Ваш код: ****"),
        ("Passwort/password 88774411", "Passwort/password ********"),
    ] {
        assert_eq!(default(text).text, want, "{text}");
    }
    for text in [
        "code ABC",
        "Postcode 10115 Berlin",
        "PIN 12",
        "barcode 12345678",
    ] {
        assert_eq!(default(text).count, 0, "{text}");
    }
}

// ---------------------------------------------------------------------------------------------
// Genesys' rules: theirs refused with a rewrite, ours under their names

/// Genesys Privacy Manager's hard-coded regexes as published (9.0.0 and 8.5.1,
/// docs.genesys.com/Documentation/ESDA/9.0.0/PrivMgr/SensDatPM and …/8.5.1).
const GENESYS_9_CARD: &str = r#"(?:^|(?<=[\D;a-zA-Z(),.:;?!"'`>]))(?:4\d{3}|5[1-5]\d{2}|6011|622[1-9]|64[4-9]\d|65\d{2})[ -.=\n\r]{0,10}\d{4}[ -.=\n\r]{0,10}\d{4}[ -.=\n\r]{0,10}\d{4}(?:$|(?=[\Da-zA-Z(),.:;?!"'`<= ]))"#;
const GENESYS_9_PHONE: &str = r#"(?:^|(?<=[\D;a-zA-Z(),.:;?!"'`>]))(?:\+?1[ -.=\n\r]{0,10})?(?:\(?[2-9][0-9]{2}\)?[ -.=\n\r]{0,10})?[2-9][0-9]{2}[ -.=\n\r]{0,10}[0-9]{4}(?:$|(?=[\Da-zA-Z(),.:;?!"'`<= ]))"#;
const GENESYS_9_SSN: &str = r#"(?:^|(?<=[\D;a-zA-Z(),.:;?!"'`>]))(?!000|666|9)\d{3}[ -.=\n\r]{0,10}(?!00)\d{2}[ -.=\n\r]{0,10}(?!0000)\d{4}(?:$|(?=[\Da-zA-Z(),.:;?!"'`<= ]))"#;
const GENESYS_851_CARD: &str = r#"(?>^|(?<=[\s[:alpha:](),.:;?!"'`]))(?>4\d{3}|5[1-5]\d{2}|6011|622[1-9]|64[4-9]\d|65\d{2})[ -.]?\d{4}[ -.]?\d{4}[ -.]?\d{4}(?>$|(?=[\s[:alpha:](),.:;?!"'`]))"#;

#[test]
fn genesys_regexes_are_refused_naming_the_construct_and_a_rewrite() {
    for (re, construct) in [
        (GENESYS_9_CARD, "look-behind (?<=…) at character 6"),
        (GENESYS_9_PHONE, "look-behind (?<=…) at character 6"),
        (GENESYS_9_SSN, "look-behind (?<=…) at character 6"),
        (GENESYS_851_CARD, "the atomic group (?>…) at character 1"),
    ] {
        let e = RuleSet::from_rules(vec![Rule::new("Credit Card", re)]).unwrap_err();
        assert!(
            matches!(&e, PiiError::BadRegex { rule, .. } if rule == "Credit Card"),
            "{e:?}"
        );
        assert_one_line_naming(&e, construct);
        assert_one_line_naming(&e, "linear time");
        assert_one_line_naming(&e, "denial-of-service");
        assert_one_line_naming(&e, "group \"genesys\"");
        // DataByRegEx says the same.
        let e = pii::mask_by_regex("x", re, '*').unwrap_err();
        assert_one_line_naming(&e, construct);
    }
    let look_behind = RuleSet::from_rules(vec![Rule::new("r", r"(?<=card )\d{4}")]).unwrap_err();
    assert_one_line_naming(&look_behind, "\\b for a word boundary");
    assert_one_line_naming(&look_behind, "\"mask\": \"groups\"");
    // Each construct, named, with its rewrite, from a rule file too.
    for (re, named, rewrite) in [
        (
            r"\\d{3}(?=-)",
            "look-ahead (?=…)",
            "spell out the allowed alternatives",
        ),
        (
            r"(?!000)\\d{3}",
            "negative look-ahead (?!…)",
            "(?:00[1-9]|0[1-9]\\d|[1-9]\\d\\d)",
        ),
        (
            r"(?<!\\d)\\d{4}",
            "negative look-behind (?<!…)",
            "\"standalone\"",
        ),
        (
            r"(?>ab|a)c",
            "the atomic group (?>…)",
            "Write (?:…) instead",
        ),
        (r"\\d++", "the possessive quantifier", "x*+ becomes x*"),
        (
            r"(\\d)\\1",
            "the backreference \\1",
            "write the repeated part out",
        ),
        (r"\\p{L}+", "the Unicode class \\p", "[[:alpha:]]"),
        (r"end\\Z", "the Java escape \\Z", "\\z (for \\Z)"),
    ] {
        let e = err(&format!(
            r#"{{"rules": [{{"name": "mine", "regex": "{re}"}}]}}"#
        ));
        assert!(
            matches!(&e, PiiError::BadRegex { rule, .. } if rule == "mine"),
            "{re}: {e:?}"
        );
        assert_one_line_naming(&e, named);
        assert_one_line_naming(&e, rewrite);
    }
}

#[test]
fn genesys_builtins_under_their_names() {
    let rules = RuleSet::builtin();
    let by = |name: &str, text: &str| rules.mask_by_rule(text, name).unwrap().text;
    let card = pii::GENESYS_CARD_NAME;
    assert_eq!(card, "Credit Card (Visa and MasterCard only)");
    assert_eq!(
        by(card, "card 4111 1111 1111 1111."),
        "card *******************."
    );
    assert_eq!(
        by(card, "card:5500-0000-0000-0004"),
        "card:*******************"
    );
    // Genesys' look-behind is "not a digit": a letter right before still matches.
    assert_eq!(by(card, "x4111111111111111x"), "x****************x");
    assert_eq!(by(card, "94111111111111111"), "94111111111111111");
    assert_eq!(by(card, "41111111111111112"), "41111111111111112");
    // No Luhn check in Genesys' rule.
    assert_eq!(by(card, "4111 1111 1111 1112"), "*******************");
    let phone = pii::GENESYS_PHONE_NAME;
    assert_eq!(by(phone, "call (212) 555-0123"), "call **************");
    assert_eq!(by(phone, "call +1 212 555 0123!"), "call ***************!");
    assert_eq!(by(phone, "call 555-0123"), "call ********");
    let ssn = pii::GENESYS_SSN_NAME;
    for good in ["123-45-6789", "123 45 6789", "123456789"] {
        assert_eq!(by(ssn, good), "*".repeat(good.len()), "{good}");
    }
    for bad in [
        "000-12-3456",
        "666-12-3456",
        "912-34-5678",
        "123-00-4567",
        "123-45-0000",
    ] {
        assert_eq!(by(ssn, bad), bad, "{bad}");
    }
    let g = rules
        .mask_by_group("SSN 123-45-6789, card 4111 1111 1111 1111", "genesys")
        .unwrap();
    assert_eq!(g.text, "SSN ***********, card *******************");
}

#[test]
fn whole_matches_for_logs() {
    let rules = RuleSet::builtin().with_whole_matches();
    assert_eq!(
        rules
            .mask_by_group("card 4111 1111 1111 1111, code 4921", "default")
            .unwrap()
            .text,
        "card *******************, code ****"
    );
    let keep = set(vec![styled(r"\d+", MaskStyle::KeepFirstLast(1, 1))]).with_whole_matches();
    assert_eq!(keep.mask_by_rule("x 12345", "r").unwrap().text, "x *****");
}

#[test]
fn a_mask_char_for_every_rule_of_a_set() {
    let rules = RuleSet::builtin().with_mask_char('#');
    assert_eq!(
        rules
            .mask_by_group("card 4111 1111 1111 1111, 07700900456", "default")
            .unwrap()
            .text,
        "card ###############1111, ###########"
    );
    assert_eq!(
        rules.mask_by_rule("a@b.io", "email").unwrap().text,
        "######"
    );
    // The original set is unchanged.
    assert_eq!(default("a@b.io").text, "******");
}

// ---------------------------------------------------------------------------------------------
// Fragments: a text cut from a longer one

/// The personal data of the fragment tests, and its 4-digit and 4-letter windows.
const PERSONAL: &[&str] = &[
    "4539 1488 0343 6467",
    "07700 900456",
    "020 7946 0958",
    "0049 30 1234567",
    "GB82 WEST 1234 5698 7654 32",
    "zofia.kwiatkowska@przyklad-bank.pl",
    "+44 7700 900123",
];

fn leaks(text: &str) -> Vec<String> {
    let mut windows = std::collections::HashSet::new();
    for p in PERSONAL {
        let digits: String = p.chars().filter(char::is_ascii_digit).collect();
        let letters: String = p
            .chars()
            .filter(char::is_ascii_alphabetic)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        for w in [digits, letters] {
            let c: Vec<char> = w.chars().collect();
            for k in c.windows(4) {
                windows.insert(k.iter().collect::<String>());
            }
        }
    }
    let mut found = Vec::new();
    let mut run = String::new();
    let mut flush = |run: &mut String| {
        let c: Vec<char> = run.chars().collect();
        for k in c.windows(4) {
            let k: String = k.iter().collect();
            if windows.contains(&k) {
                found.push(k);
            }
        }
        run.clear();
    };
    let mut kind = 0u8;
    for ch in text.chars().map(|c| c.to_ascii_lowercase()) {
        let k = if ch.is_ascii_digit() {
            1
        } else if ch.is_ascii_lowercase() {
            2
        } else {
            0
        };
        if k != kind {
            flush(&mut run);
            kind = k;
        }
        if k != 0 {
            run.push(ch);
        }
    }
    flush(&mut run);
    found
}

#[test]
fn the_issues_receipt_fragments_are_masked() {
    let rules = RuleSet::builtin();
    for (fragment, want) in [
        ("Card 4111 1111 1111 ", "Card **** **** **** "),
        ("My IBAN DE8937040044", "My **** ************"),
        ("PIN 4921 for card 55", "PIN **** for card **"),
        ("Call me on +44 7700", "Call me on *** ****"),
    ] {
        let r = rules
            .mask_fragment(fragment, "default", pii::Cut::End)
            .unwrap();
        assert_eq!(r.text, want, "{fragment}");
        assert_eq!(r.count, r.spans.len());
    }
    // A whole text is left to the rules.
    let r = rules
        .mask_fragment("Card 4111 1111 1111 1111", "default", pii::Cut::None)
        .unwrap();
    assert_eq!(r.text, "Card ***************1111");
}

/// A text cut anywhere: the part before the cut (Cut::End) and the part after it
/// (Cut::Start) together leak no 4 digits or letters of the personal data in it.
#[test]
fn a_text_cut_at_any_character_leaks_nothing() {
    // As esme's logs mask: a match is masked whole (no card keeps its last 4 digits).
    let rules = RuleSet::builtin().with_whole_matches();
    let texts = [
        format!(
            "Hello, please pay with card {} or IBAN {}; call {} or {} (or {} from abroad), \
             mail {}, mobile {}. Thanks!",
            PERSONAL[0],
            PERSONAL[4],
            PERSONAL[1],
            PERSONAL[2],
            PERSONAL[3],
            PERSONAL[5],
            PERSONAL[6]
        ),
        format!(
            "Здравствуйте! Карта {}, телефон {}, почта {}; {} — спасибо",
            PERSONAL[0], PERSONAL[1], PERSONAL[5], PERSONAL[4]
        ),
        format!("{},{};{}", PERSONAL[0], PERSONAL[5], PERSONAL[2]),
    ];
    for text in &texts {
        assert!(!leaks(text).is_empty(), "the scan sees the unmasked text");
        let whole = rules.mask_by_group(text, "default").unwrap().text;
        assert!(leaks(&whole).is_empty(), "{whole}");
        let chars: Vec<char> = text.chars().collect();
        for cut in 0..=chars.len() {
            let head: String = chars[..cut].iter().collect();
            let tail: String = chars[cut..].iter().collect();
            let h = rules
                .mask_fragment(&head, "default", pii::Cut::End)
                .unwrap();
            let t = rules
                .mask_fragment(&tail, "default", pii::Cut::Start)
                .unwrap();
            assert!(
                leaks(&h.text).is_empty(),
                "cut at {cut}: {:?} leaks {:?}",
                h.text,
                leaks(&h.text)
            );
            assert!(
                leaks(&t.text).is_empty(),
                "cut at {cut}: {:?} leaks {:?}",
                t.text,
                leaks(&t.text)
            );
            // Cut twice: a middle part.
            for len in [20, 67, 153] {
                let mid: String = chars[cut..(cut + len).min(chars.len())].iter().collect();
                let m = rules
                    .mask_fragment(&mid, "default", pii::Cut::Both)
                    .unwrap();
                assert!(
                    leaks(&m.text).is_empty(),
                    "{:?} leaks {:?}",
                    m.text,
                    leaks(&m.text)
                );
            }
        }
    }
}
