//! serve's jobs and the queue of runs they make.
//!
//! A job is what one request asked for (its paths). A run is one `run` pipeline over a set of
//! paths. Requests are coalesced: a path already waiting in a run not started yet joins that
//! run, so a burst of calls for the same pages makes one run, not one per call. A path being
//! run gets at most one more run queued behind it (its content may have changed after that
//! run's snapshot). Two runs never hold the same path at once: a run waits until no running run
//! shares a path with it.
//!
//! Invariants: a job is done only when every run that holds one of its paths is done; its
//! outcome is the worst of its paths' verdicts in those runs, and a path without a verdict (the
//! run failed or stopped first) is `failed`, never fresh. Pure state: no I/O, unit-tested.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;
use std::time::SystemTime;

use serde::Serialize;
use tokio::sync::watch;

/// Where a job or a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Queued,
    Running,
    Done,
}

/// What a job, or one path of it, came to. Ordered from best to worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Proven fresh on every pod, every variant (and the edge, when configured).
    Fresh,
    /// Regenerated, but the same as before the run (the CMS may not have committed yet).
    Unchanged,
    /// Not provable (converged only, or nothing to compare).
    Unproven,
    /// Some pod or the edge still serves the old page, or could not be reached.
    Stale,
    /// The run failed or stopped before the path had a verdict.
    Failed,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Fresh => "fresh",
            Outcome::Unchanged => "unchanged",
            Outcome::Unproven => "unproven",
            Outcome::Stale => "stale",
            Outcome::Failed => "failed",
        }
    }

    pub const ALL: [Outcome; 5] = [
        Outcome::Fresh,
        Outcome::Unchanged,
        Outcome::Unproven,
        Outcome::Stale,
        Outcome::Failed,
    ];
}

/// One path's end in a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PathEnd {
    pub outcome: Outcome,
    /// Why it is not fresh.
    pub reason: Option<String>,
}

/// What a finished run hands back.
#[derive(Clone, Debug, Default)]
pub struct RunEnd {
    pub exit_code: u8,
    /// Each path's end (a path missing here failed).
    pub paths: BTreeMap<String, PathEnd>,
    /// The run's JSON report (the document of `revalidate run -o json`).
    pub report: Option<Arc<serde_json::Value>>,
    /// Why the run could not be made (discovery failed, a setting is wrong), in a sentence.
    pub error: Option<String>,
}

struct Run {
    paths: Vec<String>,
    jobs: Vec<String>,
    status: Status,
    end: Option<RunEnd>,
}

struct Job {
    source: String,
    paths: Vec<String>,
    accepted_at: SystemTime,
    started_at: Option<SystemTime>,
    finished_at: Option<SystemTime>,
    runs: Vec<u64>,
    status: Status,
    outcome: Option<Outcome>,
    exit_code: Option<u8>,
    summary: String,
    /// Set to true when the job is done.
    done: watch::Sender<bool>,
    /// Who to tell when it is done (a Redis stream entry to acknowledge).
    tag: Option<String>,
}

/// The queue is full: the request is refused, and nothing of it was queued.
#[derive(Debug, PartialEq, Eq)]
pub struct Full {
    pub waiting: usize,
    pub limit: usize,
}

/// A run to start: its id and paths.
#[derive(Debug, PartialEq, Eq)]
pub struct Start {
    pub run: u64,
    pub paths: Vec<String>,
}

/// A job that became done, with what its finisher needs.
#[derive(Debug, PartialEq, Eq)]
pub struct Finished {
    pub job: String,
    pub outcome: Outcome,
    pub tag: Option<String>,
}

/// The limits of the queue.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Runs at once.
    pub max_runs: usize,
    /// Paths waiting in runs not started, at most.
    pub queue: usize,
    /// Paths one run takes, at most.
    pub run_paths: usize,
    /// Finished jobs kept.
    pub keep_jobs: usize,
}

