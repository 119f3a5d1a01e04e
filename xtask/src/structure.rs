//! `cargo xtask structure`: how `server/src` is laid out — top-level files and folders, the import
//! graph between top-level modules and its cycles (and between the sub-modules of `backends/`),
//! and the files over the 400-line limit. Plain text scanning: comments and string literals are
//! blanked first, then every path that starts with `crate::`, `vouch_server::`, `self::`, `super::`
//! or a child module's name is resolved to the module it names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::util::{root, Result};

const MAX_LINES: usize = 400;
/// Folders whose sub-modules get their own cycle check.
const INNER: &[&str] = &["backends"];
/// More cycles than this in one graph are counted, not listed.
const MAX_LISTED: usize = 20;

/// One Rust file: its module path (`backends/aws/mod.rs` is `["backends", "aws"]`) and where in it
/// each crate path it uses resolves to.
struct Source {
    rel: String,
    module: Vec<String>,
    lines: usize,
    uses: Vec<(Vec<String>, usize)>,
}

/// Reports on `dir` (a copy of `server/src` from another commit, say), or on `server/src`.
pub(crate) fn report(dir: Option<&str>) -> Result {
    let src = dir.map_or_else(|| root().join("server/src"), PathBuf::from);
    let listed = entries(&src);
    if listed.is_empty() {
        return Err(format!("{}: no such folder, or empty", src.display()));
    }
    let folders: Vec<&str> = listed.iter().filter(|(_, d)| *d).map(|(n, _)| n.as_str()).collect();
    let mut paths = Vec::new();
    rs_files(&src, &mut paths);
    let sources = paths.iter().map(|p| read_one(&src, p)).collect::<Result<Vec<_>>>()?;

    println!("```markdown");
    println!("## Structure of {}\n", dir.unwrap_or("server/src"));
    println!("- top level: {} files, {} folders ({})", listed.len() - folders.len(), folders.len(), folders.join(", "));
    let mut top = children(&src);
    top.remove("lib");
    let graph = edges(&sources, &[], &top);
    print_cycles("import cycles between top-level modules", &graph, "");
    for inner in INNER {
        let children = children(&src.join(inner));
        let graph = edges(&sources, &[inner.to_string()], &children);
        print_cycles(&format!("import cycles inside {inner}/"), &graph, &format!("{inner}::"));
    }
    let mut long: Vec<&Source> = sources.iter().filter(|s| s.lines > MAX_LINES).collect();
    long.sort_by_key(|s| std::cmp::Reverse(s.lines));
    println!("- files over {MAX_LINES} lines: {}", long.len());
    for s in long {
        println!("  - {} ({} lines)", s.rel, s.lines);
    }
    println!("\n### Imports between top-level modules\n");
    for module in &top {
        let targets: Vec<&str> = graph.keys().filter(|(a, _)| a == module).map(|(_, b)| b.as_str()).collect();
        let targets = if targets.is_empty() { "-".to_string() } else { targets.join(", ") };
        println!("- {module} → {targets}");
    }
    println!("```");
    Ok(())
}

/// The names in `dir`, sorted, each with whether it is a folder.
fn entries(dir: &Path) -> Vec<(String, bool)> {
    let read = std::fs::read_dir(dir).into_iter().flatten().flatten();
    let mut all: Vec<_> = read.map(|e| (e.file_name().to_string_lossy().into_owned(), e.path().is_dir())).collect();
    all.sort();
    all
}

/// Modules directly inside `dir` (its files and folders, without `mod.rs`).
fn children(dir: &Path) -> BTreeSet<String> {
    let module = |(name, folder): (String, bool)| match folder {
        true => Some(name),
        false => name.strip_suffix(".rs").filter(|n| *n != "mod").map(str::to_string),
    };
    entries(dir).into_iter().filter_map(module).collect()
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for (name, folder) in entries(dir) {
        if folder {
            rs_files(&dir.join(name), out);
        } else if name.ends_with(".rs") {
            out.push(dir.join(name));
        }
    }
}

fn read_one(src: &Path, path: &PathBuf) -> Result<Source> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let rel = path.strip_prefix(src).unwrap_or(path).to_string_lossy().replace('\\', "/");
    let mut module: Vec<String> = rel.trim_end_matches(".rs").split('/').map(str::to_string).collect();
    if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
        module.pop();
    }
    // Child modules live beside `mod.rs` and `lib.rs`, and in a folder named like any other file.
    let stem = path.file_stem().unwrap_or_default();
    let dir = path.parent().map(|d| if stem == "mod" || stem == "lib" { d.to_path_buf() } else { d.join(stem) });
    let local = dir.map(|d| children(&d)).unwrap_or_default();
    let uses = resolve(&tokens(&blank(&text)), &module, &local);
    Ok(Source { rel, module, lines: text.lines().count(), uses })
}

