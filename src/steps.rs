//! The glue between steps and the reporter: each function runs one step with the command's run
//! context and transport, feeds its events to the reporter as they happen, and hands it the
//! step's report. A command, the demo, and a pipeline of steps all call these.

use std::time::Instant;

use crate::config::KubernetesSettings;
use crate::context::RunContext;
use crate::discover::{self, Discovered, Missed, Pod};
use crate::error::Error;
use crate::exit::Code;
use crate::report::{Reporter, StepReport, StepStart};
use crate::targets::Target;
use crate::transport::Transport;
use crate::{agent, cdn, fanout, publish, verify, watch};

/// At most this many `--follow-new-pods` rounds: a fleet still growing after that is reported,
/// not chased.
pub const MAX_FOLLOW_ROUNDS: u32 = 5;

/// How a step ended, for a caller that chains steps (the report itself goes to the reporter).
#[derive(Clone, Debug)]
pub struct Ended<T> {
    pub code: Code,
    pub totals: T,
}

/// Runs fanout.
pub async fn fanout(
    ctx: &RunContext,
    transport: &Transport,
    plan: &fanout::Plan,
    reporter: &mut Reporter,
) -> Ended<fanout::Totals> {
    reporter.step_started(StepStart::Fanout {
        mode: plan.mode(),
        method: plan.method(),
        targets: &plan.targets,
        paths: plan.paths.len(),
        cells: plan.paths.len() * plan.targets.len(),
    });
    let retain = reporter.retain();
    let report = fanout::run(ctx, transport, plan, retain, |c| reporter.cell(c)).await;
    let ended = Ended {
        code: report.code(),
        totals: report.totals.clone(),
    };
    reporter.step_finished(StepReport::Fanout(report));
    ended
}

/// Runs verify (with its `--wait` rounds).
pub async fn verify(
    ctx: &RunContext,
    transport: &Transport,
    plan: &verify::Plan,
    reporter: &mut Reporter,
) -> Ended<verify::Totals> {
    reporter.step_started(StepStart::Verify {
        targets: &plan.targets,
        through: plan
            .through
            .as_ref()
            .map(|t| t.target.location())
            .as_deref(),
        paths: plan.paths.len(),
        requests: plan.paths.len() * plan.requests_per_path(),
    });
    let retain = reporter.retain();
    let report = verify::run(ctx, transport, plan, retain, |p| match p {
        verify::Progress::Fetch(round, f) => reporter.fetch(round, f),
        verify::Progress::Round {
            round,
            settled,
            total,
            next,
            pause,
        } => reporter.round(round, settled, total, next, pause),
    })
    .await;
    let ended = Ended {
        code: report.code(),
        totals: report.totals.clone(),
    };
    reporter.step_finished(StepReport::Verify(report));
    ended
}

// ---- cdn ----

/// Runs a CloudFront invalidation (and its `--wait`). A failure before any batch reached
/// CloudFront is the command's error (exit 2 or 5, with its hint); after that, the report holds
/// it with the batches that were created, so their ids are never lost.
pub async fn cdn_invalidate(
    ctx: &RunContext,
    api: &cdn::aws::CloudFront,
    plan: &cdn::Plan,
    run_id: (&str, &str),
    opts: cdn::invalidate::Options,
    reporter: &mut Reporter,
) -> Result<Ended<cdn::invalidate::Totals>, Error> {
    reporter.step_started(StepStart::CdnInvalidate {
        distribution: &plan.distribution,
        run_id: run_id.0,
        run_id_source: run_id.1,
        plan: &plan.summary,
        batches: &plan.batches,
    });
    let report = cdn::invalidate::run(ctx, api, plan, run_id, opts, |p| match p {
        cdn::invalidate::Progress::Blocked {
            batch,
            files,
            wildcards,
        } => reporter.cdn_blocked(batch, files, wildcards),
        cdn::invalidate::Progress::Batch(b) => reporter.cdn_batch(b),
        cdn::invalidate::Progress::Wait(e) => reporter.cdn_wait("cdn-invalidate", e),
    })
    .await;
    if let Some(f) = &report.failure
        && report.nothing_submitted()
    {
        return Err(f.to_error());
    }
    let ended = Ended {
        code: report.code(),
        totals: report.totals.clone(),
    };
    reporter.step_finished(StepReport::CdnInvalidate(report));
    Ok(ended)
}

