//! `revalidate demo`: the problem and its fix, told on a simulated fleet with nothing installed.
//!
//! The story: every pod serves the deployed page; an editor changes it and clicks "Revalidate";
//! the load balancer hands that call to one pod, so the other pods stay stale; `verify` proves it
//! (and measures how often users get the stale page through the balancer); `fanout` revalidates
//! every pod; `verify` proves every pod, and the balancer, now serve the new page. Every step runs
//! the same library functions and renderers as the real subcommands. `--serve` keeps a fleet up
//! for people (and the benchmarks) to point revalidate at.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::cli::{DemoArgs, GlobalArgs};
use crate::config::Limits;
use crate::context::RunContext;
use crate::error::Error;
use crate::exit::Code;
use crate::nextjs::RevalidateMethod;
use crate::paths::{Purpose, UrlPath};
use crate::report::{OutputFormat, Reporter, Style};
use crate::sim::{Flavor, Fleet, FleetOptions};
use crate::targets::{self, Target};
use crate::transport::Transport;
use crate::{fanout, steps, verify};

mod redis_story;

fn fail(what: &str) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(what, e)
}

const PATH: &str = "/posts/a";
const NEW_TITLE: &str = "Post A v2 (edited)";

pub async fn command(global: &GlobalArgs, a: DemoArgs) -> Result<Code, Error> {
    let flavor: Flavor = a
        .flavor
        .parse()
        .map_err(|_| Error::usage(format!("--flavor {:?}: use 13 or 16", a.flavor)))?;
    let opts = FleetOptions {
        pods: a.pods as usize,
        flavor,
        latency: a.latency.unwrap_or_default(),
        page_bytes: a.page_size.unwrap_or(0) as usize,
        extra_slugs: a.extra_pages as usize,
        ..FleetOptions::default()
    };
    let fleet = Fleet::start(opts)
        .await
        .map_err(fail("cannot start the simulated fleet"))?;
    let dir = tempfile::Builder::new()
        .prefix("revalidate-demo-")
        .tempdir()
        .map_err(fail("cannot create a temporary directory"))?;
    let manifest = fleet
        .write_prerender_manifest(dir.path())
        .map_err(fail("cannot write the demo manifest"))?;
    // The fleet's secrets are registered so no output of the demo can show them.
    crate::secret::register(fleet.preview_id());
    crate::secret::register(fleet.secret());
    let code = if a.serve {
        serve(&fleet, &manifest, dir.path(), a.info_file.as_deref()).await?
    } else {
        story(global, &fleet, &manifest, a.redis_url.as_deref()).await?
    };
    fleet.shutdown().await;
    Ok(code)
}

fn limits() -> Limits {
    Limits {
        concurrency: 32,
        per_pod_concurrency: 4,
        timeout: Duration::from_secs(5),
        retries: 1,
        deadline: Some(Duration::from_secs(60)),
    }
}