/// The jobs, the runs and the order they start in.
pub struct Queue {
    limits: Limits,
    jobs: BTreeMap<String, Job>,
    /// Job ids by acceptance, oldest first.
    order: VecDeque<String>,
    runs: BTreeMap<u64, Run>,
    pending: VecDeque<u64>,
    running: BTreeSet<u64>,
    running_paths: BTreeSet<String>,
    next_run: u64,
}

/// A job as the API shows it.
#[derive(Clone, Debug, Serialize)]
pub struct JobView {
    pub id: String,
    pub status: Status,
    pub accepted_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub paths: Vec<String>,
    pub source: String,
    pub outcome: Option<Outcome>,
    pub exit_code: Option<u8>,
    pub summary: String,
    /// Each path's end, once the job is done.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub results: BTreeMap<String, PathEnd>,
    pub runs: Vec<RunView>,
}

/// A run as the API shows it.
#[derive(Clone, Debug, Serialize)]
pub struct RunView {
    pub id: String,
    pub paths: Vec<String>,
    pub status: Status,
    pub exit_code: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "shared_report"
    )]
    pub report: Option<Arc<serde_json::Value>>,
}

fn shared_report<S: serde::Serializer>(
    r: &Option<Arc<serde_json::Value>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match r {
        Some(v) => v.as_ref().serialize(s),
        None => s.serialize_none(),
    }
}

impl Queue {
    pub fn new(limits: Limits) -> Queue {
        Queue {
            limits,
            jobs: BTreeMap::new(),
            order: VecDeque::new(),
            runs: BTreeMap::new(),
            pending: VecDeque::new(),
            running: BTreeSet::new(),
            running_paths: BTreeSet::new(),
            next_run: 1,
        }
    }

    /// Paths waiting in runs not started.
    pub fn waiting(&self) -> usize {
        self.pending.iter().map(|r| self.runs[r].paths.len()).sum()
    }

    pub fn running(&self) -> usize {
        self.running.len()
    }

    pub fn has(&self, job: &str) -> bool {
        self.jobs.contains_key(job)
    }

    /// A receiver that turns true when job `id` is done.
    pub fn watch(&self, id: &str) -> Option<watch::Receiver<bool>> {
        self.jobs.get(id).map(|j| j.done.subscribe())
    }

    /// Jobs not done.
    pub fn open_jobs(&self) -> usize {
        self.jobs
            .values()
            .filter(|j| j.status != Status::Done)
            .count()
    }

    /// Accepts job `id` for `paths` (deduplicated, in order): each path joins the run not
    /// started that holds it, or the last run not started, or a new one. A job id already known
    /// is not queued again (a redelivered stream entry). Returns a receiver that turns true when
    /// the job is done.
    pub fn submit(
        &mut self,
        id: &str,
        source: &str,
        paths: Vec<String>,
        tag: Option<String>,
    ) -> Result<watch::Receiver<bool>, Full> {
        if let Some(j) = self.jobs.get(id) {
            return Ok(j.done.subscribe());
        }
        let mut seen = BTreeSet::new();
        let paths: Vec<String> = paths
            .into_iter()
            .filter(|p| seen.insert(p.clone()))
            .collect();
        let joins: Vec<Option<u64>> = paths.iter().map(|p| self.pending_run_of(p)).collect();
        let new: Vec<&String> = paths
            .iter()
            .zip(&joins)
            .filter(|(_, j)| j.is_none())
            .map(|(p, _)| p)
            .collect();
        let waiting = self.waiting();
        if waiting + new.len() > self.limits.queue {
            return Err(Full {
                waiting,
                limit: self.limits.queue,
            });
        }
        let mut runs: BTreeSet<u64> = joins.iter().flatten().copied().collect();
        for p in new {
            let open = self
                .pending
                .back()
                .copied()
                .filter(|r| self.runs[r].paths.len() < self.limits.run_paths);
            let run = match open {
                Some(r) => r,
                None => {
                    let r = self.next_run;
                    self.next_run += 1;
                    self.runs.insert(
                        r,
                        Run {
                            paths: Vec::new(),
                            jobs: Vec::new(),
                            status: Status::Queued,
                            end: None,
                        },
                    );
                    self.pending.push_back(r);
                    r
                }
            };
            self.runs.get_mut(&run).expect("run").paths.push(p.clone());
            runs.insert(run);
        }
        for r in &runs {
            self.runs.get_mut(r).expect("run").jobs.push(id.to_string());
        }
        let (done, rx) = watch::channel(false);
        self.jobs.insert(
            id.to_string(),
            Job {
                source: source.to_string(),
                paths,
                accepted_at: SystemTime::now(),
                started_at: None,
                finished_at: None,
                runs: runs.into_iter().collect(),
                status: Status::Queued,
                outcome: None,
                exit_code: None,
                summary: "queued".into(),
                done,
                tag,
            },
        );
        self.order.push_back(id.to_string());
        self.evict();
        Ok(rx)
    }

