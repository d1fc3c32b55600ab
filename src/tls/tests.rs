//! Unit tests of the date and alert names and of the TLS sniffing.

use super::certs::show_time;
use super::diagnose::{alert_name, looks_like_tls};
use std::time::SystemTime;

#[test]
fn dates_and_names() {
    let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_795_000_000);
    assert_eq!(show_time(t), "2026-11-18 11:06 UTC");
    let leap = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_709_164_800);
    assert_eq!(show_time(leap), "2024-02-29 00:00 UTC");
    let end = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(4_102_444_799);
    assert_eq!(show_time(end), "2099-12-31 23:59 UTC");
    assert_eq!(show_time(SystemTime::UNIX_EPOCH), "1970-01-01 00:00 UTC");
    assert_eq!(
        alert_name(rustls::AlertDescription::BadCertificate),
        "bad_certificate"
    );
    assert!(looks_like_tls(&[0x15, 0x03, 0x03, 0x00, 0x02]));
    assert!(!looks_like_tls(&[0x00, 0x00, 0x00, 0x10]));
}
