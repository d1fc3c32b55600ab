//! `esme mask`: try PII rules on a text, as Privacy Manager lets one test them.

use crate::args::Args;
use esme::pii::{mask_by_regex, Cut, RuleSet};
use std::io::{Read, Write};
use std::process::ExitCode;

pub const HELP: &str = "\
esme mask [--rules FILE] (--group G | --rule R | --regex RE) [--mask-char C] [--cut end|start|both]
          [--count] [TEXT…]
  Prints TEXT (or standard input) masked by a rule group (DataByGroup), one rule
  (DataByRule) or a regular expression (DataByRegEx). --rules adds a JSON rule file to the
  built-in rules (group `default`: payment cards, IBAN, e-mail, phone numbers in E.164,
  00-international, national and North American forms, US SSN, one-time codes; group
  `genesys`: Genesys Privacy Manager's three hard-coded rules). --mask-char C masks with C
  instead of each rule's own mask char (default *). --count also prints `masked N` on
  standard error. --cut (with --group) treats TEXT as a fragment cut at that end, as a
  receipt's `text:` (end) or a middle part of a long message (both) is masked in logs.";

pub fn run(args: &[String], out: &mut impl Write) -> Result<ExitCode, String> {
    // TEXT words are the arguments that are not options.
    let mut opts = Vec::new();
    let mut words = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--count" {
            opts.push(a.clone());
        } else if a.starts_with("--") {
            opts.push(a.clone());
            if !a.contains('=') {
                if let Some(v) = args.get(i + 1) {
                    opts.push(v.clone());
                    i += 1;
                }
            }
        } else {
            words.push(a.clone());
        }
        i += 1;
    }
    let a = Args::parse(
        "mask",
        &opts,
        &[
            "--rules",
            "--group",
            "--rule",
            "--regex",
            "--mask-char",
            "--cut",
        ],
        &["--count"],
    )?;
    let rules = match a.get("--rules") {
        Some(p) => RuleSet::from_file(p)
            .and_then(RuleSet::with_builtins)
            .map_err(|e| e.to_string())?,
        None => RuleSet::builtin(),
    };
    let text = if words.is_empty() {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        s
    } else {
        words.join(" ")
    };
    let mask_char = match a.get("--mask-char") {
        None => '*',
        Some(c) if c.chars().count() == 1 => c.chars().next().unwrap_or('*'),
        Some(c) => return Err(format!("--mask-char {c}: one character expected")),
    };
    // Given, the mask char replaces each rule's own; not given, each rule keeps its own.
    let rules = match a.get("--mask-char") {
        Some(_) => rules.with_mask_char(mask_char),
        None => rules,
    };
    let cut = match a.get("--cut") {
        None => None,
        Some("end") => Some(Cut::End),
        Some("start") => Some(Cut::Start),
        Some("both") => Some(Cut::Both),
        Some(c) => return Err(format!("--cut {c}: one of end, start, both expected")),
    };
    if cut.is_some() && a.get("--group").is_none() {
        return Err("--cut works with --group only (fragments are masked by a group)".into());
    }
    let r = match (a.get("--group"), a.get("--rule"), a.get("--regex")) {
        (Some(g), None, None) => match cut {
            Some(c) => rules.mask_fragment(&text, g, c),
            None => rules.mask_by_group(&text, g),
        },
        (None, Some(r), None) => rules.mask_by_rule(&text, r),
        (None, None, Some(re)) => mask_by_regex(&text, re, mask_char),
        _ => return Err("give exactly one of --group, --rule, --regex".into()),
    }
    .map_err(|e| e.to_string())?;
    write!(out, "{}", r.text).map_err(|e| e.to_string())?;
    if !r.text.ends_with('\n') {
        writeln!(out).map_err(|e| e.to_string())?;
    }
    if a.flag("--count") {
        eprintln!("masked {}", r.count);
    }
    Ok(ExitCode::SUCCESS)
}
