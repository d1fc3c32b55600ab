//! The `esme` command line tool. `esme help` lists the commands.

mod args;
mod bench;
mod check;
mod decode;
mod demo;
mod logging;
mod mask;
mod send;
mod smsc;
mod soak;

use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "\
usage: esme <command> [arguments]     (esme help <command> for its options)

commands:
  demo            bind to the built-in simulator, send, receive, and show what happened
  send            submit messages with a channel configuration (Genesys option names)
  check           walk a channel configuration step by step: options, certificate, trust,
                  TCP, TLS, bind
  smsc            run the built-in SMSC simulator in the foreground
  bench           measure throughput and latency against the simulator
  soak            a long run with receipts and faults, sampling memory, threads and files
  mask            mask personal data in a text with PII rules (DataByGroup/Rule/RegEx)
  decode [HEX…]   decode SMPP PDUs from hex (arguments, or standard input when none or '-')
                  and print every field and TLV by name
  version         print the library version
  help            print this help
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cmd, rest) = match args.split_first() {
        Some((c, r)) => (c.as_str(), r),
        None => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let r = match cmd {
        "decode" => decode::run(rest, &mut out),
        "send" => send::run(rest, &mut out),
        "smsc" => smsc::run(rest, &mut out),
        "bench" => bench::run(rest, &mut out),
        "soak" => soak::run(rest, &mut out),
        "demo" => demo::run(rest, &mut out),
        "check" => check::run(rest, &mut out),
        "mask" => mask::run(rest, &mut out),
        "version" | "--version" | "-V" => writeln!(out, "esme {}", env!("CARGO_PKG_VERSION"))
            .map(|_| ExitCode::SUCCESS)
            .map_err(|e| e.to_string()),
        "help" | "--help" | "-h" => {
            let text = match rest.first().map(String::as_str) {
                Some("send") => send::HELP,
                Some("smsc") => smsc::HELP,
                Some("bench") => bench::HELP,
                Some("soak") => soak::HELP,
                Some("demo") => demo::HELP,
                Some("check") => check::HELP,
                Some("mask") => mask::HELP,
                _ => USAGE,
            };
            let _ = writeln!(out, "{}", text.trim_end());
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!(
            "unknown command '{other}' (commands: demo, send, check, smsc, bench, soak, mask, decode, version, help)"
        )),
    };
    let _ = out.flush();
    match r {
        Ok(code) => code,
        Err(e) => {
            eprintln!("esme {cmd}: {e}");
            ExitCode::from(2)
        }
    }
}
