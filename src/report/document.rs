//! The JSON document of a command (`-o json`), written as the run goes: its head when the
//! command starts, each step's listed items (a fanout's cells, a purge's results) as they
//! complete, each step's other fields when it ends, and the totals of the command last. So
//! memory does not grow with the number of cells, whatever the format.
//!
//! Invariants: the document is one valid JSON value whenever the command ends by itself (a
//! signal included: the reporter still closes it); listed items come out in input order (a
//! reorder buffer holds those that finished ahead of an earlier one: a few MiB in memory, the
//! rest in an unnamed temporary file, redacted, so a slow pod or a path judged again in a later
//! `--wait` round does not make memory grow with the items behind it); a line never holds more
//! than one item, so the line-by-line secret redaction of [`super::writer`] sees every string
//! whole. [`Envelope`] reads the document back.

use std::io::{self, Write};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::StepReport;
use super::held::Held;
use crate::exit::Stop;

/// The JSON document being written. What opens it (its head, a listed step's opening) is held
/// until there is something to write after it, so a command that fails before its first report
/// writes nothing on stdout: the error is all there is to say.
pub(super) struct Document {
    steps: usize,
    listing: Option<Listing>,
    /// The head, not written yet.
    held: Vec<u8>,
    /// A listed step's opening (and the separator before it), not written yet.
    opening: Option<Vec<u8>>,
    /// Bytes of early items a listing holds in memory.
    early_in_memory: usize,
    /// An item that could not be read back from the temporary file (and so is missing).
    error: Option<io::Error>,
}

impl Default for Document {
    fn default() -> Document {
        Document {
            steps: 0,
            listing: None,
            held: Vec::new(),
            opening: None,
            early_in_memory: super::held::IN_MEMORY,
            error: None,
        }
    }
}

/// The list a step writes item by item.
struct Listing {
    first: bool,
    /// The input position of the next item to write.
    next: usize,
    /// Items that finished ahead of `next`.
    early: Held,
}

/// The document's opening fields.
#[derive(Serialize, schemars::JsonSchema)]
pub(super) struct Head<'a> {
    pub schema_version: u32,
    pub command: &'a str,
    pub started_at: &'a str,
    pub dry_run: bool,
}

/// The document's closing fields.
#[derive(Serialize, schemars::JsonSchema)]
pub(super) struct Tail<'a> {
    pub finished_at: &'a str,
    pub duration_ms: f64,
    pub stopped: Option<Stop>,
    pub exit_code: u8,
}

/// `{"a":1,"b":2}` as `"a":1,"b":2`: the fields of an object, to write inside another one.
fn fields(json: &[u8]) -> &[u8] {
    &json[1..json.len() - 1]
}

impl Document {
    pub fn head(&mut self, head: &Head<'_>) {
        let json = serde_json::to_vec(head).expect("head serializes");
        self.held.extend_from_slice(b"{");
        self.held.extend_from_slice(fields(&json));
        self.held.extend_from_slice(b",\"steps\":[\n");
    }

    /// Writes what was held: something follows it now.
    fn release(&mut self, out: &mut dyn Write) {
        if !self.held.is_empty() {
            let _ = out.write_all(&std::mem::take(&mut self.held));
        }
        if let Some(opening) = self.opening.take() {
            let _ = out.write_all(&opening);
        }
    }

    /// A step starts: a step with a listed field opens its object and the list.
    pub fn step_start(&mut self, out: &mut dyn Write, kind: &str, listed: Option<&str>) {
        if self.opening.take().is_some() {
            // The last listed step neither wrote an item nor ended (its caller gave up with an
            // error): it never was.
            self.listing = None;
            self.steps -= 1;
        }
        self.close_listing(out);
        let Some(field) = listed else { return };
        let mut opening = self.separator();
        opening.extend_from_slice(
            format!("{{\"step\":{},{}:[", quoted(kind), quoted(field)).as_bytes(),
        );
        self.opening = Some(opening);
        self.listing = Some(Listing {
            first: true,
            next: 0,
            early: Held::new(self.early_in_memory),
        });
    }

    /// One listed item, at its input position `seq`.
    pub fn item(&mut self, out: &mut dyn Write, seq: usize, json: Vec<u8>) {
        if self.listing.is_none() {
            return;
        }
        self.release(out);
        let Some(l) = &mut self.listing else { return };
        if seq != l.next {
            l.early.insert(seq, json);
            return;
        }
        l.write(out, &json);
        l.next += 1;
        while l.early.holds(l.next) {
            if let Some(json) = l.early.take(l.next) {
                l.write(out, &json);
            }
            l.next += 1;
        }
    }

    /// An item that could not be read back from the temporary file: the document misses it,
    /// and the command fails as when stdout fails.
    pub fn take_error(&mut self) -> Option<io::Error> {
        if let Some(l) = &mut self.listing
            && let Some(e) = l.early.take_error()
        {
            self.error.get_or_insert(e);
        }
        self.error.take()
    }

