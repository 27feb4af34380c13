//! Fault injection for simulated pods.
//!
//! Owns the set of faults active on one pod and the seeded generator behind
//! the flaky fault. Invariant: faults only accumulate through `set_fault` and
//! are all removed together by `clear_faults`; the flaky fault's outcome for
//! the n-th request after it was set depends only on (seed, pod index, n), so
//! a run with the same seed fails the same requests.

use std::time::Duration;

/// A misbehaviour a pod can be told to exhibit. Several may be active at once.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// The port is closed: connections are refused and open ones are dropped.
    Down,
    /// An extra delay before every answer.
    Slow(Duration),
    /// Every request is answered with this status code.
    Status(u16),
    /// That share of requests is answered 503, deterministically per seed.
    Flaky {
        /// Share of requests that fail, from 0.0 (none) to 1.0 (all).
        fail_ratio: f64,
    },
    /// The request is read, then the TCP connection is reset (RST).
    Reset,
    /// The request is read and never answered.
    Hang,
    /// The request is read and held until the faults are cleared (`clear_faults`), then
    /// answered as usual: a barrier that makes "a request in flight" certain in a test, where a
    /// delay would race.
    Hold,
    /// Revalidation is acknowledged (`REVALIDATED`, `{"revalidated":true}`)
    /// but nothing is regenerated, so the old page keeps being served.
    Lie,
    /// `x-prerender-revalidate` is ignored (as with a wrong preview id or a
    /// proxy that strips the header) and `/api/revalidate` answers
    /// `{"revalidated":false}`.
    IgnoreRevalidate,
}

/// The faults currently active on a pod, folded into one cheap-to-copy value
/// that the request path reads once per request.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct FaultSet {
    pub(crate) down: bool,
    /// Sum of all `Slow` delays, so adding two slow faults slows down twice.
    pub(crate) slow: Duration,
    /// The most recently set `Status` fault wins.
    pub(crate) status: Option<u16>,
    pub(crate) flaky: Option<f64>,
    pub(crate) reset: bool,
    pub(crate) hang: bool,
    pub(crate) hold: bool,
    pub(crate) lie: bool,
    pub(crate) ignore_revalidate: bool,
}

impl FaultSet {
    pub(crate) fn add(&mut self, fault: &Fault) {
        match *fault {
            Fault::Down => self.down = true,
            Fault::Slow(d) => self.slow = self.slow.saturating_add(d),
            Fault::Status(code) => self.status = Some(code),
            Fault::Flaky { fail_ratio } => {
                self.flaky = Some(if fail_ratio.is_nan() {
                    0.0
                } else {
                    fail_ratio.clamp(0.0, 1.0)
                })
            }
            Fault::Reset => self.reset = true,
            Fault::Hang => self.hang = true,
            Fault::Hold => self.hold = true,
            Fault::Lie => self.lie = true,
            Fault::IgnoreRevalidate => self.ignore_revalidate = true,
        }
    }

    /// The active faults as the public enum, for display and inspection.
    pub(crate) fn to_faults(&self) -> Vec<Fault> {
        let mut out = Vec::new();
        if self.down {
            out.push(Fault::Down);
        }
        if !self.slow.is_zero() {
            out.push(Fault::Slow(self.slow));
        }
        if let Some(code) = self.status {
            out.push(Fault::Status(code));
        }
        if let Some(fail_ratio) = self.flaky {
            out.push(Fault::Flaky { fail_ratio });
        }
        if self.reset {
            out.push(Fault::Reset);
        }
        if self.hang {
            out.push(Fault::Hang);
        }
        if self.hold {
            out.push(Fault::Hold);
        }
        if self.lie {
            out.push(Fault::Lie);
        }
        if self.ignore_revalidate {
            out.push(Fault::IgnoreRevalidate);
        }
        out
    }
}

/// One step of the splitmix64 generator: tiny, fast, and good enough to make
/// reproducible test traffic; not for anything security-related.
pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Whether the `draw`-th flaky decision on pod `pod_index` fails.
///
/// Indexing the generator by draw number (instead of keeping a mutable
/// generator) keeps decisions reproducible even when requests race: the same
/// seed always fails the same draw numbers.
pub(crate) fn flaky_fails(seed: u64, pod_index: usize, draw: u64, fail_ratio: f64) -> bool {
    let mut stream = seed ^ (pod_index as u64 + 1).wrapping_mul(0xD6E8_FEB8_6659_FD93);
    let stream_base = splitmix64(&mut stream);
    let mut state = stream_base.wrapping_add(draw.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let r = splitmix64(&mut state);
    let unit = (r >> 11) as f64 / (1u64 << 53) as f64;
    unit < fail_ratio
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_accumulate() {
        let mut set = FaultSet::default();
        set.add(&Fault::Slow(Duration::from_millis(10)));
        set.add(&Fault::Slow(Duration::from_millis(5)));
        set.add(&Fault::Lie);
        set.add(&Fault::Flaky { fail_ratio: 7.0 });
        assert_eq!(set.slow, Duration::from_millis(15));
        assert_eq!(
            set.to_faults(),
            vec![
                Fault::Slow(Duration::from_millis(15)),
                Fault::Flaky { fail_ratio: 1.0 },
                Fault::Lie
            ]
        );
    }

    #[test]
    fn flaky_is_deterministic_and_near_its_ratio() {
        let run = |seed: u64, pod: usize| -> Vec<bool> {
            (0..10_000)
                .map(|n| flaky_fails(seed, pod, n, 0.3))
                .collect()
        };
        assert_eq!(run(42, 0), run(42, 0));
        assert_ne!(run(42, 0), run(43, 0));
        assert_ne!(run(42, 0), run(42, 1));
        let failures = run(42, 0).iter().filter(|f| **f).count();
        assert!((2_800..3_200).contains(&failures), "{failures}");
        assert!(!(0..1000).any(|n| flaky_fails(1, 0, n, 0.0)));
        assert!((0..1000).all(|n| flaky_fails(1, 0, n, 1.0)));
    }

    #[test]
    fn splitmix_reference_values() {
        // First outputs for seed 0 from the reference splitmix64 implementation.
        let mut s = 0;
        assert_eq!(splitmix64(&mut s), 0xE220_A839_7B1D_CDAF);
        assert_eq!(splitmix64(&mut s), 0x6E78_9E6A_A1B9_65F4);
    }
}
