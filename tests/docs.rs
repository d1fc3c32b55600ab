//! The Markdown pages hold together: every relative link between them resolves (the file, and
//! the `#anchor` when it points into a Markdown page), every code block of README.md, the
//! other top-level pages and docs/ names its language (a bare fence would run as a Rust doc
//! test), every page with Rust blocks is compiled as a doc test by src/lib.rs, README.md
//! links every docs/ page and stays within 15 000 bytes.
//!
//! The checks are plain functions over (path, text) pairs; the unit tests at the end feed
//! them broken pages to show each one fails.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path, PathBuf};

/// README.md's size limit, in bytes.
const README_LIMIT: usize = 15_000;

/// Directories never searched for pages: build output, dependencies, fuzz data.
const SKIP_DIRS: &[&str] = &[
    "target",
    "node_modules",
    ".git",
    "corpus",
    "corpus-run",
    "artifacts",
    "regressions",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every *.md file of the repository (paths relative to its root), with its text.
fn pages(root: &Path) -> BTreeMap<PathBuf, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, String>) {
        let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                if !SKIP_DIRS.contains(&name) {
                    walk(root, &path, out);
                }
            } else if name.ends_with(".md") {
                let text =
                    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let rel = path
                    .strip_prefix(root)
                    .expect("under the root")
                    .to_path_buf();
                out.insert(rel, text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// A line that opens or closes a code block: its fence ("```" or "~~~") and info string.
fn fence(line: &str) -> Option<(&str, &str)> {
    let t = line.trim_start();
    for f in ["```", "~~~"] {
        if let Some(rest) = t.strip_prefix(f) {
            let extra = rest.len() - rest.trim_start_matches(&f[..1]).len();
            return Some((&t[..3 + extra], rest[extra..].trim()));
        }
    }
    None
}

/// Lines (or fence info strings) with their 1-based line numbers.
type Numbered<'a> = Vec<(usize, &'a str)>;

/// The lines outside code blocks, with their 1-based numbers; and the info string of every
/// opening fence, with its line number.
fn split_code(text: &str) -> (Numbered<'_>, Numbered<'_>) {
    let mut prose = Vec::new();
    let mut opens = Vec::new();
    let mut open: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        match (open, fence(line)) {
            (None, Some((f, info))) => {
                open = Some(f);
                opens.push((i + 1, info));
            }
            (Some(o), Some((f, info))) if info.is_empty() && f.starts_with(o) => open = None,
            (None, None) => prose.push((i + 1, line)),
            _ => {}
        }
    }
    (prose, opens)
}

/// The line without its inline code spans (links inside them are not links).
fn without_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let ticks = rest[start..].len() - rest[start..].trim_start_matches('`').len();
        let after = &rest[start + ticks..];
        match after.find(&"`".repeat(ticks)) {
            Some(end) => rest = &after[end + ticks..],
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The targets of the inline links `[text](target)` and images of one line.
fn link_targets(line: &str) -> Vec<String> {
    let line = without_code_spans(line);
    let mut out = Vec::new();
    let mut rest = line.as_str();
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        let Some(end) = after.find(')') else { break };
        let target = after[..end].split_whitespace().next().unwrap_or("");
        out.push(target.trim_matches(|c| c == '<' || c == '>').to_string());
        rest = &after[end..];
    }
    out
}

/// GitHub's anchor for a heading: lower case, spaces to '-', punctuation dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Every anchor a page has: its headings' slugs, repeated ones numbered as GitHub does.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for (_, line) in split_code(text).0 {
        let t = line.trim_start();
        let level = t.len() - t.trim_start_matches('#').len();
        if (1..=6).contains(&level) && t[level..].starts_with(' ') {
            let base = slug(t[level..].trim().trim_end_matches('#'));
            let mut s = base.clone();
            let mut n = 0;
            while seen.contains(&s) {
                n += 1;
                s = format!("{base}-{n}");
            }
            seen.insert(s);
        }
    }
    seen
}

/// `path` without `.` and `..` components (`..` above the root stays, so it cannot exist).
fn normalize(path: &Path) -> PathBuf {
    let mut out = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out.iter().collect()
}

