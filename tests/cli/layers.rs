//! The product's top-level modules stay in the layers docs/architecture.md draws: a module
//! imports only from its own layer or below, and no two top-level modules import each other,
//! directly or around a circle. The table is read from the document itself, so the map people
//! read and the rule this test keeps are one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `module -> layer` from the "Layers" table of docs/architecture.md: each line of its `text`
/// block that starts with a number lists that layer's modules, comma-separated, before two or
/// more spaces.
fn layers() -> BTreeMap<String, u32> {
    let doc = std::fs::read_to_string(root().join("docs/architecture.md")).expect("the code map");
    let section = doc
        .split("\n## Layers")
        .nth(1)
        .expect("docs/architecture.md has a \"## Layers\" section");
    let block = section
        .split("```text\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the Layers section holds a ```text block");
    let mut out = BTreeMap::new();
    for line in block.lines() {
        let Some((n, rest)) = line.trim_start().split_once(' ') else {
            continue;
        };
        let Ok(layer) = n.parse::<u32>() else {
            continue;
        };
        let modules = rest.trim_start().split("  ").next().unwrap_or_default();
        for m in modules.split(',').map(str::trim).filter(|m| !m.is_empty()) {
            assert!(
                out.insert(m.to_string(), layer).is_none(),
                "{m} is in two layers"
            );
        }
    }
    out
}

/// The top-level modules of src/ (files and directories), but for the binary's entry points.
fn modules() -> BTreeSet<String> {
    std::fs::read_dir(root().join("src"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            let m = name.strip_suffix(".rs").unwrap_or(&name).to_string();
            (!["lib", "main"].contains(&m.as_str())).then_some(m)
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file that ships: comments and unit-test modules left out.
fn shipped_code(p: &Path) -> String {
    let name = p.file_name().unwrap().to_string_lossy();
    if name == "tests.rs" || name.starts_with("tests_") || name == "proptests.rs" {
        return String::new();
    }
    let text = std::fs::read_to_string(p).unwrap();
    let text = text
        .split("\n#[cfg(test)]\nmod ")
        .next()
        .unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Which top-level modules each top-level module imports (`crate::x`, `crate::{x, ..}`).
fn imports(modules: &BTreeSet<String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for m in modules {
        let src = root().join("src");
        let mut files = Vec::new();
        if src.join(m).is_dir() {
            rust_files(&src.join(m), &mut files);
        }
        if src.join(format!("{m}.rs")).is_file() {
            files.push(src.join(format!("{m}.rs")));
        }
        let uses = out.entry(m.clone()).or_default();
        for f in files {
            let code = shipped_code(&f);
            let mut rest = code.as_str();
            while let Some(i) = rest.find("crate::") {
                rest = &rest[i + "crate::".len()..];
                let names: Vec<&str> = if let Some(list) = rest.strip_prefix('{') {
                    list.split('}')
                        .next()
                        .unwrap_or_default()
                        .split(',')
                        .map(|n| n.trim().split("::").next().unwrap_or_default())
                        .collect()
                } else {
                    vec![
                        rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                            .next()
                            .unwrap(),
                    ]
                };
                for n in names {
                    if n != m && modules.contains(n) {
                        uses.insert(n.to_string());
                    }
                }
            }
        }
    }
    out
}

#[test]
fn every_top_level_module_is_in_the_code_map_and_imports_only_its_layer_or_below() {
    let layers = layers();
    let modules = modules();
    let unmapped: Vec<&String> = modules
        .iter()
        .filter(|m| !layers.contains_key(*m))
        .collect();
    assert!(
        unmapped.is_empty(),
        "modules missing from the Layers table of docs/architecture.md: {unmapped:?}"
    );
    let gone: Vec<&String> = layers.keys().filter(|m| !modules.contains(*m)).collect();
    assert!(
        gone.is_empty(),
        "the Layers table names modules src/ lacks: {gone:?}"
    );
    let mut upward = Vec::new();
    for (m, uses) in imports(&modules) {
        for u in uses {
            if layers[&u] > layers[&m] {
                upward.push(format!(
                    "{m} (layer {}) -> {u} (layer {})",
                    layers[&m], layers[&u]
                ));
            }
        }
    }
    assert!(upward.is_empty(), "imports that go up a layer: {upward:#?}");
}

#[test]
fn no_two_top_level_modules_import_each_other_around_a_circle() {
    let graph = imports(&modules());
    // Depth-first search for a back edge; the path to it is the circle.
    fn visit<'a>(
        m: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        on_path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(i) = on_path.iter().position(|p| *p == m) {
            let mut circle: Vec<String> = on_path[i..].iter().map(|s| s.to_string()).collect();
            circle.push(m.to_string());
            return Some(circle);
        }
        if !done.insert(m) {
            return None;
        }
        on_path.push(m);
        for u in &graph[m] {
            if let Some(c) = visit(u, graph, on_path, done) {
                return Some(c);
            }
        }
        on_path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        if let Some(circle) = visit(m, &graph, &mut Vec::new(), &mut done) {
            panic!("top-level modules in a circle: {}", circle.join(" -> "));
        }
    }
}
