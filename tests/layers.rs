//! The layers of ARCHITECTURE.md held by a test: every path from one top-level module of `src/`
//! into another (`use crate::x::…`, `crate::x::…` inline, `super::` climbing out to the crate
//! root, or a bare `x::` in main.rs) must be an edge of the table below, so the diagram
//! cannot drift. Reads the source text; builds nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Knowledge: pure, no I/O. Each of these stands alone and imports no other crate module (not
/// even another knowledge module): nothing in them needs one today, and keeping them apart lets
/// any of them be read, tested or moved by itself. A knowledge module that comes to build on
/// another gets the edge here, with its reason.
const KNOWLEDGE: &[&str] = &[
    "addr",
    "packet",
    "ports",
    "stats",
    "frame",
    "text",
    "path_verdict",
];

/// The allowed edges, importer → what it may import (besides itself). The one-way rule of
/// ARCHITECTURE.md: knowledge at the bottom; `error` words errors of knowledge's types;
/// `net` asks the OS and fails with `error`; `output` renders knowledge and its own report
/// types (never `net`, never `cli`: settings arrive as plain values); `serve` is the servers'
/// engine over `net` and `output`; `cmd` may use every layer below it, and reads `cli`'s Args
/// structs; `cli` parses into knowledge types only (never the renderer's); `main` parses,
/// dispatches, renders the error and maps the exit code.
const EDGES: &[(&str, &[&str])] = &[
    ("addr", &[]),
    ("packet", &[]),
    ("ports", &[]),
    ("stats", &[]),
    ("frame", &[]),
    ("text", &[]),
    ("path_verdict", &[]),
    ("error", &["@knowledge"]),
    ("net", &["@knowledge", "error"]),
    ("output", &["@knowledge", "error"]),
    ("serve", &["@knowledge", "error", "net", "output"]),
    (
        "cmd",
        &["@knowledge", "error", "net", "output", "serve", "cli"],
    ),
    ("cli", &["@knowledge"]),
    ("main", &["cli", "cmd", "error", "output"]),
];

/// The modules `importer` may import, with `@knowledge` spelled out.
fn allowed(importer: &str) -> Option<BTreeSet<&'static str>> {
    let (_, targets) = EDGES.iter().find(|(from, _)| *from == importer)?;
    let mut set = BTreeSet::new();
    for t in targets.iter() {
        if *t == "@knowledge" {
            set.extend(KNOWLEDGE.iter().copied());
        } else {
            set.insert(*t);
        }
    }
    Some(set)
}

/// One path from a file into a top-level module.
#[derive(Debug)]
struct Edge {
    line: usize,
    to: String,
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The module path of a file below `src/`: `src/net/icmp.rs` → [net, icmp]; the crate roots
/// main.rs and lib.rs → [].
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        if stem != "mod" && stem != "main" && stem != "lib" {
            parts.push(stem.to_string());
        }
    }
    parts
}

/// The text with comments blanked (line breaks kept, so positions still give line numbers).
/// String literals are left alone: none in src/ spells a path.
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

