//! Shared test helpers: the node-smpp SMSC (tests/interop/smsc.js) driven over its
//! stdin/stdout JSON-lines protocol.
#![allow(dead_code)]

pub mod faults;
pub mod privacy;
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
    /// How long [`NodeSmsc::wait_for`] and [`NodeSmsc::cmd`] wait (20 s): longer under
    /// heavy traffic, when a command's answer comes after thousands of event lines.
    pub patience: Duration,
}

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

impl NodeSmsc {
    pub fn start(args: &[&str]) -> NodeSmsc {
        let dir = interop_dir();
        assert!(
            dir.join("node_modules/smpp").is_dir(),
            "node-smpp is not installed: run `npm ci` in tests/interop \
             (bash tests/install-tools.sh does)"
        );
        let mut child = Command::new("node")
            .arg(dir.join("smsc.js"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect(
                "node not found: this test needs node and node-smpp (bash tests/install-tools.sh)",
            );
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
            patience: Duration::from_secs(20),
        }
    }

    /// Sends a command and waits for its ack (or error); returns that line. Only lines
    /// that arrive after the command was sent count (an earlier ack of the same command
    /// is not this one's).
    pub fn cmd(&mut self, json: &str) -> String {
        self.drain(); // take in what already arrived
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

    /// Waits (up to [`NodeSmsc::patience`]) for an event line matching `pred`, looking at
    /// lines already seen first. Panics with the lines seen when it does not come.
    pub fn wait_for(&mut self, pred: impl Fn(&str) -> bool) -> String {
        self.wait_for_from(0, pred)
    }

    /// Like [`NodeSmsc::wait_for`], but looks only at lines from index `from` of
    /// [`NodeSmsc::seen`] on.
    pub fn wait_for_from(&mut self, from: usize, pred: impl Fn(&str) -> bool) -> String {
        if let Some(l) = self.seen.iter().skip(from).find(|l| pred(l)) {
            return l.clone();
        }
        let deadline = Instant::now() + self.patience;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    self.seen.push(l.clone());
                    if pred(&l) {
                        return l;
                    }
                }
                Err(_) => panic!(
                    "event not seen in {:?}; seen:\n{}",
                    self.patience,
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Takes in the lines that already arrived, without waiting.
    fn drain(&mut self) {
        while let Ok(l) = self.lines.try_recv() {
            self.seen.push(l);
        }
    }

    /// Waits until every line smsc.js wrote before this call is in [`NodeSmsc::seen`]:
    /// a `stats` command round trip (smsc.js writes its events in order, and an event is
    /// written in the same turn as the answer it records, so anything a client was
    /// answered before this call is seen once its ack is).
    pub fn sync(&mut self) {
        self.cmd(r#"{"cmd":"stats"}"#);
    }

    /// Quits smsc.js ("killed": its process exits, its connections close without an
    /// unbind) and returns every line it wrote: its `quit` ack is its last line, so all
    /// of them are read once the ack is (no [`NodeSmsc::sync`] after it: nothing reads
    /// stdin any more).
    pub fn quit(mut self) -> Vec<String> {
        self.cmd(r#"{"cmd":"quit"}"#);
        std::mem::take(&mut self.seen)
    }

    /// How many event lines of this kind smsc.js wrote up to now ([`NodeSmsc::sync`] first:
    /// a count is never short by lines still in the pipe).
    pub fn count(&mut self, event: &str) -> usize {
        self.sync();
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

// ---------------------------------------------------------------------------- esme binary

/// Every run of the `esme` binary and every wait for `esme smsc` is bounded by this
/// (a liveness bound, not a timing assertion).
pub const ESME_LIVENESS: Duration = Duration::from_secs(120);

/// Runs the `esme` binary with `args` (stdin empty), waiting at most [`ESME_LIVENESS`]
/// (then it is killed and the test panics). Returns the exit code (-1 when killed by a
/// signal), stdout and stderr.
pub fn esme_run(args: &[&str]) -> (i32, String, String) {
    esme_run_env(args, &[])
}

/// [`esme_run`] with `ESME_LOG` removed from the environment and `env` set.
#[allow(dead_code)]
pub fn esme_run_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    use std::io::Read;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_esme"));
    cmd.args(args)
        .env_remove("ESME_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut c = cmd.spawn().expect("run the esme binary");
    let mut out = c.stdout.take().unwrap();
    let mut err = c.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let deadline = Instant::now() + ESME_LIVENESS;
    let status = loop {
        if let Some(s) = c.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = c.kill();
            let _ = c.wait();
            panic!("esme {args:?} did not end within {ESME_LIVENESS:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    (
        status.code().unwrap_or(-1),
        String::from_utf8(out.join().unwrap()).unwrap(),
        String::from_utf8(err.join().unwrap()).unwrap(),
    )
}

/// `esme smsc --port 0 --duration 600 <args>` as a child process, killed on drop (also when
/// the test panics). `--duration` is a backstop in case the test process itself is killed.
pub struct EsmeSmsc {
    child: Child,
    /// The port it listens on (127.0.0.1), from its first line.
    pub port: u16,
    /// Its first line: `esme smsc listening on 127.0.0.1:PORT[ (TLS)]`.
    pub banner: String,
    output: std::sync::Arc<std::sync::Mutex<String>>,
}

impl EsmeSmsc {
    /// Starts it and waits (at most [`ESME_LIVENESS`]) for its first line. Panics with
    /// what it printed when it exits first or prints something else.
    pub fn start(args: &[&str]) -> EsmeSmsc {
        use std::sync::{Arc, Mutex};
        let mut child = Command::new(env!("CARGO_BIN_EXE_esme"))
            .args(["smsc", "--port", "0", "--duration", "600"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run esme smsc");
        let output = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = channel();
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let o = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line.clone());
                let mut o = o.lock().unwrap();
                o.push_str(&line);
                o.push('\n');
            }
        });
        let o = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut o = o.lock().unwrap();
                o.push_str(&line);
                o.push('\n');
            }
        });
        // The guard exists from here on: a panic below kills the child.
        let mut s = EsmeSmsc {
            child,
            port: 0,
            banner: String::new(),
            output,
        };
        let first = match rx.recv_timeout(ESME_LIVENESS) {
            Ok(l) => l,
            Err(e) => {
                std::thread::sleep(Duration::from_millis(100)); // let stderr arrive
                panic!(
                    "esme smsc {args:?} printed no first line ({e}); exit {:?}; output:\n{}",
                    s.child.try_wait(),
                    s.output()
                );
            }
        };
        let port = first
            .strip_prefix("esme smsc listening on 127.0.0.1:")
            .map(|p| p.strip_suffix(" (TLS)").unwrap_or(p))
            .and_then(|p| p.parse::<u16>().ok())
            .filter(|p| *p != 0)
            .unwrap_or_else(|| panic!("unexpected first line of esme smsc: {first:?}"));
        s.port = port;
        s.banner = first;
        s
    }

    /// Everything it printed so far (stdout, then stderr lines as they came).
    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }
}

impl Drop for EsmeSmsc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Checks that `line` is exactly `esme client: N msgs in T s = R msg/s (window W)` with
/// this N and W (T with three decimals, R a whole number) - no regex - and returns (T, R).
pub fn bench_client_line(line: &str, n: u64, window: u32) -> (f64, u64) {
    fn fail(line: &str, why: &str) -> ! {
        panic!("last line {line:?}: {why}")
    }
    let rest = line
        .strip_prefix("esme client: ")
        .unwrap_or_else(|| fail(line, "no 'esme client: ' prefix"));
    let (count, rest) = rest
        .split_once(" msgs in ")
        .unwrap_or_else(|| fail(line, "no ' msgs in '"));
    if count.parse::<u64>().ok() != Some(n) {
        fail(line, &format!("N is not {n}"));
    }
    let (secs, rest) = rest
        .split_once(" s = ")
        .unwrap_or_else(|| fail(line, "no ' s = '"));
    let (whole, frac) = secs
        .split_once('.')
        .unwrap_or_else(|| fail(line, "T has no decimals"));
    if whole.is_empty()
        || frac.len() != 3
        || !whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit())
    {
        fail(line, "T is not a number with three decimals");
    }
    let secs: f64 = secs.parse().unwrap();
    let rate = rest
        .strip_suffix(&format!(" msg/s (window {window})"))
        .unwrap_or_else(|| fail(line, &format!("no ' msg/s (window {window})' suffix")));
    if rate.is_empty() || !rate.bytes().all(|b| b.is_ascii_digit()) {
        fail(line, "R is not a whole number");
    }
    let rate: u64 = rate.parse().unwrap();
    if rate == 0 {
        fail(line, "R is 0");
    }
    // R = N / T: arithmetic, not timing. T is rounded to 1 ms, so only check when that
    // rounding is below 1 %.
    if secs >= 0.1 {
        let implied = n as f64 / secs;
        if (rate as f64 - implied).abs() > implied * 0.01 + 1.0 {
            fail(line, &format!("R is not N / T ({implied:.0})"));
        }
    }
    (secs, rate)
}
