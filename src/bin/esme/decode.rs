//! `esme decode`: hex in, every field by name out. The output format is stable (README).

use esme::pdu::describe::{describe, header_line};
use esme::pdu::{Decoded, Decoder};
use std::io::{Read, Write};
use std::process::ExitCode;

/// Parses hex as found in captures and logs: whitespace, ':' and ',' separators and `0x`
/// prefixes are ignored; anything else is an error naming the character and its position.
pub fn parse_hex(s: &str) -> Result<Vec<u8>, String> {
    let mut digits = Vec::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'0' && i + 1 < b.len() && (b[i + 1] == b'x' || b[i + 1] == b'X') {
            i += 2;
            continue;
        }
        match c {
            b' ' | b'\t' | b'\r' | b'\n' | b':' | b',' => {}
            c if c.is_ascii_hexdigit() => digits.push((c as char).to_digit(16).unwrap_or(0) as u8),
            _ => {
                let ch = s[i..].chars().next().unwrap_or('?');
                return Err(format!(
                    "invalid hex input: character {ch:?} at offset {i} is not a hex digit"
                ));
            }
        }
        i += 1;
    }
    if digits.is_empty() {
        return Err("no hex input: give a PDU as hex, e.g. esme decode 00000010000000150000000000000001".into());
    }
    if digits.len() % 2 == 1 {
        return Err(format!(
            "invalid hex input: odd number of hex digits ({}); each octet needs two",
            digits.len()
        ));
    }
    Ok(digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect())
}

/// Decodes every PDU in `bytes` and prints it. Returns whether all were well-formed.
pub fn print_all(bytes: &[u8], out: &mut impl Write) -> std::io::Result<bool> {
    let decoder = Decoder::new(u32::MAX);
    let mut pos = 0;
    let mut ok = true;
    while pos < bytes.len() {
        match decoder.decode(&bytes[pos..]) {
            Err(e) => {
                writeln!(out, "error at offset {pos}: {e}")?;
                return Ok(false);
            }
            Ok(Decoded::Incomplete { needed }) => {
                writeln!(
                    out,
                    "error at offset {pos}: incomplete PDU: {} octets given, {needed} needed",
                    bytes.len() - pos
                )?;
                return Ok(false);
            }
            Ok(Decoded::Malformed { error, len }) => {
                writeln!(out, "error at offset {pos}: {error}")?;
                ok = false;
                pos += len;
            }
            Ok(Decoded::Pdu { pdu, len }) => {
                writeln!(out, "{}", header_line(&pdu, len))?;
                for f in describe(&pdu) {
                    writeln!(out, "  {} = {}", f.name, f.value)?;
                }
                pos += len;
            }
        }
    }
    Ok(ok)
}

pub fn run(args: &[String], out: &mut impl Write) -> Result<ExitCode, String> {
    let input = if args.is_empty() || args == ["-"] {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        s
    } else {
        args.join(" ")
    };
    let bytes = parse_hex(&input)?;
    match print_all(&bytes, out) {
        Ok(true) => Ok(ExitCode::SUCCESS),
        Ok(false) => Ok(ExitCode::from(1)),
        Err(e) => Err(format!("cannot write output: {e}")),
    }
}