/// Which on-call view to run.
pub enum CdnView<'a> {
    Status(&'a [String]),
    List(usize),
    Wait(&'a [String], std::time::Duration),
}

/// Runs `cdn status`, `cdn list` or `cdn wait`. A failure that leaves nothing to show is the
/// command's error.
pub async fn cdn_status(
    ctx: &RunContext,
    api: &cdn::aws::CloudFront,
    view: CdnView<'_>,
    poll: crate::config::Poll,
    reporter: &mut Reporter,
) -> Result<Code, Error> {
    let (v, ids) = match &view {
        CdnView::Status(ids) => (cdn::wait::View::Status, ids.len()),
        CdnView::List(_) => (cdn::wait::View::List, 0),
        CdnView::Wait(ids, _) => (cdn::wait::View::Wait, ids.len()),
    };
    reporter.step_started(StepStart::CdnStatus {
        view: v,
        distribution: &api.distribution,
        ids,
    });
    let report = match view {
        CdnView::Status(ids) => cdn::wait::status(ctx, api, ids, poll).await,
        CdnView::List(limit) => cdn::wait::list(ctx, api, limit, poll).await,
        CdnView::Wait(ids, timeout) => {
            cdn::wait::wait_ids(ctx, api, ids, timeout, poll, |e| {
                reporter.cdn_wait("cdn-status", e)
            })
            .await
        }
    };
    if let Some(f) = &report.failure
        && report.is_empty()
    {
        return Err(f.to_error());
    }
    let code = report.code();
    reporter.step_finished(StepReport::CdnStatus(report));
    Ok(code)
}

/// Runs `cdn purge`. A Cloudflare failure when nothing was purged or answered is the command's
/// error.
pub async fn cdn_purge(
    ctx: &RunContext,
    transport: &Transport,
    client: &reqwest::Client,
    plan: &cdn::purge::Plan,
    wait_timeout: std::time::Duration,
    poll: crate::config::Poll,
    reporter: &mut Reporter,
) -> Result<Ended<cdn::purge::Totals>, Error> {
    let caches = plan.caches();
    let calls = plan
        .cloudflare
        .as_ref()
        .map_or(0, |z| plan.paths.len().div_ceil(z.batch_size));
    reporter.step_started(StepStart::CdnPurge {
        caches: &caches,
        paths: plan.paths.len(),
        requests: plan.paths.len() * plan.http.len() + calls,
    });
    let opts = cdn::purge::Options {
        wait_timeout,
        poll,
        retain: reporter.retain(),
    };
    let report = cdn::purge::run(ctx, transport, client, plan, opts, |r| reporter.purge(r)).await;
    if let Some(f) = &report.failure
        && report.nothing_done()
    {
        return Err(f.to_error());
    }
    let ended = Ended {
        code: report.code(),
        totals: report.totals.clone(),
    };
    reporter.step_finished(StepReport::CdnPurge(report));
    Ok(ended)
}

/// Reports a discovery (the `discover` step) to the reporter.
pub fn discovered(report: &discover::Report, reporter: &mut Reporter) {
    reporter.step_started(StepStart::Discover {
        source: &report.source,
    });
    reporter.step_finished(StepReport::Discover(report.clone()));
}

/// What a step does again for pods that appeared (`--follow-new-pods`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Again {
    /// Only on the pods that appeared (fanout: the others were revalidated).
    Newcomers,
    /// On every pod listed now (verify: agreement is a property of the whole fleet).
    Everyone,
}

