//! Completions and man pages are generated from the clap definition and committed; these tests
//! fail when the committed copies are stale, and check that help, version, completions and man
//! pages need no config file and no network. The written manual (README.md and docs/) is held to
//! the code too: every relative link and anchor in it resolves, every docs/ section a message of
//! the binary names exists, and the README's exit codes are the ones `--help` prints.

use crate::common::{code, revalidate, stdout};

#[test]
fn committed_completions_and_man_pages_are_current() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    for (rel, want) in revalidate::docs::render_all() {
        match std::fs::read(root.join(&rel)) {
            Ok(have) if have == want => {}
            _ => stale.push(rel),
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated docs: {stale:?}; run `cargo run -- generate-docs` and commit the result"
    );
}

#[test]
fn every_visible_subcommand_has_a_man_page_with_exit_codes() {
    let files = revalidate::docs::render_all();
    for page in [
        "man/revalidate.1",
        "man/revalidate-fanout.1",
        "man/revalidate-verify.1",
        "man/revalidate-demo.1",
        "man/revalidate-config.1",
    ] {
        let (_, text) = files
            .iter()
            .find(|(rel, _)| rel == page)
            .unwrap_or_else(|| panic!("{page} is not generated"));
        let text = String::from_utf8_lossy(text);
        assert!(text.contains("EXIT STATUS"), "{page}");
        assert!(text.contains("130"), "{page}");
        assert!(text.contains("143"), "{page}");
    }
}

#[test]
fn help_lists_the_exit_codes_without_config_or_network() {
    let (mut c, dir) = revalidate();
    // A broken config file in the directory must not matter to help and version.
    std::fs::write(dir.path().join("revalidate.toml"), "this is [not toml").unwrap();
    let out = c.arg("--help").output().unwrap();
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    for line in [
        "0  success",
        "2  usage or configuration error",
        "3  some (path, pod) cells failed",
        "4  stale content found",
        "5  a required service",
        "130  interrupted",
        "143  terminated (SIGTERM)",
    ] {
        assert!(text.contains(line), "--help lacks {line:?}:\n{text}");
    }
    let (mut c, _d) = revalidate();
    let out = c.current_dir(dir.path()).arg("--version").output().unwrap();
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).starts_with("revalidate "));
    let (mut c, _d) = revalidate();
    let out = c
        .current_dir(dir.path())
        .args(["fanout", "--help"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("x-prerender-revalidate"));
}

#[test]
fn generate_docs_writes_every_file() {
    let (mut c, dir) = revalidate();
    let out = c
        .args(["generate-docs", "--out-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    for f in [
        "completions/revalidate.bash",
        "completions/_revalidate",
        "completions/revalidate.fish",
        "completions/_revalidate.ps1",
        "completions/revalidate.elv",
        "man/revalidate-fanout.1",
    ] {
        assert!(dir.path().join(f).is_file(), "{f} missing");
    }
}

/// The repository's root, where README.md and docs/ live.
fn root() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A file's path from the repository's root, for messages.
fn rel(file: &std::path::Path) -> String {
    file.strip_prefix(root())
        .unwrap_or(file)
        .display()
        .to_string()
}

/// README.md and every markdown file under docs/.
fn manual_files() -> Vec<std::path::PathBuf> {
    let mut files = vec![root().join("README.md")];
    for entry in std::fs::read_dir(root().join("docs")).expect("docs/ exists") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The text of a markdown file outside fenced code blocks, line by line.
fn prose_lines(text: &str) -> Vec<&str> {
    let mut fenced = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            lines.push(line);
        }
    }
    lines
}

/// The anchors GitHub gives a file's headings: the text without markup, lowercased, spaces to
/// hyphens, other punctuation dropped; a repeated heading gets `-1`, `-2`, ...
fn anchors(text: &str) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut counts = std::collections::HashMap::new();
    for line in prose_lines(text) {
        let Some(title) = line.strip_prefix('#') else {
            continue;
        };
        let title = title.trim_start_matches('#').trim();
        let slug: String = title
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                _ => None,
            })
            .flat_map(char::to_lowercase)
            .collect();
        let n = counts.entry(slug.clone()).or_insert(0);
        seen.push(if *n == 0 { slug } else { format!("{slug}-{n}") });
        *n += 1;
    }
    seen
}