    fn pending_run_of(&self, path: &str) -> Option<u64> {
        self.pending
            .iter()
            .copied()
            .find(|r| self.runs[r].paths.iter().any(|p| p == path))
    }

    /// The next run to start, if a slot is free and a waiting run shares no path with a running
    /// one (the first such, in order).
    pub fn start_next(&mut self) -> Option<Start> {
        if self.running.len() >= self.limits.max_runs {
            return None;
        }
        let pos = self.pending.iter().position(|r| {
            !self.runs[r]
                .paths
                .iter()
                .any(|p| self.running_paths.contains(p))
        })?;
        let id = self.pending.remove(pos).expect("position");
        let run = self.runs.get_mut(&id).expect("run");
        run.status = Status::Running;
        self.running.insert(id);
        self.running_paths.extend(run.paths.iter().cloned());
        let now = SystemTime::now();
        for j in &run.jobs {
            if let Some(job) = self.jobs.get_mut(j)
                && job.status == Status::Queued
            {
                job.status = Status::Running;
                job.started_at = Some(now);
                job.summary = "running".into();
            }
        }
        Some(Start {
            run: id,
            paths: run.paths.clone(),
        })
    }

    /// Records run `id`'s end; returns the jobs that are done with it.
    pub fn finish(&mut self, id: u64, end: RunEnd) -> Vec<Finished> {
        let Some(run) = self.runs.get_mut(&id) else {
            return Vec::new();
        };
        run.status = Status::Done;
        run.end = Some(end);
        self.running.remove(&id);
        for p in &run.paths {
            self.running_paths.remove(p);
        }
        let jobs = run.jobs.clone();
        let mut finished = Vec::new();
        for j in jobs {
            if let Some(f) = self.conclude(&j) {
                finished.push(f);
            }
        }
        self.evict();
        finished
    }

    /// Ends job `id` when every run of it is done.
    fn conclude(&mut self, id: &str) -> Option<Finished> {
        let job = self.jobs.get(id)?;
        if job.status == Status::Done
            || job
                .runs
                .iter()
                .any(|r| self.runs.get(r).is_none_or(|r| r.status != Status::Done))
        {
            return None;
        }
        let results = self.results(job);
        let outcome = results
            .values()
            .map(|e| e.outcome)
            .max()
            .unwrap_or(Outcome::Fresh);
        let exit_code = job
            .runs
            .iter()
            .filter_map(|r| self.runs[r].end.as_ref().map(|e| e.exit_code))
            .max()
            .unwrap_or(0);
        let error = job
            .runs
            .iter()
            .find_map(|r| self.runs[r].end.as_ref().and_then(|e| e.error.clone()));
        let summary = summarize(&results, error.as_deref());
        let job = self.jobs.get_mut(id).expect("job");
        job.status = Status::Done;
        job.outcome = Some(outcome);
        job.exit_code = Some(exit_code);
        job.finished_at = Some(SystemTime::now());
        job.summary = summary;
        let _ = job.done.send(true);
        Some(Finished {
            job: id.to_string(),
            outcome,
            tag: job.tag.clone(),
        })
    }

