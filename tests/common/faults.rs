//! Seeded randomness for the faults-under-load tests: `FAULT_SEED=n` replays a run's faults.

use std::time::Duration;

/// xorshift64*: small, seedable, good enough to pick faults and pauses.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    pub fn ms(&mut self, lo: u64, hi: u64) -> Duration {
        Duration::from_millis(self.range(lo, hi))
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The run's seed: `FAULT_SEED`, else from the clock (printed by the tests to replay it).
pub fn seed() -> u64 {
    match std::env::var("FAULT_SEED") {
        Ok(s) => s
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("FAULT_SEED={s}: not a number")),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64 % 1_000_000_000),
    }
}

// ------------------------------------------------------- against node-smpp (smsc.js)

use super::{field, NodeSmsc};
use esme::Outcome;
use std::collections::HashMap;

/// One arrival of a submit_sm at an SMSC: the status it answered (None: unanswered) and
/// the message_id it gave.
pub type Arrival = (Option<i64>, Option<String>);

/// Every submit_sm each smsc.js instance recorded, by text, in order: the `submit_sm`
/// events, with the answers a `released` event gave to held ones. `instances`: each
/// instance's lines (session numbers are per instance).
pub fn node_arrivals(instances: &[&[String]]) -> HashMap<String, Vec<Arrival>> {
    let mut arrivals: HashMap<String, Vec<Arrival>> = HashMap::new();
    for lines in instances {
        // (session, seq) of a held submit -> (its text, its index in arrivals[text]).
        let mut held: HashMap<(String, String), (String, usize)> = HashMap::new();
        for l in lines.iter() {
            let key = || {
                (
                    field(l, "session").unwrap_or_default(),
                    field(l, "seq").unwrap_or_default(),
                )
            };
            let status = field(l, "command_status").and_then(|s| s.parse().ok());
            let id = field(l, "message_id").filter(|m| m != "null");
            match field(l, "event").as_deref() {
                Some("submit_sm") => {
                    let Some(text) = field(l, "text") else {
                        continue;
                    };
                    let v = arrivals.entry(text.clone()).or_default();
                    if field(l, "unanswered").as_deref() == Some("hold") {
                        held.insert(key(), (text, v.len()));
                    }
                    v.push((status, id));
                }
                Some("released") => {
                    let (text, k) = held
                        .remove(&key())
                        .unwrap_or_else(|| panic!("released without a held submit_sm: {l}"));
                    arrivals.get_mut(&text).unwrap()[k] = (status, id);
                }
                _ => {}
            }
        }
    }
    arrivals
}

/// How many outcomes of each kind: accepted, rejected, unknown, not sent.
pub type Counts = [usize; 4];

/// Checks each submit's outcome against what the SMSCs recorded for its text (texts are
/// unique): Accepted carries a message_id the SMSC answered for that text, Rejected a status
/// it answered, nothing answered with an id is NotSent, nothing arrived twice unless each
/// earlier arrival was answered 0x58 (throttled). Returns the violations and the counts.
pub fn check_node_outcomes(
    outcomes: &[(String, Outcome)],
    arrivals: &HashMap<String, Vec<Arrival>>,
) -> (Vec<String>, Counts) {
    let mut errors = Vec::new();
    let mut counts = [0usize; 4];
    for (text, o) in outcomes {
        let seen = arrivals.get(text).map(Vec::as_slice).unwrap_or(&[]);
        let answered_ids: Vec<&String> = seen.iter().filter_map(|(_, id)| id.as_ref()).collect();
        match o {
            Outcome::Accepted { message_ids } => {
                counts[0] += 1;
                if message_ids.len() != 1 || !answered_ids.contains(&&message_ids[0]) {
                    errors.push(format!(
                        "{text}: Accepted {message_ids:?}, the SMSC answered {answered_ids:?}"
                    ));
                }
            }
            Outcome::Rejected { status, .. } => {
                counts[1] += 1;
                if !seen.iter().any(|(s, _)| *s == Some(status.to_u32() as i64)) {
                    errors.push(format!("{text}: Rejected {status}, the SMSC saw {seen:?}"));
                }
            }
            Outcome::Unknown { .. } => counts[2] += 1,
            Outcome::NotSent { why } => {
                counts[3] += 1;
                if !answered_ids.is_empty() {
                    errors.push(format!(
                        "{text}: NotSent ({why}) but the SMSC answered {answered_ids:?}"
                    ));
                }
            }
        }
        // Sent twice only after a throttling answer.
        if seen.len() > 1 && seen[..seen.len() - 1].iter().any(|(s, _)| *s != Some(0x58)) {
            errors.push(format!("{text}: arrived {} times: {seen:?}", seen.len()));
        }
    }
    (errors, counts)
}

/// Drives one fault of the faults-under-load tests through smsc.js, chosen with `rng`:
/// an abrupt close of its latest session, a close in the middle of the window
/// (`close_after_submits`), a throttling spell (0x58), the SMSC's unbind, or (one time in
/// three) answers held a moment then released, or never given (the session closed).
/// Returns what it did and the acknowledgement.
pub fn node_fault(smsc: &mut NodeSmsc, rng: &mut Rng) -> String {
    let fault = match rng.range(0, 5) {
        0 => r#"{"cmd":"close"}"#.to_string(),
        1 => format!(
            r#"{{"cmd":"close_after_submits","n":{}}}"#,
            rng.range(1, 40)
        ),
        2 => format!(r#"{{"cmd":"throttle","n":{}}}"#, rng.range(1, 100)),
        3 => r#"{"cmd":"unbind"}"#.to_string(),
        _ => {
            smsc.cmd(r#"{"cmd":"hold","on":true}"#);
            std::thread::sleep(Duration::from_millis(rng.range(5, 60)));
            if rng.range(0, 1) == 0 {
                r#"{"cmd":"hold","on":false,"release":true}"#.to_string()
            } else {
                // The held ones are never answered: the close makes them Unknown (held on
                // another session, the response timeout does).
                smsc.cmd(r#"{"cmd":"hold","on":false}"#);
                r#"{"cmd":"close"}"#.to_string()
            }
        }
    };
    let ack = smsc.cmd(&fault);
    format!("{fault} -> {ack}")
}
