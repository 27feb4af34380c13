//! The JSON Schemas of the `-o json` document and of the `-o ndjson` events, generated from the
//! report and event types themselves (schemars), so they cannot drift from what is written. A
//! catalog of report kinds ([`Catalog::add`]) is the one place a new step registers its schema;
//! the generated files are committed under `schema/`, and a test fails when they are stale.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Value, json};

use super::events::{End, Payload, Start, StepEnd, Warning};
use super::{SCHEMA_VERSION, StepReport};
use crate::exit::Stop;

/// Every report kind's schema and the schemas of its step's events.
pub struct Catalog {
    generator: SchemaGenerator,
    /// `(kind, report schema)`.
    reports: Vec<(&'static str, Schema)>,
    /// `(event, step, payload schema)`.
    events: Vec<(&'static str, &'static str, Schema)>,
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog {
            generator: SchemaSettings::draft2020_12()
                .for_serialize()
                .into_generator(),
            reports: Vec::new(),
            events: Vec::new(),
        }
    }
}

impl Catalog {
    /// Adds a report kind: its schema in the document, and its step's events.
    pub fn add<R: StepReport + JsonSchema>(&mut self) -> &mut Self {
        let schema = self.generator.subschema_for::<R>();
        self.reports.push((R::KIND, schema));
        for (event, payload) in R::event_schemas(&mut self.generator) {
            let known = self
                .events
                .iter()
                .any(|(e, s, p)| *e == event && *s == R::STEP && *p == payload);
            if !known {
                self.events.push((event, R::STEP, payload));
            }
        }
        self
    }

    /// The schema of the `-o json` document.
    pub fn document(&mut self) -> Value {
        let steps: Vec<Value> = self
            .reports
            .iter()
            .map(|(kind, schema)| {
                json!({
                    "allOf": [
                        {
                            "type": "object",
                            "properties": {"step": {"const": kind}},
                            "required": ["step"],
                        },
                        schema,
                    ]
                })
            })
            .collect();
        let stop = self.generator.subschema_for::<Option<Stop>>();
        self.root(
            "revalidate report",
            "The JSON document of one command (-o json): its steps' reports, in the order they ran.",
            json!({
                "type": "object",
                "properties": {
                    "schema_version": {"const": SCHEMA_VERSION},
                    "command": {"type": "string"},
                    "started_at": {"type": "string"},
                    "finished_at": {"type": "string"},
                    "duration_ms": {"type": "number"},
                    "dry_run": {"type": "boolean"},
                    "steps": {"type": "array", "items": {"anyOf": steps}},
                    "stopped": stop,
                    "exit_code": {"type": "integer", "minimum": 0, "maximum": 255},
                },
                "required": [
                    "schema_version", "command", "started_at", "finished_at", "duration_ms",
                    "dry_run", "steps", "stopped", "exit_code",
                ],
            }),
        )
    }

    /// The schema of one `-o ndjson` line.
    pub fn events(&mut self) -> Value {
        let mut lines = Vec::new();
        // The events every command sends, whatever its steps.
        let common: [(&str, Schema); 4] = [
            (Start::EVENT, self.generator.subschema_for::<Start>()),
            (Warning::EVENT, self.generator.subschema_for::<Warning>()),
            (StepEnd::EVENT, self.generator.subschema_for::<StepEnd>()),
            (End::EVENT, self.generator.subschema_for::<End>()),
        ];
        for (event, payload) in common {
            let step = if event == StepEnd::EVENT || event == Warning::EVENT {
                json!({"type": "string"})
            } else {
                json!(false)
            };
            lines.push(line(event, step, &payload));
        }
        for (event, step, payload) in &self.events {
            lines.push(line(event, json!({"const": step}), payload));
        }
        self.root(
            "revalidate event",
            "One line of -o ndjson output: an event, its step, and its fields.",
            json!({"anyOf": lines}),
        )
    }

    /// A root schema: `body` with the definitions it refers to.
    fn root(&mut self, title: &str, description: &str, body: Value) -> Value {
        let mut root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": title,
            "description": description,
        });
        let map = root.as_object_mut().expect("an object");
        if let Value::Object(b) = body {
            map.extend(b);
        }
        let defs = self.generator.definitions().clone();
        map.insert("$defs".into(), Value::Object(defs));
        root
    }
}

/// One kind of NDJSON line: the version, the event's name, its step (`false`: none), its fields.
fn line(event: &str, step: Value, payload: &Schema) -> Value {
    let mut head = json!({
        "type": "object",
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "event": {"const": event},
            "step": step,
        },
        "required": ["schema_version", "event"],
    });
    if step != json!(false) {
        head["required"] = json!(["schema_version", "event", "step"]);
    }
    json!({"allOf": [head, payload]})
}