/// Edges `a → b` between the children of `parent`, each with one place that makes it.
fn edges(sources: &[Source], parent: &[String], nodes: &BTreeSet<String>) -> BTreeMap<(String, String), String> {
    let node_of = |path: &[String]| -> Option<String> {
        let rest = path.strip_prefix(parent)?;
        rest.first().filter(|n| nodes.contains(*n)).cloned()
    };
    let mut graph = BTreeMap::new();
    for s in sources {
        let Some(from) = node_of(&s.module) else { continue };
        for (target, line) in &s.uses {
            if let Some(to) = node_of(target).filter(|to| *to != from) {
                graph.entry((from.clone(), to)).or_insert_with(|| format!("{}:{line}", s.rel));
            }
        }
    }
    graph
}

fn print_cycles(title: &str, graph: &BTreeMap<(String, String), String>, prefix: &str) {
    let cycles = cycles(graph);
    println!("- {title}: {}", cycles.len());
    for cycle in cycles.iter().take(MAX_LISTED) {
        let names: Vec<String> = cycle.iter().map(|n| format!("{prefix}{n}")).collect();
        let shown = if names.len() == 2 {
            format!("{} ↔ {}", names[0], names[1])
        } else {
            format!("{} → {}", names.join(" → "), names[0])
        };
        let witnesses: Vec<&str> = (0..cycle.len())
            .map(|i| graph[&(cycle[i].clone(), cycle[(i + 1) % cycle.len()].clone())].as_str())
            .collect();
        println!("  - {shown} (at {})", witnesses.join(", "));
    }
    if cycles.len() > MAX_LISTED {
        println!("  - … and {} more", cycles.len() - MAX_LISTED);
    }
}

/// Every elementary cycle, each found once from its smallest node. The search stays inside the
/// start's strongly connected component, so acyclic parts cost nothing.
fn cycles(graph: &BTreeMap<(String, String), String>) -> Vec<Vec<String>> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in graph.keys() {
        next.entry(a.as_str()).or_default().push(b.as_str());
    }
    let reach: BTreeMap<&str, BTreeSet<&str>> = next
        .keys()
        .map(|&from| {
            let (mut seen, mut todo) = (BTreeSet::new(), vec![from]);
            while let Some(n) = todo.pop() {
                for &to in next.get(n).map(Vec::as_slice).unwrap_or_default() {
                    if seen.insert(to) {
                        todo.push(to);
                    }
                }
            }
            (from, seen)
        })
        .collect();
    let together = |a: &str, b: &str| reach[a].contains(b) && reach.get(b).is_some_and(|r| r.contains(a));
    let mut found = Vec::new();
    for &start in next.keys() {
        let mut stack = vec![(start, 0usize)];
        let mut path = vec![start];
        while let Some((node, i)) = stack.pop() {
            let outs = next.get(node).map(Vec::as_slice).unwrap_or_default();
            if found.len() > 10 * MAX_LISTED {
                return found;
            }
            let Some(&to) = outs.get(i) else {
                path.pop();
                continue;
            };
            stack.push((node, i + 1));
            if to == start {
                found.push(path.iter().map(|s| s.to_string()).collect());
            } else if to > start && together(start, to) && !path.contains(&to) {
                path.push(to);
                stack.push((to, 0));
            }
        }
    }
    found
}

/// The source with comments and string and char literals turned into spaces (line breaks kept),
/// so only code is scanned.
fn blank(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let at = |i: usize, s: &str| s.chars().enumerate().all(|(k, ch)| c.get(i + k) == Some(&ch));
    let after = |from: usize, s: &str| (from..c.len()).find(|&j| at(j, s)).map_or(c.len(), |j| j + s.len());
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < c.len() {
        let prev = if i > 0 { c[i - 1] } else { ' ' };
        let raw = c[i] == 'r' && !(prev.is_alphanumeric() || prev == '_') || (c[i] == 'r' && prev == 'b');
        let hashes = c.get(i + 1..).unwrap_or_default().iter().take_while(|&&ch| ch == '#').count();
        let end = if at(i, "//") {
            Some(after(i, "\n"))
        } else if at(i, "/*") {
            Some(after(i + 2, "*/"))
        } else if raw && c.get(i + 1 + hashes) == Some(&'"') {
            Some(after(i + 2 + hashes, &format!("\"{}", "#".repeat(hashes))))
        } else if c[i] == '"' {
            let mut j = i + 1;
            while j < c.len() && c[j] != '"' {
                j += if c[j] == '\\' { 2 } else { 1 };
            }
            Some((j + 1).min(c.len()))
        } else if c[i] == '\'' && (c.get(i + 1) == Some(&'\\') || c.get(i + 2) == Some(&'\'')) {
            // A char literal ('x', '\n', '\'', '\u{7b}'); a lifetime ('a) has no closing quote.
            Some(after(if c[i + 1] == '\\' { i + 3 } else { i + 2 }, "'"))
        } else {
            None
        };
        match end {
            Some(end) => {
                out.extend(c[i..end].iter().map(|&ch| if ch == '\n' { '\n' } else { ' ' }));
                i = end;
            }
            None => {
                out.push(c[i]);
                i += 1;
            }
        }
    }
    out
}

#[derive(Debug, PartialEq)]
enum Tok {
    Ident(String),
    Path,
    Open,
    Close,
    Comma,
    Other,
}