/// Every relative link that does not resolve: "page:line: target: why".
fn broken_links(pages: &BTreeMap<PathBuf, String>, exists: &dyn Fn(&Path) -> bool) -> Vec<String> {
    let mut problems = Vec::new();
    for (page, text) in pages {
        for (n, line) in split_code(text).0 {
            for target in link_targets(line) {
                if target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                let (file, anchor) = match target.split_once('#') {
                    Some((f, a)) => (f, Some(a)),
                    None => (target.as_str(), None),
                };
                let resolved = if file.is_empty() {
                    page.clone()
                } else {
                    normalize(&page.parent().unwrap_or(Path::new("")).join(file))
                };
                let at = format!("{}:{n}: {target}", page.display());
                if target.is_empty() {
                    problems.push(format!("{at}: empty link"));
                } else if resolved.starts_with("..") {
                    problems.push(format!("{at}: points outside the repository"));
                } else if !exists(&resolved) {
                    problems.push(format!("{at}: {} does not exist", resolved.display()));
                } else if let (Some(anchor), Some(text)) = (anchor, pages.get(&resolved)) {
                    if !anchors(text).contains(anchor) {
                        problems.push(format!(
                            "{at}: {} has no heading with anchor #{anchor}",
                            resolved.display()
                        ));
                    }
                }
            }
        }
    }
    problems
}

/// The pages whose code blocks run as doc tests or may be included as such: the top-level
/// pages and docs/.
fn is_user_page(page: &Path) -> bool {
    page.parent() == Some(Path::new("")) || page.starts_with("docs")
}

/// Code blocks of user pages without a language: rustdoc would run them as Rust.
fn bare_fences(pages: &BTreeMap<PathBuf, String>) -> Vec<String> {
    let mut problems = Vec::new();
    for (page, text) in pages.iter().filter(|(p, _)| is_user_page(p)) {
        for (n, info) in split_code(text).1 {
            if info.is_empty() {
                problems.push(format!(
                    "{}:{n}: a code block without a language (rustdoc runs it as Rust): \
                     write ```text, ```sh, ```c, … or ```rust",
                    page.display()
                ));
            }
        }
    }
    problems
}

/// User pages with Rust blocks that src/lib.rs does not include as a doc test.
fn untested_rust(pages: &BTreeMap<PathBuf, String>, lib_rs: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for (page, text) in pages.iter().filter(|(p, _)| is_user_page(p)) {
        let has_rust = split_code(text)
            .1
            .iter()
            .any(|(_, info)| info.split(',').next().map(str::trim) == Some("rust"));
        let include = format!("include_str!(\"../{}\")", page.display());
        if has_rust && !lib_rs.contains(&include) {
            problems.push(format!(
                "{} has Rust code blocks, but src/lib.rs has no #[cfg(doctest)] {include}",
                page.display()
            ));
        }
    }
    problems
}

/// README.md over the limit, or not linking a docs/ page.
fn readme_problems(pages: &BTreeMap<PathBuf, String>) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(readme) = pages.get(Path::new("README.md")) else {
        return vec!["README.md is missing".into()];
    };
    if readme.len() > README_LIMIT {
        problems.push(format!(
            "README.md is {} bytes, over the limit of {README_LIMIT}: move detail into docs/",
            readme.len()
        ));
    }
    let linked: BTreeSet<String> = split_code(readme)
        .0
        .iter()
        .flat_map(|(_, l)| link_targets(l))
        .map(|t| t.split('#').next().unwrap_or("").to_string())
        .collect();
    for page in pages
        .keys()
        .filter(|p| p.parent() == Some(Path::new("docs")))
    {
        let p = page.display().to_string();
        if !linked.contains(&p) {
            problems.push(format!(
                "README.md does not link {p} (add it to the docs table)"
            ));
        }
    }
    problems
}