    /// Each path of a job with its end in the run that held it.
    fn results(&self, job: &Job) -> BTreeMap<String, PathEnd> {
        let mut out = BTreeMap::new();
        for p in &job.paths {
            let end =
                job.runs
                    .iter()
                    .filter_map(|r| self.runs.get(r))
                    .filter(|r| r.paths.contains(p))
                    .find_map(|r| r.end.as_ref())
                    .map(|e| {
                        e.paths.get(p).cloned().unwrap_or_else(|| PathEnd {
                            outcome: Outcome::Failed,
                            reason: Some(e.error.clone().unwrap_or_else(|| {
                                "the run ended before this path's verdict".into()
                            })),
                        })
                    });
            if let Some(e) = end {
                out.insert(p.clone(), e);
            }
        }
        out
    }

    /// Drops the oldest finished jobs past the limit, and runs no job holds.
    fn evict(&mut self) {
        let done = self
            .jobs
            .values()
            .filter(|j| j.status == Status::Done)
            .count();
        let mut extra = done.saturating_sub(self.limits.keep_jobs);
        if extra == 0 {
            return;
        }
        let mut kept = VecDeque::new();
        while let Some(id) = self.order.pop_front() {
            if extra > 0 && self.jobs.get(&id).is_some_and(|j| j.status == Status::Done) {
                self.jobs.remove(&id);
                extra -= 1;
            } else {
                kept.push_back(id);
            }
        }
        self.order = kept;
        let held: BTreeSet<u64> = self.jobs.values().flat_map(|j| j.runs.clone()).collect();
        self.runs
            .retain(|id, r| held.contains(id) || r.status != Status::Done);
    }

    /// A job's view; with each run's report when `reports`.
    pub fn view(&self, id: &str, reports: bool) -> Option<JobView> {
        let job = self.jobs.get(id)?;
        let runs = job
            .runs
            .iter()
            .filter_map(|r| self.runs.get(r).map(|run| (r, run)))
            .map(|(r, run)| RunView {
                id: format!("r-{r}"),
                paths: run.paths.clone(),
                status: run.status,
                exit_code: run.end.as_ref().map(|e| e.exit_code),
                error: run.end.as_ref().and_then(|e| e.error.clone()),
                report: if reports {
                    run.end.as_ref().and_then(|e| e.report.clone())
                } else {
                    None
                },
            })
            .collect();
        Some(JobView {
            id: id.to_string(),
            status: job.status,
            accepted_at: crate::units::timestamp(job.accepted_at),
            started_at: job.started_at.map(crate::units::timestamp),
            finished_at: job.finished_at.map(crate::units::timestamp),
            paths: job.paths.clone(),
            source: job.source.clone(),
            outcome: job.outcome,
            exit_code: job.exit_code,
            summary: job.summary.clone(),
            results: if job.status == Status::Done {
                self.results(job)
            } else {
                BTreeMap::new()
            },
            runs,
        })
    }

    /// The newest jobs first, at most `limit`, without reports.
    pub fn list(&self, limit: usize) -> Vec<JobView> {
        self.order
            .iter()
            .rev()
            .take(limit)
            .filter_map(|id| self.view(id, false))
            .collect()
    }

    /// The jobs a run holds (to tell watchers they changed).
    pub fn jobs_of(&self, run: u64) -> Vec<String> {
        self.runs
            .get(&run)
            .map(|r| r.jobs.clone())
            .unwrap_or_default()
    }

    /// The tags of the jobs not done (stream entries still to acknowledge).
    pub fn open_tags(&self) -> Vec<String> {
        self.jobs
            .values()
            .filter(|j| j.status != Status::Done)
            .filter_map(|j| j.tag.clone())
            .collect()
    }
}

