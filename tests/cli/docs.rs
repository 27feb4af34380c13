//! Completions and man pages are generated from the clap definition and committed; these tests
//! fail when the committed copies are stale, and check that help, version, completions and man
//! pages need no config file and no network.

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
