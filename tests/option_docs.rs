//! The docs' option table against the code. The table is generated from `Config::options()`;
//! every option the docs name is in it; and every option it lists is accepted, with a valid
//! value (its default, or a sample for a required one), by a configuration file, by
//! `Config::set` (what `esme send --set`, `esme check --set` and `esme_config_set` call) and by
//! the `esme` command itself.

use esme::config::{Config, OptionSpec};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The page that holds the option table, from the repository's root. The only place that
/// names it: when the table moves, change this line.
const OPTION_TABLE_PAGE: &str = "docs/configuration.md";

/// The value given to a required option (it suits the host and the system_id alike).
const REQUIRED_SAMPLE: &str = "127.0.0.1";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every documentation page: the `.md` files at the root and under `docs/`.
fn doc_pages() -> Vec<PathBuf> {
    let mut pages = Vec::new();
    for dir in [root(), root().join("docs")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "md") {
                pages.push(p);
            }
        }
    }
    pages.sort();
    assert!(pages.iter().any(|p| p.ends_with(OPTION_TABLE_PAGE)));
    pages
}

const HEADER: &str = "| option | default | valid values | meaning |\n|---|---|---|---|\n";

/// The table's row for an option, as generated from the code.
fn row(s: &OptionSpec) -> String {
    let default = match s.default {
        "" => "(empty)".to_string(),
        "required" => "**required**".to_string(),
        d => format!("`{d}`"),
    };
    format!(
        "| `{}` | {default} | {} | {} |",
        s.name, s.valid, s.description
    )
}

fn generated_table() -> String {
    let mut t = String::from(HEADER);
    for s in Config::options() {
        t.push_str(&row(s));
        t.push('\n');
    }
    t
}

/// An option as the docs' table lists it: its name and its default (`None`: required).
struct Listed {
    name: String,
    default: Option<String>,
}

/// The rows of the option table on the page.
fn listed(page: &str) -> Vec<Listed> {
    let start = page
        .find(HEADER)
        .unwrap_or_else(|| panic!("{OPTION_TABLE_PAGE} has no option table ({HEADER:?})"));
    page[start + HEADER.len()..]
        .lines()
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            let name = cells[0].trim_matches('`').to_string();
            let default = match cells[1] {
                "**required**" => None,
                "(empty)" => Some(String::new()),
                d => Some(d.trim_matches('`').to_string()),
            };
            Listed { name, default }
        })
        .collect()
}

/// The page's option table is generated from `Config::options()`; this fails when they
/// drift, and prints the table to paste.
#[test]
fn the_option_table_is_generated_from_the_code() {
    let page = read(&root().join(OPTION_TABLE_PAGE));
    let missing: Vec<&str> = Config::options()
        .iter()
        .filter(|s| !page.lines().any(|l| l == row(s)))
        .map(|s| s.name)
        .collect();
    assert!(
        missing.is_empty() && page.contains(&generated_table()),
        "{OPTION_TABLE_PAGE}'s option table is out of date for {missing:?}; replace it with:\n\n{}",
        generated_table()
    );
    assert!(
        page.find("## Every option") < page.find(&generated_table()),
        "{OPTION_TABLE_PAGE}'s option table is under its heading '## Every option'"
    );
    for name in Config::ignored_options() {
        assert!(
            page.contains(&format!("`{name}`")),
            "{OPTION_TABLE_PAGE} lists ignored {name}"
        );
    }
}

/// An option the docs name anywhere (`x-smpp-…` or `x-debug-…` in backquotes) is in the option
/// table, so it is accepted: an option documented but missing from the table is refused as
/// unknown by every reader.
#[test]
fn every_option_the_docs_name_is_in_the_table() {
    let known = |n: &str| {
        Config::options().iter().any(|s| s.name == n) || Config::ignored_options().contains(&n)
    };
    let mut unknown = Vec::new();
    for page in doc_pages() {
        let text = read(&page);
        for prefix in ["`x-smpp-", "`x-debug-"] {
            for (at, _) in text.match_indices(prefix) {
                let name: String = text[at + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                // `x-smpp-tls-*` names a family, not an option.
                let family = text[at + 1 + name.len()..].starts_with('*');
                if !family && !known(&name) {
                    unknown.push(format!("{}: {name}", page.display()));
                }
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "the docs name options the option table does not have: {unknown:#?}"
    );
}

/// Every option the docs' table lists is accepted with its default (a sample value when it
/// is required) by a channel section file, by `Config::set` and by `esme check --set`; and
/// every row's example value by a file and by `Config::set`.
#[test]
fn every_option_in_the_docs_table_is_accepted_by_a_file_set_and_the_cli() {
    let options = listed(&read(&root().join(OPTION_TABLE_PAGE)));
    assert!(options.len() >= Config::options().len());
    let required: Vec<&str> = options
        .iter()
        .filter(|o| o.default.is_none())
        .map(|o| o.name.as_str())
        .collect();
    assert!(!required.is_empty());
    let value = |o: &Listed| o.default.clone().unwrap_or_else(|| REQUIRED_SAMPLE.into());
    let dir = std::env::temp_dir().join(format!("esme-option-docs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Nothing listens on this port: `esme check` fails fast at its TCP step, after options.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base_lines = |except: &str| -> String {
        let mut t = String::from("[channel-docs]\n");
        for r in required.iter().filter(|r| **r != except) {
            t.push_str(&format!("{r} = {REQUIRED_SAMPLE}\n"));
        }
        t
    };
    let base_file = dir.join("base.cfg");
    std::fs::write(
        &base_file,
        format!("{}x-smpp-port = {closed}\n", base_lines("")),
    )
    .unwrap();
    let mut refused = Vec::new();
    for o in &options {
        let v = value(o);
        // A file.
        let file = dir.join("one.cfg");
        std::fs::write(&file, format!("{}{} = {v}\n", base_lines(&o.name), o.name)).unwrap();
        if let Err(e) = Config::from_file(&file) {
            refused.push(format!("file: {} = {v}: {e}", o.name));
        }
        // Config::set.
        let mut c = Config::from_file(&base_file).unwrap();
        match c.set(&o.name, &v) {
            Ok(()) => {
                if let Err(e) = c.validate() {
                    refused.push(format!("set then validate: {} = {v}: {e}", o.name));
                }
            }
            Err(e) => refused.push(format!("Config::set: {} = {v}: {e}", o.name)),
        }
        // The command line.
        let out = Command::new(env!("CARGO_BIN_EXE_esme"))
            .arg("check")
            .arg("--config")
            .arg(&base_file)
            .arg("--set")
            .arg(format!("{}={v}", o.name))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !stdout.starts_with("✓ options") {
            refused.push(format!(
                "esme check --set {}={v}: {}{}",
                o.name,
                stdout.lines().next().unwrap_or_default(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    // Each row's example value (what the C ABI's unit test sets through esme_config_set),
    // by a file and by Config::set.
    for s in Config::options() {
        let file = dir.join("example.cfg");
        std::fs::write(
            &file,
            format!("{}{} = {}\n", base_lines(s.name), s.name, s.example),
        )
        .unwrap();
        if let Err(e) = Config::from_file(&file) {
            refused.push(format!("file: {} = {}: {e}", s.name, s.example));
        }
        let mut c = Config::from_file(&base_file).unwrap();
        if let Err(e) = c.set(s.name, s.example).and_then(|()| c.validate()) {
            refused.push(format!("Config::set: {} = {}: {e}", s.name, s.example));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        refused.is_empty(),
        "options the docs list that are refused: {refused:#?}"
    );
}