/// The targets of the inline links `[text](target)` outside code.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for line in prose_lines(text) {
        // Drop inline code spans, whose brackets are not links.
        let mut plain = String::new();
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 0 {
                plain.push_str(part);
            }
        }
        let mut rest = plain.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let end = after.find(')').unwrap_or(after.len());
            targets.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    targets
}

#[test]
fn every_link_of_the_manual_resolves_to_a_file_and_heading() {
    let mut broken = Vec::new();
    let files = manual_files();
    assert!(files.len() > 2, "docs/ holds the manual: {files:?}");
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for target in link_targets(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, anchor) = match target.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (target.as_str(), None),
            };
            let dest = if path.is_empty() {
                file.clone()
            } else {
                file.parent().unwrap().join(path)
            };
            if !dest.exists() {
                broken.push(format!("{}: {target}: no such file", rel(file)));
                continue;
            }
            if let Some(anchor) = anchor {
                let dest_text = std::fs::read_to_string(&dest).unwrap_or_default();
                if !anchors(&dest_text).iter().any(|a| a == anchor) {
                    broken.push(format!("{}: {target}: no such heading", rel(file)));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_readme_is_short_and_links_every_file_of_the_manual() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.lines().count() <= 300,
        "README.md is {} lines",
        readme.lines().count()
    );
    let links = link_targets(&readme);
    for file in manual_files()
        .iter()
        .filter(|f| f.parent() == Some(&root().join("docs")))
    {
        let rel = format!("docs/{}", file.file_name().unwrap().to_string_lossy());
        assert!(
            links
                .iter()
                .any(|l| l.split('#').next() == Some(rel.as_str())),
            "README.md does not link {rel}"
        );
    }
}

#[test]
fn every_docs_section_a_message_names_exists() {
    // Messages point people at the manual as `docs/FILE.md, \"Heading\"` (escaped in the source).
    fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    sources(&root().join("src"), &mut files);
    let mut named = 0;
    let mut missing = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("docs/") {
            rest = &rest[at..];
            let end = rest.find(".md").filter(|&e| {
                rest[5..e]
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-')
            });
            let Some(end) = end else {
                rest = &rest[5..];
                continue;
            };
            let doc = &rest[..end + 3];
            rest = &rest[end + 3..];
            named += 1;
            let Ok(doc_text) = std::fs::read_to_string(root().join(doc)) else {
                missing.push(format!("{}: {doc}", rel(&file)));
                continue;
            };
            if let Some(section) = rest.strip_prefix(", \\\"") {
                let title = &section[..section.find("\\\"").unwrap()];
                let found = prose_lines(&doc_text)
                    .iter()
                    .any(|l| l.starts_with('#') && l.trim_start_matches('#').trim() == title);
                if !found {
                    missing.push(format!("{}: {doc}, \"{title}\"", rel(&file)));
                }
            }
        }
    }
    assert!(named > 0, "no message names the manual");
    assert!(missing.is_empty(), "sections not found: {missing:?}");
}

#[test]
fn the_readme_lists_the_exit_codes_help_prints() {
    let (mut c, _dir) = revalidate();
    let help = stdout(&c.arg("--help").output().unwrap());
    // clap wraps long meanings onto lines of their own: join them back.
    let mut from_help: Vec<(String, String)> = Vec::new();
    for line in help
        .lines()
        .skip_while(|l| !l.starts_with("Exit codes:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
    {
        let line = line.trim();
        match line.split_once("  ") {
            Some((code, meaning)) if code.parse::<u8>().is_ok() => {
                from_help.push((code.to_string(), meaning.trim().to_string()))
            }
            _ => {
                let (_, meaning) = from_help.last_mut().expect("a code before its meaning");
                meaning.push(' ');
                meaning.push_str(line);
            }
        }
    }
    assert_eq!(from_help.len(), 8, "{help}");

    let table = |file: &str| -> Vec<(String, String)> {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        text.lines()
            .skip_while(|l| *l != "## Exit codes")
            .filter_map(|l| {
                let cells: Vec<&str> = l.strip_prefix('|')?.split('|').map(str::trim).collect();
                cells[0].parse::<u8>().ok()?;
                Some((cells[0].to_string(), cells[1].to_string()))
            })
            .collect()
    };
    assert_eq!(
        table("README.md"),
        from_help,
        "README.md's exit codes differ from --help"
    );
    let codes = |rows: &[(String, String)]| rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>();
    assert_eq!(
        codes(&table("docs/json-output.md")),
        codes(&from_help),
        "docs/json-output.md lists other exit codes than --help"
    );
}
