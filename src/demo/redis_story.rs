//! The demo's Redis part: the pods' channel, told on the same simulated fleet. A redis-server is
//! started on a free port (when one is on PATH, or `--redis-url` names one), an agent runs beside
//! each simulated pod (in-process, the same code as `revalidate agent`), `publish --wait-acks`
//! shows every pod acknowledging, then one pod's agent is cut off and misses a message, and
//! catches up when it starts again, before it would report ready.
//!
//! Invariant: without Redis the part is skipped with a sentence saying how to enable it, and the
//! demo still succeeds; every process and agent started here is stopped before it returns.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::agent;
use crate::choices::ColorChoice;
use crate::choices::{OutputFormat, RevalidateMethod};
use crate::config::{AgentSettings, FanoutSettings, PublishSettings, RedisSettings};
use crate::context::Limits;
use crate::context::Retain;
use crate::context::RunContext;
use crate::error::Error;
use crate::exit::Code;
use crate::exit::Stop;
use crate::paths::{Purpose, UrlPath};
use crate::publish;
use crate::redis::Redis;
use crate::redis::subscriber;
use crate::report::{Reporter, Style};
use crate::targets::Target;
use crate::transport::Transport;
use revalidate_sim::Fleet;

const CHANNEL: &str = "revalidate";

/// Limits for the agents and publish: no deadline (the agents run until stopped).
fn limits() -> Limits {
    Limits {
        concurrency: 8,
        per_pod_concurrency: 4,
        timeout: Duration::from_secs(5),
        retries: 1,
        deadline: None,
    }
}

/// A redis-server this demo started; killed when dropped.
struct OwnServer {
    _child: tokio::process::Child,
}

/// An agent beside one simulated pod.
struct DemoAgent {
    ctx: RunContext,
    task: tokio::task::JoinHandle<()>,
    ready: Arc<AtomicBool>,
}

impl DemoAgent {
    async fn start(
        redis: &Redis,
        target: &Target,
        manifest: &std::path::Path,
        catch_up: Option<Duration>,
    ) -> Result<DemoAgent, Error> {
        let settings = AgentSettings {
            channel: CHANNEL.into(),
            target: target.location().to_string(),
            pod_name: Some(target.name.clone()),
            health_addr: None,
            stream: true,
            catch_up,
            // The story tells the stream's catch-up; the record's is told by the docs.
            catch_up_since: crate::config::value::Since::Off,
            catch_up_since_source: "the demo".into(),
            catch_up_concurrency: 8,
            next_dir: None,
            dedupe_window: Duration::from_secs(600),
            grace_period: Duration::from_secs(10),
            heartbeat: Duration::from_secs(5),
        };
        let how = FanoutSettings {
            mode: crate::choices::Mode::Nextjs,
            method: RevalidateMethod::Head,
            only_generated: false,
            allow_gone: false,
            preview_id_file: Some(manifest.to_path_buf()),
            headers: Vec::new(),
            endpoint: None,
            tag_endpoint: None,
            tag_headers: Vec::new(),
        };
        let plan = agent::Plan::build(&settings, &how)?;
        let transport = Transport::new(&limits(), 1)?;
        let ctx = RunContext::new(limits());
        let ready = Arc::new(AtomicBool::new(false));
        let first = subscriber::connect(redis, &plan.topics(false)).await.ok();
        let (c, r, redis) = (ctx.clone(), ready.clone(), redis.clone());
        let task = tokio::spawn(async move {
            agent::run(
                &c,
                &redis,
                first,
                None,
                &plan,
                &transport,
                Retain::Failures,
                |e| {
                    if let agent::Event::Ready { ready, .. } = e {
                        r.store(*ready, Ordering::SeqCst);
                    }
                },
            )
            .await;
        });
        Ok(DemoAgent { ctx, task, ready })
    }

