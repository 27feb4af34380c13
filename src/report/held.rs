//! What waits to be written in input order: items that finished ahead of an earlier one (the
//! JSON document's reorder buffer), or events written when their step ends (a verify's NDJSON
//! verdicts). A few MiB stay in memory, the rest goes to an unnamed temporary file, so nothing
//! that waits makes memory grow with the cells.
//!
//! Invariants: what goes to the file is redacted first ([`crate::secret::redact`]), as
//! everything written to stdout is; an item that cannot be written to the file stays in memory;
//! one that cannot be read back is missing, and its error is kept for the caller, which fails
//! the command as a failed write does.

use std::collections::BTreeMap;
use std::io::{self, Read, Seek, SeekFrom, Write};

/// How many bytes wait in memory before the rest go to the temporary file.
pub(super) const IN_MEMORY: usize = 4 << 20;

/// Serialized items by input position: in memory up to a limit, past it in a temporary file.
pub(super) struct Held {
    memory: BTreeMap<usize, Vec<u8>>,
    pub(super) bytes: usize,
    limit: usize,
    /// Created when the memory is full; `None` after it could not be.
    pub(super) spill: Option<Spill>,
    spill_failed: bool,
    error: Option<io::Error>,
}

pub(super) struct Spill {
    file: std::fs::File,
    pub(super) end: u64,
    /// Position -> (offset, length) in the file.
    pub(super) at: BTreeMap<usize, (u64, usize)>,
}

impl Held {
    pub fn new(limit: usize) -> Held {
        Held {
            memory: BTreeMap::new(),
            bytes: 0,
            limit,
            spill: None,
            spill_failed: false,
            error: None,
        }
    }

    pub fn insert(&mut self, seq: usize, json: Vec<u8>) {
        if self.bytes + json.len() > self.limit && self.spilled(seq, &json) {
            return;
        }
        self.bytes += json.len();
        self.memory.insert(seq, json);
    }

    /// Writes the item to the temporary file, redacted as stdout would have it; false when it
    /// cannot be (then it stays in memory).
    fn spilled(&mut self, seq: usize, json: &[u8]) -> bool {
        if self.spill.is_none() && !self.spill_failed {
            match tempfile::tempfile() {
                Ok(file) => {
                    self.spill = Some(Spill {
                        file,
                        end: 0,
                        at: BTreeMap::new(),
                    })
                }
                Err(e) => {
                    tracing::debug!("cannot create a temporary file for the JSON report: {e}");
                    self.spill_failed = true;
                }
            }
        }
        let Some(spill) = &mut self.spill else {
            return false;
        };
        let text = String::from_utf8_lossy(json);
        let redacted = crate::secret::redact(&text);
        let bytes = redacted.as_bytes();
        let written = spill
            .file
            .seek(SeekFrom::Start(spill.end))
            .and_then(|_| spill.file.write_all(bytes));
        match written {
            Ok(()) => {
                spill.at.insert(seq, (spill.end, bytes.len()));
                spill.end += bytes.len() as u64;
                true
            }
            Err(e) => {
                tracing::debug!("cannot write to the JSON report's temporary file: {e}");
                false
            }
        }
    }

    /// An item that could not be read back, once.
    pub fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }

    pub fn holds(&self, seq: usize) -> bool {
        self.memory.contains_key(&seq)
            || self.spill.as_ref().is_some_and(|s| s.at.contains_key(&seq))
    }

    /// Every position held, in order.
    pub fn positions(&self) -> Vec<usize> {
        let mut all: Vec<usize> = self.memory.keys().copied().collect();
        if let Some(s) = &self.spill {
            all.extend(s.at.keys());
            all.sort_unstable();
        }
        all
    }

    /// The item at `seq`, no longer held; `None` when it was not, or could not be read back
    /// (kept as the error).
    pub fn take(&mut self, seq: usize) -> Option<Vec<u8>> {
        if let Some(json) = self.memory.remove(&seq) {
            self.bytes -= json.len();
            return Some(json);
        }
        let spill = self.spill.as_mut()?;
        let (offset, len) = spill.at.remove(&seq)?;
        let mut json = vec![0; len];
        let read = spill
            .file
            .seek(SeekFrom::Start(offset))
            .and_then(|_| spill.file.read_exact(&mut json));
        if spill.at.is_empty() {
            // Nothing left in the file: the next item that overflows starts it again.
            spill.end = 0;
            let _ = spill.file.set_len(0);
        }
        match read {
            Ok(()) => Some(json),
            Err(e) => {
                self.error.get_or_insert(io::Error::new(
                    e.kind(),
                    format!(
                        "cannot read back an item of the JSON report from its temporary file: {e}"
                    ),
                ));
                None
            }
        }
    }
}
