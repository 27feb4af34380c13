//! `revalidate demo`: the problem and its fix, told on a simulated fleet with nothing installed.
//!
//! The story: every pod serves the deployed page, and users' requests left it in a caching edge
//! (a CDN) in front of the load balancer; an editor changes it and clicks "Revalidate"; the load
//! balancer hands that call to one pod, so the other pods stay stale; `verify` proves it (and
//! measures how often users get the stale page through the balancer). Then one `run`, from a
//! config file as a team would keep it: a snapshot of every pod, every pod revalidated and proven
//! fresh, only then the edge purged, and the edge proven fresh; every pod and the edge now serve
//! the new page. Then the Redis part (`redis_story.rs`). Every step runs the same library
//! functions and renderers as the real subcommands. `--serve` keeps a fleet up, with the edge, a
//! Cloudflare API fake and (with `--cloudfront`) the CloudFront proxy over moto, for people (and
//! the benchmarks) to point revalidate at.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::choices::ColorChoice;
use crate::choices::OutputFormat;
use crate::config::value::{parse_duration, parse_size};
use crate::context::Limits;
use crate::context::RunContext;
use crate::error::Error;
use crate::exit::Code;
use crate::paths::{Purpose, UrlPath};
use crate::report::{Reporter, Style};
use crate::targets::{self, Target};
use crate::transport::Transport;
use crate::verify;
use revalidate_sim::{Edge, EdgeOptions, Flavor, Fleet, FleetOptions};

mod redis_story;

fn fail(what: &str) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(what, e)
}

const PATH: &str = "/posts/a";
const NEW_TITLE: &str = "Post A v2 (edited)";

/// `revalidate demo`'s options.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Number of simulated pods
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(2..=64))]
    pub pods: u32,

    /// Which Next.js the simulated pods behave like
    #[arg(long, default_value = "16", value_parser = ["13", "16"])]
    pub flavor: String,

    /// Keep the fleet running (until Ctrl-C) and print how to point revalidate at it
    #[arg(long)]
    pub serve: bool,

    /// --serve: fixed delay of every pod response, e.g. 5ms
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, requires = "serve")]
    pub latency: Option<Duration>,

    /// --serve: pad every page to at least SIZE, e.g. 200KiB
    #[arg(long, value_name = "SIZE", value_parser = parse_size, requires = "serve")]
    pub page_size: Option<u64>,

    /// --serve: pre-render N more pages /posts/p1 .. /posts/pN
    #[arg(long, value_name = "N", default_value_t = 0, requires = "serve")]
    pub extra_pages: u32,

    /// --serve: write the fleet's pod URLs and files as JSON to FILE once it is listening
    #[arg(long, value_name = "FILE", requires = "serve")]
    pub info_file: Option<std::path::PathBuf>,

    /// --serve: also run a fake Kubernetes API server describing the fleet (Service web in
    /// namespace web; pods/proxy and port-forward included) and write its kubeconfig
    #[arg(long, requires = "serve")]
    pub kubernetes: bool,

    /// --kubernetes: also a Service `scaled` with N endpoints in EndpointSlices of 100, each
    /// reaching one of the fleet's pods (for discovery at scale)
    #[arg(long, value_name = "N", default_value_t = 0, requires = "kubernetes")]
    pub k8s_endpoints: u32,

    /// --serve: also run a CloudFront API (moto_server, PyPI moto[server], behind a proxy that
    /// keeps invalidations in progress for --invalidation-time) with one distribution
    #[arg(long, requires = "serve")]
    pub cloudfront: bool,

    /// --cloudfront: how long each invalidation stays in progress [default: 5s]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, requires = "cloudfront")]
    pub invalidation_time: Option<Duration>,

    /// The Redis part of the story against this Redis (its channel "revalidate" and stream are
    /// used) [default: a redis-server started on a free port, when one is on PATH]
    #[arg(long, value_name = "URL", conflicts_with = "serve")]
    pub redis_url: Option<String>,
}

