//! The real-Next.js tier: the built `revalidate` binary against three real Next.js pods per
//! version (13.5.11, the setup the tool was born from, and 16.4.6), each its own copy of one
//! standalone build on a loopback port, all reading one content file, behind a real caching edge
//! (Varnish, `varnish.vcl`); then the same scenario against the simulated fleet of that version,
//! whose outcomes must be the real ones, so that `crates/revalidate-sim/` cannot drift from the
//! real thing.
//!
//! Needs Node.js 20.9+ and npm: `tests/e2e/prepare.sh` runs `npm ci` and `next build` when their
//! inputs changed (cached under `<target>/e2e/`); and Varnish (`varnishd`). Without them the tier
//! fails; it never skips.

mod edge;
mod fleet;
mod next;
mod report;
mod scenario;
mod sim;

// The Redis steps on real Next.js (issue 8).
mod redis;

// `revalidate run` on real Next.js behind Varnish (issue 16).
mod run;

// `revalidate serve` on real Next.js behind Varnish (issue 17).
mod serve;

// `revalidate doctor` on real Next.js behind Varnish (issue 18).
mod doctor;

// Cache tags on real Next.js (issue 18).
mod tags;

use next::{NextFleet, Version};
use sim::SimFleet;

/// Steps where the simulated fleet is known to answer differently from real Next.js. For each
/// listed step the comparison asserts that the simulation still differs, so the entry fails
/// loudly, and must be removed, once `crates/revalidate-sim/` is fixed; every other step must agree.
struct SimGap {
    version: Version,
    steps: &'static [&'static str],
    why: &'static str,
}

/// Known differences between the simulation and real Next.js, for the main developer to fix in
/// `crates/revalidate-sim/` (this tier does not change the simulation).
const SIM_GAPS: &[SimGap] = &[];

/// Runs the scenario on real Next.js of `version`, then on the simulated fleet, and asserts
/// that real Next.js gives the table's outcomes and the simulation gives real Next.js's.
fn real_and_simulated_agree(version: Version) {
    let steps = scenario::steps();
    for (i, step) in steps.iter().enumerate() {
        assert!(
            steps[..i].iter().all(|s| s.name != step.name),
            "step names are unique: {}",
            step.name
        );
    }
    for name in SIM_GAPS.iter().flat_map(|g| g.steps) {
        assert!(
            steps.iter().any(|s| s.name == *name),
            "a SimGap names a step that does not exist: {name}"
        );
    }
    let build = next::prepare(version);
    let real = {
        let fleet = NextFleet::start(version, &build);
        scenario::run(&fleet, &steps)
    };
    let simulated = {
        let fleet = SimFleet::start(version);
        scenario::run(&fleet, &steps)
    };
    let mut failures = Vec::new();
    for ((step, real), simulated) in steps.iter().zip(&real).zip(&simulated) {
        if real.outcomes() != step.expect {
            failures.push(format!(
                "{}: real Next.js {} differs from the table\n  expected: {}\n  actual:   {}",
                step.name,
                version.next_version(),
                step.expect,
                real.outcomes()
            ));
        }
        let gap = SIM_GAPS
            .iter()
            .find(|g| g.version == version && g.steps.contains(&step.name));
        match gap {
            None if simulated != real => failures.push(format!(
                "{}: the simulated fleet differs from real Next.js {}\n  real:      {real}\n  \
                 simulated: {simulated}",
                step.name,
                version.next_version()
            )),
            Some(gap) if simulated == real => failures.push(format!(
                "{}: the simulation now agrees with real Next.js {} ({real}); remove this step \
                 from the SimGap \"{}\"",
                step.name,
                version.next_version(),
                gap.why
            )),
            _ => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} steps failed:\n\n{}",
        failures.len(),
        steps.len(),
        failures.join("\n\n")
    );
}

#[test]
fn next13_real_and_simulated_agree() {
    real_and_simulated_agree(Version::Next13);
}

#[test]
fn next16_real_and_simulated_agree() {
    real_and_simulated_agree(Version::Next16);
}