/// One line for people: what the job came to.
fn summarize(results: &BTreeMap<String, PathEnd>, error: Option<&str>) -> String {
    let total = results.len();
    let fresh = results
        .values()
        .filter(|e| e.outcome == Outcome::Fresh)
        .count();
    if total > 0 && fresh == total {
        // The edge, when configured, is part of each path's verdict.
        return format!("{} fresh on every pod", count(total, "path"));
    }
    let mut worst: Vec<(&String, &PathEnd)> = results
        .iter()
        .filter(|(_, e)| e.outcome != Outcome::Fresh)
        .collect();
    worst.sort_by_key(|(_, e)| std::cmp::Reverse(e.outcome));
    let named: Vec<String> = worst
        .iter()
        .take(3)
        .map(|(p, e)| match &e.reason {
            Some(r) => format!("{p} {} ({r})", e.outcome.name()),
            None => format!("{p} {}", e.outcome.name()),
        })
        .collect();
    let more = worst.len().saturating_sub(3);
    let mut s = format!(
        "{} of {} not fresh: {}",
        worst.len(),
        count(total, "path"),
        named.join("; ")
    );
    if more > 0 {
        s.push_str(&format!("; and {more} more"));
    }
    if let Some(e) = error
        && total == 0
    {
        s = e.to_string();
    }
    s
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(max_runs: usize, queue: usize) -> Queue {
        Queue::new(Limits {
            max_runs,
            queue,
            run_paths: 1000,
            keep_jobs: 10,
        })
    }

    fn paths(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    fn end(p: &[(&str, Outcome)]) -> RunEnd {
        RunEnd {
            exit_code: if p.iter().all(|(_, o)| *o == Outcome::Fresh) {
                0
            } else {
                4
            },
            paths: p
                .iter()
                .map(|(p, o)| {
                    (
                        p.to_string(),
                        PathEnd {
                            outcome: *o,
                            reason: None,
                        },
                    )
                })
                .collect(),
            report: None,
            error: None,
        }
    }

    #[test]
    fn a_burst_for_the_same_paths_makes_one_run() {
        let mut q = q(2, 100);
        for i in 0..50 {
            q.submit(&format!("j{i}"), "paths", paths(&["/a", "/b"]), None)
                .unwrap();
        }
        let s = q.start_next().unwrap();
        assert_eq!(s.paths, paths(&["/a", "/b"]));
        assert!(q.start_next().is_none(), "everything joined the one run");
        let done = q.finish(
            s.run,
            end(&[("/a", Outcome::Fresh), ("/b", Outcome::Fresh)]),
        );
        assert_eq!(done.len(), 50);
        assert!(done.iter().all(|f| f.outcome == Outcome::Fresh));
    }

    #[test]
    fn a_path_being_run_gets_one_more_run_behind_it_never_two_at_once() {
        let mut q = q(4, 100);
        q.submit("j1", "paths", paths(&["/a"]), None).unwrap();
        let first = q.start_next().unwrap();
        for i in 2..20 {
            q.submit(&format!("j{i}"), "paths", paths(&["/a"]), None)
                .unwrap();
        }
        assert!(
            q.start_next().is_none(),
            "/a is running: its next run waits"
        );
        assert_eq!(q.waiting(), 1, "the calls behind it share one run");
        q.finish(first.run, end(&[("/a", Outcome::Fresh)]));
        assert_eq!(q.view("j1", false).unwrap().outcome, Some(Outcome::Fresh));
        let second = q.start_next().unwrap();
        assert_eq!(second.paths, paths(&["/a"]));
        let done = q.finish(second.run, end(&[("/a", Outcome::Stale)]));
        assert_eq!(done.len(), 18);
        assert_eq!(q.view("j19", false).unwrap().outcome, Some(Outcome::Stale));
    }

    #[test]
    fn runs_without_shared_paths_go_at_once_up_to_the_limit() {
        let mut q = q(2, 100);
        q.submit("j1", "paths", paths(&["/a"]), None).unwrap();
        let r1 = q.start_next().unwrap();
        q.submit("j2", "paths", paths(&["/b"]), None).unwrap();
        q.submit("j3", "paths", paths(&["/c"]), None).unwrap();
        let r2 = q.start_next().unwrap();
        assert_eq!(r2.paths, paths(&["/b", "/c"]), "waiting paths share a run");
        q.submit("j4", "paths", paths(&["/d"]), None).unwrap();
        assert!(q.start_next().is_none(), "two runs at once at most");
        q.finish(r1.run, end(&[("/a", Outcome::Fresh)]));
        assert_eq!(q.start_next().unwrap().paths, paths(&["/d"]));
        assert_eq!(q.view("j2", false).unwrap().status, Status::Running);
    }

    #[test]
    fn a_full_queue_refuses_the_whole_request() {
        let mut q = q(1, 3);
        q.submit("j1", "paths", paths(&["/a", "/b", "/c"]), None)
            .unwrap();
        assert_eq!(
            q.submit("j2", "paths", paths(&["/a", "/d"]), None)
                .unwrap_err(),
            Full {
                waiting: 3,
                limit: 3
            }
        );
        assert!(!q.has("j2"));
        // Paths already waiting join without taking room.
        q.submit("j3", "paths", paths(&["/a", "/c"]), None).unwrap();
        assert_eq!(q.waiting(), 3);
    }

    #[test]
    fn a_job_across_two_runs_is_done_when_both_are_and_takes_the_worse() {
        let mut q = q(2, 100);
        q.submit("j1", "paths", paths(&["/a"]), None).unwrap();
        let r1 = q.start_next().unwrap();
        q.submit("j2", "paths", paths(&["/b"]), None).unwrap();
        q.submit("j3", "paths", paths(&["/a", "/b"]), None).unwrap();
        // j3's /b joined j2's waiting run; /a is new there too (behind the running /a).
        assert_eq!(q.view("j3", false).unwrap().runs.len(), 1);
        assert!(
            q.start_next().is_none(),
            "that run holds /a, which is running"
        );
        q.finish(r1.run, end(&[("/a", Outcome::Fresh)]));
        let r2 = q.start_next().unwrap();
        let done = q.finish(
            r2.run,
            end(&[("/b", Outcome::Fresh), ("/a", Outcome::Unchanged)]),
        );
        assert_eq!(done.len(), 2);
        assert_eq!(
            q.view("j3", false).unwrap().outcome,
            Some(Outcome::Unchanged)
        );
        assert_eq!(q.view("j2", false).unwrap().outcome, Some(Outcome::Fresh));
    }

    #[test]
    fn a_path_without_a_verdict_failed_and_is_never_fresh() {
        let mut q = q(1, 100);
        let mut rx = q
            .submit("j1", "paths", paths(&["/a", "/b"]), Some("1-0".into()))
            .unwrap();
        let r = q.start_next().unwrap();
        let mut e = end(&[("/a", Outcome::Fresh)]);
        e.exit_code = 3;
        let done = q.finish(r.run, e);
        assert_eq!(
            done,
            vec![Finished {
                job: "j1".into(),
                outcome: Outcome::Failed,
                tag: Some("1-0".into())
            }]
        );
        assert!(*rx.borrow_and_update());
        let v = q.view("j1", false).unwrap();
        assert_eq!(v.results["/b"].outcome, Outcome::Failed);
        assert!(v.summary.contains("/b failed"), "{}", v.summary);
    }

    #[test]
    fn a_known_job_id_is_not_queued_twice() {
        let mut q = q(1, 100);
        q.submit("j1", "paths", paths(&["/a"]), None).unwrap();
        let r = q.start_next().unwrap();
        q.submit("j1", "paths", paths(&["/a"]), None).unwrap();
        assert_eq!(q.waiting(), 0);
        q.finish(r.run, end(&[("/a", Outcome::Fresh)]));
        assert!(q.start_next().is_none());
    }

    #[test]
    fn old_finished_jobs_are_dropped_past_the_limit() {
        let mut q = q(1, 100);
        for i in 0..25 {
            q.submit(&format!("j{i}"), "paths", paths(&[&format!("/{i}")]), None)
                .unwrap();
            let r = q.start_next().unwrap();
            q.finish(r.run, end(&[(&format!("/{i}"), Outcome::Fresh)]));
        }
        assert_eq!(q.list(100).len(), 10);
        assert_eq!(q.list(100)[0].id, "j24", "newest first");
        assert!(!q.has("j0"));
        assert!(q.runs.len() <= 10);
    }
}
