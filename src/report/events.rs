//! The NDJSON events (`-o ndjson`): the line every event is written in ([`Line`]) and the
//! payloads of the events every command sends whatever its steps ([`Start`], [`StepEnd`],
//! [`Warning`], [`End`]). The reporter writes with these types, the event schema is generated
//! from them ([`super::schema`]), and a reader (the tests) reads a line back with them: a line
//! whatever its event is a [`Line<Value>`](Line), its payload typed on demand
//! ([`Line::get`]) with the product's own type for that event ([`Payload`]). Step-specific
//! payloads are their steps' types (a fanout's cell, a verify's verdict...), next to the step.
//!
//! Invariants: every line carries the schema version, so a consumer can read any line alone; a
//! line is one JSON object, its payload's fields beside `event` and `step`.

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Item, SCHEMA_VERSION};
use crate::exit::Stop;

/// One NDJSON line: the event's name, its step (none for the command's own events), its
/// payload's fields.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Line<'a, P> {
    pub schema_version: u32,
    pub event: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<Cow<'a, str>>,
    #[serde(flatten)]
    pub payload: P,
}

impl<'a, P: Serialize> Line<'a, P> {
    /// The line of `event` (of `step`) with `payload`, at this version of the shapes.
    pub fn new(event: &'a str, step: Option<&'a str>, payload: P) -> Line<'a, P> {
        Line {
            schema_version: SCHEMA_VERSION,
            event: Cow::Borrowed(event),
            step: step.map(Cow::Borrowed),
            payload,
        }
    }

    /// The line as written, `\n` included.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut json = serde_json::to_vec(self).expect("an event serializes");
        json.push(b'\n');
        json
    }
}

impl Line<'static, Value> {
    /// The payload read as `P`, whatever the event. The line's `step` is part of what `P` reads:
    /// a warning's payload names its step, a pod's event is read with it.
    pub fn read<P: DeserializeOwned>(&self) -> Result<P, serde_json::Error> {
        let mut fields = match &self.payload {
            Value::Object(map) => map.clone(),
            _ => serde_json::Map::new(),
        };
        if let Some(step) = &self.step {
            fields
                .entry("step")
                .or_insert_with(|| Value::String(step.to_string()));
        }
        P::deserialize(Value::Object(fields))
    }

    /// The payload as `P` when the line is `P`'s event (and reads as it); `None` otherwise.
    pub fn get<P: Payload>(&self) -> Option<P> {
        (self.event == P::EVENT).then(|| self.read().ok()).flatten()
    }

    /// Whether the line is `P`'s event (and reads as it).
    pub fn is<P: Payload>(&self) -> bool {
        self.get::<P>().is_some()
    }
}

/// What a line of one event reads as: the event's payload type, named by its event.
pub trait Payload: DeserializeOwned {
    /// The event's name: `start`, `cell`, `step-end`...
    const EVENT: &'static str;
}

/// What a step reports as it happens reads back as itself.
impl<T: Item + DeserializeOwned> Payload for T {
    const EVENT: &'static str = T::EVENT;
}

/// The event a step starts with (`step-start`); its payload is the step's own: what it is about
/// to do (a fanout's [`crate::fanout::Start`]...), a [`Payload`] of this event.
pub const STEP_START: &str = "step-start";

/// A request a dry run would send (`request`): fanout's, verify's, a purge's.
impl Payload for crate::transport::RequestView {
    const EVENT: &'static str = "request";
}

/// The command starts (`start`): the first line of every command.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Start<'a> {
    pub command: Cow<'a, str>,
    pub dry_run: bool,
}

impl Payload for Start<'static> {
    const EVENT: &'static str = "start";
}

/// Something people should know (`warning`), said on stderr too.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Warning<'a> {
    /// The step that warns.
    pub step: Cow<'a, str>,
    pub message: Cow<'a, str>,
}

impl Payload for Warning<'static> {
    const EVENT: &'static str = "warning";
}

/// A step ended (`step-end`): its totals (the step's own shape), why it stopped early if it did,
/// the exit code it alone would end the command with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StepEnd {
    pub totals: Value,
    pub stopped: Option<Stop>,
    pub exit_code: u8,
}

impl StepEnd {
    /// The totals read as the step's own totals type.
    pub fn totals_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.totals)
    }
}

impl Payload for StepEnd {
    const EVENT: &'static str = "step-end";
}

/// The command ended (`end`): the last line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct End {
    pub stopped: Option<Stop>,
    pub exit_code: u8,
    pub duration_ms: f64,
}

impl Payload for End {
    const EVENT: &'static str = "end";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_reads_back_as_written() {
        let warning = Warning {
            step: "fanout".into(),
            message: "slow".into(),
        };
        let json = Line::new("warning", None, &warning).to_vec();
        assert_eq!(
            String::from_utf8(json.clone()).unwrap(),
            format!(
                "{{\"schema_version\":{SCHEMA_VERSION},\"event\":\"warning\",\"step\":\"fanout\",\"message\":\"slow\"}}\n"
            )
        );
        let line: Line<Value> = serde_json::from_slice(&json).unwrap();
        assert_eq!(line.step.as_deref(), Some("fanout"));
        assert_eq!(line.get::<Warning>(), Some(warning));
        assert!(line.get::<End>().is_none(), "another event");

        let end = End {
            stopped: None,
            exit_code: 3,
            duration_ms: 1.5,
        };
        let line: Line<Value> =
            serde_json::from_slice(&Line::new("end", None, &end).to_vec()).unwrap();
        assert_eq!(line.step, None);
        assert_eq!(line.get::<End>(), Some(end));
    }
}
