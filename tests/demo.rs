//! `esme demo`, run as a new user runs it: each part of its output.

use esme::config::{Config, Opt};
use std::path::Path;
use std::process::Command;

/// The demo's message: the card and phone numbers it holds.
const CARD: &str = "4539148803436467";
const PHONE: &str = "447700900123";
/// The passwords the demo's channel uses (`src/bin/esme/demo/`).
const PASSWORDS: [&str; 3] = ["Bind-pw8", "keystore-pass", "key-pass"];

fn demo(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_esme"))
        .arg("demo")
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

/// The lines whose first column is `label`, without it.
fn labelled<'a>(out: &'a str, label: &str) -> Vec<&'a str> {
    out.lines()
        .filter_map(|l| l.strip_prefix(label))
        .filter_map(|l| l.strip_prefix(' '))
        .map(str::trim_start)
        .collect()
}

/// The runs of 4 or more digits in `line` that are digits of the card or the phone number:
/// personal data that got through. A payment card keeps its last four digits after mask
/// characters (PCI DSS allows it), so those are not counted.
fn leaked(line: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run = String::new();
    let mut before = ' ';
    for c in line.chars().chain([' ']) {
        if c.is_ascii_digit() {
            run.push(c);
            continue;
        }
        if run.len() >= 4 && (CARD.contains(&run) || PHONE.contains(&run)) {
            let kept_last_four = before == '*' && CARD.ends_with(&run) && run.len() == 4;
            if !kept_last_four {
                runs.push(run.clone());
            }
        }
        run.clear();
        before = c;
    }
    runs
}

#[test]
fn the_leak_scan_finds_what_it_must() {
    assert!(leaked("text:Card 4539 1488 0343 ").len() == 3);
    assert_eq!(leaked("to=\"447700900123\""), [PHONE]);
    assert_eq!(leaked("Call +44 7700 900123"), ["7700", "900123"]);
    assert!(leaked("Card ***************6467 date:261204022750 to=*********123").is_empty());
    assert_eq!(leaked("Card 6467"), ["6467"]);
}