async fn story(
    global: &GlobalArgs,
    fleet: &Fleet,
    manifest: &std::path::Path,
    redis_url: Option<&str>,
) -> Result<Code, Error> {
    let started = Instant::now();
    let mut reporter = Reporter::stdio(OutputFormat::Human, global.color, false, "demo", false);
    reporter.indent = 3;
    let style = reporter.style();
    let balancer = fleet
        .start_balancer()
        .await
        .map_err(fail("cannot start the load balancer"))?;
    let targets: Vec<Target> = fleet
        .pods()
        .iter()
        .map(|p| {
            targets::parse_spec(&format!("{}={}", p.name(), p.url())).expect("fleet URLs parse")
        })
        .collect();
    let pod_flags: String = targets
        .iter()
        .map(|t| format!(" --pod {}={}", t.name, t.location()))
        .collect();
    let path = UrlPath::parse(PATH, Purpose::Pod).expect("a valid path");
    let client = reqwest::Client::new();
    let mut out = String::new();

    out.push_str(&format!(
        "{} a simulated fleet of {} Next.js {} pods behind a round-robin load balancer.\n\n",
        style.bold("revalidate demo:"),
        fleet.pods().len(),
        fleet.flavor().next_version()
    ));
    for t in &targets {
        out.push_str(&format!("  {:<14} {}\n", t.name, t.location()));
    }
    out.push_str(&format!("  {:<14} {}\n\n", "load balancer", balancer.url()));

    out.push_str(&format!(
        "{} Every pod serves {PATH} as built at deploy time:\n",
        style.bold("1.")
    ));
    out.push_str(&titles(&client, &targets, &style, None).await);
    reporter.text(&std::mem::take(&mut out));

    fleet.cms().set_title("a", NEW_TITLE);
    out.push_str(&format!(
        "\n{} An editor changes the title to {NEW_TITLE:?} and clicks \"Revalidate\".\n   The CMS webhook calls /api/revalidate through the load balancer:\n",
        style.bold("2.")
    ));
    let answer = client
        .get(format!("{}/api/revalidate?path={PATH}", balancer.url()))
        .header("x-revalidate-secret", fleet.secret())
        .send()
        .await
        .map_err(|e| Error::unexpected(format!("the demo's webhook call failed: {e}")))?
        .text()
        .await
        .unwrap_or_default();
    out.push_str(&format!("   -> {}\n", answer.trim()));
    out.push_str(&format!(
        "\n{} Only the pod that took the call regenerated the page; the others keep the old one:\n",
        style.bold("3.")
    ));
    out.push_str(&titles(&client, &targets, &style, Some(NEW_TITLE)).await);

    let samples = 3;
    let verify_plan = verify::Plan {
        paths: vec![path.clone()],
        targets: targets.clone(),
        through: Some(verify::Through {
            target: targets::parse_spec(&format!("lb={}", balancer.url()))
                .expect("balancer URL parses"),
            samples,
            encodings: vec![
                verify::Encoding::Identity,
                verify::Encoding::Gzip,
                verify::Encoding::Br,
            ],
        }),
        normalizer: verify::Normalizer::new(&[verify::IgnorePreset::Timestamps], &[], None)
            .expect("static presets"),
        criteria: verify::Criteria {
            status: 200,
            status_given: false,
            contains: Some(NEW_TITLE.into()),
            regex: None,
            expect_changed: false,
        },
        etag: false,
        max_body: 32 << 20,
        headers: Vec::new(),
        baseline: None,
        baseline_file: None,
        save: None,
        wait: None,
        warnings: Vec::new(),
    };
    let verify_cmd = format!(
        "revalidate verify {PATH}{pod_flags} --ignore-preset timestamps --expect-contains '{NEW_TITLE}' --through {} --samples {samples}",
        balancer.url()
    );

    out.push_str(&format!(
        "\n{} revalidate proves it, pod by pod and through the load balancer (every encoding a CDN caches apart):\n   $ {verify_cmd}\n\n",
        style.bold("4.")
    ));
    reporter.text(&std::mem::take(&mut out));
    let ctx = RunContext::new(limits());
    ctx.listen_for_signals();
    let transport = Transport::new(&limits(), targets.len() + 1)?;
    let before = steps::verify(&ctx, &transport, &verify_plan, &mut reporter).await;

    let plan = fanout::Plan {
        paths: vec![path.clone()],
        targets: targets.clone(),
        how: fanout::How::Nextjs {
            method: RevalidateMethod::Head,
            only_generated: false,
            preview_id: crate::nextjs::load_preview_id(Some(manifest), None)?,
        },
        headers: Vec::new(),
        allow_gone: false,
        warnings: Vec::new(),
    };
    out.push_str(&format!(
        "\n{} revalidate fans out to every pod with Next.js's own x-prerender-revalidate header\n   (the previewModeId is read from the build's manifest, never from the command line):\n   $ revalidate fanout {PATH}{pod_flags} --preview-id-file {}\n\n",
        style.bold("5."),
        manifest.display()
    ));
    reporter.text(&std::mem::take(&mut out));
    let fan = steps::fanout(&ctx, &transport, &plan, &mut reporter).await;

    out.push_str(&format!(
        "\n{} And proves that every pod, and every request through the load balancer, now get the new page:\n   $ {verify_cmd}\n\n",
        style.bold("6.")
    ));
    reporter.text(&std::mem::take(&mut out));
    let after = steps::verify(&ctx, &transport, &verify_plan, &mut reporter).await;
    out.push('\n');
    out.push_str(&titles(&client, &targets, &style, Some(NEW_TITLE)).await);
    reporter.text(&std::mem::take(&mut out));
    let redis_ok = redis_story::run(
        redis_url,
        fleet,
        manifest,
        &targets,
        &client,
        &mut reporter,
        global,
    )
    .await?;
    out.push_str(&format!(
        "\nDone in {}. Keep a fleet running to try the commands yourself: revalidate demo --serve\n",
        crate::report::short_duration(started.elapsed())
    ));
    reporter.text(&out);
    balancer.shutdown();
    // The first verify is stale on purpose: the story's own code is the last step's, unless
    // the story did not unfold as told (or a signal cut it short).
    let worst = reporter.finish(ctx.observed_stop())?;
    Ok(if matches!(worst, Code::Interrupted | Code::Terminated) {
        worst
    } else if before.totals.stale == 1
        && fan.code == Code::Success
        && after.code == Code::Success
        && redis_ok
    {
        Code::Success
    } else {
        // The story did not unfold as it should: say so through the exit code.
        before
            .code
            .worst(fan.code)
            .worst(after.code)
            .worst(Code::Unexpected)
    })
}

