//! The direction of dependencies inside the crate, checked on the source text.
//!
//! Each module in [`LAYERS`] imports (by `use` or by a path written in code) only from itself
//! and from the crate modules listed beside it; never through the crate root, which re-exports
//! everything. Inside the module the files import one another without a cycle: a file names a
//! sibling by its module path (`super::error::Problem`), not through the parent's re-exports
//! (`super::Problem`), so a folder's `mod.rs` is its table of contents and nothing else leans on
//! it. Test code (`#[cfg(test)]` items and the files they declare) is not counted, nor imports
//! for doc links only (`#[cfg(doc)]`).
//!
//! The scanner needs no parser crate: comments, strings and character literals are blanked
//! out, `#[cfg(test)]` items are dropped, and what remains is searched for `use` trees and for
//! paths that start with `crate`, `super`, `self` or a child module. The tests at the end show
//! it finds what it must and nothing else.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What a module may import from the other modules of the crate.
#[derive(Clone, Copy)]
enum May {
    /// Only these.
    Only(&'static [&'static str]),
    /// Any module but these (and never through the crate root's re-exports, which would hide
    /// which module an item comes from).
    AllBut(&'static [&'static str]),
}

use May::{AllBut, Only};

/// (module, what it may import). Data flows down: `text` builds on `pdu` (its
/// `pdu_fields.rs` puts segments into PDUs), `pdu` stands on nothing of ours, nor does
/// `transport` (the socket and TLS stream `client` and `tls` share), and `pii` only on the
/// `files` leaf (its rule file is read with a size cap); the sans-IO `session`
/// stands on `pdu` (and the `idhash` maps). `tls` sits below the client, and `config` beside
/// the stack, read by `tls`, `client` and `ffi`. Each module also has no import cycle between
/// its files. Who may import `ffi` (nobody but `ffi` and the CLI) is checked on every module by
/// `only_ffi_imports_ffi`.
const LAYERS: &[(&str, May)] = &[
    ("pdu", Only(&[])),
    ("text", Only(&["pdu"])),
    ("pii", Only(&["files"])),
    ("transport", Only(&[])),
    ("session", Only(&["pdu", "idhash"])),
    ("tls", AllBut(&["client", "ffi"])),
    ("config", AllBut(&["client", "tls", "ffi"])),
];

#[test]
fn pdu_imports_nothing_above_it_and_has_no_cycle() {
    assert_layer("pdu");
}

#[test]
fn text_imports_only_pdu_and_has_no_cycle() {
    assert_layer("text");
}

#[test]
fn pii_imports_only_the_files_leaf_and_has_no_cycle() {
    assert_layer("pii");
}

#[test]
fn session_imports_only_pdu_and_has_no_cycle() {
    assert_layer("session");
}

#[test]
fn transport_imports_nothing_of_the_crate_and_has_no_cycle() {
    assert_layer("transport");
}

#[test]
fn tls_imports_no_client_and_has_no_cycle() {
    assert_layer("tls");
}

#[test]
fn config_imports_no_client_tls_or_ffi_and_has_no_cycle() {
    assert_layer("config");
}

/// `ffi` is the C ABI on top of everything: no module of the library leans on it (the
/// command line tool, a crate of its own, may).
#[test]
fn only_ffi_imports_ffi() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = crate_modules(&src);
    for m in [
        "pdu",
        "client",
        "config",
        "tls",
        "transport",
        "ffi",
        "error",
        "log",
    ] {
        assert!(
            modules.iter().any(|x| x == m),
            "{m} not found in src/lib.rs: {modules:?}"
        );
    }
    let mut problems = Vec::new();
    for m in modules.iter().filter(|m| *m != "ffi") {
        let files = load_layer(&src, m);
        problems.extend(check(m, AllBut(&["ffi"]), &files).imports);
    }
    // Without the crate root's re-exports: `crate::Error` names the `error` module's item.
    problems.retain(|p| !p.contains("through the crate root"));
    assert!(
        problems.is_empty(),
        "modules that import ffi (tests/layers.rs):\n{}",
        problems.join("\n")
    );
}

