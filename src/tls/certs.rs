//! What messages say about a certificate: its subject, issuer, dates and names, and dates
//! written for people.

use std::time::SystemTime;

/// Facts about a certificate, for messages.
pub(crate) struct CertFacts {
    pub subject: String,
    pub issuer: String,
    pub not_before: Option<SystemTime>,
    pub not_after: Option<SystemTime>,
    pub names: Vec<String>,
    /// It has a subjectAltName extension (even one without DNS or IP names).
    pub has_san: bool,
    /// The subject's common name, when it has one.
    pub cn: Option<String>,
}

pub(crate) fn cert_facts(der: &[u8]) -> Option<CertFacts> {
    use der::Decode;
    use x509_cert::ext::pkix::name::GeneralName;
    use x509_cert::ext::pkix::SubjectAltName;
    let c = x509_cert::Certificate::from_der(der).ok()?;
    let tbs = &c.tbs_certificate;
    let mut names = Vec::new();
    let san = tbs.get::<SubjectAltName>();
    let has_san = matches!(san, Ok(Some(_)));
    if let Ok(Some((_, san))) = san {
        for n in san.0 {
            match n {
                GeneralName::DnsName(d) => names.push(d.to_string()),
                GeneralName::IpAddress(ip) => {
                    let b = ip.as_bytes();
                    if let Ok(a) = <[u8; 4]>::try_from(b) {
                        names.push(std::net::Ipv4Addr::from(a).to_string());
                    } else if let Ok(a) = <[u8; 16]>::try_from(b) {
                        names.push(std::net::Ipv6Addr::from(a).to_string());
                    }
                }
                _ => {}
            }
        }
    }
    Some(CertFacts {
        subject: tbs.subject.to_string(),
        issuer: tbs.issuer.to_string(),
        not_before: Some(tbs.validity.not_before.to_system_time()),
        not_after: Some(tbs.validity.not_after.to_system_time()),
        names,
        has_san,
        cn: common_name(&tbs.subject),
    })
}

/// The (last) commonName of a name, as text.
fn common_name(name: &x509_cert::name::Name) -> Option<String> {
    const CN: der::asn1::ObjectIdentifier = der::asn1::ObjectIdentifier::new_unwrap("2.5.4.3");
    name.0
        .iter()
        .rev()
        .flat_map(|rdn| rdn.0.iter().rev())
        .find(|atv| atv.oid == CN)
        .map(|atv| {
            use der::asn1::{PrintableStringRef, Utf8StringRef};
            atv.value
                .decode_as::<Utf8StringRef<'_>>()
                .map(|s| s.to_string())
                .or_else(|_| {
                    atv.value
                        .decode_as::<PrintableStringRef<'_>>()
                        .map(|s| s.to_string())
                })
                .unwrap_or_else(|_| format!("{atv}"))
        })
}

/// A date for messages: `2026-11-26 14:03 UTC`.
pub(crate) fn show_time(t: SystemTime) -> String {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_else(|e| -(e.duration().as_secs() as i64));
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60
    )
}

/// Whole days from `now` until `not_after` (negative once expired: -1 within the first day
/// after it).
pub fn days_left(not_after: SystemTime, now: SystemTime) -> i64 {
    const DAY: u64 = 86_400;
    match not_after.duration_since(now) {
        Ok(left) => (left.as_secs() / DAY) as i64,
        Err(e) => -(e.duration().as_secs().div_ceil(DAY) as i64),
    }
}

/// One line to log when a certificate has expired or expires within `window_days` days;
/// `None` otherwise. `whose` starts it: "client certificate", "the SMSC's certificate".
pub(crate) fn expiry_warning(
    whose: &str,
    subject: &str,
    not_after: SystemTime,
    now: SystemTime,
    window_days: u32,
) -> Option<String> {
    let days = days_left(not_after, now);
    let end = show_time(not_after);
    if days < 0 {
        Some(format!(
            "{whose} \"{subject}\" expired on {end} ({} days ago): renew it",
            -days
        ))
    } else if window_days > 0 && days <= i64::from(window_days) {
        Some(format!(
            "{whose} \"{subject}\" expires on {end}, in {days} days: renew it"
        ))
    } else {
        None
    }
}