/// Follows a discovery's pods to the end of a run whose step already ran: when the run lasted
/// at least `recheck_after`, lists the pods again and reports who appeared and who went away
/// (the `recheck` step); with `--follow-new-pods`, runs the step again (`run`) on the pods that
/// appeared (or, for `Again::Everyone`, on every pod) and rechecks, until none appear or
/// [`MAX_FOLLOW_ROUNDS`] rounds have run. Nothing happens after a signal or the deadline.
pub async fn follow_membership(
    ctx: &RunContext,
    found: &Discovered,
    settings: &KubernetesSettings,
    missed: Missed,
    again: Again,
    reporter: &mut Reporter,
    mut run: impl AsyncFnMut(Vec<Target>, &mut Reporter),
) {
    let Some(lister) = &found.lister else {
        return;
    };
    let mut known: Vec<Pod> = found.report.pods.clone();
    let mut window_start = found.started;
    let mut round = 0;
    loop {
        if ctx.stopped().is_some()
            || !discover::worth_rechecking(window_start.elapsed(), settings.recheck_after)
        {
            return;
        }
        round += 1;
        let follow = settings.follow_new_pods && round <= MAX_FOLLOW_ROUNDS;
        reporter.step_started(StepStart::Recheck { round });
        let listed_at = Instant::now();
        let (report, now) =
            discover::recheck(ctx, lister, &known, round, found.started, missed, follow).await;
        let appeared: Vec<Target> = report.appeared.iter().map(Pod::target).collect();
        let followed = report.followed;
        reporter.step_finished(StepReport::Recheck(report));
        let Some(now) = now else {
            return;
        };
        if !followed {
            return;
        }
        let targets = match again {
            Again::Newcomers => appeared,
            Again::Everyone => now.iter().map(Pod::target).collect(),
        };
        known = now;
        window_start = listed_at;
        run(targets, reporter).await;
    }
}

// Redis steps (issue 8).

/// Runs publish (with its acknowledgements, when asked).
pub async fn publish(
    ctx: &RunContext,
    connections: publish::Connections,
    plan: &publish::Plan,
    reporter: &mut Reporter,
) -> Ended<publish::Totals> {
    let redis = connections.redis.shown().to_string();
    reporter.step_started(StepStart::Publish {
        redis: &redis,
        channel: &plan.channel,
        command: if plan.sharded { "SPUBLISH" } else { "PUBLISH" },
        messages: plan.messages.len(),
        expect: &plan.expect,
    });
    let report = publish::run(ctx, connections, plan, |p| match p {
        publish::Progress::Published(m) => reporter.published(m),
        publish::Progress::Ack { path, id, ack } => reporter.ack(path, id, ack),
    })
    .await;
    let ended = Ended {
        code: report.code(),
        totals: report.totals.clone(),
    };
    reporter.step_finished(StepReport::Publish(report));
    ended
}

/// Runs watch until its limit or a signal.
pub async fn watch(
    ctx: &RunContext,
    redis: &crate::redis::Redis,
    first: crate::redis::subscriber::Session,
    plan: &watch::Plan,
    reporter: &mut Reporter,
) -> Ended<watch::Totals> {
    reporter.step_started(StepStart::Watch {
        redis: redis.shown(),
        channels: &plan.topics.channels,
        patterns: &plan.topics.patterns,
        sharded: plan.topics.sharded,
    });
    let retain = reporter.retain();
    let report = watch::run(ctx, redis, first, plan, retain, |p| match p {
        watch::Progress::Message(m) => reporter.watch_message(m),
        watch::Progress::Link(l) => reporter.redis_link("watch", l),
    })
    .await;
    let ended = Ended {
        code: report.code(),
        totals: report.totals.clone(),
    };
    reporter.step_finished(StepReport::Watch(report));
    ended
}

/// Runs the agent until it is stopped.
pub async fn agent(
    ctx: &RunContext,
    redis: &crate::redis::Redis,
    first: Option<crate::redis::subscriber::Session>,
    health: Option<agent::health::Listener>,
    plan: &agent::Plan,
    transport: &Transport,
    reporter: &mut Reporter,
) -> Ended<agent::Totals> {
    reporter.step_started(StepStart::Agent {
        redis: redis.shown(),
        pod: &plan.pod,
        target: &plan.target.location(),
        channel: &plan.channel,
        sharded: redis.sharded(),
        stream: plan.stream.as_deref(),
        health: health
            .as_ref()
            .and_then(agent::health::Listener::local_addr)
            .map(|a| a.to_string()),
    });
    let retain = reporter.retain();
    let report = agent::run(ctx, redis, first, health, plan, transport, retain, |e| {
        reporter.agent_event(e)
    })
    .await;
    let ended = Ended {
        code: report.code(),
        totals: report.totals.clone(),
    };
    reporter.step_finished(StepReport::Agent(report));
    ended
}