fn report(problems: Vec<String>) {
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn every_relative_link_resolves() {
    let root = root();
    let pages = pages(&root);
    assert!(
        pages.contains_key(Path::new("docs/configuration.md")),
        "{pages:?}"
    );
    report(broken_links(&pages, &|p| root.join(p).exists()));
}

#[test]
fn every_code_block_names_its_language() {
    report(bare_fences(&pages(&root())));
}

#[test]
fn every_page_with_rust_code_is_a_doc_test() {
    let root = root();
    let lib_rs = fs::read_to_string(root.join("src/lib.rs")).expect("src/lib.rs");
    report(untested_rust(&pages(&root), &lib_rs));
}

#[test]
fn readme_is_small_and_links_every_docs_page() {
    report(readme_problems(&pages(&root())));
}

// The checks themselves, on made-up pages: each finds what it must.

fn made_up(files: &[(&str, &str)]) -> BTreeMap<PathBuf, String> {
    files
        .iter()
        .map(|(p, t)| (PathBuf::from(p), t.to_string()))
        .collect()
}

fn exists_in(pages: &BTreeMap<PathBuf, String>) -> impl Fn(&Path) -> bool + '_ {
    move |p| pages.contains_key(p) || pages.keys().any(|k| k.starts_with(p))
}

#[test]
fn a_missing_file_or_anchor_is_found() {
    let pages = made_up(&[
        (
            "README.md",
            "# esme\n[ok](docs/a.md) [ok](docs/a.md#the-sub-part-x) [web](https://x.org/y)\n\
             [gone](docs/gone.md) [bad anchor](docs/a.md#nowhere) `[code](not/a/link.md)`\n",
        ),
        (
            "docs/a.md",
            "# A\n## The sub-part: `x`\n[up](../README.md#esme) [self](#a) [dir](../docs/)\n\
             ```text\n[in code](missing.md)\n```\n[up too far](../../README.md)\n",
        ),
    ]);
    let problems = broken_links(&pages, &exists_in(&pages));
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(
        problems[0].starts_with("README.md:3: docs/gone.md: "),
        "{problems:#?}"
    );
    assert!(problems[1].contains("#nowhere"), "{problems:#?}");
    assert_eq!(
        problems[2],
        "docs/a.md:7: ../../README.md: points outside the repository"
    );
}

#[test]
fn anchors_follow_github() {
    let a = anchors(
        "# The `esme` command\n## Beside: `bash benches/peers.sh`\n## Built-in rules (group \"default\")\n\
         ## Twice\n## Twice\n```sh\n# not a heading\n```\n#not a heading either\n",
    );
    let want = [
        "the-esme-command",
        "beside-bash-benchespeerssh",
        "built-in-rules-group-default",
        "twice",
        "twice-1",
    ];
    assert_eq!(a, want.iter().map(|s| s.to_string()).collect(), "{a:?}");
}

#[test]
fn a_bare_fence_an_untested_rust_page_and_a_large_readme_are_found() {
    let big = format!("# esme\n[a](docs/a.md)\n{}\n", "x".repeat(README_LIMIT));
    let pages = made_up(&[
        ("README.md", &big),
        ("docs/a.md", "# A\n```\nlet x = 1;\n```\n"),
        (
            "docs/b.md",
            "# B\n```rust\nlet x = 1;\n```\n````text\n```\n````\n",
        ),
        ("tests/x/README.md", "```\nnot checked here\n```\n"),
    ]);
    let bare = bare_fences(&pages);
    assert_eq!(bare.len(), 1, "{bare:#?}");
    assert!(bare[0].starts_with("docs/a.md:2: "), "{bare:#?}");

    let lib_rs = "#[doc = include_str!(\"../docs/c.md\")]";
    let untested = untested_rust(&pages, lib_rs);
    assert_eq!(untested.len(), 1, "{untested:#?}");
    assert!(
        untested[0].starts_with("docs/b.md has Rust"),
        "{untested:#?}"
    );
    let lib_rs = "#[doc = include_str!(\"../docs/b.md\")]";
    assert!(untested_rust(&pages, lib_rs).is_empty());

    let readme = readme_problems(&pages);
    assert_eq!(readme.len(), 2, "{readme:#?}");
    assert!(readme[0].contains("over the limit"), "{readme:#?}");
    assert!(readme[1].contains("does not link docs/b.md"), "{readme:#?}");
}
