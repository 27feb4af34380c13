//! Long lists kept short for people: failures grouped by cause, and tables of one row a path
//! folded when they are long, so that 600 paths failing the same way read as one line, not 600
//! (machine output keeps every item).
//!
//! A cause is what a person would call the same problem: the failure with what is particular to
//! one path taken out (its hashes, its URLs, the path itself, see [`without_path`]); each step
//! decides its key. The targets (pods, caches) stay named when they fail the same way on the
//! same paths ("pod-2 is down" for every path is one cause naming pod-2, not one a path), and
//! the paths of a cause are named up to [`NAMED`] ("and 595 more"), every one under `-v`
//! ([`Style::verbose`]). Groups come in the order of their first item, so output follows the
//! input as the ungrouped lists did.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use crate::report::Style;
use crate::report::table::{Cell, Table};

/// How many paths a group names before "and N more" (every one under `-v`).
pub const NAMED: usize = 5;

/// Up to this many failures, a list of them keeps a row each, in full (a handful reads best as
/// it is); beyond, it is a row a cause.
pub const HANDFUL: usize = 5;

/// Whether `n` failures are listed a row each ([`HANDFUL`]).
pub fn one_a_row(n: usize) -> bool {
    n <= HANDFUL
}

/// Up to this many rows, a table of one row a path shows every row; beyond, rows alike fold
/// into one (under `-v`, never).
pub const ROWS: usize = 20;

/// Paths as people read them: the first [`NAMED`], then "and N more"; every one under `-v`.
pub fn named<S: AsRef<str>>(paths: &[S], style: &Style) -> String {
    let shown = if style.verbose > 0 {
        paths.len()
    } else {
        paths.len().min(NAMED)
    };
    let mut out = paths[..shown]
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ");
    if shown < paths.len() {
        out.push_str(&format!(" and {} more", paths.len() - shown));
    }
    out
}

