//! The `esme` command line tool. `esme help` lists the commands.

mod decode;

use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "\
usage: esme <command> [arguments]

commands:
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
        "version" | "--version" | "-V" => writeln!(out, "esme {}", env!("CARGO_PKG_VERSION"))
            .map(|_| ExitCode::SUCCESS)
            .map_err(|e| e.to_string()),
        "help" | "--help" | "-h" => {
            let _ = write!(out, "{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!(
            "unknown command '{other}' (commands: decode, version, help)"
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