pub async fn command(color: ColorChoice, a: DemoArgs) -> Result<Code, Error> {
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
    // Pods of a fake Kubernetes cluster each have their own IP (127.0.0.11, ...), as real
    // pods do, so every transport (direct included) can reach each one.
    let fleet = if a.kubernetes {
        revalidate_sim::k8s::loopback_fleet(opts).await
    } else {
        Fleet::start(opts).await
    }
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
        let cluster = if a.kubernetes {
            Some(fake_cluster(&fleet, a.k8s_endpoints as usize).await?)
        } else {
            None
        };
        let served = serve(&fleet, &manifest, dir.path(), &a, cluster.as_ref()).await;
        if let Some(c) = cluster {
            c.shutdown().await;
        }
        served?
    } else {
        story(color, &fleet, &manifest, a.redis_url.as_deref()).await?
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
    color: ColorChoice,
    fleet: &Fleet,
    manifest: &std::path::Path,
    redis_url: Option<&str>,
) -> Result<Code, Error> {
    let started = Instant::now();
    let mut reporter = Reporter::stdio(OutputFormat::Human, color, false, "demo", false);
    reporter.indent = 3;
    let style = reporter.style();
    let balancer = fleet
        .start_balancer()
        .await
        .map_err(fail("cannot start the load balancer"))?;
    let edge = Edge::start(balancer.addr(), EdgeOptions::default())
        .await
        .map_err(fail("cannot start the CDN edge"))?;
    let edge_target =
        targets::parse_spec(&format!("edge={}", edge.url())).expect("edge URL parses");
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
    out.push_str(&format!("  {:<14} {}\n", "load balancer", balancer.url()));
    out.push_str(&format!(
        "  {:<14} {} (a CDN in front of the balancer)\n\n",
        "edge",
        edge.url()
    ));

    // Users' requests fill the edge with the deployed page, one copy per encoding, and their
    // client-side navigations with its data JSON (as Next.js's router asks for it).
    let data_url = crate::nextjs::data_url(PATH, fleet.build_id(), "slug=a").expect("a page");
    for encoding in ["identity", "gzip", "br"] {
        for url in [PATH, data_url.as_str()] {
            let _ = client
                .get(edge_target.url_for(url))
                .header("accept-encoding", encoding)
                .send()
                .await;
        }
    }
    out.push_str(&format!(
        "{} Every pod serves {PATH} as built at deploy time, and users' requests left it in the edge:\n",
        style.bold("1.")
    ));
    out.push_str(&titles(&client, &with(&targets, &edge_target), &style, None).await);
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
                crate::choices::Encoding::Identity,
                crate::choices::Encoding::Gzip,
                crate::choices::Encoding::Br,
            ],
        }),
        normalizer: verify::Normalizer::new(&[crate::choices::IgnorePreset::Timestamps], &[], None)
            .expect("static presets"),
        criteria: verify::Criteria {
            status: 200,
            status_given: false,
            contains: Some(NEW_TITLE.into()),
            regex: None,
            expect_changed: false,
            page_checks: Vec::new(),
        },
        etag: false,
        max_body: 32 << 20,
        headers: Vec::new(),
        baseline: None,
        baseline_file: None,
        save: None,
        wait: None,
        variants: None,
        warnings: Vec::new(),
        keep_snapshot: false,
        unchanged_ok: false,
        unchanged_settles: false,
        criteria_for: Default::default(),
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
    let before = verify::step(&ctx, &transport, &verify_plan, &mut reporter).await;

    // One command does the rest, from a config file as a team would keep it.
    let config_file = manifest
        .parent()
        .expect("the manifest is in the demo's directory")
        .join("revalidate.toml");
    let pods_toml: Vec<String> = targets
        .iter()
        .map(|t| format!("{:?}", format!("{}={}", t.name, t.location())))
        .collect();
    let toml = format!(
        "pods = [{}]\npreview_id_file = {:?}\n\n[verify]\nexpect_contains = {NEW_TITLE:?}\n\n[cdn]\npurge_urls = [{:?}]\n\n[run]\nedge = {:?}\nwait = \"10s\"\n",
        pods_toml.join(", "),
        manifest.display().to_string(),
        format!("edge={}", edge.url()),
        edge.url(),
    );
    std::fs::write(&config_file, &toml).map_err(fail("cannot write the demo's config file"))?;
    let config = crate::config::Config::load(
        Some(&config_file),
        None,
        crate::config::Layer::default(),
        &|_| None,
    )?;
    let setup = crate::run::Setup::build(&config, vec![path.clone()], targets.clone())?;
    out.push_str(&format!(
        "\n{} Users reach the site through the edge, which still holds the old page: a CDN keeps an ISR\n   page until it is cleared, and cleared too early it fetches the old page again from a stale pod.\n   One command takes every step, in order, and proves each: a snapshot of every pod, every pod\n   revalidated, every pod proven fresh (every variant a browser fetches), only then the edge\n   purged, and the edge proven fresh. The pod the webhook reached already has the new page, so\n   no change since the snapshot can prove it new there: the content check does.\n   $ cat revalidate.toml\n{}\n   $ revalidate run {PATH} --config revalidate.toml\n\n",
        style.bold("5."),
        toml.lines()
            .map(|l| format!("   {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    ));
    reporter.text(&std::mem::take(&mut out));
    reporter.brief = true;
    let ran = crate::run::pipeline(&ctx, &transport, &setup, &mut reporter).await;
    reporter.brief = false;

    out.push_str(&format!(
        "\n{} Every pod, and users through the edge, now get the new page:\n",
        style.bold("6.")
    ));
    out.push_str(
        &titles(
            &client,
            &with(&targets, &edge_target),
            &style,
            Some(NEW_TITLE),
        )
        .await,
    );
    reporter.text(&std::mem::take(&mut out));
    let redis_ok = redis_story::run(
        redis_url,
        fleet,
        manifest,
        &targets,
        &client,
        &mut reporter,
        color,
    )
    .await?;
    out.push_str(&format!(
        "\nDone in {}. Keep a fleet running to try the commands yourself: revalidate demo --serve\n",
        crate::units::short_duration(started.elapsed())
    ));
    reporter.text(&out);
    edge.shutdown();
    balancer.shutdown();
    let code = reporter.finish(ctx.observed_stop())?;
    let unfolded = before.totals.stale == 1 && ran.code() == Code::Success && redis_ok;
    Ok(match code {
        // A signal's code stands whatever the story showed.
        Code::Interrupted | Code::Terminated => code,
        // The stale steps are the story, not a failure of it.
        _ if unfolded => Code::Success,
        // The story did not unfold as it should: say so through the exit code.
        _ => before.code().worst(ran.code()).worst(Code::Unexpected),
    })
}

/// The pods and the edge, for showing what each serves.
fn with(targets: &[Target], edge: &Target) -> Vec<Target> {
    targets.iter().cloned().chain([edge.clone()]).collect()
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

/// A fake API server describing the fleet: Service `web` in namespace `web`, and with
/// `scaled` > 0 a Service `scaled` with that many endpoints spread over the fleet's pods.
async fn fake_cluster(
    fleet: &Fleet,
    scaled: usize,
) -> Result<revalidate_sim::k8s::FakeCluster, Error> {
    use revalidate_sim::k8s::{FakeCluster, FleetPods, ServicePort};
    let mut builder = FakeCluster::builder()
        .namespace("web")
        .service("web", &[ServicePort::http()])
        .pods_from_fleet("web", fleet, FleetPods::default());
    if scaled > 0 {
        let backends: Vec<_> = fleet.pods().iter().map(|p| p.addr()).collect();
        builder = builder
            .service("scaled", &[ServicePort::new(3000)])
            .scaled_endpoints("scaled", scaled, &backends);
    }
    let cluster = builder
        .start()
        .await
        .map_err(fail("cannot start the fake Kubernetes API server"))?;
    crate::secret::register(cluster.admin_token());
    Ok(cluster)
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
    /// The caching edge in front of the balancer (takes PURGE).
    edge: String,
    cloudflare: CloudflareInfo,
    /// With --cloudfront.
    cloudfront: Option<CloudFrontInfo>,
    /// With --kubernetes: the fake API server's kubeconfig (namespace web, Service web).
    #[serde(skip_serializing_if = "Option::is_none")]
    kubeconfig: Option<String>,
}

#[derive(serde::Serialize)]
struct CloudflareInfo {
    api_url: String,
    zone: String,
    token_file: String,
}

#[derive(serde::Serialize)]
struct CloudFrontInfo {
    endpoint: String,
    distribution: String,
    /// moto itself, which answers every invalidation COMPLETED at once.
    moto: String,
    invalidation_time_ms: u64,
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
    a: &DemoArgs,
    cluster: Option<&revalidate_sim::k8s::FakeCluster>,
) -> Result<Code, Error> {
    let kubeconfig = match cluster {
        Some(c) => {
            let path = dir.join("kubeconfig");
            c.write_kubeconfig(&path, Some("web"))
                .map_err(fail("cannot write the kubeconfig"))?;
            Some(path.display().to_string())
        }
        None => None,
    };
    use revalidate_sim::{
        CloudFrontOptions, CloudFrontProxy, CloudflareApi, CloudflareOptions, Completion, Moto,
    };
    let info_file = a.info_file.as_deref();
    let balancer = fleet
        .start_balancer()
        .await
        .map_err(fail("cannot start the load balancer"))?;
    let edge = Edge::start(balancer.addr(), EdgeOptions::default())
        .await
        .map_err(fail("cannot start the CDN edge"))?;
    let cloudflare = CloudflareApi::start(CloudflareOptions {
        edge: Some(edge.cache().clone()),
        ..CloudflareOptions::default()
    })
    .await
    .map_err(fail("cannot start the Cloudflare API fake"))?;
    crate::secret::register(cloudflare.api_token());
    let token_file = dir.join("cloudflare-token");
    crate::fsutil::write(&token_file, cloudflare.api_token().as_bytes())
        .map_err(fail("cannot write the Cloudflare token file"))?;
    let invalidation_time = a.invalidation_time.unwrap_or(Duration::from_secs(5));
    let aws = if a.cloudfront {
        let moto = Moto::start()
            .await
            .map_err(|e| Error::usage(format!("--cloudfront: {e}")))?;
        let distribution = moto
            .create_distribution()
            .await
            .map_err(|e| Error::unexpected(format!("--cloudfront: {e:#}")))?;
        let proxy = CloudFrontProxy::start(
            moto.addr(),
            CloudFrontOptions {
                completion: Completion::After(invalidation_time),
                edge: Some(edge.cache().clone()),
                ..CloudFrontOptions::default()
            },
        )
        .await
        .map_err(fail("cannot start the CloudFront proxy"))?;
        Some((moto, proxy, distribution))
    } else {
        None
    };
    let secret_file = dir.join("revalidate-secret");
    crate::fsutil::write(&secret_file, fleet.secret().as_bytes())
        .map_err(fail("cannot write the secret file"))?;
    let pods_file = dir.join("pods.txt");
    let pods: String = fleet
        .pods()
        .iter()
        .map(|p| format!("{}={}\n", p.name(), p.url()))
        .collect();
    crate::fsutil::write(&pods_file, pods.as_bytes())
        .map_err(fail("cannot write the pods file"))?;
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
        edge: edge.url(),
        cloudflare: CloudflareInfo {
            api_url: cloudflare.url(),
            zone: cloudflare.zone_id().to_string(),
            token_file: token_file.display().to_string(),
        },
        cloudfront: aws
            .as_ref()
            .map(|(moto, proxy, distribution)| CloudFrontInfo {
                endpoint: proxy.url(),
                distribution: distribution.clone(),
                moto: moto.url(),
                invalidation_time_ms: invalidation_time.as_millis() as u64,
            }),
        kubeconfig: kubeconfig.clone(),
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
    text.push_str(&format!(
        "\nThe edge {} caches what users fetch through it, until purged:\n  revalidate verify /posts/a --through {} --samples 1 --expect-contains 'Post A'\n  revalidate cdn purge /posts/a --purge-url edge={}\n  CLOUDFLARE_API_TOKEN=$(cat {}) revalidate cdn purge /posts/a --cloudflare-zone {} \\\n    --cloudflare-api-url {} --site-url https://www.example.com\n",
        info.edge,
        info.edge,
        info.edge,
        info.cloudflare.token_file,
        info.cloudflare.zone,
        info.cloudflare.api_url,
    ));
    if let Some(cf) = &info.cloudfront {
        text.push_str(&format!(
            "  AWS_ACCESS_KEY_ID=AKIADEMODEMODEMO0000 AWS_SECRET_ACCESS_KEY=demo-secret-access-key \\\n    revalidate cdn invalidate /posts/a --distribution {} --endpoint-url {} --wait\n    (each invalidation stays in progress for {})\n",
            cf.distribution,
            cf.endpoint,
            humantime::format_duration(invalidation_time),
        ));
    }
    if let Some(k) = &kubeconfig {
        text.push_str(&format!(
            "\nA fake Kubernetes API server describes them as Service web in namespace web:\n  revalidate pods --kubeconfig {k} --k8s-service web\n  revalidate fanout /posts/a --kubeconfig {k} --k8s-service web --preview-id-file {}\n  revalidate verify /posts/a --kubeconfig {k} --k8s-service web --transport port-forward --ignore-preset timestamps\n",
            manifest.display()
        ));
    }
    if let Some(f) = info_file {
        let json = serde_json::to_string_pretty(&info).expect("info serializes");
        crate::fsutil::write(f, json.as_bytes())
            .map_err(|e| Error::io(format!("cannot write {}", f.display()), e))?;
    }
    let _ = std::io::stdout().write_all(text.as_bytes());
    let _ = std::io::stdout().flush();
    // Ctrl-C is how the fleet is meant to stop (exit 0); SIGTERM, how a supervisor stops it, is
    // 143 as for every command. Either way the fleet stops and its directory (which holds the
    // demo's secrets) is removed.
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(fail("cannot listen for SIGTERM"))?;
    let code = tokio::select! {
        _ = tokio::signal::ctrl_c() => Code::Success,
        _ = term.recv() => Code::Terminated,
    };
    drop(aws);
    cloudflare.shutdown();
    edge.shutdown();
    balancer.shutdown();
    Ok(code)
}