/// `text` with `path` replaced by `{path}` wherever it stands as a whole path (followed by the
/// end, a `/`, `?`, `.`, `#` or anything not part of a segment), so that "307 redirect to
/// /posts/a/" on /posts/a and "307 redirect to /posts/b/" on /posts/b are one cause. The root
/// path `/` is left alone: it would match every slash.
pub fn without_path(text: &str, path: &str) -> String {
    if path.len() < 2 || !text.contains(path) {
        return text.to_string();
    }
    let segment = |c: char| c.is_ascii_alphanumeric() || "-_~%".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(path) {
        let after = &rest[at + path.len()..];
        out.push_str(&rest[..at]);
        if after.chars().next().is_some_and(segment) {
            out.push_str(path);
        } else {
            out.push_str("{path}");
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Items gathered by cause: add each failing item (its cause, the target it failed on, its
/// path), then take the [`Group`]s.
pub struct Causes<'a, K> {
    /// One a (cause, target), in order of first appearance: its paths and its item count.
    buckets: Vec<Bucket<'a, K>>,
    index: HashMap<(K, &'a str), usize>,
}

struct Bucket<'a, K> {
    cause: K,
    target: &'a str,
    paths: Vec<&'a str>,
    seen: HashSet<&'a str>,
    count: usize,
}

/// One cause: the targets that failed that way on the same paths, those paths (in input
/// order), and how many items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group<'a, K> {
    pub cause: K,
    pub targets: Vec<&'a str>,
    pub paths: Vec<&'a str>,
    pub count: usize,
}

impl<K> Default for Causes<'_, K> {
    fn default() -> Self {
        Causes {
            buckets: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<'a, K: Clone + Eq + Hash> Causes<'a, K> {
    /// One more failing item. `target` may be empty when the items have none (a message).
    pub fn add(&mut self, cause: K, target: &'a str, path: &'a str) {
        let at = *self
            .index
            .entry((cause.clone(), target))
            .or_insert_with(|| {
                self.buckets.push(Bucket {
                    cause,
                    target,
                    paths: Vec::new(),
                    seen: HashSet::new(),
                    count: 0,
                });
                self.buckets.len() - 1
            });
        let b = &mut self.buckets[at];
        b.count += 1;
        if b.seen.insert(path) {
            b.paths.push(path);
        }
    }

    /// The number of items added.
    pub fn len(&self) -> usize {
        self.buckets.iter().map(|b| b.count).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// The causes, in the order of their first item: the targets that failed the same way on
    /// exactly the same paths are one group.
    pub fn groups(self) -> Vec<Group<'a, K>> {
        let mut groups: Vec<Group<'a, K>> = Vec::new();
        let mut at: HashMap<(K, Vec<&'a str>), usize> = HashMap::new();
        for b in self.buckets {
            match at.get(&(b.cause.clone(), b.paths.clone())) {
                Some(&i) => {
                    groups[i].targets.push(b.target);
                    groups[i].count += b.count;
                }
                None => {
                    at.insert((b.cause.clone(), b.paths.clone()), groups.len());
                    groups.push(Group {
                        cause: b.cause,
                        targets: vec![b.target],
                        paths: b.paths,
                        count: b.count,
                    });
                }
            }
        }
        groups
    }
}

/// A table of one row a path (or a path and what of it), as people read it: every row up to
/// [`ROWS`] rows or under `-v`; beyond, rows whose other cells are all alike fold into one,
/// which names its paths in a last column (the first few, "and N more"). Columns that belong
/// to one path alone (a message id) are left out of a folded table.
pub struct PathRows {
    path_header: &'static str,
    paths_header: &'static str,
    headers: Vec<&'static str>,
    own: Vec<usize>,
    rows: Vec<(String, Vec<Cell>)>,
    indent: usize,
}

impl PathRows {
    /// A table whose first column is the path (`path_header`), folded under `paths_header`.
    pub fn new(
        path_header: &'static str,
        paths_header: &'static str,
        headers: &[&'static str],
    ) -> PathRows {
        PathRows {
            path_header,
            paths_header,
            headers: headers.to_vec(),
            own: Vec::new(),
            rows: Vec::new(),
            indent: 0,
        }
    }

    /// The columns (among `headers`) that belong to one path alone, left out when folded.
    pub fn own(mut self, columns: &[&str]) -> PathRows {
        self.own = self
            .headers
            .iter()
            .enumerate()
            .filter(|(_, h)| columns.contains(h))
            .map(|(i, _)| i)
            .collect();
        self
    }

    pub fn indent(mut self, n: usize) -> PathRows {
        self.indent = n;
        self
    }

    pub fn row(&mut self, path: impl Into<String>, cells: Vec<Cell>) {
        self.rows.push((path.into(), cells));
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Whether the table will fold its rows.
    pub fn folds(&self, style: &Style) -> bool {
        self.rows.len() > ROWS && style.verbose == 0
    }

    pub fn render(self, style: &Style) -> String {
        if !self.folds(style) {
            let mut headers = vec![self.path_header];
            headers.extend(&self.headers);
            let mut t = Table::new(&headers).indent(self.indent);
            for (path, mut cells) in self.rows {
                cells.insert(0, path.into());
                t.row(cells);
            }
            return t.render(style);
        }
        let kept = |cells: Vec<Cell>, own: &[usize]| -> Vec<Cell> {
            cells
                .into_iter()
                .enumerate()
                .filter(|(i, _)| !own.contains(i))
                .map(|(_, c)| c)
                .collect()
        };
        let mut folded: Vec<(Vec<Cell>, Vec<String>)> = Vec::new();
        let mut at: HashMap<Vec<Cell>, usize> = HashMap::new();
        for (path, cells) in self.rows {
            let cells = kept(cells, &self.own);
            match at.get(&cells) {
                Some(&i) => folded[i].1.push(path),
                None => {
                    at.insert(cells.clone(), folded.len());
                    folded.push((cells, vec![path]));
                }
            }
        }
        let mut headers: Vec<&str> = self
            .headers
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.own.contains(i))
            .map(|(_, h)| *h)
            .collect();
        headers.push(self.paths_header);
        let mut t = Table::new(&headers).indent(self.indent);
        for (mut cells, paths) in folded {
            cells.push(named(&paths, style).into());
            t.row(cells);
        }
        t.render(style)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::table::Paint;

    fn plain(verbose: u8) -> Style {
        Style {
            color: false,
            verbose,
        }
    }

    #[test]
    fn names_the_first_paths_or_every_one_under_verbose() {
        let paths: Vec<String> = (0..8).map(|i| format!("/p/{i}")).collect();
        assert_eq!(
            named(&paths, &plain(0)),
            "/p/0, /p/1, /p/2, /p/3, /p/4 and 3 more"
        );
        assert_eq!(
            named(&paths[..5], &plain(0)),
            "/p/0, /p/1, /p/2, /p/3, /p/4"
        );
        assert_eq!(named(&paths, &plain(1)).matches("/p/").count(), 8);
        assert!(!named(&paths, &plain(1)).contains("more"));
    }

    #[test]
    fn takes_the_path_out_of_a_cause() {
        assert_eq!(
            without_path("307 redirect to /posts/a/", "/posts/a"),
            "307 redirect to {path}/"
        );
        assert_eq!(
            without_path("GET /_next/data/B/posts/a.json?x=1: 404", "/posts/a"),
            "GET /_next/data/B{path}.json?x=1: 404"
        );
        // Not a whole path: /posts/ab is another page, /api starts like /a.
        assert_eq!(without_path("/posts/ab", "/posts/a"), "/posts/ab");
        assert_eq!(without_path("see /api/x", "/a"), "see /api/x");
        assert_eq!(without_path("at / and /x", "/"), "at / and /x");
        assert_eq!(without_path("/a and /a", "/a"), "{path} and {path}");
    }

    #[test]
    fn a_target_failing_the_same_way_everywhere_stays_named() {
        let paths: Vec<String> = (0..600).map(|i| format!("/p/{i}")).collect();
        let mut c = Causes::default();
        for p in &paths {
            c.add("unreachable", "web-1", p);
            c.add("unreachable", "web-2", p);
            if p == "/p/7" {
                c.add("unreachable", "web-3", p);
            }
            c.add("404", "web-0", p);
        }
        assert_eq!(c.len(), 1801);
        let g = c.groups();
        assert_eq!(g.len(), 3);
        assert_eq!(
            (g[0].cause, &g[0].targets[..], g[0].paths.len(), g[0].count),
            ("unreachable", &["web-1", "web-2"][..], 600, 1200)
        );
        assert_eq!(g[1].cause, "404");
        assert_eq!((&g[1].targets[..], g[1].count), (&["web-0"][..], 600));
        assert_eq!(
            (g[2].cause, &g[2].targets[..], &g[2].paths[..]),
            ("unreachable", &["web-3"][..], &["/p/7"][..])
        );
        // In input order within a group.
        assert_eq!(&g[0].paths[..2], &["/p/0", "/p/1"]);
    }

    #[test]
    fn a_long_table_folds_rows_alike_and_a_short_one_does_not() {
        let build = |n: usize| {
            let mut t = PathRows::new("PATH", "PATHS", &["OK", "ID"]).own(&["ID"]);
            for i in 0..n {
                let ok = if i % 10 == 3 { "1/3" } else { "3/3" };
                t.row(
                    format!("/p/{i}"),
                    vec![Cell::new(ok, Paint::Good), format!("id-{i}").into()],
                );
            }
            t
        };
        let short = build(3).render(&plain(0));
        assert_eq!(
            short,
            "PATH  OK   ID\n/p/0  3/3  id-0\n/p/1  3/3  id-1\n/p/2  3/3  id-2\n"
        );
        let long = build(40).render(&plain(0));
        assert_eq!(
            long,
            "OK   PATHS\n\
             3/3  /p/0, /p/1, /p/2, /p/4, /p/5 and 31 more\n\
             1/3  /p/3, /p/13, /p/23, /p/33\n"
        );
        assert_eq!(build(40).render(&plain(1)).lines().count(), 41);
    }
}
