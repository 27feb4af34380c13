//! serve's `/metrics`, in Prometheus's text format: requests by result, the queue, runs by
//! outcome and their durations. Counters only grow; rendering is a pure function of the
//! numbers, so it is unit-tested.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

use super::jobs::Outcome;

/// The buckets of the run-duration histogram, in seconds.
const BUCKETS: [f64; 10] = [0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0];

#[derive(Default)]
struct Inner {
    requests: BTreeMap<&'static str, u64>,
    runs: BTreeMap<&'static str, u64>,
    /// Per bucket (and +Inf last), cumulative when rendered.
    durations: [u64; BUCKETS.len() + 1],
    duration_sum: f64,
    stream_claimed: u64,
}

/// Everything serve counts.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

/// The numbers that are read, not counted: how much waits and runs now.
pub struct Gauges {
    pub waiting_paths: usize,
    pub running: usize,
    pub open_jobs: usize,
    pub ready: bool,
}

impl Metrics {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.inner.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// A request answered, by result (accepted, fresh, not-fresh, timeout, ignored,
    /// unauthorized, bad-request, too-large, queue-full, unavailable, ...).
    pub fn request(&self, result: &'static str) {
        self.with(|m| *m.requests.entry(result).or_default() += 1);
    }

    /// A run ended, by its worst outcome, after `seconds`.
    pub fn run(&self, outcome: Outcome, seconds: f64) {
        self.with(|m| {
            *m.runs.entry(outcome.name()).or_default() += 1;
            let i = BUCKETS
                .iter()
                .position(|b| seconds <= *b)
                .unwrap_or(BUCKETS.len());
            m.durations[i] += 1;
            m.duration_sum += seconds;
        });
    }

    /// Jobs claimed from a replica taken for dead.
    pub fn claimed(&self, n: u64) {
        self.with(|m| m.stream_claimed += n);
    }

    pub fn render(&self, g: &Gauges) -> String {
        self.with(|m| render(m, g))
    }
}

fn render(m: &Inner, g: &Gauges) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# HELP revalidate_serve_requests_total Requests to /revalidate, by result."
    );
    let _ = writeln!(s, "# TYPE revalidate_serve_requests_total counter");
    for (result, n) in &m.requests {
        let _ = writeln!(
            s,
            "revalidate_serve_requests_total{{result=\"{result}\"}} {n}"
        );
    }
    let _ = writeln!(
        s,
        "# HELP revalidate_serve_queue_paths Paths waiting for a run."
    );
    let _ = writeln!(s, "# TYPE revalidate_serve_queue_paths gauge");
    let _ = writeln!(s, "revalidate_serve_queue_paths {}", g.waiting_paths);
    let _ = writeln!(s, "# HELP revalidate_serve_runs_running Runs in progress.");
    let _ = writeln!(s, "# TYPE revalidate_serve_runs_running gauge");
    let _ = writeln!(s, "revalidate_serve_runs_running {}", g.running);
    let _ = writeln!(s, "# HELP revalidate_serve_jobs_open Jobs not done.");
    let _ = writeln!(s, "# TYPE revalidate_serve_jobs_open gauge");
    let _ = writeln!(s, "revalidate_serve_jobs_open {}", g.open_jobs);
    let _ = writeln!(
        s,
        "# HELP revalidate_serve_ready Whether serve takes new requests."
    );
    let _ = writeln!(s, "# TYPE revalidate_serve_ready gauge");
    let _ = writeln!(s, "revalidate_serve_ready {}", u8::from(g.ready));
    let _ = writeln!(
        s,
        "# HELP revalidate_serve_runs_total Runs ended, by their worst path's outcome."
    );
    let _ = writeln!(s, "# TYPE revalidate_serve_runs_total counter");
    for o in Outcome::ALL {
        let n = m.runs.get(o.name()).copied().unwrap_or(0);
        let _ = writeln!(
            s,
            "revalidate_serve_runs_total{{outcome=\"{}\"}} {n}",
            o.name()
        );
    }
    let _ = writeln!(
        s,
        "# HELP revalidate_serve_run_duration_seconds From a run's start to its end."
    );
    let _ = writeln!(s, "# TYPE revalidate_serve_run_duration_seconds histogram");
    let mut cumulative = 0;
    for (i, b) in BUCKETS.iter().enumerate() {
        cumulative += m.durations[i];
        let _ = writeln!(
            s,
            "revalidate_serve_run_duration_seconds_bucket{{le=\"{b}\"}} {cumulative}"
        );
    }
    cumulative += m.durations[BUCKETS.len()];
    let _ = writeln!(
        s,
        "revalidate_serve_run_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}"
    );
    let _ = writeln!(
        s,
        "revalidate_serve_run_duration_seconds_sum {}",
        m.duration_sum
    );
    let _ = writeln!(
        s,
        "revalidate_serve_run_duration_seconds_count {cumulative}"
    );
    let _ = writeln!(
        s,
        "# HELP revalidate_serve_jobs_claimed_total Jobs claimed from a replica taken for dead."
    );
    let _ = writeln!(s, "# TYPE revalidate_serve_jobs_claimed_total counter");
    let _ = writeln!(
        s,
        "revalidate_serve_jobs_claimed_total {}",
        m.stream_claimed
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_gauges_and_a_cumulative_histogram() {
        let m = Metrics::default();
        m.request("accepted");
        m.request("accepted");
        m.request("unauthorized");
        m.run(Outcome::Fresh, 0.2);
        m.run(Outcome::Stale, 7.0);
        let text = m.render(&Gauges {
            waiting_paths: 3,
            running: 1,
            open_jobs: 2,
            ready: true,
        });
        for line in [
            "revalidate_serve_requests_total{result=\"accepted\"} 2",
            "revalidate_serve_requests_total{result=\"unauthorized\"} 1",
            "revalidate_serve_queue_paths 3",
            "revalidate_serve_runs_running 1",
            "revalidate_serve_runs_total{outcome=\"fresh\"} 1",
            "revalidate_serve_runs_total{outcome=\"stale\"} 1",
            "revalidate_serve_runs_total{outcome=\"failed\"} 0",
            "revalidate_serve_run_duration_seconds_bucket{le=\"0.1\"} 0",
            "revalidate_serve_run_duration_seconds_bucket{le=\"0.25\"} 1",
            "revalidate_serve_run_duration_seconds_bucket{le=\"10\"} 2",
            "revalidate_serve_run_duration_seconds_bucket{le=\"+Inf\"} 2",
            "revalidate_serve_run_duration_seconds_count 2",
            "revalidate_serve_ready 1",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in\n{text}"
            );
        }
    }
}