    async fn wait_ready(&self) -> bool {
        for _ in 0..200 {
            if self.ready.load(Ordering::SeqCst) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        false
    }

    /// Stops it as SIGTERM would: what is in flight finishes.
    async fn stop(self) {
        self.ctx.cancel(Stop::Terminated);
        let _ = self.task.await;
    }
}

/// Finds Redis: `--redis-url`, else a redis-server started on a free port. None (with why) when
/// neither is possible.
async fn find_redis(url: Option<&str>) -> Result<(Redis, Option<OwnServer>), String> {
    let settings = |url: String| RedisSettings {
        url,
        url_source: "--redis-url".into(),
        password_file: None,
        ca: None,
        timeout: Duration::from_secs(2),
        sharded: false,
    };
    if let Some(u) = url {
        let redis = Redis::build(&settings(u.to_string()), &|k| std::env::var(k).ok())
            .map_err(|e| e.to_string())?;
        return Ok((redis, None));
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    let child = tokio::process::Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no", "--loglevel", "warning"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|_| "no redis-server on PATH".to_string())?;
    let redis = Redis::build(&settings(format!("redis://127.0.0.1:{port}")), &|_| None)
        .map_err(|e| e.to_string())?;
    for _ in 0..100 {
        if redis.connect().await.is_ok() {
            return Ok((redis, Some(OwnServer { _child: child })));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err(format!("redis-server did not answer on 127.0.0.1:{port}"))
}

/// Runs the Redis part. Ok(true) when it unfolded as it should (or was skipped).
pub async fn run(
    url: Option<&str>,
    fleet: &Fleet,
    manifest: &std::path::Path,
    targets: &[Target],
    client: &reqwest::Client,
    reporter: &mut Reporter,
    color: ColorChoice,
) -> Result<bool, Error> {
    let style = reporter.style();
    let (redis, own) = match find_redis(url).await {
        Ok(r) => r,
        Err(why) => {
            reporter.text(&format!(
                "\n{} The Redis part (publish, an agent beside each pod, acknowledgements) is skipped: {why}.\n   Install redis-server (apt-get install redis-server, brew install redis) or pass --redis-url.\n",
                style.bold("7.")
            ));
            return Ok(true);
        }
    };
    let pod_flags: String = targets
        .iter()
        .map(|t| format!(" --pod {}", t.name))
        .collect();
    let shown = redis.shown().to_string();
    let mut agents = Vec::new();
    for t in targets {
        agents.push(DemoAgent::start(&redis, t, manifest, None).await?);
    }
    let mut all_ready = true;
    for a in &agents {
        all_ready &= a.wait_ready().await;
    }
    reporter.text(&format!(
        "\n{} Many setups subscribe every pod to a Redis channel instead; PUBLISH then says how many\n   subscribers got a message, and nothing more. `revalidate agent` runs beside each pod: it\n   revalidates its pod on every message and acknowledges.\n   Redis: {shown}{}; an agent beside {}.\n",
        style.bold("7."),
        if own.is_some() { " (started for this demo)" } else { "" },
        targets.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")
    ));

    let ctx = RunContext::new(limits());
    ctx.listen_for_signals();
    let b_title = "Post B, published on Redis";
    fleet.cms().set_title("b", b_title);
    reporter.text(&format!(
        "   The editor changes /posts/b; the CMS publishes it, waiting for every pod's acknowledgement:\n   $ revalidate publish /posts/b --stream --wait-acks{pod_flags} --redis-url {shown}\n\n"
    ));
    let first = publish_step(&ctx, &redis, "/posts/b", targets, reporter).await?;
    reporter.text(&format!(
        "\n{}",
        titles(client, "/posts/b", targets, &style, b_title).await
    ));

    // pod-3's agent is cut off: it misses the next message.
    let last = agents.pop().expect("agents");
    let missed = targets.last().expect("targets");
    last.stop().await;
    let c_title = "Post C, missed by one pod";
    fleet.cms().set_title("c", c_title);
    reporter.text(&format!(
        "\n{} {}'s agent is cut off (its pod is restarting) when /posts/c changes:\n   $ revalidate publish /posts/c --stream --wait-acks --ack-timeout 2s{pod_flags}\n\n",
        style.bold("8."),
        missed.name
    ));
    // A failing step the story expects: its exit code is not the demo's.
    let mut side = Reporter::stdio(OutputFormat::Human, color, false, "demo", false);
    side.indent = reporter.indent;
    let second = publish_step(&ctx, &redis, "/posts/c", targets, &mut side).await?;
    let _ = side.finish(None);
    reporter.text(&format!(
        "\n{}",
        titles(client, "/posts/c", targets, &style, c_title).await
    ));
    reporter.text(
        "\n   When its pod starts again, its agent reads the stream first (--stream --catch-up 5m) and is\n   ready (/healthz 200) only once it revalidated what it missed:\n\n",
    );
    let back = DemoAgent::start(&redis, missed, manifest, Some(Duration::from_secs(300))).await?;
    let back_ready = back.wait_ready().await;
    agents.push(back);
    reporter.text(&titles(client, "/posts/c", targets, &style, c_title).await);
    let fresh_after = fleet
        .pods()
        .iter()
        .all(|p| p.cached_title("/posts/c").as_deref() == Some(c_title));
    for a in agents {
        a.stop().await;
    }
    Ok(all_ready
        && first == Code::Success
        && second == Code::CellsFailed
        && back_ready
        && fresh_after)
}

/// `revalidate publish PATH --stream --wait-acks` to every pod, through the reporter.
async fn publish_step(
    ctx: &RunContext,
    redis: &Redis,
    path: &str,
    targets: &[Target],
    reporter: &mut Reporter,
) -> Result<Code, Error> {
    let settings = PublishSettings {
        channel: CHANNEL.into(),
        message: None,
        expect_subscribers: None,
        check: false,
        force: false,
        sharded: false,
        stream_maxlen: Some(1000),
        ack_timeout: Some(Duration::from_secs(2)),
        record: true,
    };
    let paths = vec![UrlPath::parse(path, Purpose::Pod).expect("a valid path")];
    let plan = publish::Plan::build(&settings, paths, Vec::new(), targets)?;
    let conns = publish::Connections::open(redis, &plan)
        .await
        .map_err(crate::redis::Failure::into_error)?;
    Ok(crate::publish::step(ctx, conns, &plan, reporter)
        .await
        .code())
}

async fn titles(
    client: &reqwest::Client,
    path: &str,
    targets: &[Target],
    style: &Style,
    fresh: &str,
) -> String {
    super::titles_of(client, path, targets, style, Some(fresh)).await
}
