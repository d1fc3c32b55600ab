//! The `esme` binary, run as a user would.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

fn esme(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    esme_env(args, stdin, &[])
}

/// `esme ARGS` with the environment variables `env` (and ESME_LOG unset unless given).
fn esme_env(args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_esme"));
    cmd.args(args).env_remove("ESME_LOG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut c = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut i = c.stdin.take().unwrap();
        if let Some(s) = stdin {
            i.write_all(s.as_bytes()).unwrap();
        }
    }
    let o = c.wait_with_output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

const SUBMIT: &str =
    "000000270000000400000000000000020001013132000101333400000000000000000000026869";

#[test]
fn decode_prints_every_field_by_name() {
    let (code, out, err) = esme(&["decode", SUBMIT], None);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "submit_sm length=39 status=0x00000000 ESME_ROK sequence=2"
    );
    for want in [
        "  service_type = \"\"",
        "  source_addr_ton = 1",
        "  source_addr = \"12\"",
        "  destination_addr = \"34\"",
        "  esm_class = 0x00",
        "  data_coding = 0x00",
        "  sm_length = 2",
        "  short_message = 6869 (2 octets)",
    ] {
        assert!(lines.contains(&want), "missing {want:?} in\n{out}");
    }
}

#[test]
fn decode_reads_stdin_with_separators_and_several_pdus() {
    let input = "0x00 00 00 10 00 00 00 15 00 00 00 00 00 00 00 01\n00:00:00:10:80:00:00:15:00:00:00:00:00:00:00:01\n";
    let (code, out, _) = esme(&["decode"], Some(input));
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "enquire_link length=16 status=0x00000000 ESME_ROK sequence=1\n\
         enquire_link_resp length=16 status=0x00000000 ESME_ROK sequence=1\n"
    );
}

#[test]
fn decode_names_the_bad_field_and_fails() {
    // enquire_link with one stray body octet, then a valid enquire_link.
    let (code, out, _) = esme(
        &[
            "decode",
            "00000011000000150000000000000007ff",
            "00000010000000150000000000000008",
        ],
        None,
    );
    assert_eq!(code, 1);
    assert!(out.starts_with("error at offset 0: malformed enquire_link (sequence 7): field body: 1 unexpected octets"), "{out}");
    assert!(
        out.contains("enquire_link length=16 status=0x00000000 ESME_ROK sequence=8"),
        "{out}"
    );
}

#[test]
fn bad_input_gets_one_clear_line() {
    let (code, _, err) = esme(&["decode", "00zz"], None);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "esme decode: invalid hex input: character 'z' at offset 2 is not a hex digit\n"
    );
    let (code, _, err) = esme(&["decode", "000"], None);
    assert_eq!(code, 2);
    assert!(err.contains("odd number of hex digits (3)"), "{err}");
    let (code, out, _) = esme(&["decode", "0000000f"], None);
    assert_eq!(code, 1);
    assert!(out.contains("invalid command_length 15"), "{out}");
    let (code, out, _) = esme(&["decode", "00000020000000150000"], None);
    assert_eq!(code, 1);
    assert!(
        out.contains("incomplete PDU: 10 octets given, 32 needed"),
        "{out}"
    );
    let (code, _, err) = esme(&["frobnicate"], None);
    assert_eq!(code, 2);
    assert!(err.contains("unknown command 'frobnicate'"), "{err}");
}

#[test]
fn decode_never_prints_a_bind_password() {
    use esme::pdu::{Address, Bind, Body, Pdu};
    let p = Pdu::new(
        1,
        Body::BindTransceiver(Bind {
            system_id: "sys".into(),
            password: "hunter2".into(),
            system_type: String::new(),
            interface_version: 0x34,
            address_range: Address::default(),
        }),
    );
    let hex: String = p
        .to_bytes()
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let (code, out, _) = esme(&["decode", &hex], None);
    assert_eq!(code, 0);
    assert!(!out.contains("hunter2"), "{out}");
    assert!(
        out.contains("  password = <redacted, 7 characters>"),
        "{out}"
    );
}

#[test]
fn version() {
    let (code, out, _) = esme(&["version"], None);
    assert_eq!(code, 0);
    assert_eq!(out, format!("esme {}\n", env!("CARGO_PKG_VERSION")));
}

/// The commands `esme help` lists (its "commands:" section), in order.
fn listed_commands() -> Vec<String> {
    let (code, out, err) = esme(&["help"], None);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    let section = out
        .split_once("\ncommands:\n")
        .unwrap_or_else(|| panic!("no commands: section in\n{out}"))
        .1;
    section
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .filter(|l| !l.starts_with(' '))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect()
}

