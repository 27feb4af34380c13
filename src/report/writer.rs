//! The one way results reach stdout: a writer that redacts every registered secret line by line
//! (a JSON string never spans lines, so a secret is always seen whole), and remembers how
//! writing failed.
//!
//! Invariants: every byte passes [`crate::secret::redact`]; a reader that went away (`| head`)
//! ends output quietly and is not an error; any other write failure (disk full, I/O error) is
//! kept, stops further output and is reported by the caller as exit 1.

use std::io::{self, Write};

pub struct Out {
    /// Buffered: a JSON document of 100,000 cells is written in large blocks, not a system call
    /// a line; streaming output (NDJSON events, people's lines) is flushed as it is written.
    inner: std::io::BufWriter<Box<dyn Write + Send>>,
    line: Vec<u8>,
    closed: bool,
    error: Option<io::Error>,
}

impl Out {
    pub fn new(inner: Box<dyn Write + Send>) -> Out {
        Out {
            inner: std::io::BufWriter::with_capacity(64 * 1024, inner),
            line: Vec::new(),
            closed: false,
            error: None,
        }
    }

    /// The first write failure that was not a closed pipe.
    pub fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }

    fn emit(&mut self, bytes: &[u8]) {
        if self.closed {
            return;
        }
        let text = String::from_utf8_lossy(bytes);
        let redacted = crate::secret::redact(&text);
        if let Err(e) = self.inner.write_all(redacted.as_bytes()) {
            self.fail(e);
        }
    }

    fn fail(&mut self, e: io::Error) {
        self.closed = true;
        if e.kind() != io::ErrorKind::BrokenPipe {
            self.error = Some(e);
        }
    }

    /// Writes what is buffered, line or not, and flushes.
    pub fn finish(&mut self) {
        let rest = std::mem::take(&mut self.line);
        if !rest.is_empty() {
            self.emit(&rest);
        }
        if !self.closed
            && let Err(e) = self.inner.flush()
        {
            self.fail(e);
        }
    }
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(i) = memchr::memchr(b'\n', rest) {
            let (line, tail) = rest.split_at(i + 1);
            if self.line.is_empty() {
                self.emit(line);
            } else {
                self.line.extend_from_slice(line);
                let whole = std::mem::take(&mut self.line);
                self.emit(&whole);
            }
            rest = tail;
        }
        self.line.extend_from_slice(rest);
        // Output to a closed reader is dropped; the caller learns of real failures at the end.
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.closed
            && let Err(e) = self.inner.flush()
        {
            self.fail(e);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A writer tests can read back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    struct Failing(io::ErrorKind);
    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(self.0, "no"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_secret_written_in_pieces_is_still_redacted() {
        crate::secret::register("writer-secret-7f3a9c");
        let sink = Shared::default();
        let mut out = Out::new(Box::new(sink.clone()));
        for piece in ["{\"a\":\"writer-sec", "ret-7f3", "a9c\"}\n", "tail"] {
            out.write_all(piece.as_bytes()).unwrap();
        }
        out.finish();
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text, "{\"a\":\"<redacted>\"}\ntail");
    }

    #[test]
    fn a_closed_pipe_is_quiet_and_other_failures_are_kept() {
        let mut out = Out::new(Box::new(Failing(io::ErrorKind::BrokenPipe)));
        out.write_all(b"x\n").unwrap();
        out.finish();
        assert!(out.take_error().is_none());
        let mut out = Out::new(Box::new(Failing(io::ErrorKind::StorageFull)));
        out.write_all(b"x\n").unwrap();
        out.finish();
        assert_eq!(out.take_error().unwrap().kind(), io::ErrorKind::StorageFull);
    }
}