/// The crate's modules import one another without a cycle: the layers above each hold within a
/// module; this holds between them (e.g. `tls` returns its own handshake error rather than
/// `error::Error`, which wraps `TlsError`).
#[test]
fn the_crate_modules_import_one_another_without_a_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = crate_modules(&src);
    // module → module it imports → where it was seen first.
    let mut seen: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for m in &modules {
        seen.entry(m.clone()).or_default();
        for f in load_layer(&src, m) {
            for r in references(&f.src, &f.module) {
                if let Some(top) = r.path.first().filter(|t| *t != m && modules.contains(t)) {
                    seen.entry(m.clone())
                        .or_default()
                        .entry(top.clone())
                        .or_insert_with(|| format!("{}:{}: {}", f.rel, r.line, r.shown));
                }
            }
        }
    }
    let edges: BTreeMap<&str, BTreeMap<&str, String>> = seen
        .iter()
        .map(|(m, to)| {
            (
                m.as_str(),
                to.iter().map(|(t, at)| (t.as_str(), at.clone())).collect(),
            )
        })
        .collect();
    // The scanner saw the stack: the client stands on the session, the session on the codec.
    assert!(edges["client"].contains_key("session") && edges["session"].contains_key("pdu"));
    let found: Vec<String> = cycles(&edges)
        .into_iter()
        .map(|c| {
            let steps: Vec<String> = c
                .windows(2)
                .map(|w| format!("  {} -> {} ({})", w[0], w[1], edges[w[0]][w[1]]))
                .collect();
            format!("{}\n{}", c.join(" -> "), steps.join("\n"))
        })
        .collect();
    assert!(
        found.is_empty(),
        "import cycles between the crate's modules (tests/layers.rs):\n{}",
        found.join("\n")
    );
}

/// The modules `src/lib.rs` declares.
fn crate_modules(src: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(src.join("lib.rs")).expect("src/lib.rs");
    let toks = code_tokens(&text);
    toks.windows(3)
        .filter(|w| w[0].text == "mod" && is_ident(&w[1].text) && w[2].text == ";")
        .map(|w| w[1].text.clone())
        .collect()
}