#[test]
fn every_command_has_help_on_stdout_with_exit_0() {
    let commands = listed_commands();
    assert_eq!(
        commands,
        ["demo", "send", "check", "smsc", "bench", "soak", "mask", "decode", "version", "help"],
        "the test covers every command `esme help` lists"
    );
    let (_, usage, _) = esme(&["help"], None);
    for cmd in &commands {
        let (code, help, err) = esme(&["help", cmd], None);
        assert_eq!((code, err.as_str()), (0, ""), "esme help {cmd}");
        let first = help.lines().next().unwrap_or_default();
        if cmd == "help" {
            assert_eq!(help, usage, "esme help help");
        } else {
            assert!(
                first.starts_with(&format!("esme {cmd}")),
                "esme help {cmd} starts with its synopsis: {help}"
            );
            assert_ne!(
                help, usage,
                "esme help {cmd} is that command's help, not the usage"
            );
        }
        for flag in ["--help", "-h"] {
            // Alone, and after other arguments (the command must not run, even with
            // arguments it would refuse or act on).
            for args in [
                vec![cmd.as_str(), flag],
                vec![cmd.as_str(), "--no-such-option", "x", flag],
                vec![cmd.as_str(), flag, "--config", "/nonexistent/esme.cfg"],
            ] {
                let (code, out, err) = esme(&args, None);
                assert_eq!(code, 0, "esme {args:?}: exit {code}, stderr {err}");
                assert_eq!(err, "", "esme {args:?}: nothing on stderr");
                assert_eq!(
                    out, help,
                    "esme {args:?} prints what esme help {cmd} prints"
                );
            }
        }
    }
    // The options each command takes are in its help.
    for (cmd, option) in [
        ("send", "--config"),
        ("check", "--set"),
        ("smsc", "--tls-client-ca"),
        ("bench", "--window"),
        ("soak", "--fault-every"),
        ("mask", "--regex"),
        ("decode", "standard input"),
    ] {
        let (_, out, _) = esme(&[cmd, "--help"], None);
        assert!(
            out.contains(option),
            "esme {cmd} --help names {option}: {out}"
        );
    }
}

#[test]
fn top_level_help_and_unknown_commands() {
    let (_, usage, _) = esme(&["help"], None);
    assert!(usage.starts_with("usage: esme <command>"), "{usage}");
    assert!(usage.contains("esme <command> --help"), "{usage}");
    for args in [
        &["--help"][..],
        &["-h"],
        &["help", "--help"],
        &["help", "-h"],
        &["help", "no-such-command"],
    ] {
        let (code, out, err) = esme(args, None);
        assert_eq!(
            (code, out.as_str(), err.as_str()),
            (0, usage.as_str(), ""),
            "{args:?}"
        );
    }
    let (_, send_help, _) = esme(&["send", "--help"], None);
    for args in [&["help", "send", "--help"][..], &["help", "send", "-h"]] {
        let (code, out, err) = esme(args, None);
        assert_eq!(
            (code, out.as_str(), err.as_str()),
            (0, send_help.as_str(), ""),
            "{args:?}"
        );
    }
    // No command: the usage on stderr, exit 2.
    let (code, out, err) = esme(&[], None);
    assert_eq!((code, out.as_str(), err.as_str()), (2, "", usage.as_str()));
    // An unknown command stays an error, with or without --help.
    for args in [
        &["frobnicate"][..],
        &["frobnicate", "--help"],
        &["frobnicate", "-h"],
    ] {
        let (code, out, err) = esme(args, None);
        assert_eq!(code, 2, "{args:?}");
        assert_eq!(out, "", "{args:?}");
        assert!(
            err.starts_with("esme frobnicate: unknown command 'frobnicate'"),
            "{err}"
        );
    }
    // `--opt=-h` passes -h as a value: not a help request.
    let (code, out, err) = esme(&["mask", "--regex=-h"], Some("a-h b-h"));
    assert_eq!((code, out.as_str(), err.as_str()), (0, "a** b**\n", ""));
}

fn golden(name: &str) -> String {
    include_str!("golden/node-smpp.txt")
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}\t")).map(str::to_string))
        .unwrap_or_else(|| panic!("no golden vector {name}"))
}

