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
usage: esme <command> [arguments]
       esme <command> --help     (or -h, or esme help <command>: that command's options)

commands:
  demo            what esme is for, on the built-in simulator: mutual TLS with a Java
                  keystore, masked logs, two TLS problems diagnosed (--plain: plain TCP)
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

const VERSION_HELP: &str = "\
esme version   (also: esme --version, esme -V)
  Prints `esme X.Y.Z`, the version of the library and tool. Takes no options.";

/// The help text of a command, for `esme help <command>` and `esme <command> --help`.
fn help_of(cmd: &str) -> Option<&'static str> {
    Some(match cmd {
        "send" => send::HELP,
        "smsc" => smsc::HELP,
        "bench" => bench::HELP,
        "soak" => soak::HELP,
        "demo" => demo::HELP,
        "check" => check::HELP,
        "mask" => mask::HELP,
        "decode" => decode::HELP,
        "version" => VERSION_HELP,
        "help" => USAGE,
        _ => return None,
    })
}

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
    // `--help` or `-h` anywhere among a known command's arguments: its help, on standard
    // output, exit 0 (an option's value that is literally `-h` is written `--text=-h`).
    // `esme help CMD --help` is CMD's help, below.
    if cmd != "help" && rest.iter().any(|a| a == "--help" || a == "-h") {
        if let Some(text) = help_of(cmd) {
            let _ = writeln!(out, "{}", text.trim_end());
            let _ = out.flush();
            return ExitCode::SUCCESS;
        }
    }
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
            let text = rest.first().and_then(|c| help_of(c)).unwrap_or(USAGE);
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
