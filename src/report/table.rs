//! Plain-text tables: columns padded to their widest cell, colour applied after padding so
//! escape codes never skew the alignment.

use super::Style;

/// How a cell is painted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paint {
    Plain,
    Good,
    Bad,
    Warn,
    Dim,
}

#[derive(Clone, Debug)]
pub struct Cell {
    pub text: String,
    pub paint: Paint,
}

impl Cell {
    pub fn new(text: impl Into<String>, paint: Paint) -> Cell {
        Cell {
            text: text.into(),
            paint,
        }
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell::new(text, Paint::Plain)
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::new(text, Paint::Plain)
    }
}

/// A table with a header row; the last column is never padded (it may be long free text).
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<Cell>>,
    indent: usize,
}

impl Table {
    pub fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            indent: 0,
        }
    }

    pub fn indent(mut self, n: usize) -> Table {
        self.indent = n;
        self
    }

    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }

    pub fn render(&self, style: &Style) -> String {
        let cols = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(cols) {
                widths[i] = widths[i].max(width(&c.text));
            }
        }
        let pad = " ".repeat(self.indent);
        let mut out = String::new();
        let header: Vec<String> = self
            .headers
            .iter()
            .enumerate()
            .map(|(i, h)| fit(h, widths[i], i + 1 == cols))
            .collect();
        out.push_str(&pad);
        out.push_str(&style.bold(header.join("  ").trim_end()));
        out.push('\n');
        for r in &self.rows {
            let cells: Vec<String> = r
                .iter()
                .enumerate()
                .take(cols)
                .map(|(i, c)| {
                    let text = fit(&c.text, widths[i], i + 1 == cols);
                    match c.paint {
                        Paint::Plain => text,
                        Paint::Good => paint_trimmed(&text, |s| style.green(s)),
                        Paint::Bad => paint_trimmed(&text, |s| style.red(s)),
                        Paint::Warn => paint_trimmed(&text, |s| style.yellow(s)),
                        Paint::Dim => paint_trimmed(&text, |s| style.dim(s)),
                    }
                })
                .collect();
            out.push_str(&pad);
            out.push_str(cells.join("  ").trim_end());
            out.push('\n');
        }
        out
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn fit(s: &str, w: usize, last: bool) -> String {
    if last {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
    }
}

/// Paints the text but not its padding, so coloured cells keep their columns.
fn paint_trimmed(text: &str, f: impl Fn(&str) -> String) -> String {
    let trimmed = text.trim_end();
    format!("{}{}", f(trimmed), &text[trimmed.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_columns_and_keeps_alignment_with_colour() {
        let mut t = Table::new(&["PATH", "OK", "NOTE"]);
        t.row(vec![
            "/a".into(),
            Cell::new("3/3", Paint::Good),
            "fine".into(),
        ]);
        t.row(vec![
            "/longer".into(),
            Cell::new("1/3", Paint::Bad),
            "2 unreachable".into(),
        ]);
        let plain = t.render(&Style { color: false });
        assert_eq!(
            plain,
            "PATH     OK   NOTE\n/a       3/3  fine\n/longer  1/3  2 unreachable\n"
        );
        let coloured = t.render(&Style { color: true });
        assert!(coloured.contains("\x1b[32m3/3\x1b[0m  fine"));
    }
}
