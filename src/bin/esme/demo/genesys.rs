//! The seed's "Possible problems" the demo provokes: the Genesys driver's log line for each,
//! as docs/tls.md maps them to esme's codes (a test checks the two agree).

/// One of the seed's problems and the Genesys SMS driver's log event for it.
pub struct Problem {
    /// The seed's heading.
    pub seed: &'static str,
    /// esme's code for it (`Error::code`, the C API's `esme_result`).
    pub code: u32,
    /// The Genesys event and the method that logs it.
    pub event: &'static str,
    pub method: &'static str,
    /// The event's text.
    pub text: &'static str,
}

/// "Password for your certificate is invalid": the key password is wrong.
pub const KEY_PASSWORD: Problem = Problem {
    seed: "Password for your certificate is invalid",
    code: 306,
    event: "Std 43010",
    method: "oSmpp.initialize",
    text: "failed to initialize ssl context: Get Key failed: Given final block not properly padded",
};

/// "SMSC is not trusted certificate for your certificate": the SMSC refuses ours.
pub const NOT_TRUSTED_BY_SMSC: Problem = Problem {
    seed: "SMSC is not trusted certificate for your certificate",
    code: 330,
    event: "Std 43009",
    method: "oSmpp.openAndBind",
    text: "SMSC close socket connection. Maybe SMSC don't trust your certificate",
};

impl Problem {
    /// The line the Genesys driver would have logged for `channel` at `clock`
    /// (`HH:MM:SS.mmm`), in the seed's format.
    pub fn genesys_line(&self, clock: &str, channel: &str) -> String {
        format!(
            "{clock} {} ({channel}).({}): error... {}",
            self.event, self.method, self.text
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_docs_map_each_problem_to_its_code() {
        let docs = include_str!("../../../../docs/tls.md");
        for p in [KEY_PASSWORD, NOT_TRUSTED_BY_SMSC] {
            let row = docs
                .lines()
                .find(|l| l.contains(p.text))
                .unwrap_or_else(|| panic!("docs/tls.md does not quote {:?}", p.text));
            for part in [p.event, p.method, &p.code.to_string()] {
                assert!(
                    row.contains(part),
                    "docs/tls.md's row for {:?} lacks {part:?}: {row}",
                    p.text
                );
            }
        }
    }

    #[test]
    fn the_line_has_the_seed_format() {
        assert_eq!(
            KEY_PASSWORD.genesys_line("17:28:06.713", "channel-opensmpp"),
            "17:28:06.713 Std 43010 (channel-opensmpp).(oSmpp.initialize): error... failed to \
             initialize ssl context: Get Key failed: Given final block not properly padded"
        );
    }
}
