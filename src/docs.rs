//! Generated documentation: shell completions and man pages from the clap definition, and the
//! JSON Schemas of the report and of the events from the report types (the catalog below is
//! where a step registers its report kinds).
//!
//! Invariant: what is committed under `completions/`, `man/` and `schema/` is exactly what
//! [`render_all`] produces for the current code (a test compares them), so none of it can go
//! stale. Rendering needs no config, no network and no environment.

use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::report::schema::Catalog;
use crate::{agent, cdn, discover, exit, fanout, publish, verify, watch};

/// Every report kind a command can write, in the order steps usually run.
pub fn catalog() -> Catalog {
    let mut c = Catalog::default();
    c.add::<discover::Report>()
        .add::<discover::Recheck>()
        .add::<fanout::Report>()
        .add::<fanout::DryRun>()
        .add::<verify::Report>()
        .add::<verify::DryRun>()
        .add::<cdn::invalidate::Report>()
        .add::<cdn::invalidate::DryRun>()
        .add::<cdn::wait::StatusReport>()
        .add::<cdn::purge::Report>()
        .add::<cdn::purge::DryRun>()
        .add::<publish::Report>()
        .add::<publish::DryRun>()
        .add::<watch::Report>()
        .add::<agent::Report>()
        .add::<crate::roster::Report>()
        .add::<crate::run::SnapshotReport>()
        .add::<crate::run::Report>()
        .add::<crate::doctor::Report>();
    c
}

fn pretty(v: &serde_json::Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(v).expect("a schema serializes");
    out.push(b'\n');
    out
}

/// Every generated file as (relative path, contents), in a stable order.
pub fn render_all() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::PowerShell,
        Shell::Elvish,
    ] {
        let mut cmd = Cli::command();
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut cmd, "revalidate", &mut buf);
        let name = match shell {
            Shell::Bash => "revalidate.bash".to_string(),
            Shell::Zsh => "_revalidate".to_string(),
            Shell::Fish => "revalidate.fish".to_string(),
            Shell::PowerShell => "_revalidate.ps1".to_string(),
            Shell::Elvish => "revalidate.elv".to_string(),
            _ => format!("revalidate.{shell}"),
        };
        files.push((format!("completions/{name}"), buf));
    }
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let mut pages = vec![root.clone()];
    pages_of(&root, &mut pages);
    for cmd in pages {
        let man = clap_mangen::Man::new(cmd.clone()).date("");
        let mut buf = Vec::new();
        man.render_title(&mut buf).expect("writing to a Vec");
        man.render_name_section(&mut buf).expect("writing to a Vec");
        man.render_synopsis_section(&mut buf)
            .expect("writing to a Vec");
        man.render_description_section(&mut buf)
            .expect("writing to a Vec");
        if cmd.get_arguments().any(|a| !a.is_hide_set()) {
            man.render_options_section(&mut buf)
                .expect("writing to a Vec");
        }
        if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
            man.render_subcommands_section(&mut buf)
                .expect("writing to a Vec");
        }
        buf.extend_from_slice(exit_status_section().as_bytes());
        man.render_version_section(&mut buf)
            .expect("writing to a Vec");
        files.push((format!("man/{}", man.get_filename()), buf));
    }
    let mut catalog = catalog();
    files.push((
        "schema/report.schema.json".into(),
        pretty(&catalog.document()),
    ));
    let mut catalog = self::catalog();
    files.push(("schema/event.schema.json".into(), pretty(&catalog.events())));
    files
}

/// Every visible subcommand under `cmd`, nested ones too (`revalidate-cdn-invalidate`), in
/// definition order.
fn pages_of(cmd: &clap::Command, out: &mut Vec<clap::Command>) {
    for s in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        out.push(s.clone());
        pages_of(s, out);
    }
}

/// The EXIT STATUS section, from the one exit-code table.
fn exit_status_section() -> String {
    let mut s = String::from(".SH \"EXIT STATUS\"\n");
    for (code, meaning) in exit::TABLE {
        s.push_str(&format!(
            ".TP\n\\fB{}\\fR\n{}\n",
            code.as_u8(),
            roff_escape(meaning)
        ));
    }
    s
}

fn roff_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('-', "\\-")
}

/// Writes every generated file under `dir`.
pub fn write_all(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut written = Vec::new();
    for (rel, content) in render_all() {
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        crate::fsutil::write(&path, &content)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        written.push(rel);
    }
    Ok(written)
}
