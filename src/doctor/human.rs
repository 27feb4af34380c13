//! doctor's report as people read it: one line of totals, then a table grouped by part, each
//! check's status and what was found, its hint under it.

use super::{Report, Status};
use crate::report::Style;
use crate::report::table::{Cell, Paint, Table};

pub fn render(r: &Report, style: &Style) -> String {
    let t = &r.totals;
    let head = if t.fail > 0 {
        style.red(&format!(
            "doctor: {} FAIL, {} WARN, {} OK",
            t.fail, t.warn, t.ok
        ))
    } else if t.warn > 0 {
        style.yellow(&format!("doctor: {} WARN, {} OK", t.warn, t.ok))
    } else {
        style.green(&format!("doctor: all {} checks OK", t.ok))
    };
    let mut out = format!("{head} ({:.0} ms)\n\n", r.duration_ms);
    let mut table = Table::new(&["PART", "CHECK", "STATUS", "FOUND"]);
    let mut last = None;
    for c in &r.checks {
        let part = if last == Some(c.part) {
            String::new()
        } else {
            c.part.name().to_string()
        };
        last = Some(c.part);
        let paint = match c.status {
            Status::Ok => Paint::Good,
            Status::Warn => Paint::Warn,
            Status::Fail => Paint::Bad,
        };
        table.row(vec![
            part.into(),
            c.name.as_str().into(),
            Cell::new(c.status.label(), paint),
            c.summary.as_str().into(),
        ]);
        if c.status != Status::Ok
            && let Some(h) = &c.hint
        {
            table.row(vec![
                "".into(),
                "".into(),
                "".into(),
                Cell::new(format!("hint: {h}"), Paint::Dim),
            ]);
        }
    }
    out.push_str(&table.render(style));
    out
}
