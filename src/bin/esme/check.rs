//! `esme check`: walk a channel configuration step by step.

use crate::args::Args;
use std::io::Write;
use std::process::ExitCode;

pub const HELP: &str = "\
esme check --config FILE [--set OPTION=VALUE]… [--log LEVEL]
  Walks the channel configuration step by step and prints one line per step with ✓ or ✗:
  options valid → PKCS#12 file opens (each password) and its key matches its certificate,
  dates → trust source loads → TCP connect → TLS handshake (version, cipher suite, the SMSC's
  certificate subject and expiry) → bind (then unbinds). Warnings print as '! …'. For a
  Genesys channel section, '- options' lines name each option esme ignores (not about SMPP)
  and each whose meaning differs from the Genesys driver's.
  Exit status 0 when every step passes, 1 at the first failure, 2 on bad usage.
  --log LEVEL (or ESME_LOG): the library's log on standard error (error, warn, info, debug,
  trace), e.g. the configuration and the bind PDUs at debug.";

pub fn run(args: &[String], out: &mut impl Write) -> Result<ExitCode, String> {
    let a = Args::parse("check", args, &["--config", "--set", "--log"], &[])?;
    crate::logging::install(&a)?;
    let mut sets = Vec::new();
    for kv in a.all("--set") {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| format!("--set {kv}: expected OPTION=VALUE"))?;
        sets.push((k.trim().to_string(), v.trim().to_string()));
    }
    // Unlike send, a configuration that does not validate is a step that fails, not a usage
    // error: load without validating, then let check() report it.
    let config = match a.get("--config") {
        Some(path) => {
            let mut c = esme::config::Config::from_file(std::path::Path::new(path));
            if let Ok(cfg) = c.as_mut() {
                for (k, v) in &sets {
                    if let Err(e) = cfg.set(k, v) {
                        writeln!(out, "✗ options      --set {k}: {e}")
                            .map_err(|e| e.to_string())?;
                        return Ok(ExitCode::from(1));
                    }
                }
            }
            c
        }
        None => esme::config::Config::from_options(sets),
    };
    let config = match config {
        Ok(c) => c,
        Err(e) => {
            writeln!(out, "✗ options      {e}").map_err(|e| e.to_string())?;
            return Ok(ExitCode::from(1));
        }
    };
    let steps = esme::client::check(&config);
    let mut ok = true;
    for s in &steps {
        let mark = if s.ok { "✓" } else { "✗" };
        writeln!(out, "{mark} {:<12} {}", s.name, s.detail).map_err(|e| e.to_string())?;
        for n in &s.notes {
            writeln!(out, "- {:<12} {n}", s.name).map_err(|e| e.to_string())?;
        }
        for w in &s.warnings {
            writeln!(out, "! {:<12} {w}", s.name).map_err(|e| e.to_string())?;
        }
        ok &= s.ok;
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
