//! Shared test helpers: the node-smpp SMSC (tests/interop/smsc.js) driven over its
//! stdin/stdout JSON-lines protocol.
#![allow(dead_code)]

pub mod tls;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// The value of `"key":` in a JSON line: a string (unescaped for the simple escapes), a
/// number, true/false/null, as text.
pub fn field(line: &str, key: &str) -> Option<String> {
    let pat = format!("\"{key}\":");
    let start = line.find(&pat)? + pat.len();
    let rest = line[start..].trim_start();
    if let Some(s) = rest.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => return Some(out),
                '\\' => match chars.next()? {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'u' => {
                        let h: String = chars.by_ref().take(4).collect();
                        out.push(char::from_u32(u32::from_str_radix(&h, 16).ok()?)?);
                    }
                    c => out.push(c),
                },
                c => out.push(c),
            }
        }
        None
    } else {
        let end = rest.find([',', '}']).unwrap_or(rest.len());
        Some(rest[..end].trim().to_string())
    }
}

/// node-smpp acting as the SMSC on loopback.
pub struct NodeSmsc {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    pub port: u16,
    /// Every event line seen so far.
    pub seen: Vec<String>,
}

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

impl NodeSmsc {
    pub fn start(args: &[&str]) -> NodeSmsc {
        let dir = interop_dir();
        assert!(
            dir.join("node_modules/smpp").is_dir(),
            "node-smpp is not installed: run `npm ci` in tests/interop (bash tests/run-all.sh does)"
        );
        let mut child = Command::new("node")
            .arg(dir.join("smsc.js"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node must be installed");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let first = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("smsc.js did not start in 20 s");
        let port = first
            .strip_prefix("LISTENING ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .parse()
            .unwrap();
        NodeSmsc {
            child,
            stdin,
            lines: rx,
            port,
            seen: Vec::new(),
        }
    }

    /// Sends a command and waits for its ack (or error); returns that line. Only lines
    /// that arrive after the command was sent count (an earlier ack of the same command
    /// is not this one's).
    pub fn cmd(&mut self, json: &str) -> String {
        self.count("ack"); // take in what already arrived
        let from = self.seen.len();
        writeln!(self.stdin, "{json}").unwrap();
        self.stdin.flush().unwrap();
        let cmd = field(json, "cmd").unwrap();
        self.wait_for_from(from, |l| {
            (field(l, "event").as_deref() == Some("ack")
                || field(l, "event").as_deref() == Some("error"))
                && field(l, "cmd").as_deref() == Some(cmd.as_str())
        })
    }

    /// Waits (up to 20 s) for an event line matching `pred`, looking at lines already
    /// seen first. Panics with the lines seen when it does not come.
    pub fn wait_for(&mut self, pred: impl Fn(&str) -> bool) -> String {
        self.wait_for_from(0, pred)
    }

    /// Like [`NodeSmsc::wait_for`], but looks only at lines from index `from` of
    /// [`NodeSmsc::seen`] on.
    pub fn wait_for_from(&mut self, from: usize, pred: impl Fn(&str) -> bool) -> String {
        if let Some(l) = self.seen.iter().skip(from).find(|l| pred(l)) {
            return l.clone();
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    self.seen.push(l.clone());
                    if pred(&l) {
                        return l;
                    }
                }
                Err(_) => panic!("event not seen in 20 s; seen:\n{}", self.seen.join("\n")),
            }
        }
    }

    /// How many event lines of this kind were seen so far (after draining what arrived).
    pub fn count(&mut self, event: &str) -> usize {
        while let Ok(l) = self.lines.try_recv() {
            self.seen.push(l);
        }
        self.seen
            .iter()
            .filter(|l| field(l, "event").as_deref() == Some(event))
            .count()
    }
}

impl Drop for NodeSmsc {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "{{\"cmd\":\"quit\"}}");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