    /// A step ended: its other fields close its object (or, unlisted, the whole report is its
    /// object).
    pub fn step_end<R: StepReport>(&mut self, out: &mut dyn Write, report: &R) {
        self.release(out);
        match (self.listing.take(), R::LISTED) {
            (Some(mut l), Some(field)) => {
                l.flush_early(out);
                self.keep_error(&mut l);
                let _ = out.write_all(b"\n]");
                // The report as text, then its members but the listed one, each copied as
                // written: no tree of values the size of the report.
                let json = serde_json::to_vec(report).expect("report serializes");
                let members: Members<'_> =
                    serde_json::from_slice(&json).expect("a report is an object");
                for (name, value) in members.0.iter().filter(|(n, _)| n != field) {
                    let _ = out.write_all(b",");
                    let _ = out.write_all(quoted(name).as_bytes());
                    let _ = out.write_all(b":");
                    let _ = out.write_all(value.get().as_bytes());
                }
                let _ = out.write_all(b"}");
            }
            (open, _) => {
                if let Some(mut l) = open {
                    // A listed step that ended as another kind (cannot happen): close it.
                    l.flush_early(out);
                    self.keep_error(&mut l);
                    let _ = out.write_all(b"\n]}");
                }
                let sep = self.separator();
                self.release(out);
                let _ = out.write_all(&sep);
                let json = serde_json::to_vec(report).expect("report serializes");
                let _ = write!(out, "{{\"step\":{}", quoted(R::KIND));
                if json.len() > 2 {
                    let _ = out.write_all(b",");
                    let _ = out.write_all(fields(&json));
                }
                let _ = out.write_all(b"}");
            }
        }
    }

    pub fn tail(&mut self, out: &mut dyn Write, tail: &Tail<'_>) {
        self.close_listing(out);
        self.release(out);
        let json = serde_json::to_vec(tail).expect("tail serializes");
        let _ = out.write_all(b"\n],");
        let _ = out.write_all(fields(&json));
        let _ = out.write_all(b"}\n");
    }

    /// A listed step that never ended (a step's glue returned early): closed as it stands.
    fn close_listing(&mut self, out: &mut dyn Write) {
        if let Some(mut l) = self.listing.take() {
            self.release(out);
            l.flush_early(out);
            self.keep_error(&mut l);
            let _ = out.write_all(b"\n]}");
        }
    }

    fn keep_error(&mut self, l: &mut Listing) {
        if let Some(e) = l.early.take_error() {
            self.error.get_or_insert(e);
        }
    }

    /// What goes before the next step's object: a comma after the first; counts the step.
    fn separator(&mut self) -> Vec<u8> {
        self.steps += 1;
        if self.steps > 1 {
            b",\n".to_vec()
        } else {
            Vec::new()
        }
    }
}

impl Listing {
    fn write(&mut self, out: &mut dyn Write, json: &[u8]) {
        let _ = out.write_all(if self.first { b"\n" } else { b",\n" });
        self.first = false;
        let _ = out.write_all(json);
    }

    /// Writes what is held, in order, gaps or not (the step is over).
    fn flush_early(&mut self, out: &mut dyn Write) {
        for seq in self.early.positions() {
            if let Some(json) = self.early.take(seq) {
                self.write(out, &json);
            }
        }
    }
}

