//! PII masking throughput with the built-in rules (group "default"), std::time only.
//!
//! `cargo run --release --example mask_bench [-- MILLIS_PER_CASE]`
//!
//! Masks a 160-char SMS and 16/32/64 KiB texts with and without PII, prints µs per call and
//! MB/s, the 16 → 32 → 64 KiB time ratios (2.0 is linear), and the cost of each rule alone.
//! Numbers only: nothing here asserts on time.

use std::hint::black_box;
use std::time::{Duration, Instant};

use esme::pii::RuleSet;

const CLEAN: &[&str] = &[
    "Your order A12345678 ships on 2026-11-26 10:15:00. ",
    "Balance 1,234.56 EUR, last payment $1,234,567.89. ",
    "id:1234567890 sub:001 dlvr:001 submit date:2611261015 done date:2611261016 stat:DELIVRD err:000 text:Hello ",
    "Reply STOP to 12345 to opt out, HELP for help. ",
    "Ваш заказ 2871-1 доставлен, сумма 1 234,56 руб. ",
    "您的订单已发货，单号 0123456789abcdef，感谢惠顾。 ",
    "msg 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 seq 305419896 ",
    "See you at 10:15 on 26.11.2026 😀 ",
];

const WITH_PII: &[&str] = &[
    "Hi, my card is 4111 1111 1111 1111, please call me. ",
    "Mail john.smith@example.com or call (212) 555-0123. ",
    "Мой телефон +7 (495) 123-45-67, почта ivan.petrov@mail.ru. ",
    "手机+86 138 0013 8000，邮箱zhang.wei@example.cn。 ",
    "SSN 123-45-6789, IBAN DE89 3704 0044 0532 0130 00. ",
];

/// About `bytes` bytes of text (cut on a char boundary); every third sentence has PII.
fn text(bytes: usize, pii: bool) -> String {
    let mut s = String::with_capacity(bytes + 256);
    let mut i = 0usize;
    while s.len() < bytes {
        if pii && i % 3 == 2 {
            s.push_str(WITH_PII[(i / 3) % WITH_PII.len()]);
        } else {
            s.push_str(CLEAN[i % CLEAN.len()]);
        }
        i += 1;
    }
    let mut cut = bytes;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    s
}

/// Seconds per call, timed over at least `budget` (after one warm-up call).
fn time(budget: Duration, mut f: impl FnMut() -> usize) -> (f64, usize) {
    let masked = f();
    let mut n = 0u64;
    let start = Instant::now();
    while start.elapsed() < budget || n < 10 {
        black_box(f());
        n += 1;
    }
    (start.elapsed().as_secs_f64() / n as f64, masked)
}

fn main() {
    let millis: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(400);
    let budget = Duration::from_millis(millis);
    let rules = RuleSet::builtin();
    let group = |t: &str| rules.mask_by_group(t, "default").unwrap().count;

    let mut sms: String =
        "Hi! Card 4111 1111 1111 1111, call +7 (495) 123-45-67 or mail ivan@mail.ru. ".into();
    while sms.chars().count() < 160 {
        sms.push_str("Thanks, ");
    }
    let sms: String = sms.chars().take(160).collect();

    println!(
        "esme PII masking, built-in rules (group \"default\"), {} ms per case",
        millis
    );
    println!(
        "{:<22} {:>8} {:>8} {:>12} {:>9}",
        "input", "bytes", "masked", "µs/call", "MB/s"
    );
    let row = |name: &str, t: &str| {
        let (secs, masked) = time(budget, || group(t));
        println!(
            "{:<22} {:>8} {:>8} {:>12.2} {:>9.1}",
            name,
            t.len(),
            masked,
            secs * 1e6,
            t.len() as f64 / secs / 1e6
        );
        secs
    };
    row("SMS 160 chars, PII", &sms);
    let plain_sms: String = text(400, false).chars().take(160).collect();
    row("SMS 160 chars, no PII", &plain_sms);

    let mut ratios = Vec::new();
    for pii in [false, true] {
        let mut times = Vec::new();
        for kib in [16, 32, 64] {
            let t = text(kib * 1024, pii);
            let name = format!("{} KiB, {}", kib, if pii { "PII" } else { "no PII" });
            times.push(row(&name, &t));
        }
        ratios.push((pii, times[1] / times[0], times[2] / times[1]));
    }
    println!();
    println!("linearity (time ratio per doubling; 2.00 is linear):");
    for (pii, a, b) in ratios {
        let what = if pii { "PII   " } else { "no PII" };
        println!("  {what}: 32/16 KiB = {a:.2}, 64/32 KiB = {b:.2}");
    }

    println!();
    println!("each rule alone on 64 KiB (mask_by_rule):");
    for pii in [false, true] {
        let t = text(64 * 1024, pii);
        for name in rules.rule_names() {
            let (secs, masked) = time(budget / 4, || rules.mask_by_rule(&t, name).unwrap().count);
            println!(
                "  {:<8} {:<13} {:>10.1} µs {:>8.1} MB/s  masked {}",
                if pii { "PII" } else { "no PII" },
                name,
                secs * 1e6,
                t.len() as f64 / secs / 1e6,
                masked
            );
        }
    }
}