#[test]
fn decode_shows_text_udh_and_receipts() {
    let (code, out, _) = esme(&["decode", &golden("submit_sm_ucs2")], None);
    assert_eq!(code, 0);
    assert!(
        out.contains("  short_message.text = \"Привет €\"\n"),
        "{out}"
    );

    let (_, out, _) = esme(&["decode", &golden("submit_sm_udh_concat")], None);
    assert!(
        out.contains("  short_message.udh = 0500032a0201\n"),
        "{out}"
    );
    assert!(
        out.contains("  short_message.text = \"First half \"\n"),
        "{out}"
    );

    let (code, out, _) = esme(&["decode", &golden("deliver_sm_receipt")], None);
    assert_eq!(code, 0);
    for want in [
        "  receipt.id = \"a1b2c3d4e5\"\n",
        "  receipt.state = DELIVERED\n",
        "  receipt.stat = \"DELIVRD\"\n",
        "  receipt.done_date = 2401011201\n",
        "  receipt.final = true\n",
        "  tlv message_state (0x0427) = 2 (DELIVERED)\n",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
}

mod commands {
    use super::esme;
    use esme::sim::{SimConfig, Smsc};
    use std::time::{Duration, Instant};

    fn sets(sim: &Smsc) -> Vec<String> {
        vec![
            "--set".into(),
            "x-smpp-host=127.0.0.1".into(),
            "--set".into(),
            format!("x-smpp-port={}", sim.addr().port()),
            "--set".into(),
            "x-smpp-system-id=clitest".into(),
        ]
    }

    fn run(args: Vec<String>) -> (i32, String, String) {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        esme(&a, None)
    }

    #[test]
    fn demo_runs_the_main_job() {
        let (code, out, err) = esme(&["demo", "--plain"], None);
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("bound       as transceiver"), "{out}");
        assert!(
            out.contains("UCS-2 message") && out.contains("part(s): accepted"),
            "{out}"
        );
        assert_eq!(out.matches("DELIVERED").count(), 4, "{out}");
        // The MO text is the message itself; its sender's number is masked.
        assert!(
            out.contains("received    from *********123: \"Hi, can I"),
            "{out}"
        );
        assert!(
            out.contains("closed      submitted 2 accepted 2 receipts 4 messages 1"),
            "{out}"
        );
    }

    #[test]
    fn send_prints_each_outcome_and_a_summary() {
        let sim = Smsc::start(SimConfig::default()).unwrap();
        let mut a = vec!["send".to_string()];
        a.extend(sets(&sim));
        a.extend(
            [
                "--to",
                "447700900123",
                "--text",
                "hi",
                "--count",
                "3",
                "--receipt",
            ]
            .map(String::from),
        );
        let (code, out, err) = run(a);
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("1 accepted "), "{out}");
        assert!(out.contains("3 accepted "), "{out}");
        assert_eq!(out.matches("receipt ").count(), 3, "{out}");
        assert!(
            out.ends_with("sent 3 accepted 3 rejected 0 unknown 0 not-sent 0\n"),
            "{out}"
        );
        assert_eq!(sim.stats().submits, 3);
    }

    /// `--stats 1`: a line of numbers each second while the run goes on (not only at the
    /// end), and one at the end; stdout keeps its format.
    #[test]
    fn send_stats_prints_the_numbers_while_it_runs() {
        use std::io::{BufRead, BufReader};
        use std::process::{Command, Stdio};
        let sim = Smsc::start(SimConfig::default()).unwrap();
        let mut a = sets(&sim);
        a.extend(
            [
                "--set",
                "x-smpp-submit-max-rate=200",
                "--to",
                "447700900123",
                "--text",
                "hi",
                "--count",
                "700",
                "--receipt",
                "--stats",
                "1",
            ]
            .map(String::from),
        );
        let mut child = Command::new(env!("CARGO_BIN_EXE_esme"))
            .arg("send")
            .args(&a)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let out = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut BufReader::new(out), &mut s);
            s
        });
        // Each stats line with whether the process was still running when it arrived.
        let mut lines: Vec<(String, bool)> = Vec::new();
        for line in BufReader::new(child.stderr.take().unwrap()).lines() {
            let line = line.unwrap();
            let running = child.try_wait().unwrap().is_none();
            lines.push((line, running));
        }
        assert!(child.wait().unwrap().success());
        let out = out.join().unwrap();
        assert!(
            out.ends_with("sent 700 accepted 700 rejected 0 unknown 0 not-sent 0\n"),
            "{out}"
        );
        assert!(!out.contains("stats "), "stats go to standard error: {out}");
        let stats: Vec<&(String, bool)> = lines
            .iter()
            .filter(|(l, _)| l.starts_with("stats "))
            .collect();
        assert_eq!(stats.len(), lines.len(), "{lines:?}");
        // 700 at 200/s: about 3.5 s, so at least 2 lines during the run, plus the last.
        let during: Vec<&String> = stats[..stats.len() - 1]
            .iter()
            .filter(|x| x.1)
            .map(|x| &x.0)
            .collect();
        assert!(during.len() >= 2, "{lines:?}");
        let field = |l: &str, k: &str| -> String {
            let mut it = l.split(' ');
            it.find(|w| *w == k);
            it.next()
                .unwrap_or_else(|| panic!("{k} in {l}"))
                .to_string()
        };
        let mut last = 0u64;
        for l in &during {
            assert_eq!(field(l, "binds"), "1/1", "{l}");
            assert!(field(l, "window").ends_with("/10"), "{l}");
            let acc: u64 = field(l, "accepted").parse().unwrap();
            assert!(acc >= last, "{l}");
            last = acc;
        }
        // At 200/s, 700 take 3.5 s: a line during the run shows part of them.
        assert!(
            during
                .iter()
                .any(|l| (1..700).contains(&field(l, "accepted").parse::<u64>().unwrap())),
            "numbers while it runs: {during:?}"
        );
        let end = &stats.last().unwrap().0;
        assert_eq!(field(end, "accepted"), "700", "{end}");
        assert_eq!(field(end, "matched"), "700", "{end}");
        assert_eq!(field(end, "unmatched"), "0", "{end}");
        let rate: f64 = field(end, "submit/s").parse().unwrap();
        assert!(rate > 50.0 && rate < 400.0, "{end}");
        assert_eq!(field(end, "client"), "-", "no TLS: {end}");
        // A bad value is a usage error naming the flag.
        let mut a = vec!["send".to_string()];
        a.extend(sets(&sim));
        a.extend(["--to", "1", "--text", "x", "--stats", "0"].map(String::from));
        let (code, _, err) = run(a);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("--stats"), "{err}");
    }

    #[test]
    fn send_always_ends_and_counts_what_failed() {
        let sim = Smsc::start(SimConfig::default()).unwrap();
        sim.faults().drop_responses(1);
        sim.faults()
            .reject_with(esme::pdu::CommandStatus::InvDstAdr, 1);
        let mut a = vec!["send".to_string()];
        a.extend(sets(&sim));
        a.extend(
            [
                "--set",
                "x-smpp-response-max-waiting-time=1000",
                "--to",
                "1",
                "--text",
                "x",
                "--count",
                "3",
            ]
            .map(String::from),
        );
        let (code, out, _) = run(a);
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("rejected ESME_RINVDSTADR"), "{out}");
        assert!(out.contains("unknown: no response within 1.0 s"), "{out}");
        assert!(
            out.ends_with("sent 3 accepted 1 rejected 1 unknown 1 not-sent 0\n"),
            "{out}"
        );
    }

    /// Checks `esme send`'s output: one line per message numbered 1..=count, each once, and a
    /// summary whose counts add up to them. Returns (accepted, rejected, unknown, not sent).
    fn lines_and_summary(out: &str, count: usize) -> [usize; 4] {
        let mut seen = vec![0u32; count + 1];
        let mut n = [0usize; 4];
        for line in out.lines() {
            let Some((num, rest)) = line.split_once(' ') else {
                continue;
            };
            let Ok(i) = num.parse::<usize>() else {
                continue;
            };
            seen[i] += 1;
            let k = ["accepted", "rejected", "unknown", "not sent"]
                .iter()
                .position(|w| rest.starts_with(w))
                .unwrap_or_else(|| panic!("unexpected line {line:?}"));
            n[k] += 1;
        }
        let missing: Vec<usize> = (1..=count).filter(|&i| seen[i] != 1).collect();
        assert!(
            missing.is_empty(),
            "messages without exactly one line: {missing:?}"
        );
        let summary = format!(
            "sent {count} accepted {} rejected {} unknown {} not-sent {}\n",
            n[0], n[1], n[2], n[3]
        );
        assert!(
            out.ends_with(&summary),
            "summary is not {summary:?}:\n{}",
            out.lines().last().unwrap_or("")
        );
        n
    }

    /// `esme send --count N` against a simulator killed `after` into the run.
    fn send_while_killed(count: usize, after: Duration, extra: &[&str]) -> (i32, String, Duration) {
        let mut sim = Smsc::start(SimConfig::default()).unwrap();
        let mut a = vec!["send".to_string()];
        a.extend(sets(&sim));
        a.extend(
            [
                "--set",
                "x-smpp-submit-max-rate=1000",
                "--set",
                "x-smpp-submit-window-size=50",
            ]
            .map(String::from),
        );
        a.extend(extra.iter().map(|s| s.to_string()));
        let count_s = count.to_string();
        a.extend(["--to", "1", "--text", "x", "--count", &count_s].map(String::from));
        let t0 = Instant::now();
        let child = std::thread::spawn(move || run(a));
        std::thread::sleep(after);
        sim.stop();
        let (code, out, err) = child.join().unwrap();
        let took = t0.elapsed();
        eprintln!("esme send --count {count} {extra:?}, SMSC killed after {after:?}: exit {code} after {took:?}; {err}");
        (code, out, took)
    }

    #[test]
    fn send_against_a_killed_smsc_ends_within_the_submit_timeout_with_every_line() {
        // Before issue 16 this ran for hours: one window of 50 per submit timeout.
        let submit_timeout = Duration::from_secs(3);
        let (code, out, took) = send_while_killed(
            5000,
            Duration::from_millis(500),
            &["--set", "x-smpp-submit-timeout=3000"],
        );
        let [accepted, _, _, not_sent] = lines_and_summary(&out, 5000);
        assert_eq!(code, 1, "{out}");
        assert!(
            accepted > 0 && not_sent > 0,
            "{accepted} accepted, {not_sent} not sent"
        );
        assert!(
            took < submit_timeout * 3,
            "took {took:?} with a submit timeout of {submit_timeout:?}"
        );
        // The messages past the outage limit say so, naming the option.
        assert!(
            out.contains("not sent: not connected for ")
                && out.contains("past x-smpp-submit-timeout (3.0 s)"),
            "{out}"
        );
    }

    #[test]
    fn send_names_max_wait_for_the_wait_it_bounds() {
        let (code, out, _) =
            send_while_killed(2000, Duration::from_millis(300), &["--max-wait", "2"]);
        lines_and_summary(&out, 2000);
        assert_eq!(code, 1);
        assert!(out.contains("past --max-wait (2.0 s)"), "{out}");
        assert!(!out.contains("x-smpp-submit-timeout"), "{out}");
    }

    #[test]
    fn send_reports_every_message_when_the_client_gives_up() {
        let (code, out, _) = send_while_killed(
            3000,
            Duration::from_millis(300),
            &[
                "--set",
                "x-smpp-reconnect-attempts=1",
                "--set",
                "x-smpp-submit-timeout=60000",
            ],
        );
        let [_, _, _, not_sent] = lines_and_summary(&out, 3000);
        assert_eq!(code, 3, "{out}");
        assert!(not_sent > 0);
        assert!(
            out.contains(
                "not sent: not submitted: the client closed: gave up reconnecting after 1 attempt"
            ),
            "{out}"
        );
    }

    #[test]
    fn send_explains_configuration_and_connection_problems() {
        let dir = std::env::temp_dir().join(format!("esme-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cfg = dir.join("channel.cfg");
        std::fs::write(
            &cfg,
            "[channel-x]\nx-smpp-host = 127.0.0.1\nx-smpp-hots = oops\n",
        )
        .unwrap();
        let (code, _, err) = esme(
            &[
                "send",
                "--config",
                cfg.to_str().unwrap(),
                "--to",
                "1",
                "--text",
                "x",
            ],
            None,
        );
        assert_eq!(code, 2);
        assert!(
            err.contains("x-smpp-hots") && err.contains("x-smpp-host"),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        // Nothing listens on the port of a stopped simulator.
        let port = Smsc::start(SimConfig::default()).unwrap().addr().port();
        let (code, _, err) = esme(
            &[
                "send",
                "--set",
                "x-smpp-host=127.0.0.1",
                "--set",
                &format!("x-smpp-port={port}"),
                "--set",
                "x-smpp-system-id=x",
                "--to",
                "1",
                "--text",
                "x",
            ],
            None,
        );
        assert_eq!(code, 2);
        assert!(
            err.starts_with("esme send: cannot connect to 127.0.0.1:"),
            "{err}"
        );
        let (code, _, err) = esme(&["send", "--to", "1", "--text", "x"], None);
        assert_eq!(code, 2);
        assert!(err.contains("x-smpp-host"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bench_and_smsc_run_and_stop() {
        let (code, out, err) = esme(&["bench", "--count", "2000", "--window", "8"], None);
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("accepted 2000 rejected 0"), "{out}");
        let last = out.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("esme client: 2000 msgs in ")
                && last.contains(" s = ")
                && last.ends_with(" msg/s (window 8)"),
            "{out}"
        );
        let (code, out, _) = esme(&["bench", "--count", "500", "--json"], None);
        assert_eq!(code, 0);
        assert!(
            out.starts_with("{\"client\":\"esme\",\"transport\":\"plain\",\"count\":500,"),
            "{out}"
        );
        assert!(!out.contains("NaN"), "not JSON: {out}");
        assert!(out.contains("\"handshake_full_ms\":null"), "{out}");
        let (code, out, err) = esme(&["smsc", "--port", "0", "--duration", "1"], None);
        assert_eq!(code, 0, "{err}");
        assert!(
            out.starts_with("esme smsc listening on 127.0.0.1:"),
            "{out}"
        );
        assert!(out.contains("stopped after 0 submits"), "{out}");
        let (code, _, err) = esme(&["bench", "--window", "0"], None);
        assert_eq!(code, 2);
        assert!(
            err.contains("--window 0: must be a number from 1 to 1000"),
            "{err}"
        );
    }
}

#[test]
fn mask_by_group_rule_and_regex() {
    let (code, out, err) = esme(
        &[
            "mask",
            "--group",
            "default",
            "--count",
            "Card 4111 1111 1111 1111, mail ann@example.com",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "Card ***************1111, mail ***************\n");
    assert_eq!(err, "masked 2\n");
    let (code, out, _) = esme(
        &["mask", "--rule", "email"],
        Some("id:2871-1 stat:DELIVRD to bob@example.org"),
    );
    assert_eq!(code, 0);
    assert_eq!(out, "id:2871-1 stat:DELIVRD to ***************\n");
    let (code, out, _) = esme(
        &["mask", "--regex", r"\d+", "--mask-char", "#", "room 101"],
        None,
    );
    assert_eq!(code, 0);
    assert_eq!(out, "room ###\n");
    let (code, _, err) = esme(&["mask", "--group", "nope", "x"], None);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown PII group \"nope\" (known: default, genesys)"),
        "{err}"
    );
    let (code, _, err) = esme(&["mask", "--regex", "(", "x"], None);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// The issue's national numbers and IBAN are masked by the default group; a receipt's id,
/// state and error code stay readable.
#[test]
fn mask_default_group_national_numbers_and_receipt_fields() {
    for (text, want) in [
        ("07700900456", "***********"),
        ("020 7946 0958", "*************"),
        ("0049 30 1234567", "***************"),
        ("GB82 WEST 1234 5698 7654 32", "***************************"),
        (
            "id:0000002a stat:DELIVRD err:000",
            "id:0000002a stat:DELIVRD err:000",
        ),
    ] {
        let (code, out, err) = esme(&["mask", "--group", "default", text], None);
        assert_eq!(
            (code, out.as_str()),
            (0, format!("{want}\n").as_str()),
            "{err}"
        );
    }
}

/// --mask-char works with --group and --rule, not only --regex.
#[test]
fn mask_char_applies_to_groups_and_rules() {
    let (code, out, err) = esme(
        &[
            "mask",
            "--group",
            "default",
            "--mask-char",
            "#",
            "call 07700900456",
        ],
        None,
    );
    assert_eq!((code, out.as_str()), (0, "call ###########\n"), "{err}");
    let (code, out, err) = esme(
        &["mask", "--rule", "email", "--mask-char", "█", "to a@b.io"],
        None,
    );
    assert_eq!((code, out.as_str()), (0, "to ██████\n"), "{err}");
    let (code, _, err) = esme(
        &["mask", "--group", "default", "--mask-char", "##", "x"],
        None,
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("--mask-char ##: one character expected"),
        "{err}"
    );
}

/// A Genesys hard-coded regex with look-behind is refused naming the construct and a
/// rewrite; the same rule under Genesys' name is a built-in.
#[test]
fn mask_refuses_genesys_look_behind_and_has_the_builtin() {
    let genesys = r#"(?:^|(?<=[\D;a-zA-Z(),.:;?!"'`>]))(?:4\d{3}|5[1-5]\d{2}|6011|622[1-9]|64[4-9]\d|65\d{2})[ -.=\n\r]{0,10}\d{4}[ -.=\n\r]{0,10}\d{4}[ -.=\n\r]{0,10}\d{4}(?:$|(?=[\Da-zA-Z(),.:;?!"'`<= ]))"#;
    let (code, _, err) = esme(&["mask", "--regex", genesys, "4111 1111 1111 1111"], None);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("look-behind (?<=…) at character 6 is not supported"),
        "{err}"
    );
    assert!(
        err.contains("Credit Card (Visa and MasterCard only)"),
        "{err}"
    );
    let (code, out, err) = esme(
        &[
            "mask",
            "--rule",
            "Credit Card (Visa and MasterCard only)",
            "card 4111 1111 1111 1111",
        ],
        None,
    );
    assert_eq!(
        (code, out.as_str()),
        (0, "card *******************\n"),
        "{err}"
    );
}

/// `--log LEVEL` and `ESME_LOG` on check, demo and smsc: one line per record on standard
/// error (time, level, channel, target: message), standard output unchanged; a bad level is a
/// one-line usage error.
#[test]
fn log_level_on_check_demo_and_smsc() {
    let smsc = common::EsmeSmsc::start(&[]);
    let dir = std::env::temp_dir().join(format!("esme-cli-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("c.cfg");
    std::fs::write(
        &cfg,
        format!(
            "[sms-main]\nx-smpp-host = 127.0.0.1\nx-smpp-port = {}\nx-smpp-system-id = esme\npassword = s3cr3t\n",
            smsc.port
        ),
    )
    .unwrap();
    let cfg = cfg.to_str().unwrap();
    let (quiet_code, quiet_out, quiet_err) = esme(&["check", "--config", cfg], None);
    assert_eq!((quiet_code, quiet_err.as_str()), (0, ""), "{quiet_out}");
    for (args, env) in [
        (vec!["check", "--config", cfg, "--log", "debug"], vec![]),
        (vec!["check", "--config", cfg], vec![("ESME_LOG", "TRACE")]),
        // --log wins over the environment.
        (
            vec!["check", "--config", cfg, "--log", "debug"],
            vec![("ESME_LOG", "error")],
        ),
    ] {
        let (code, out, err) = esme_env(&args, None, &env);
        assert_eq!(code, 0, "{out}{err}");
        assert_eq!(out.lines().count(), quiet_out.lines().count(), "{out}");
        assert!(
            err.contains(" DEBUG sms-main esme::config: Config {"),
            "{err}"
        );
        assert!(
            err.contains(" DEBUG sms-main esme::pdu: sent bind_transceiver "),
            "{err}"
        );
        assert!(err.contains("password=<redacted, 6 characters>"), "{err}");
        assert!(!err.contains("s3cr3t"), "{err}");
        for l in err.lines() {
            let f: Vec<&str> = l.split_whitespace().take(4).collect();
            assert!(
                f.len() == 4 && f[0].len() == 24 && f[0].ends_with('Z'),
                "{l}"
            );
            assert!(
                ["ERROR", "WARN", "INFO", "DEBUG", "TRACE"].contains(&f[1]),
                "{l}"
            );
            assert_eq!((f[2], f[3].ends_with(':')), ("sms-main", true), "{l}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    // The demo over TLS: its own log lines on standard output, and with --log the records
    // on standard error too, masked.
    let (code, out, err) = esme(&["demo", "--log", "debug"], None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("\nlog         Debug esme::pdu: sent submit_sm "),
        "{out}"
    );
    assert!(
        err.contains(" DEBUG channel-demo esme::pdu: sent submit_sm "),
        "{err}"
    );
    assert!(
        err.contains(" INFO  channel-demo esme::client: bound to 127.0.0.1:"),
        "{err}"
    );
    // The card's and the phone's digits as the message holds them (a bare "4539" could be a
    // port or the temporary folder's name in these records).
    for digits in [
        "Card 4539",
        "4539 1488",
        "1488 0343",
        "0343 6467",
        "4539148803436467",
        "+44 7700",
        "7700 900123",
        "447700900123",
    ] {
        assert!(!err.contains(digits), "{digits} in {err}");
    }
    // The plain demo: the client's and the simulator's records; its output as without.
    let (code, out, err) = esme(&["demo", "--plain", "--log", "trace"], None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("closed      submitted 2"), "{out}");
    assert!(
        err.contains(" TRACE 127.0.0.1 esme::client: submit to *********123"),
        "{err}"
    );
    assert!(
        err.contains(" esme::sim: connection 1 received submit_sm "),
        "{err}"
    );
    assert!(
        !err.contains("447700900123") && !err.contains("482913"),
        "{err}"
    );
    // Bad levels.
    for (args, env, want) in [
        (
            vec!["smsc", "--log", "verbose"],
            vec![],
            "--log verbose: expected error, warn, info, debug or trace",
        ),
        (
            vec!["demo"],
            vec![("ESME_LOG", "loud")],
            "ESME_LOG loud: expected error, warn, info, debug or trace",
        ),
    ] {
        let (code, _, err) = esme_env(&args, None, &env);
        assert_eq!(code, 2, "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(want), "{err}");
    }
}

/// `esme bench` against `esme smsc` run as a separate process, as the peers' table runs it.
mod bench {
    use crate::common::{bench_client_line, esme_run, field, EsmeSmsc};

    fn bench(smsc: &EsmeSmsc, extra: &[&str]) -> (i32, String, String) {
        let port = smsc.port.to_string();
        let mut a = vec!["bench", "--host", "127.0.0.1", "--port", &port];
        a.extend_from_slice(extra);
        esme_run(&a)
    }

    /// Exit 0, every message accepted, the header naming the SMSC, and the last line
    /// exactly in the table's format. Returns the lines.
    fn check_run(
        smsc: &EsmeSmsc,
        (code, out, err): (i32, String, String),
        n: u64,
        window: u32,
        sessions: u32,
    ) -> Vec<String> {
        assert_eq!(code, 0, "{out}{err}\nesme smsc:\n{}", smsc.output());
        let lines: Vec<String> = out.lines().map(String::from).collect();
        assert_eq!(
            lines[0],
            format!(
                "esme bench: {n} messages, window {window}, {sessions} session(s), plain, against 127.0.0.1:{}",
                smsc.port
            ),
            "{out}"
        );
        assert!(
            lines.contains(&format!(
                "outcomes accepted {n} rejected 0 unknown 0 not-sent 0"
            )),
            "{out}"
        );
        bench_client_line(lines.last().unwrap(), n, window);
        lines
    }

    #[test]
    fn bench_against_esme_smsc_in_another_process() {
        let smsc = EsmeSmsc::start(&[]);
        assert_eq!(
            smsc.banner,
            format!("esme smsc listening on 127.0.0.1:{}", smsc.port)
        );

        // Pipelined, one session.
        let r = bench(&smsc, &["-n", "300", "-w", "10"]);
        let lines = check_run(&smsc, r, 300, 10, 1);
        assert!(
            lines.iter().any(|l| l.starts_with("latency p50 ")),
            "{lines:?}"
        );

        // Three sessions share the 300 (100 each); the rate is the aggregate.
        let r = bench(&smsc, &["--sessions", "3", "-n", "300", "-w", "10"]);
        check_run(&smsc, r, 300, 10, 3);
        // Uneven split: 301 = 101 + 100 + 100, still all counted.
        let r = bench(&smsc, &["--sessions", "3", "-n", "301", "-w", "10"]);
        check_run(&smsc, r, 301, 10, 3);

        // Window 1: the blocking path, each submit's round trip timed by the caller.
        let r = bench(&smsc, &["-n", "300", "-w", "1"]);
        let lines = check_run(&smsc, r, 300, 1, 1);
        let lat = lines
            .iter()
            .find_map(|l| l.strip_prefix("latency p50 "))
            .unwrap_or_else(|| panic!("no latency line: {lines:?}"));
        let (p50, rest) = lat.split_once(" us p99 ").expect("latency line format");
        let p99 = rest.strip_suffix(" us").expect("latency line format");
        let p50: u64 = p50.parse().unwrap_or_else(|_| panic!("p50 {p50:?}"));
        let p99: u64 = p99.parse().unwrap_or_else(|_| panic!("p99 {p99:?}"));
        assert!(p50 <= p99, "{lat}");
        // The long option names and --warmup (not counted in N).
        let r = bench(
            &smsc,
            &["--count", "300", "--window", "1", "--warmup", "20"],
        );
        check_run(&smsc, r, 300, 1, 1);

        // --json: one line, the same facts.
        let (code, out, err) = bench(
            &smsc,
            &["--sessions", "2", "-n", "300", "-w", "10", "--json"],
        );
        assert_eq!(code, 0, "{out}{err}");
        assert_eq!(out.lines().count(), 1, "{out}");
        let j = out.trim_end();
        assert!(
            j.starts_with("{\"client\":\"esme\",\"transport\":\"plain\",") && j.ends_with('}'),
            "{j}"
        );
        assert_eq!(j.matches('"').count() % 2, 0, "{j}");
        assert!(!j.contains("NaN") && !j.contains("inf"), "{j}");
        for (k, v) in [
            ("count", "300"),
            ("window", "10"),
            ("sessions", "2"),
            ("accepted", "300"),
            ("rejected", "0"),
            ("unknown", "0"),
            ("not_sent", "0"),
            ("in_process_smsc", "false"),
            ("handshake_full_ms", "null"),
        ] {
            assert_eq!(field(j, k).as_deref(), Some(v), "{k} in {j}");
        }
        for k in ["seconds", "msgs_per_sec", "p50_us", "p99_us"] {
            let v = field(j, k).unwrap_or_else(|| panic!("no {k} in {j}"));
            assert!(
                v.parse::<f64>().is_ok_and(f64::is_finite),
                "{k} = {v} in {j}"
            );
        }
    }

    #[test]
    fn bench_argument_errors_name_the_argument() {
        let cases: &[(&[&str], &str)] = &[
            (&["--host", "127.0.0.1"], "--host needs --port"),
            (
                &["--host", "127.0.0.1", "--port", "0"],
                "--port 0: must be a number from 1 to 65535",
            ),
            (&["--port", "2775"], "--port needs --host"),
            (
                &["--smsc", "127.0.0.1:2775", "--host", "127.0.0.1"],
                "--smsc HOST:PORT and --host/--port are alternatives",
            ),
            (
                &["--smsc", "127.0.0.1"],
                "--smsc 127.0.0.1: expected HOST:PORT",
            ),
            (
                &["--tls", "--tls-dir", "/nonexistent", "--cert", "c.pem"],
                "--cert needs --key",
            ),
            (
                &["--tls", "--tls-dir", "/nonexistent", "--key", "k.pem"],
                "--key needs --cert",
            ),
            (
                &[
                    "--tls",
                    "--tls-dir",
                    "/nonexistent",
                    "--cert",
                    "c.pem",
                    "--key",
                    "k.pem",
                    "--p12",
                    "c.p12",
                ],
                "--cert/--key and --p12 are alternatives",
            ),
            (
                &[
                    "--tls",
                    "--tls-dir",
                    "/nonexistent",
                    "--p12-password",
                    "pw-not-shown",
                ],
                "--p12-password needs --p12",
            ),
            (&["--ca", "ca.pem"], "--ca needs --tls"),
            (&["--cert", "c.pem", "--key", "k.pem"], "--cert needs --tls"),
            (
                &["--tls", "--tls-version", "1.1"],
                "--tls-version 1.1: must be 1.2 or 1.3",
            ),
            (
                &["-n", "2", "--sessions", "3"],
                "-n 2: must be at least --sessions (3)",
            ),
            (
                &["--tls"],
                "--tls with the in-process simulator needs --tls-dir",
            ),
            (
                &[
                    "--tls",
                    "--tls-dir",
                    "/x",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "1",
                ],
                "--tls-dir is for the in-process simulator",
            ),
            (
                &["--sessions", "0"],
                "--sessions 0: must be a number from 1 to 64",
            ),
            (
                &["--size", "161"],
                "--size 161: must be a number from 1 to 160",
            ),
            (
                &["--frobnicate"],
                "unknown argument '--frobnicate' for esme bench",
            ),
        ];
        for (args, want) in cases {
            let mut a = vec!["bench"];
            a.extend_from_slice(args);
            let (code, out, err) = esme_run(&a);
            assert_eq!(code, 2, "{args:?}: {out}{err}");
            assert!(out.is_empty(), "{args:?}: {out}");
            assert!(err.starts_with("esme bench: "), "{args:?}: {err}");
            assert!(err.contains(want), "{args:?}: want {want:?}, got {err}");
            assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
            assert!(!err.contains("pw-not-shown"), "{args:?}: {err}");
        }
    }

    #[test]
    fn bench_against_an_smsc_refusing_the_bind_fails_in_one_line() {
        let smsc = EsmeSmsc::start(&["--refuse-binds", "0x0D"]);
        let (code, out, err) = bench(&smsc, &["-n", "300", "-w", "10"]);
        assert_ne!(code, 0, "{out}{err}");
        assert!(out.is_empty(), "{out}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("esme bench: "), "{err}");
        assert!(err.contains("ESME_RBINDFAIL"), "{err}");
    }
}

mod soak {
    use super::esme;

    /// A short soak with a fault every second: every check passes (exit 0), the report
    /// names the faults, and the CSV has one line per sample with every column.
    #[test]
    fn a_short_soak_with_faults_passes_its_checks_and_writes_the_samples() {
        let dir = std::env::temp_dir().join(format!("esme-soak-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let csv = dir.join("soak.csv");
        let csv_s = csv.to_string_lossy().into_owned();
        let (code, out, err) = esme(
            &[
                "soak",
                "-n",
                "30000",
                "--duration",
                "20",
                "--fault-every",
                "1",
                "--csv",
                &csv_s,
            ],
            None,
        );
        assert_eq!(code, 0, "{out}{err}");
        assert!(!out.contains("FAILED"), "{out}");
        // "threads A before, B after close; open files C before, D after close": A = B, C = D.
        let nums = |what: &str| -> (u64, u64) {
            let at = out
                .find(what)
                .unwrap_or_else(|| panic!("no '{what}' in {out}"));
            let rest = &out[at + what.len()..];
            let mut it = rest
                .split(|c: char| !c.is_ascii_digit())
                .filter(|x| !x.is_empty())
                .map(|x| x.parse::<u64>().unwrap());
            (it.next().unwrap(), it.next().unwrap())
        };
        let (t0, t1) = nums("threads ");
        let (f0, f1) = nums("open files ");
        assert!(t0 >= 1 && t0 == t1 && f0 == f1, "{out}");
        let last = out.lines().last().unwrap();
        assert!(last.starts_with("esme soak: "), "{out}");
        let text = std::fs::read_to_string(&csv).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            "seconds,submitted,accepted,rejected,unknown,not_sent,receipts,reconnects,faults,rss_kb,threads,fds,msgs_per_s"
        );
        let rows: Vec<Vec<u64>> = lines
            .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
            .collect();
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|r| r.len() == 13));
        let end = rows.last().unwrap();
        // submitted = accepted + rejected + unknown + not_sent at the end.
        assert_eq!(end[1], end[2] + end[3] + end[4] + end[5], "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn soak_arguments_are_checked() {
        for (args, want) in [
            (vec!["soak", "-n", "0"], "-n"),
            (vec!["soak", "-w", "0"], "-w"),
            (vec!["soak", "--threads", "100"], "--threads"),
            (
                vec!["soak", "--csv", "/nonexistent/dir/x.csv"],
                "--csv /nonexistent/dir/x.csv",
            ),
            (vec!["soak", "--bogus"], "--bogus"),
        ] {
            let (code, out, err) = esme(&args, None);
            assert_ne!(code, 0, "{args:?}");
            assert!(err.contains(want), "{args:?}: {out}{err}");
        }
    }
}

/// `esme mask --cut` masks a fragment as the logs do: a receipt's `text:` is cut at its end.
#[test]
fn mask_cut_masks_a_fragment_as_the_logs_do() {
    for (text, cut, want) in [
        (
            "text:Card 4111 1111 1111 ",
            "end",
            "text:Card **** **** **** \n",
        ),
        ("PIN 4921 for card 55", "end", "PIN **** for card **\n"),
        ("1111 1234 thanks", "start", "**** **** thanks\n"),
    ] {
        let (code, out, err) = esme(&["mask", "--group", "default", "--cut", cut], Some(text));
        assert_eq!((code, out.as_str(), err.as_str()), (0, want, ""), "{text}");
    }
    // Unmasked as a whole text: a fragment is not a whole match of any rule.
    let (_, out, _) = esme(&["mask", "--group", "default"], Some("Card 4111 1111 1111"));
    assert_eq!(out, "Card 4111 1111 1111\n");
    let (code, _, err) = esme(&["mask", "--regex", "x", "--cut", "end"], Some("x"));
    assert_eq!(code, 2);
    assert!(err.contains("--cut works with --group only"), "{err}");
    let (code, _, err) = esme(
        &["mask", "--group", "default", "--cut", "middle"],
        Some("x"),
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("--cut middle: one of end, start, both expected"),
        "{err}"
    );
}
