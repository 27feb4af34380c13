//! Plain-text tables, laid out by comfy-table: columns padded to their widest cell as the screen
//! shows it (wide and combining characters counted as displayed), colour codes not counted.

use super::Style;

/// How a cell is painted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Paint {
    Plain,
    Good,
    Bad,
    Warn,
    Dim,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
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

    /// The table as lines of text: columns as wide as their widest cell on screen (comfy-table
    /// measures display width, and skips colour codes), two spaces apart, no borders, no
    /// trailing spaces.
    pub fn render(&self, style: &Style) -> String {
        use comfy_table::{ContentArrangement, presets};
        let mut t = comfy_table::Table::new();
        t.load_style(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Disabled)
            .force_no_tty();
        t.set_header(self.headers.iter().map(|h| style.bold(h)));
        for r in &self.rows {
            t.add_row(r.iter().take(self.headers.len()).map(|c| paint(c, style)));
        }
        for c in t.column_iter_mut() {
            c.set_padding((0, 2));
        }
        let pad = " ".repeat(self.indent);
        t.lines()
            .map(|l| format!("{pad}{}\n", l.trim_end()))
            .collect()
    }
}

fn paint(c: &Cell, style: &Style) -> String {
    match c.paint {
        Paint::Plain => c.text.clone(),
        Paint::Good => style.green(&c.text),
        Paint::Bad => style.red(&c.text),
        Paint::Warn => style.yellow(&c.text),
        Paint::Dim => style.dim(&c.text),
    }
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
        let plain = t.render(&Style::default());
        assert_eq!(
            plain,
            "PATH     OK   NOTE\n/a       3/3  fine\n/longer  1/3  2 unreachable\n"
        );
        let coloured = t.render(&Style {
            color: true,
            ..Style::default()
        });
        assert!(coloured.contains("\x1b[32m3/3\x1b[0m  fine"));
        // Display width, not characters or bytes: a wide character takes two columns.
        let mut t = Table::new(&["A", "B"]);
        t.row(vec!["日本".into(), "x".into()]);
        t.row(vec!["ab".into(), "y".into()]);
        assert_eq!(t.render(&Style::default()), "A     B\n日本  x\nab    y\n");
    }
}