fn assert_layer(layer: &str) {
    let may = LAYERS
        .iter()
        .find(|(l, _)| *l == layer)
        .map(|(_, a)| *a)
        .expect("layer listed in LAYERS");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = load_layer(&src, layer);
    // A scanner that silently found nothing would pass: check it saw the module's files and
    // the imports between them.
    assert!(
        files.len() >= 2,
        "{layer}: only {} files found: {:?}",
        files.len(),
        files.iter().map(|f| &f.rel).collect::<Vec<_>>()
    );
    let report = check(layer, may, &files);
    assert!(
        report.edges >= files.len() - 1,
        "{layer}: only {} imports between its files were found",
        report.edges
    );
    let problems: Vec<String> = report.imports.into_iter().chain(report.cycles).collect();
    assert!(
        problems.is_empty(),
        "{layer} breaks the direction of dependencies (tests/layers.rs):\n{}",
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Loading a module's files

/// One source file of the crate and the module path it defines (`src/pdu/tlv.rs`: `pdu::tlv`).
#[derive(Clone)]
struct File {
    rel: String,
    module: Vec<String>,
    src: String,
}

/// The files of `src/<layer>` (or `src/<layer>.rs`), following its non-test `mod x;` lines.
fn load_layer(src: &Path, layer: &str) -> Vec<File> {
    let root = [
        src.join(layer).join("mod.rs"),
        src.join(format!("{layer}.rs")),
    ]
    .into_iter()
    .find(|p| p.is_file())
    .unwrap_or_else(|| panic!("no src/{layer}/mod.rs nor src/{layer}.rs"));
    let mut out = Vec::new();
    let mut todo = vec![(root, vec![layer.to_string()])];
    while let Some((path, module)) = todo.pop() {
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let rel = path
            .strip_prefix(src.parent().expect("src has a parent"))
            .expect("under the crate")
            .display()
            .to_string();
        let toks = code_tokens(&text);
        assert!(
            !toks
                .windows(3)
                .any(|w| w[0].text == "#" && w[1].text == "[" && w[2].text == "path"),
            "{rel}: #[path] modules are not understood by tests/layers.rs"
        );
        let dir: PathBuf = if path.file_name().is_some_and(|n| n == "mod.rs") {
            path.parent().expect("a folder").to_path_buf()
        } else {
            path.with_extension("")
        };
        for child in declared_files(&toks) {
            let next = [
                dir.join(format!("{child}.rs")),
                dir.join(&child).join("mod.rs"),
            ]
            .into_iter()
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("{rel}: no file for `mod {child};`"));
            let mut m = module.clone();
            m.push(child);
            todo.push((next, m));
        }
        out.push(File {
            rel,
            module,
            src: text,
        });
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    out
}

/// Names of `mod x;` declarations (their code is in another file).
fn declared_files(toks: &[Tok]) -> Vec<String> {
    toks.windows(3)
        .filter(|w| w[0].text == "mod" && is_ident(&w[1].text) && w[2].text == ";")
        .map(|w| w[1].text.clone())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The check

struct Report {
    /// Imports from modules the layer may not import, one line each naming the file and line.
    imports: Vec<String>,
    /// Import cycles between the layer's files.
    cycles: Vec<String>,
    /// Imports between two different files of the layer.
    edges: usize,
}

fn check(layer: &str, may: May, files: &[File]) -> Report {
    let known: BTreeMap<&[String], &str> = files
        .iter()
        .map(|f| (f.module.as_slice(), f.rel.as_str()))
        .collect();
    let mut imports = Vec::new();
    // from file → to file → where it was seen first.
    let mut edges: BTreeMap<&str, BTreeMap<&str, String>> = BTreeMap::new();
    for f in files {
        edges.entry(&f.rel).or_default();
        for r in references(&f.src, &f.module) {
            let at = format!("{}:{}: {}", f.rel, r.line, r.shown);
            let Some(top) = r.path.first() else {
                imports.push(format!(
                    "{at}: imports through the crate root; name the module instead"
                ));
                continue;
            };
            if top != layer {
                let through_root = !top.starts_with(|c: char| c.is_ascii_lowercase());
                match may {
                    Only(allowed) if !allowed.contains(&top.as_str()) => {
                        let may = if allowed.is_empty() {
                            "nothing else of the crate".to_string()
                        } else {
                            format!("only from {}", allowed.join(", "))
                        };
                        imports.push(format!(
                            "{at}: {layer} imports from `{top}`, but may import {may}"
                        ));
                    }
                    AllBut(_) if through_root => imports.push(format!(
                        "{at}: imports `{top}` through the crate root; name its module instead"
                    )),
                    AllBut(denied) if denied.contains(&top.as_str()) => imports.push(format!(
                        "{at}: {layer} imports from `{top}`, but may not import {}",
                        denied.join(", ")
                    )),
                    _ => {}
                }
                continue;
            }
            let target = (1..=r.path.len())
                .rev()
                .find_map(|n| known.get(&r.path[..n]))
                .copied()
                .unwrap_or_else(|| panic!("{at}: resolves to no file of {layer}"));
            if target != f.rel {
                edges.entry(&f.rel).or_default().entry(target).or_insert(at);
            }
        }
    }
    let count = edges.values().map(BTreeMap::len).sum();
    let mut found = Vec::new();
    for cycle in cycles(&edges) {
        let mut text = format!("import cycle: {}", cycle.join(" -> "));
        for pair in cycle.windows(2) {
            text.push_str(&format!("\n    {}", edges[pair[0]][pair[1]]));
        }
        found.push(text);
    }
    Report {
        imports,
        cycles: found,
        edges: count,
    }
}

/// Cycles of a graph, each as its files with the first repeated at the end; one per back edge
/// met by a depth-first walk (so at least one per strongly connected component with a cycle).
fn cycles<'a>(edges: &BTreeMap<&'a str, BTreeMap<&'a str, String>>) -> Vec<Vec<&'a str>> {
    fn walk<'a>(
        n: &'a str,
        edges: &BTreeMap<&'a str, BTreeMap<&'a str, String>>,
        done: &mut BTreeSet<&'a str>,
        stack: &mut Vec<&'a str>,
        out: &mut Vec<Vec<&'a str>>,
    ) {
        stack.push(n);
        for &m in edges.get(n).into_iter().flat_map(BTreeMap::keys) {
            if let Some(i) = stack.iter().position(|&s| s == m) {
                let mut c = stack[i..].to_vec();
                c.push(m);
                out.push(c);
            } else if !done.contains(m) {
                walk(m, edges, done, stack, out);
            }
        }
        stack.pop();
        done.insert(n);
    }
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for &n in edges.keys() {
        if !done.contains(n) {
            walk(n, edges, &mut done, &mut Vec::new(), &mut out);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Reading the source

/// A path of the crate named in non-test code.
struct Reference {
    line: usize,
    /// As written, e.g. `super::tlv::Tag`.
    shown: String,
    /// Resolved from the crate root, e.g. `["pdu", "tlv", "Tag"]`; empty for the root itself.
    path: Vec<String>,
}

/// Every path into the crate that the non-test code of a file (module `module`) names.
fn references(src: &str, module: &[String]) -> Vec<Reference> {
    let toks = code_tokens(src);
    let children: BTreeSet<&str> = toks
        .windows(2)
        .filter(|w| w[0].text == "mod" && is_ident(&w[1].text))
        .map(|w| w[1].text.as_str())
        .collect();
    let mut out = Vec::new();
    // Inline modules (`mod max { … }`) the scan is inside: (name, brace depth inside it).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    let current = |inline: &[(String, usize)]| {
        let mut m = module.to_vec();
        m.extend(inline.iter().map(|(n, _)| n.clone()));
        m
    };
    while i < toks.len() {
        let t = toks[i].text.as_str();
        match t {
            "{" => {
                depth += 1;
                if i >= 2 && toks[i - 2].text == "mod" {
                    inline.push((toks[i - 1].text.clone(), depth));
                }
            }
            "}" => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth -= 1;
            }
            "use" => {
                let (paths, end) = use_tree(&toks, i + 1, Vec::new());
                for mut p in paths {
                    // `use a::b::{self}` imports `a::b`.
                    if p.len() > 1 && p.last().is_some_and(|s| s == "self") {
                        p.pop();
                    }
                    if let Some(path) = resolve(&current(&inline), &p, &children) {
                        out.push(Reference {
                            line: toks[i].line,
                            shown: p.join("::"),
                            path,
                        });
                    }
                }
                i = end;
                continue;
            }
            _ => {}
        }
        let starts_path =
            matches!(t, "crate" | "$crate" | "super" | "self") || children.contains(t);
        let after_sep = i > 0 && toks[i - 1].text == "::";
        let visibility = i >= 3 && toks[i - 1].text == "in" && toks[i - 3].text == "pub";
        if starts_path && !after_sep && !visibility && next_is(&toks, i, "::") {
            let mut p = vec![t.to_string()];
            let mut j = i + 1;
            // toks[j] is a `::`; take the segment after it while there is one.
            while toks.get(j).is_some_and(|t| t.text == "::")
                && toks.get(j + 1).is_some_and(|t| is_ident(&t.text))
            {
                p.push(toks[j + 1].text.clone());
                j += 2;
            }
            if let Some(path) = resolve(&current(&inline), &p, &children) {
                out.push(Reference {
                    line: toks[i].line,
                    shown: p.join("::"),
                    path,
                });
            }
            i = j;
            continue;
        }
        i += 1;
    }
    out
}

fn next_is(toks: &[Tok], i: usize, text: &str) -> bool {
    toks.get(i + 1).is_some_and(|t| t.text == text)
}

/// The paths of a `use` tree starting at `toks[i]`, each with `prefix` before it, and the index
/// after the tree.
fn use_tree(toks: &[Tok], mut i: usize, mut prefix: Vec<String>) -> (Vec<Vec<String>>, usize) {
    loop {
        let Some(t) = toks.get(i) else {
            return (vec![prefix], i);
        };
        match t.text.as_str() {
            "::" => i += 1,
            "*" => {
                prefix.push("*".into());
                return (vec![prefix], i + 1);
            }
            "{" => {
                let mut all = Vec::new();
                i += 1;
                while toks.get(i).is_some_and(|t| t.text != "}") {
                    if toks[i].text == "," {
                        i += 1;
                        continue;
                    }
                    let (paths, end) = use_tree(toks, i, prefix.clone());
                    all.extend(paths);
                    i = end;
                }
                return (all, i + 1);
            }
            s if is_ident(s) => {
                prefix.push(s.to_string());
                i += 1;
                match toks.get(i).map(|t| t.text.as_str()) {
                    Some("::") => i += 1,
                    Some("as") => return (vec![prefix], i + 2),
                    _ => return (vec![prefix], i),
                }
            }
            // `;` or anything unexpected ends the tree.
            _ => return (vec![prefix], i + 1),
        }
    }
}

/// A path as written, from the crate root; `None` for paths outside the crate (`std::…`).
fn resolve(module: &[String], path: &[String], children: &BTreeSet<&str>) -> Option<Vec<String>> {
    let (mut base, rest) = match path.first()?.as_str() {
        "crate" | "$crate" => (Vec::new(), &path[1..]),
        "self" => (module.to_vec(), &path[1..]),
        "super" => {
            let ups = path.iter().take_while(|s| *s == "super").count();
            let keep = module
                .len()
                .checked_sub(ups)
                .expect("super above the crate");
            (module[..keep].to_vec(), &path[ups..])
        }
        c if children.contains(c) => (module.to_vec(), path),
        _ => return None,
    };
    base.extend(rest.iter().filter(|s| *s != "self" && *s != "*").cloned());
    Some(base)
}

#[derive(Debug)]
struct Tok {
    text: String,
    line: usize,
}

fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
        && c.all(|c| c.is_alphanumeric() || c == '_')
        && !matches!(s, "_")
}

/// The tokens of a file's non-test code: identifiers, `::` and single punctuation, with
/// comments, literals and `#[cfg(test)]` items gone.
fn code_tokens(src: &str) -> Vec<Tok> {
    drop_test_items(tokenize(&blank(src)))
}

/// The source with comments, strings and character literals replaced by spaces (newlines
/// kept, so line numbers stay right).
fn blank(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let keep_lines = |s: &[char], out: &mut String| {
        for &ch in s {
            out.push(if ch == '\n' { '\n' } else { ' ' });
        }
    };
    let ident_before = |i: usize| i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_');
    while i < c.len() {
        let rest = &c[i..];
        let starts = |s: &str| rest.iter().take(s.len()).copied().eq(s.chars());
        // Line comment (doc comments too).
        if starts("//") {
            let end = rest.iter().position(|&ch| ch == '\n').unwrap_or(rest.len());
            keep_lines(&rest[..end], &mut out);
            i += end;
            continue;
        }
        // Block comment, nested.
        if starts("/*") {
            let (mut j, mut level) = (2, 1);
            while j < rest.len() && level > 0 {
                if rest[j..].starts_with(&['/', '*']) {
                    level += 1;
                    j += 2;
                } else if rest[j..].starts_with(&['*', '/']) {
                    level -= 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            keep_lines(&rest[..j], &mut out);
            i += j;
            continue;
        }
        // Raw string: r"…", r#"…"#, br"…".
        if !ident_before(i) && (starts("r\"") || starts("r#") || starts("br\"") || starts("br#")) {
            let skip = if rest[0] == 'b' { 2 } else { 1 };
            let hashes = rest[skip..].iter().take_while(|&&ch| ch == '#').count();
            if rest.get(skip + hashes) == Some(&'"') {
                let mut j = skip + hashes + 1;
                loop {
                    if j >= rest.len() {
                        break;
                    }
                    if rest[j] == '"'
                        && rest.len() > j + hashes
                        && rest[j + 1..=j + hashes].iter().all(|&ch| ch == '#')
                    {
                        j += 1 + hashes;
                        break;
                    }
                    j += 1;
                }
                keep_lines(&rest[..j], &mut out);
                i += j;
                continue;
            }
        }
        // String or byte string.
        if rest[0] == '"' || (starts("b\"") && !ident_before(i)) {
            let mut j = if rest[0] == 'b' { 2 } else { 1 };
            while j < rest.len() && rest[j] != '"' {
                j += if rest[j] == '\\' { 2 } else { 1 };
            }
            j = (j + 1).min(rest.len());
            keep_lines(&rest[..j], &mut out);
            i += j;
            continue;
        }
        // Character or byte literal (a lifetime or label has no closing quote).
        if rest[0] == '\'' || (starts("b'") && !ident_before(i)) {
            let q = if rest[0] == 'b' { 1 } else { 0 };
            let len = if rest.get(q + 1) == Some(&'\\') {
                // Skip the escaped char, which may itself be a quote.
                rest.get(q + 3..)
                    .and_then(|r| r.iter().position(|&ch| ch == '\''))
                    .map(|p| q + 3 + p + 1)
            } else if rest.get(q + 2) == Some(&'\'') {
                Some(q + 3)
            } else {
                None
            };
            if let Some(len) = len {
                keep_lines(&rest[..len], &mut out);
                i += len;
                continue;
            }
        }
        out.push(rest[0]);
        i += 1;
    }
    out
}

fn tokenize(code: &str) -> Vec<Tok> {
    let c: Vec<char> = code.chars().collect();
    let mut toks = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch.is_alphanumeric() || ch == '_' || ch == '$' {
            let start = i;
            i += 1;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let mut text: String = c[start..i].iter().collect();
            // A raw identifier: r#type.
            if text == "r" && c.get(i) == Some(&'#') {
                let s = i + 1;
                i = s;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
                text = c[s..i].iter().collect();
            }
            // Numbers are not identifiers.
            if !text.starts_with(|ch: char| ch.is_ascii_digit()) {
                toks.push(Tok { text, line });
            }
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            toks.push(Tok {
                text: "::".into(),
                line,
            });
            i += 2;
        } else {
            toks.push(Tok {
                text: ch.to_string(),
                line,
            });
            i += 1;
        }
    }
    toks
}

/// The tokens without `#[cfg(test)]` items (an inner `#![cfg(test)]` drops the whole file),
/// nor `#[cfg(doc)]` ones: an import only for doc links, like a link written as a path, is
/// not a dependency of the code.
fn drop_test_items(toks: Vec<Tok>) -> Vec<Tok> {
    let texts: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
    let cfg_test = |i: usize, inner: bool| {
        ["test", "doc"].iter().any(|cfg| {
            let pat: &[&str] = if inner {
                &["#", "!", "[", "cfg", "(", cfg, ")", "]"]
            } else {
                &["#", "[", "cfg", "(", cfg, ")", "]"]
            };
            texts.get(i..i + pat.len()) == Some(pat)
        })
    };
    if (0..texts.len()).any(|i| cfg_test(i, true)) {
        return Vec::new();
    }
    let mut keep = vec![true; toks.len()];
    let mut i = 0;
    while i < texts.len() {
        if !cfg_test(i, false) {
            i += 1;
            continue;
        }
        let start = i;
        i += 7;
        // Further attributes of the same item.
        while texts.get(i) == Some(&"#") && texts.get(i + 1) == Some(&"[") {
            i = matching(&texts, i + 1);
        }
        // The item: up to a `;` outside brackets, or through its `{ … }` body.
        let mut nest = 0;
        while i < texts.len() {
            match texts[i] {
                "(" | "[" => nest += 1,
                ")" | "]" => nest -= 1,
                ";" if nest == 0 => {
                    i += 1;
                    break;
                }
                "{" if nest == 0 => {
                    i = matching(&texts, i);
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        keep[start..i.min(texts.len())].fill(false);
    }
    toks.into_iter()
        .zip(keep)
        .filter_map(|(t, k)| k.then_some(t))
        .collect()
}

/// The index after the bracket that closes the one at `open`.
fn matching(texts: &[&str], open: usize) -> usize {
    let mut level = 0;
    for (j, t) in texts.iter().enumerate().skip(open) {
        match *t {
            "(" | "[" | "{" => level += 1,
            ")" | "]" | "}" => {
                level -= 1;
                if level == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
    }
    texts.len()
}

// ---------------------------------------------------------------------------------------------
// The scanner finds what it must

fn file(rel: &str, module: &str, src: &str) -> File {
    File {
        rel: rel.into(),
        module: module.split("::").map(String::from).collect(),
        src: src.into(),
    }
}

fn problems(layer: &str, allowed: &'static [&'static str], files: &[File]) -> String {
    let r = check(layer, Only(allowed), files);
    r.imports
        .into_iter()
        .chain(r.cycles)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn an_upward_import_is_named_with_its_file_and_line() {
    let files = [
        file("src/pdu/mod.rs", "pdu", "mod message;\n"),
        file(
            "src/pdu/message.rs",
            "pdu::message",
            "//! Glue.\n\nuse crate::text::{InboundPart, Sar};\n",
        ),
    ];
    let p = problems("pdu", &[], &files);
    assert!(
        p.contains("src/pdu/message.rs:3: crate::text::InboundPart: pdu imports from `text`"),
        "{p}"
    );
    assert!(p.contains("crate::text::Sar"), "{p}");
    // The same import is fine for a layer allowed to make it.
    assert_eq!(problems("pdu", &["text"], &files), "");
}

#[test]
fn a_path_written_in_code_counts_as_an_import() {
    let files = [file(
        "src/pdu/mod.rs",
        "pdu",
        "pub fn f(s: &crate::text::Segment) -> usize {\n    super::text::count(s)\n}\n",
    )];
    let p = problems("pdu", &[], &files);
    assert!(p.contains("src/pdu/mod.rs:1: crate::text::Segment"), "{p}");
    assert!(p.contains("src/pdu/mod.rs:2: super::text::count"), "{p}");
    let p = problems(
        "pdu",
        &[],
        &[file("src/pdu/mod.rs", "pdu", "use crate::Error;")],
    );
    assert!(p.contains("crate::Error: pdu imports from `Error`"), "{p}");
    let p = problems(
        "pdu",
        &[],
        &[file("src/pdu/mod.rs", "pdu", "use crate::*;")],
    );
    assert!(p.contains("through the crate root"), "{p}");
}

#[test]
fn comments_literals_and_test_code_do_not_count() {
    let src = r####"
// use crate::text::Segment;
/// [`crate::text::Segment`]
/* crate::text::A /* nested crate::text::B */ crate::text::C */
const A: &str = "use crate::text::D; \" crate::text::E";
const B: &str = r#"crate::text::F "# ;
const C: &[u8] = br"crate::text::G";
const D: char = '"';
const E: u8 = b'\'';
fn f<'a>(x: &'a str) -> &'a str { x }
#[cfg(test)]
mod tests;
#[cfg(test)]
#[allow(dead_code)]
mod more_tests {
    use crate::text::H;
    fn g() { let _ = crate::text::I; }
}
#[cfg(test)]
use crate::text::J;
#[cfg(doc)]
use crate::text::L;
pub struct S;
"####;
    let files = [file("src/pdu/mod.rs", "pdu", src)];
    assert_eq!(problems("pdu", &[], &files), "");
    let toks = code_tokens(src);
    assert!(declared_files(&toks).is_empty());
    // The item after the test code is still read.
    assert!(toks
        .windows(2)
        .any(|w| w[0].text == "struct" && w[1].text == "S"));
    let whole = "#![cfg(test)]\nuse crate::text::K;\n";
    assert_eq!(
        problems("pdu", &[], &[file("src/pdu/t.rs", "pdu::t", whole)]),
        ""
    );
}

#[test]
fn a_cycle_between_siblings_is_found() {
    let files = [
        file(
            "src/pdu/mod.rs",
            "pdu",
            "mod error;\nmod tlv;\npub use error::Problem;\n",
        ),
        file("src/pdu/error.rs", "pdu::error", "use super::tlv::Tag;\n"),
        file(
            "src/pdu/tlv.rs",
            "pdu::tlv",
            "use super::{error::{self, Problem}};\n",
        ),
    ];
    let p = problems("pdu", &[], &files);
    assert!(
        p.contains("import cycle: src/pdu/error.rs -> src/pdu/tlv.rs -> src/pdu/error.rs"),
        "{p}"
    );
    assert!(p.contains("src/pdu/error.rs:1: super::tlv::Tag"), "{p}");
    assert!(
        p.lines()
            .any(|l| l.trim() == "src/pdu/tlv.rs:1: super::error"),
        "{p}"
    );
}

#[test]
fn a_cycle_through_the_folders_re_exports_is_found() {
    let files = [
        file(
            "src/pdu/mod.rs",
            "pdu",
            "mod error;\nmod tlv;\npub use error::Problem;\npub use tlv::Tag;\n",
        ),
        file("src/pdu/error.rs", "pdu::error", "use super::Tag;\n"),
        file("src/pdu/tlv.rs", "pdu::tlv", ""),
    ];
    let p = problems("pdu", &[], &files);
    assert!(
        p.contains("import cycle: src/pdu/error.rs -> src/pdu/mod.rs -> src/pdu/error.rs"),
        "{p}"
    );
    // `super::*` and `crate::pdu::…` lean on the re-exports too.
    for src in ["use super::*;", "fn f() -> crate::pdu::Tag { todo!() }"] {
        let mut files = files.clone();
        files[1].src = src.into();
        let p = problems("pdu", &[], &files);
        assert!(p.contains("import cycle"), "{src}: {p}");
        // Named by its module path, the same import makes no cycle.
        files[1].src = "use super::tlv::Tag;".into();
        assert_eq!(problems("pdu", &[], &files), "");
    }
}

#[test]
fn a_tree_without_cycles_passes_and_inline_modules_resolve_super() {
    let files = [
        file(
            "src/pdu/mod.rs",
            "pdu",
            "mod body;\nmod error;\nmod tag;\npub mod tlv;\npub use body::Bind;\npub use tlv::{Tag, Tlv};\n",
        ),
        file("src/pdu/tag.rs", "pdu::tag", "pub enum Tag {}\n"),
        file("src/pdu/error.rs", "pdu::error", "use super::tag::Tag;\n"),
        file(
            "src/pdu/tlv.rs",
            "pdu::tlv",
            "pub use super::tag::Tag;\nuse super::error::{self, Problem};\n",
        ),
        file(
            "src/pdu/body.rs",
            "pdu::body",
            "pub(crate) mod max {\n    use super::super::tlv::Tlv;\n    use super::Bind;\n}\npub(in crate::pdu) struct Bind;\n",
        ),
    ];
    let r = check("pdu", Only(&[]), &files);
    assert_eq!(r.imports, Vec::<String>::new());
    assert_eq!(r.cycles, Vec::<String>::new());
    // mod → body, tlv; error → tag; tlv → tag, error; body → tlv.
    assert_eq!(r.edges, 6);
}

// ---------------------------------------------------------------------------------------------
// Each option's name is written in one place

/// The one file of `src/` that spells the options' names: the option table. Everything else
/// names an option through `esme::config::Opt` (`format!("check {}", Opt::SystemId)`), or in
/// its doc comments by a link to it. Test code is not counted (files named `tests.rs` and
/// `#[cfg(test)]` items), nor the generic `password`: the rule is about the names with a '-'.
const OPTION_TABLE: &str = "src/config/options.rs";

#[test]
fn each_option_name_is_written_only_in_the_option_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let sources: Vec<(String, String)> = files
        .iter()
        .filter(|p| p.file_name().is_some_and(|n| n != "tests.rs"))
        .map(|p| {
            let text =
                std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let rel = p.strip_prefix(root).expect("under the crate");
            (rel.display().to_string(), without_test_code(&text))
        })
        .collect();
    assert!(sources.iter().any(|(rel, _)| rel == OPTION_TABLE));
    let names: Vec<&str> = esme::config::Config::options()
        .iter()
        .map(|s| s.name)
        .filter(|n| n.contains('-'))
        .collect();
    assert!(names.len() >= 40, "only {} option names", names.len());
    let mut problems = Vec::new();
    for name in names {
        let holders: Vec<&str> = sources
            .iter()
            .filter(|(_, text)| text.contains(name))
            .map(|(rel, _)| rel.as_str())
            .collect();
        if holders != [OPTION_TABLE] {
            problems.push(format!("{name}: {holders:?}"));
        }
    }
    assert!(
        problems.is_empty(),
        "option names must be written only in {OPTION_TABLE} (elsewhere: esme::config::Opt, \
         or a doc link to it):\n{}",
        problems.join("\n")
    );
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for e in entries {
        let p = e.expect("a directory entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The source with its `#[cfg(test)]` items blanked out (comments and strings kept: a name
/// in a doc comment or a message counts). An inner `#![cfg(test)]` blanks the whole file.
fn without_test_code(src: &str) -> String {
    let chars: Vec<char> = src.chars().collect();
    // Found on the source with comments and literals blanked, which has the same characters
    // at the same places.
    let code: Vec<char> = blank(src).chars().collect();
    let squeezed_at = |i: usize, pat: &str| -> Option<usize> {
        // `pat` with any whitespace between its characters; the index after it.
        let mut j = i;
        for p in pat.chars() {
            while j < code.len() && code[j].is_whitespace() {
                j += 1;
            }
            if code.get(j) != Some(&p) {
                return None;
            }
            j += 1;
        }
        Some(j)
    };
    if (0..code.len()).any(|i| squeezed_at(i, "#![cfg(test)]").is_some()) {
        return String::new();
    }
    let mut keep = vec![true; chars.len()];
    let mut i = 0;
    while i < code.len() {
        let Some(mut j) = (code[i] == '#')
            .then(|| squeezed_at(i, "#[cfg(test)]"))
            .flatten()
        else {
            i += 1;
            continue;
        };
        // The item: up to a `;` outside brackets, or through its `{ … }` body (further
        // attributes are inside the brackets' count).
        let mut nest = 0i32;
        while j < code.len() {
            match code[j] {
                '(' | '[' => nest += 1,
                ')' | ']' => nest -= 1,
                ';' if nest == 0 => break,
                '{' if nest == 0 => {
                    let mut level = 0;
                    while j < code.len() {
                        match code[j] {
                            '{' => level += 1,
                            '}' => {
                                level -= 1;
                                if level == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        j += 1;
                    }
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        let end = (j + 1).min(chars.len());
        keep[i..end].fill(false);
        i = end;
    }
    chars
        .iter()
        .zip(keep)
        .map(|(&c, k)| if k || c == '\n' { c } else { ' ' })
        .collect()
}

#[test]
fn test_code_is_left_out_of_the_option_name_search_and_the_rest_is_not() {
    let src = r####"
/// Set `x-a-b` to choose.
pub fn f() -> &'static str { "x-c-d is wrong: {" }
#[cfg(test)]
mod tests {
    fn g() { let _ = "x-e-f }"; }
}
#[cfg(test)]
#[allow(unused)]
use x_g_h as _;
// x-i-j
pub struct S;
"####;
    let kept = without_test_code(src);
    for seen in ["x-a-b", "x-c-d", "x-i-j", "pub struct S;"] {
        assert!(kept.contains(seen), "{seen} lost:\n{kept}");
    }
    for gone in ["x-e-f", "x_g_h", "mod tests"] {
        assert!(!kept.contains(gone), "{gone} kept:\n{kept}");
    }
    assert_eq!(kept.lines().count(), src.lines().count());
    assert_eq!(
        without_test_code("#![cfg(test)]\nconst A: &str = \"x-k-l\";\n"),
        ""
    );
}

#[test]
fn a_deny_list_refuses_its_modules_and_the_crate_roots_re_exports() {
    let files = [file(
        "src/tls/mod.rs",
        "tls",
        "use crate::config::TlsConfig;\nuse crate::client::Settings;\nfn f() -> crate::Error { todo!() }\n",
    )];
    let r = check("tls", AllBut(&["client", "ffi"]), &files);
    let p = r.imports.join("\n");
    assert!(
        p.contains("src/tls/mod.rs:2: crate::client::Settings: tls imports from `client`"),
        "{p}"
    );
    assert!(
        p.contains("src/tls/mod.rs:3: crate::Error: imports `Error` through the crate root"),
        "{p}"
    );
    assert!(!p.contains("config"), "{p}");
    assert_eq!(r.imports.len(), 2, "{p}");
}

/// The command line tool's own dependencies (the `cli` feature's) are named only in
/// `src/bin/`: the library, and so `libesme.so`, never uses them.
#[test]
fn only_the_command_line_tool_uses_its_dependencies() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let cli = manifest
        .lines()
        .find_map(|l| l.strip_prefix("cli = ["))
        .expect("a cli feature in Cargo.toml");
    let crates: Vec<String> = cli
        .split(',')
        .filter_map(|d| {
            d.trim()
                .trim_matches(|c| c == '"' || c == ']')
                .strip_prefix("dep:")
        })
        .map(|d| d.replace('-', "_"))
        .collect();
    assert!(crates.contains(&"rcgen".to_string()), "{cli}");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    for f in files
        .iter()
        .filter(|f| !f.starts_with(root.join("src/bin")))
    {
        let text = std::fs::read_to_string(f).unwrap();
        for c in &crates {
            assert!(
                !text.contains(&format!("{c}::")) && !text.contains(&format!("use {c}")),
                "{} uses {c}, a dependency of the esme tool only",
                f.display()
            );
        }
    }
}
