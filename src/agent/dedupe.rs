//! Dedupe: the message ids handled within the window, so a message that came twice (the
//! channel and the stream, or a retried publish) is handled once.
//!
//! The agent runs in every pod, so what it holds per message is multiplied by the fleet: an id
//! is kept as its 128-bit hash (blake3; two different ids agree with odds of 2^-128 per pair)
//! beside the moment it was first seen, 24 bytes in a ring and 16 in a set, with no allocation
//! per entry. At 100 messages a second and the 10-minute default window that is about 4 MiB.
//!
//! Invariants: an id seen within the window (its first sighting's moment plus the window,
//! inclusive) is a duplicate, and once past it is new again; a duplicate does not extend its
//! window; the ring is in the order ids were first seen, which is time order, so expiry only
//! ever looks at its front.

use std::collections::HashSet;
use std::collections::VecDeque;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::time::Duration;
use std::time::Instant;

/// A message id as its 128-bit hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Id(u64, u64);

impl Id {
    fn of(id: &str) -> Id {
        let h = blake3::hash(id.as_bytes());
        let b = h.as_bytes();
        Id(
            u64::from_le_bytes(b[..8].try_into().expect("8 bytes")),
            u64::from_le_bytes(b[8..16].try_into().expect("8 bytes")),
        )
    }
}

impl Hash for Id {
    // Already a uniform hash: its first half is the set's hash as it is.
    fn hash<H: Hasher>(&self, h: &mut H) {
        h.write_u64(self.0);
    }
}

/// The set's hasher: hands an [`Id`]'s first half through.
#[derive(Default)]
pub(super) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used (by `Id`); anything else still hashes, if slowly.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
}

/// Below this many slots the ring and the set are not worth shrinking.
const SHRINK_ABOVE: usize = 1024;

/// Message ids seen within a window, oldest first.
pub(super) struct Dedupe {
    window: u64,
    /// The moment every time is counted from: the first one seen.
    epoch: Option<Instant>,
    /// The ids within the window.
    pub(super) seen: HashSet<Id, BuildHasherDefault<IdHasher>>,
    /// Each id with when it was first seen (nanoseconds since `epoch`), oldest first.
    order: VecDeque<(u64, Id)>,
}

impl Dedupe {
    pub(super) fn new(window: Duration) -> Dedupe {
        Dedupe {
            window: u64::try_from(window.as_nanos()).unwrap_or(u64::MAX),
            epoch: None,
            seen: HashSet::default(),
            order: VecDeque::new(),
        }
    }

    /// Records `id`; false when it was already seen within the window.
    pub(super) fn first_time(&mut self, id: &str) -> bool {
        self.first_time_at(id, Instant::now())
    }

    /// [`Dedupe::first_time`] at a given moment (tests pass their own clock).
    pub(super) fn first_time_at(&mut self, id: &str, now: Instant) -> bool {
        let epoch = *self.epoch.get_or_insert(now);
        let now =
            u64::try_from(now.saturating_duration_since(epoch).as_nanos()).unwrap_or(u64::MAX);
        let before = self.order.len();
        while let Some(&(t, old)) = self.order.front() {
            if now.saturating_sub(t) <= self.window {
                break;
            }
            self.order.pop_front();
            self.seen.remove(&old);
        }
        if self.order.len() < before {
            self.shrink();
        }
        let id = Id::of(id);
        if !self.seen.insert(id) {
            return false;
        }
        self.order.push_back((now, id));
        true
    }

    /// Gives memory back after a burst has expired.
    fn shrink(&mut self) {
        let n = self.order.len();
        if self.order.capacity() > SHRINK_ABOVE && n < self.order.capacity() / 4 {
            self.order.shrink_to(n * 2);
            self.seen.shrink_to(n * 2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_small_and_inline() {
        assert_eq!(std::mem::size_of::<(u64, Id)>(), 24);
        assert_eq!(std::mem::size_of::<Id>(), 16);
    }

    #[test]
    fn a_burst_is_forgotten_and_its_memory_given_back() {
        let t0 = Instant::now();
        let mut d = Dedupe::new(Duration::from_secs(1));
        for i in 0..100_000 {
            assert!(d.first_time_at(&format!("id-{i}"), t0));
        }
        assert!(!d.first_time_at("id-99999", t0));
        let full = d.order.capacity();
        assert!(d.first_time_at("later", t0 + Duration::from_secs(2)));
        assert_eq!(d.seen.len(), 1);
        assert!(d.order.capacity() < full / 100, "{}", d.order.capacity());
        assert!(d.first_time_at("id-5", t0 + Duration::from_secs(2)));
        assert!(!d.first_time_at("later", t0 + Duration::from_secs(3)));
    }

    #[test]
    fn ids_that_differ_slightly_are_different() {
        let t0 = Instant::now();
        let mut d = Dedupe::new(Duration::from_secs(60));
        assert!(d.first_time_at("00ff00ff00ff00ff", t0));
        assert!(d.first_time_at("00ff00ff00ff00fe", t0));
        assert!(d.first_time_at("", t0));
        assert!(!d.first_time_at("", t0));
    }
}
