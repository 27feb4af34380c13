//! Dedupe: the message ids handled within the window, so a message that came twice (the
//! channel and the stream, or a retried publish) is handled once.

use std::collections::HashMap;
use std::collections::VecDeque;
use std::time::Duration;
use std::time::Instant;

/// Message ids seen within a window, oldest first.
pub(super) struct Dedupe {
    window: Duration,
    pub(super) seen: HashMap<String, Instant>,
    order: VecDeque<(Instant, String)>,
}

impl Dedupe {
    pub(super) fn new(window: Duration) -> Dedupe {
        Dedupe {
            window,
            seen: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// Records `id`; false when it was already seen within the window.
    pub(super) fn first_time(&mut self, id: &str) -> bool {
        self.first_time_at(id, Instant::now())
    }

    /// [`Dedupe::first_time`] at a given moment (tests pass their own clock).
    pub(super) fn first_time_at(&mut self, id: &str, now: Instant) -> bool {
        while let Some((t, _)) = self.order.front() {
            if now.duration_since(*t) <= self.window {
                break;
            }
            let (_, old) = self.order.pop_front().expect("front exists");
            if self
                .seen
                .get(&old)
                .is_some_and(|t2| now.duration_since(*t2) > self.window)
            {
                self.seen.remove(&old);
            }
        }
        if self.seen.contains_key(id) {
            return false;
        }
        self.seen.insert(id.to_string(), now);
        self.order.push_back((now, id.to_string()));
        true
    }
}