/// A JSON object's members in the order written, each value as its text.
struct Members<'a>(Vec<(String, &'a serde_json::value::RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = Members<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut m: M,
            ) -> Result<Members<'a>, M::Error> {
                let mut out = Vec::new();
                while let Some(name) = m.next_key::<String>()? {
                    out.push((name, m.next_value()?));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// One command's JSON document, read back: the envelope, and each step's report tagged with its
/// kind (`step`), typed on demand with [`Envelope::reports`].
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Envelope {
    pub schema_version: u32,
    pub command: String,
    pub started_at: String,
    pub finished_at: String,
    pub duration_ms: f64,
    pub dry_run: bool,
    /// The steps' reports, in the order they ran, each an object with its kind in `step`.
    pub steps: Vec<serde_json::Value>,
    /// Set when the command stopped early (a signal or --deadline): the report is partial.
    pub stopped: Option<Stop>,
    pub exit_code: u8,
}

impl Envelope {
    /// Each step's kind, in order.
    pub fn kinds(&self) -> Vec<&str> {
        self.steps
            .iter()
            .map(|s| s.get("step").and_then(|k| k.as_str()).unwrap_or_default())
            .collect()
    }

    /// Every report of kind `R`, in order.
    pub fn reports<R: StepReport + DeserializeOwned>(&self) -> Result<Vec<R>, serde_json::Error> {
        self.steps
            .iter()
            .filter(|s| s.get("step").and_then(|k| k.as_str()) == Some(R::KIND))
            .map(|s| R::deserialize(s))
            .collect()
    }

    /// The one report of kind `R`, when there is exactly one.
    pub fn report<R: StepReport + DeserializeOwned>(&self) -> Option<R> {
        let mut all = self.reports::<R>().ok()?;
        (all.len() == 1).then(|| all.remove(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Code;
    use crate::report::Style;

    #[derive(Serialize, Deserialize, schemars::JsonSchema)]
    struct Listy {
        items: Vec<u32>,
        totals: u32,
    }

    impl StepReport for Listy {
        const KIND: &'static str = "listy";
        const STEP: &'static str = "listy";
        const LISTED: Option<&'static str> = Some("items");
        fn code(&self) -> Code {
            Code::Success
        }
        fn warnings(&self) -> &[String] {
            &[]
        }
        fn totals(&self) -> serde_json::Value {
            self.totals.into()
        }
        fn human(&self, _: &Style) -> String {
            String::new()
        }
    }

    fn head(d: &mut Document) {
        d.head(&Head {
            schema_version: 2,
            command: "x",
            started_at: "t0",
            dry_run: false,
        });
    }

    fn tail(d: &mut Document, out: &mut Vec<u8>) {
        d.tail(
            out,
            &Tail {
                finished_at: "t1",
                duration_ms: 1.0,
                stopped: None,
                exit_code: 0,
            },
        );
    }

    #[test]
    fn listed_items_come_out_in_input_order_and_the_document_reads_back() {
        let (mut d, mut out) = (Document::default(), Vec::new());
        head(&mut d);
        d.step_start(&mut out, "listy", Some("items"));
        for seq in [2, 0, 3, 1] {
            d.item(&mut out, seq, seq.to_string().into_bytes());
        }
        let report = Listy {
            items: vec![99],
            totals: 4,
        };
        d.step_end(&mut out, &report);
        tail(&mut d, &mut out);
        let env: Envelope = serde_json::from_slice(&out).expect("valid JSON");
        let r: Vec<Listy> = env.reports().unwrap();
        assert_eq!(
            r[0].items,
            [0, 1, 2, 3],
            "the report's own list is left out"
        );
        assert_eq!(r[0].totals, 4);
        assert_eq!(env.kinds(), ["listy"]);
    }

    #[test]
    fn items_held_past_the_memory_limit_go_to_a_file_redacted_and_come_back_in_order() {
        crate::secret::register("document-secret-5c1d");
        let mut d = Document {
            early_in_memory: 3,
            ..Document::default()
        };
        let mut out = Vec::new();
        head(&mut d);
        d.step_start(&mut out, "listy", Some("items"));
        // 0 comes last: 1 to 4 wait; 1 fits in memory, the others do not.
        for seq in [4, 1, 3, 2] {
            d.item(&mut out, seq, format!("{}", 10 + seq).into_bytes());
        }
        let l = d.listing.as_ref().unwrap();
        assert_eq!(l.early.bytes, 2, "one item in memory");
        assert_eq!(
            l.early.spill.as_ref().unwrap().at.len(),
            3,
            "three in the file"
        );
        d.item(&mut out, 0, b"10".to_vec());
        let l = d.listing.as_ref().unwrap();
        assert!(!l.early.holds(4) && l.early.bytes == 0);
        assert_eq!(
            l.early.spill.as_ref().unwrap().end,
            0,
            "the empty file starts again"
        );
        // A secret in an item that waits in the file is redacted there.
        d.item(&mut out, 6, b"\"document-secret-5c1d\"".to_vec());
        d.item(&mut out, 5, b"15".to_vec());
        let report = Listy {
            items: vec![],
            totals: 7,
        };
        d.step_end(&mut out, &report);
        tail(&mut d, &mut out);
        assert!(d.take_error().is_none());
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("document-secret-5c1d"), "{text}");
        let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(
            v["steps"][0]["items"],
            serde_json::json!([10, 11, 12, 13, 14, 15, "<redacted>"])
        );
    }

    #[test]
    fn nothing_is_written_before_a_step_writes_and_an_abandoned_step_never_was() {
        let (mut d, mut out) = (Document::default(), Vec::new());
        head(&mut d);
        d.step_start(&mut out, "listy", Some("items"));
        assert!(
            out.is_empty(),
            "a command that fails now has written nothing"
        );
        // A second step after the first gave up: the first is not in the document.
        d.step_start(&mut out, "listy", Some("items"));
        d.item(&mut out, 0, b"7".to_vec());
        d.step_end(
            &mut out,
            &Listy {
                items: vec![],
                totals: 1,
            },
        );
        tail(&mut d, &mut out);
        let env: Envelope = serde_json::from_slice(&out).expect("valid JSON");
        assert_eq!(env.kinds(), ["listy"]);
    }
}