/// The demo: a PKI in a temporary folder, mutual TLS with a split-password PKCS#12, the
/// channel section with `***` for its passwords, the message's log lines masked, its outcome
/// and receipt, two of the seed's problems with esme's line and the Genesys line, exit 0, and
/// the folder gone.
#[test]
fn demo_shows_what_esme_is_for() {
    let (code, out, err) = demo(&[]);
    assert_eq!(code, 0, "{out}{err}");

    // The PKI, in a folder of the temporary folder that is gone at the end.
    let pki = labelled(&out, "pki");
    assert_eq!(pki.len(), 1, "{out}");
    let (folder, made) = pki[0].split_once(": ").expect("pki FOLDER: …");
    let folder = Path::new(folder);
    assert!(
        folder.starts_with(std::env::temp_dir())
            && folder
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("esme-demo-")),
        "{out}"
    );
    assert!(!folder.exists(), "{} is left behind", folder.display());
    assert_eq!(labelled(&out, "removed"), [folder.to_str().unwrap()]);
    assert!(
        made.contains(
            "client.p12 (our key and certificate, and the CA as a trusted entry: a PKCS#12 \
             keystore as Java writes it, its file and key passwords differ)"
        ),
        "{out}"
    );

    // The simulator requires client certificates.
    let sim = labelled(&out, "simulator");
    assert!(
        sim.len() == 1 && sim[0].contains("client certificates issued by ca.pem only"),
        "{out}"
    );

    // The channel section: Genesys option names, passwords as ***, and it reads as a channel
    // section of mutual TLS with the keystore.
    let start = out.find("\nchannel ").expect("a channel line") + 1;
    let section: Vec<&str> = out[start..]
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("            "))
        .map(str::trim)
        .collect();
    assert_eq!(section[0], "[channel-demo]", "{out}");
    for secret in [
        Opt::Password,
        Opt::TlsCertificateFilePassword,
        Opt::TlsCertificatePassword,
    ] {
        assert!(secret.spec().secret);
        assert!(
            section.contains(&format!("{secret} = ***").as_str()),
            "{secret} in {section:#?}"
        );
    }
    let keystore = format!("{}/client.p12", folder.display());
    for (opt, value) in [
        (Opt::Host, "127.0.0.1"),
        (Opt::SystemId, "demo"),
        (Opt::TlsMode, "mutual"),
        (Opt::TlsPathToCertificate, keystore.as_str()),
    ] {
        assert!(
            section.contains(&format!("{opt} = {value}").as_str()),
            "{opt} in {section:#?}"
        );
    }
    let shown = section.join("\n");
    assert_eq!(Config::masked_section(&shown), shown + "\n");
    for password in PASSWORDS {
        assert!(!out.contains(password) && !err.contains(password), "{out}");
    }

    // The mutual-TLS bind, naming the split-password keystore.
    let bound = labelled(&out, "bound");
    assert!(
        bound.len() == 1
            && bound[0].starts_with("as transceiver to esme-sim over mutual TLS (TLSv1_")
            && bound[0].contains(") with client.p12: the SMSC's certificate checked against its trusted entry, ours (CN=esme demo client,O=esme demo) sent, its key opened with the key password"),
        "{out}"
    );

    // The message holds a card and a phone number; its log lines show neither.
    let message = labelled(&out, "message");
    assert!(
        message.len() == 1
            && message[0].starts_with(&format!("to {PHONE}: \"Card 4539 1488 0343 6467 "))
            && message[0].contains("+44 7700 900123"),
        "{out}"
    );
    let logs = labelled(&out, "log");
    for pdu in [
        " submit_sm ",
        " submit_sm_resp ",
        " deliver_sm ",
        " deliver_sm_resp ",
    ] {
        assert_eq!(
            logs.iter().filter(|l| l.contains(pdu)).count(),
            1,
            "{pdu} in {logs:#?}"
        );
    }
    for l in &logs {
        assert!(
            l.contains("DEBUG") || l.contains("Debug") || l.contains("debug"),
            "{l}"
        );
        assert!(leaked(l).is_empty(), "personal data {:?} in {l}", leaked(l));
    }
    let submit = logs.iter().find(|l| l.contains(" submit_sm ")).unwrap();
    assert!(
        submit.contains("destination_addr=\"*********123\"")
            && submit.contains("short_message=\"Card "),
        "{submit}"
    );
    let receipt_pdu = logs.iter().find(|l| l.contains(" deliver_sm ")).unwrap();
    assert!(receipt_pdu.contains("stat:DELIVRD"), "{receipt_pdu}");

    // The outcome and the receipt, for the same message id.
    let outcome = labelled(&out, "outcome");
    assert_eq!(outcome.len(), 1, "{out}");
    let id = outcome[0].strip_prefix("accepted, id ").expect("accepted");
    assert_eq!(labelled(&out, "receipt"), [format!("{id} DELIVERED")]);

    // Two of the seed's problems: esme's one line, and the Genesys line it replaces, which
    // docs/tls.md maps to the same code.
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/tls.md")).unwrap();
    let problems = labelled(&out, "problem");
    let says = labelled(&out, "esme says");
    let instead = labelled(&out, "instead of");
    assert_eq!(
        (problems.len(), says.len(), instead.len()),
        (2, 2, 2),
        "{out}"
    );
    assert!(problems[0].starts_with("\"Password for your certificate is invalid\": "));
    assert!(
        says[0].starts_with(&format!(
            "error 306: {} is wrong",
            Opt::TlsCertificatePassword
        )),
        "{out}"
    );
    assert!(problems[1].starts_with("\"SMSC is not trusted certificate for your certificate\": "));
    assert!(
        says[1].starts_with("error 330: the SMSC did not accept our client certificate"),
        "{out}"
    );
    for (say, genesys) in says.iter().zip(&instead) {
        let code = &say["error ".len()..say.find(':').unwrap()];
        let (clock, event) = genesys.split_once(' ').unwrap();
        assert!(
            clock.len() == 12 && clock.as_bytes()[2] == b':' && clock.as_bytes()[8] == b'.',
            "{genesys}"
        );
        assert!(event.starts_with("Std 430"), "{genesys}");
        assert!(event.contains(" (channel-demo).(oSmpp."), "{genesys}");
        let text = event
            .split_once(": error... ")
            .expect("the seed's format")
            .1;
        let event = &event[..event.find(" (").unwrap()];
        assert!(
            docs.lines()
                .any(|l| l.contains(text) && l.contains(code) && l.contains(event)),
            "docs/tls.md maps {event} {text:?} to {code}"
        );
    }

    let closed = labelled(&out, "closed");
    assert!(
        closed.len() == 1 && closed[0].starts_with("submitted 1 accepted 1 receipts 1 "),
        "{out}"
    );
    assert_eq!(err, "");
}

/// `esme demo --plain`: the main job over plain TCP, as before.
#[test]
fn plain_demo_runs_the_main_job() {
    let (code, out, err) = demo(&["--plain"]);
    assert_eq!(code, 0, "{out}{err}");
    let first: Vec<&str> = out
        .lines()
        .map(|l| l.split_whitespace().next().unwrap_or(""))
        .collect();
    assert_eq!(first[..3], ["simulator", "bound", "sent"], "{out}");
    assert!(
        out.contains("bound       as transceiver to esme-sim\n"),
        "{out}"
    );
    assert!(!out.contains("TLS") && !out.contains("pki"), "{out}");
    assert_eq!(out.matches("DELIVERED").count(), 4, "{out}");
    assert!(
        out.lines()
            .last()
            .unwrap()
            .starts_with("closed      submitted 2 accepted 2 receipts 4 messages 1"),
        "{out}"
    );
    let (code, _, err) = demo(&["--tls"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown argument '--tls' for esme demo (valid: --log VALUE, --plain)"),
        "{err}"
    );
}