fn tokens(code: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = code.chars().collect();
    let (mut toks, mut line, mut i) = (Vec::new(), 1, 0);
    while i < c.len() {
        let ch = c[i];
        if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            toks.push((Tok::Ident(c[start..i].iter().collect()), line));
            continue;
        }
        let tok = match ch {
            '\n' => {
                line += 1;
                None
            }
            ':' if c.get(i + 1) == Some(&':') => {
                i += 1;
                Some(Tok::Path)
            }
            '{' => Some(Tok::Open),
            '}' => Some(Tok::Close),
            ',' => Some(Tok::Comma),
            c if c.is_whitespace() => None,
            _ => Some(Tok::Other),
        };
        toks.extend(tok.map(|t| (t, line)));
        i += 1;
    }
    toks
}

/// Crate-absolute module paths named in `toks`, with their lines. `module` is the file's module;
/// `local` its child modules; inline `mod x { … }` blocks count as one level deeper.
fn resolve(toks: &[(Tok, usize)], module: &[String], local: &BTreeSet<String>) -> Vec<(Vec<String>, usize)> {
    let (mut found, mut depth, mut inline) = (Vec::new(), 0usize, Vec::<(String, usize)>::new());
    let mut i = 0;
    while i < toks.len() {
        match &toks[i].0 {
            Tok::Open => depth += 1,
            Tok::Close => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            Tok::Ident(kw) if kw == "mod" => {
                if let (Some((Tok::Ident(name), _)), Some((Tok::Open, _))) = (toks.get(i + 1), toks.get(i + 2)) {
                    inline.push((name.clone(), depth));
                }
            }
            Tok::Ident(_) if i == 0 || toks[i - 1].0 != Tok::Path => {
                let line = toks[i].1;
                let here: Vec<String> = module.iter().cloned().chain(inline.iter().map(|(n, _)| n.clone())).collect();
                let mut paths = Vec::new();
                i = parse_path(toks, i, Vec::new(), &mut paths);
                for segments in paths {
                    if let Some(abs) = absolute(&segments, &here, inline.is_empty().then_some(local)) {
                        found.push((abs, line));
                    }
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// Parses `a::b::{c, d::e}` from `toks[i]`; pushes each full path onto `out`; returns the index after.
fn parse_path(toks: &[(Tok, usize)], mut i: usize, mut prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    while let Some((Tok::Ident(name), _)) = toks.get(i) {
        prefix.push(name.clone());
        i += 1;
        if toks.get(i).map(|t| &t.0) != Some(&Tok::Path) {
            break;
        }
        i += 1;
        if toks.get(i).map(|t| &t.0) == Some(&Tok::Open) {
            i += 1;
            loop {
                match toks.get(i).map(|t| &t.0) {
                    None => return i,
                    Some(Tok::Close) => return i + 1,
                    Some(Tok::Ident(_)) => {
                        i = parse_path(toks, i, prefix.clone(), out);
                        // Skip `as name` up to the next item.
                        while !matches!(toks.get(i).map(|t| &t.0), None | Some(Tok::Comma | Tok::Close)) {
                            i += 1;
                        }
                    }
                    Some(_) => i += 1,
                }
            }
        }
    }
    out.push(prefix);
    i
}

fn absolute(segments: &[String], here: &[String], local: Option<&BTreeSet<String>>) -> Option<Vec<String>> {
    // A lone name is a variable, a field or a keyword far more often than a module.
    if segments.len() < 2 {
        return None;
    }
    let first = segments[0].as_str();
    let mut abs: Vec<String> = match first {
        "crate" | "vouch_server" => Vec::new(),
        "self" => here.to_vec(),
        "super" => {
            let ups = segments.iter().take_while(|s| *s == "super").count();
            let mut base = here.get(..here.len().checked_sub(ups)?)?.to_vec();
            base.extend(segments[ups..].iter().cloned());
            return Some(base);
        }
        name if local.is_some_and(|l| l.contains(name)) => {
            return Some(here.iter().chain(segments).cloned().collect());
        }
        _ => return None,
    };
    abs.extend(segments[1..].iter().cloned());
    Some(abs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_in_code_count_and_paths_in_comments_and_strings_do_not() {
        let code = "use crate::{a::b, c as d};\n// crate::x::y\nlet s = \"crate::z\"; let c = '{';\n\
                    mod t { use super::super::e::f; }\nsqlite::Db::new(r#\"crate::y\"#)";
        let local = BTreeSet::from(["sqlite".to_string()]);
        let found = resolve(&tokens(&blank(code)), &["m".into()], &local);
        let found: Vec<String> = found.into_iter().map(|(p, line)| format!("{}@{line}", p.join("::"))).collect();
        assert_eq!(found, ["a::b@1", "c@1", "e::f@4", "m::sqlite::Db::new@5"]);
    }

    #[test]
    fn every_cycle_is_found_once() {
        let edges = [("a", "b"), ("b", "a"), ("b", "c"), ("c", "a"), ("c", "d")];
        let graph = edges.iter().map(|(x, y)| ((x.to_string(), y.to_string()), String::new())).collect();
        assert_eq!(cycles(&graph), [vec!["a", "b"], vec!["a", "b", "c"]]);
    }
}