fn ident_at(text: &str, at: usize) -> &str {
    let rest = &text[at..];
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    &rest[..end]
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The top-level modules a path starting at `at` (just after `crate::` or the root reached
/// by `super::`) names: one, or one per item of a `{…}` group.
fn heads(text: &str, at: usize, found: &mut Vec<Edge>) {
    let rest = &text[at..];
    let skipped = rest.len() - rest.trim_start().len();
    let at = at + skipped;
    if !text[at..].starts_with('{') {
        let name = ident_at(text, at);
        if !name.is_empty() {
            found.push(Edge {
                line: line_of(text, at),
                to: name.to_string(),
            });
        }
        return;
    }
    // A group: the first identifier of each item at depth one.
    let mut depth = 0;
    let mut item_start = true;
    for (i, c) in text[at..].char_indices() {
        match c {
            '{' => {
                depth += 1;
                item_start = depth == 1;
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            ',' if depth == 1 => item_start = true,
            c if depth == 1 && item_start && is_ident_char(c) => {
                item_start = false;
                let name = ident_at(text, at + i);
                if name != "self" {
                    found.push(Edge {
                        line: line_of(text, at + i),
                        to: name.to_string(),
                    });
                }
            }
            c if !c.is_whitespace() => item_start = false,
            _ => {}
        }
    }
}

/// Every path in `text` (a file of module `module`) that names a top-level module.
fn edges(text: &str, module: &[String], tops: &BTreeSet<String>) -> Vec<Edge> {
    let text = without_comments(text);
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let starts_word =
        |i: usize| i == 0 || !(is_ident_char(bytes[i - 1] as char) || bytes[i - 1] == b'$');
    for (i, _) in text.match_indices("crate::") {
        if starts_word(i) {
            heads(&text, i + "crate::".len(), &mut found);
        }
    }
    // `super::` chains that climb to the crate root (counted from the file's module; an
    // inline `mod tests` adds a level, so this can only overcount).
    for (i, _) in text.match_indices("super::") {
        if !starts_word(i) || (i >= 2 && &text[i - 2..i] == "::") {
            continue;
        }
        let mut at = i;
        let mut levels = 0;
        while text[at..].starts_with("super::") {
            levels += 1;
            at += "super::".len();
        }
        if levels >= module.len() && !module.is_empty() {
            let climbed = levels - module.len();
            if climbed == 0 {
                heads(&text, at, &mut found);
            }
        }
    }
    // main.rs and lib.rs are crate roots: a bare `cli::Cli` is a path into cli.
    if module.is_empty() {
        for top in tops {
            let pattern = format!("{top}::");
            for (i, _) in text.match_indices(&pattern) {
                let before_ok = i == 0 || {
                    let b = bytes[i - 1] as char;
                    !is_ident_char(b) && b != ':'
                };
                if before_ok {
                    found.push(Edge {
                        line: line_of(&text, i),
                        to: top.clone(),
                    });
                }
            }
        }
    }
    found.retain(|e| tops.contains(&e.to));
    found
}

/// Every offending `file:line: a → b`, for the source tree at `root`.
fn offences(root: &Path) -> Vec<String> {
    let src = root.join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    // src/bin/ holds binaries of their own, which reach the crate only as `netkit::`.
    files.retain(|f| !f.starts_with(src.join("bin")));
    files.sort();
    let tops: BTreeSet<String> = files
        .iter()
        .filter_map(|f| module_path(f.strip_prefix(&src).ok()?).first().cloned())
        .collect();
    let mut bad = Vec::new();
    for top in &tops {
        if allowed(top).is_none() {
            bad.push(format!(
                "src/{top}: a top-level module the table of tests/layers.rs does not place; add its row"
            ));
        }
    }
    for file in &files {
        let Ok(relative) = file.strip_prefix(&src) else {
            continue;
        };
        let module = module_path(relative);
        let from = module.first().map_or("main", String::as_str);
        let Some(may) = allowed(from) else { continue };
        let Ok(text) = std::fs::read_to_string(file) else {
            bad.push(format!("src/{}: unreadable", relative.display()));
            continue;
        };
        for edge in edges(&text, &module, &tops) {
            if edge.to != from && !may.contains(edge.to.as_str()) {
                bad.push(format!(
                    "src/{}:{}: {from} → {} is not an allowed edge",
                    relative.display(),
                    edge.line,
                    edge.to
                ));
            }
        }
    }
    bad
}

#[test]
fn every_import_between_modules_follows_the_layers() {
    // NETKIT_LAYERS_ROOT checks another tree (an older checkout) with the same rules.
    let root = std::env::var_os("NETKIT_LAYERS_ROOT")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    let bad = offences(&root);
    assert!(
        bad.is_empty(),
        "imports against the layers of ARCHITECTURE.md (change the code, or the diagram and \
         the table in tests/layers.rs with a reason):\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_scanner_sees_every_form_of_path() {
    let tops: BTreeSet<String> = ["cli", "net", "output", "error"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let module = vec!["output".to_string(), "port".to_string()];
    let text = "use crate::net::owners::Holder;\n\
                use crate::{error::Error,\n    cli::{A, B}};\n\
                // use crate::cli::Commented;\n\
                let x = crate::net::privileged();\n\
                pub(crate) fn f() {}\n";
    let got: Vec<(usize, String)> = edges(text, &module, &tops)
        .into_iter()
        .map(|e| (e.line, e.to))
        .collect();
    let want = vec![
        (1, "net".to_string()),
        (5, "net".to_string()),
        (2, "error".to_string()),
        (3, "cli".to_string()),
    ];
    let mut got_sorted = got.clone();
    got_sorted.sort();
    let mut want_sorted = want;
    want_sorted.sort();
    assert_eq!(got_sorted, want_sorted, "{got:?}");

    // super:: that climbs out of src/serve.rs, and main.rs's bare paths.
    let serve = vec!["serve".to_string()];
    let got = edges("use super::cli::ServeArgs;\n", &serve, &tops);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].to, "cli");
    let got = edges(
        "let c = cli::Cli::parse();\nlet o = output::x();\n",
        &[],
        &tops,
    );
    let names: Vec<&str> = got.iter().map(|e| e.to.as_str()).collect();
    assert_eq!(names, ["cli", "output"], "{got:?}");
}
