//! A small, strict command-line parser: `--name value` and `--flag`, every unknown or
//! malformed argument an error naming it and the valid ones.

use std::collections::HashMap;
use std::str::FromStr;

pub struct Args {
    cmd: &'static str,
    values: HashMap<&'static str, Vec<String>>,
    flags: Vec<&'static str>,
}

impl Args {
    /// Parses `args` for `cmd`, which takes the options `with_value` (each `--x VALUE` or
    /// `--x=VALUE`, repeatable) and `flags` (`--y`).
    pub fn parse(
        cmd: &'static str,
        args: &[String],
        with_value: &[&'static str],
        flags: &[&'static str],
    ) -> Result<Args, String> {
        let mut a = Args {
            cmd,
            values: HashMap::new(),
            flags: Vec::new(),
        };
        let valid = || {
            let mut v: Vec<String> = with_value.iter().map(|s| format!("{s} VALUE")).collect();
            v.extend(flags.iter().map(|s| s.to_string()));
            v.join(", ")
        };
        let mut i = 0;
        while i < args.len() {
            let arg = &args[i];
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
                _ => (arg.as_str(), None),
            };
            if let Some(&n) = with_value.iter().find(|&&n| n == name) {
                let v = match inline {
                    Some(v) => v,
                    None => {
                        i += 1;
                        args.get(i)
                            .cloned()
                            .ok_or_else(|| format!("{n} needs a value"))?
                    }
                };
                a.values.entry(n).or_default().push(v);
            } else if let Some(&f) = flags.iter().find(|&&f| f == name) {
                if inline.is_some() {
                    return Err(format!("{f} takes no value"));
                }
                a.flags.push(f);
            } else {
                return Err(format!(
                    "unknown argument '{arg}' for esme {cmd} (valid: {})",
                    valid()
                ));
            }
            i += 1;
        }
        Ok(a)
    }

    pub fn flag(&self, f: &str) -> bool {
        self.flags.contains(&f)
    }

    pub fn all(&self, n: &str) -> &[String] {
        self.values.get(n).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn get(&self, n: &str) -> Option<&str> {
        self.all(n).last().map(String::as_str)
    }

    pub fn required(&self, n: &str) -> Result<&str, String> {
        self.get(n)
            .ok_or_else(|| format!("esme {} needs {n}", self.cmd))
    }

    /// A number in `lo..=hi`, or the default.
    pub fn num<T>(&self, n: &str, default: T, lo: T, hi: T) -> Result<T, String>
    where
        T: FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        match self.get(n) {
            None => Ok(default),
            Some(v) => match v.parse::<T>() {
                Ok(x) if x >= lo && x <= hi => Ok(x),
                _ => Err(format!("{n} {v}: must be a number from {lo} to {hi}")),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn parses_and_refuses_clearly() {
        let a = Args::parse(
            "send",
            &s(&["--to", "1", "--set=a=b", "--set", "c=d", "--receipt"]),
            &["--to", "--set"],
            &["--receipt"],
        )
        .unwrap();
        assert_eq!(a.get("--to"), Some("1"));
        assert_eq!(a.all("--set"), ["a=b", "c=d"]);
        assert!(a.flag("--receipt"));
        let e = Args::parse("send", &s(&["--tow", "1"]), &["--to"], &[])
            .err()
            .unwrap();
        assert_eq!(
            e,
            "unknown argument '--tow' for esme send (valid: --to VALUE)"
        );
        let e = Args::parse("send", &s(&["--to"]), &["--to"], &[])
            .err()
            .unwrap();
        assert_eq!(e, "--to needs a value");
        let a = Args::parse("bench", &s(&["--count", "0"]), &["--count"], &[]).unwrap();
        assert_eq!(
            a.num("--count", 5u64, 1, 10).unwrap_err(),
            "--count 0: must be a number from 1 to 10"
        );
    }
}