/// Each pod's page title, fetched over HTTP as a user would see it.
async fn titles(
    client: &reqwest::Client,
    targets: &[Target],
    style: &Style,
    fresh: Option<&str>,
) -> String {
    titles_of(client, PATH, targets, style, fresh).await
}

/// Each pod's title of `path`.
async fn titles_of(
    client: &reqwest::Client,
    path: &str,
    targets: &[Target],
    style: &Style,
    fresh: Option<&str>,
) -> String {
    let re = regex::Regex::new("<title>([^<]*)</title>").expect("static regex");
    let mut out = String::new();
    for t in targets {
        let body = match client.get(t.url_for(path)).send().await {
            Ok(r) => r.text().await.unwrap_or_default(),
            Err(e) => format!("<title>(unreachable: {e})</title>"),
        };
        let title = re
            .captures(&body)
            .and_then(|c| c.get(1))
            .map_or("(no title)".to_string(), |m| {
                m.as_str().replace("&quot;", "\"")
            });
        let mark = match fresh {
            Some(f) if title == f => style.green("fresh"),
            Some(_) => style.red("stale"),
            None => String::new(),
        };
        out.push_str(&format!(
            "   {:<8} {:<24} {mark}\n",
            t.name,
            format!("{title:?}")
        ));
    }
    out
}

/// What `demo --serve --info-file` writes: where everything is (secrets only as file paths).
#[derive(serde::Serialize)]
struct Info {
    pods: Vec<PodInfo>,
    balancer: String,
    manifest: String,
    secret_file: String,
    build_id: String,
    flavor: String,
}

#[derive(serde::Serialize)]
struct PodInfo {
    name: String,
    url: String,
}

async fn serve(
    fleet: &Fleet,
    manifest: &std::path::Path,
    dir: &std::path::Path,
    info_file: Option<&std::path::Path>,
) -> Result<Code, Error> {
    let balancer = fleet
        .start_balancer()
        .await
        .map_err(fail("cannot start the load balancer"))?;
    let secret_file = dir.join("revalidate-secret");
    std::fs::write(&secret_file, fleet.secret()).map_err(fail("cannot write the secret file"))?;
    let pods_file = dir.join("pods.txt");
    let pods: String = fleet
        .pods()
        .iter()
        .map(|p| format!("{}={}\n", p.name(), p.url()))
        .collect();
    std::fs::write(&pods_file, &pods).map_err(fail("cannot write the pods file"))?;
    let info = Info {
        pods: fleet
            .pods()
            .iter()
            .map(|p| PodInfo {
                name: p.name().to_string(),
                url: p.url(),
            })
            .collect(),
        balancer: balancer.url(),
        manifest: manifest.display().to_string(),
        secret_file: secret_file.display().to_string(),
        build_id: fleet.build_id().to_string(),
        flavor: fleet.flavor().next_version().to_string(),
    };
    let mut text = format!(
        "A simulated fleet of {} Next.js {} pods is listening (Ctrl-C stops it):\n",
        fleet.pods().len(),
        info.flavor
    );
    for p in &info.pods {
        text.push_str(&format!("  {:<8} {}\n", p.name, p.url));
    }
    text.push_str(&format!(
        "  balancer {}\n\nTry:\n  revalidate fanout /posts/a --pods-file {} --preview-id-file {}\n  revalidate verify /posts/a --pods-file {} --ignore-preset timestamps --through {} --samples 2\n  REVALIDATE_SECRET=$(cat {}) revalidate fanout /posts/a --pods-file {} --mode endpoint \\\n    --endpoint '/api/revalidate?path={{path}}' --header 'x-revalidate-secret: ${{REVALIDATE_SECRET}}' --expect-json revalidated=true\n",
        info.balancer,
        pods_file.display(),
        manifest.display(),
        pods_file.display(),
        info.balancer,
        secret_file.display(),
        pods_file.display(),
    ));
    if let Some(f) = info_file {
        let json = serde_json::to_string_pretty(&info).expect("info serializes");
        let tmp = f.with_extension("tmp");
        std::fs::write(&tmp, json)
            .and_then(|_| std::fs::rename(&tmp, f))
            .map_err(|e| Error::io(format!("cannot write {}", f.display()), e))?;
    }
    let _ = std::io::stdout().write_all(text.as_bytes());
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    balancer.shutdown();
    Ok(Code::Success)
}
