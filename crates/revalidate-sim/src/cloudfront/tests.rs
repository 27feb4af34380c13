//! Tests of the CloudFront proxy with the real aws-sdk-cloudfront client
//! against a real `moto_server` (each test starts its own), plus one against
//! an upstream that checks SigV4 signatures itself.

use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::{Request, StatusCode};

use aws_sdk_cloudfront::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudfront::operation::RequestId;
use aws_sdk_cloudfront::operation::create_invalidation::{
    CreateInvalidationError, CreateInvalidationOutput,
};
use aws_sdk_cloudfront::types::{InvalidationBatch, Paths};

use super::*;
use crate::testkit::{client, fleet, get, get_with};
use crate::{Edge, EdgeOptions, Flavor};

struct Setup {
    moto: Moto,
    proxy: CloudFrontProxy,
    client: aws_sdk_cloudfront::Client,
    dist: String,
}

async fn setup(opts: CloudFrontOptions) -> Setup {
    let moto = Moto::start().await.unwrap_or_else(|e| panic!("{e}"));
    let dist = moto.create_distribution().await.unwrap();
    let proxy = CloudFrontProxy::start(moto.addr(), opts).await.unwrap();
    let client = sdk_client(&proxy.url());
    Setup {
        moto,
        proxy,
        client,
        dist,
    }
}

type CreateResult = Result<CreateInvalidationOutput, SdkError<CreateInvalidationError>>;

async fn invalidate(
    client: &aws_sdk_cloudfront::Client,
    dist: &str,
    caller_reference: &str,
    paths: &[&str],
) -> CreateResult {
    let paths = Paths::builder()
        .quantity(i32::try_from(paths.len()).unwrap())
        .set_items(Some(paths.iter().map(|p| (*p).to_owned()).collect()))
        .build()
        .unwrap();
    let batch = InvalidationBatch::builder()
        .caller_reference(caller_reference)
        .paths(paths)
        .build()
        .unwrap();
    client
        .create_invalidation()
        .distribution_id(dist)
        .invalidation_batch(batch)
        .send()
        .await
}

fn id_of(created: &CreateInvalidationOutput) -> String {
    created.invalidation().unwrap().id().to_owned()
}

fn http_status<E>(err: &SdkError<E>) -> Option<u16> {
    err.raw_response().map(|r| r.status().as_u16())
}

async fn status_via(client: &aws_sdk_cloudfront::Client, dist: &str, id: &str) -> String {
    let got = client
        .get_invalidation()
        .distribution_id(dist)
        .id(id)
        .send()
        .await
        .unwrap();
    got.invalidation().unwrap().status().to_owned()
}

async fn listed(client: &aws_sdk_cloudfront::Client, dist: &str) -> Vec<(String, String)> {
    let list = client
        .list_invalidations()
        .distribution_id(dist)
        .send()
        .await
        .unwrap();
    let items = list
        .invalidation_list()
        .map(|l| l.items())
        .unwrap_or_default();
    items
        .iter()
        .map(|s| (s.id().to_owned(), s.status().to_owned()))
        .collect()
}

#[tokio::test]
async fn every_answer_reports_in_progress_until_the_polls_are_used_up() {
    let s = setup(CloudFrontOptions {
        completion: Completion::AfterPolls(2),
        ..CloudFrontOptions::default()
    })
    .await;
    let created = invalidate(&s.client, &s.dist, "ref-1", &["/posts/a", "/posts/*"])
        .await
        .unwrap();
    let id = id_of(&created);
    assert_eq!(created.invalidation().unwrap().status(), "InProgress");
    let location = created.location().unwrap();
    assert!(
        location.ends_with(&format!("/invalidation/{id}")),
        "{location}"
    );
    assert_eq!(
        listed(&s.client, &s.dist).await,
        [(id.clone(), "InProgress".to_owned())]
    );

    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(status_via(&s.client, &s.dist, &id).await);
    }
    assert_eq!(seen, ["InProgress", "InProgress", "Completed", "Completed"]);
    // moto alone says COMPLETED from the start: the proxy's rewrite is what a client sees.
    assert_eq!(
        status_via(&sdk_client(&s.moto.url()), &s.dist, &id).await,
        "COMPLETED"
    );

    let second = id_of(
        &invalidate(&s.client, &s.dist, "ref-2", &["/b"])
            .await
            .unwrap(),
    );
    assert_eq!(
        listed(&s.client, &s.dist).await,
        [
            (second, "InProgress".to_owned()),
            (id.clone(), "Completed".to_owned())
        ],
        "newest first, each with the proxy's status"
    );

    let log = s.proxy.requests();
    let ops: Vec<Operation> = log.iter().map(|r| r.operation).collect();
    use Operation::{CreateInvalidation as C, GetInvalidation as G, ListInvalidations as L};
    assert_eq!(ops, [C, L, G, G, G, G, C, L]);
    let first = &log[0];
    assert_eq!(first.distribution_id.as_deref(), Some(s.dist.as_str()));
    assert_eq!(first.paths, ["/posts/a", "/posts/*"]);
    assert_eq!(first.caller_reference.as_deref(), Some("ref-1"));
    assert_eq!(first.invalidation_id.as_deref(), Some(id.as_str()));
    assert_eq!(
        (first.status, first.attempt, first.injected),
        (201, Some(1), false)
    );
    assert!(
        log[2..6]
            .iter()
            .all(|r| r.invalidation_id.as_deref() == Some(id.as_str()))
    );
    let views = s.proxy.invalidations();
    assert_eq!(views[0].polls, 4);
    assert_eq!(views[0].status, InvalidationStatus::Completed);
    assert_eq!(views[1].status, InvalidationStatus::InProgress);
}

#[tokio::test]
async fn time_based_and_manual_completion() {
    let s = setup(CloudFrontOptions {
        completion: Completion::After(Duration::from_secs(60)),
        ..CloudFrontOptions::default()
    })
    .await;
    let id = id_of(
        &invalidate(&s.client, &s.dist, "t-1", &["/a"])
            .await
            .unwrap(),
    );
    assert_eq!(status_via(&s.client, &s.dist, &id).await, "InProgress");
    s.proxy.advance_clock(Duration::from_secs(59));
    assert_eq!(status_via(&s.client, &s.dist, &id).await, "InProgress");
    s.proxy.advance_clock(Duration::from_secs(1));
    assert_eq!(status_via(&s.client, &s.dist, &id).await, "Completed");
    assert_eq!(
        listed(&s.client, &s.dist).await,
        [(id, "Completed".to_owned())]
    );

    let manual = CloudFrontProxy::start(
        s.moto.addr(),
        CloudFrontOptions {
            completion: Completion::Manual,
            ..CloudFrontOptions::default()
        },
    )
    .await
    .unwrap();
    let client = sdk_client(&manual.url());
    let id = id_of(&invalidate(&client, &s.dist, "m-1", &["/m"]).await.unwrap());
    for _ in 0..3 {
        assert_eq!(status_via(&client, &s.dist, &id).await, "InProgress");
    }
    assert!(!manual.complete("NOSUCHID"));
    assert!(manual.complete(&id));
    assert_eq!(status_via(&client, &s.dist, &id).await, "Completed");
}

#[tokio::test]
async fn a_caller_reference_is_deduplicated_per_distribution() {
    let s = setup(CloudFrontOptions::default()).await;
    let first = invalidate(&s.client, &s.dist, "deploy-42", &["/a", "/b"])
        .await
        .unwrap();
    let again = invalidate(&s.client, &s.dist, "deploy-42", &["/b", "/a"])
        .await
        .unwrap();
    assert_eq!(id_of(&again), id_of(&first));
    assert_eq!(again.location(), first.location());
    assert_eq!(again.invalidation().unwrap().status(), "InProgress");
    let in_moto = listed(&sdk_client(&s.moto.url()), &s.dist).await;
    assert_eq!(in_moto.len(), 1, "the replay must not reach moto");

    let conflict = invalidate(&s.client, &s.dist, "deploy-42", &["/a", "/c"])
        .await
        .unwrap_err();
    assert_eq!(http_status(&conflict), Some(409));
    let err = conflict.into_service_error();
    assert_eq!(err.code(), Some("InvalidationBatchAlreadyExists"));
    assert!(!err.is_invalid_argument() && !err.is_too_many_invalidations_in_progress());
    assert!(err.request_id().is_some());

    // The same reference on another distribution is a new batch.
    let other = s.moto.create_distribution().await.unwrap();
    let elsewhere = invalidate(&s.client, &other, "deploy-42", &["/a", "/c"])
        .await
        .unwrap();
    assert_ne!(id_of(&elsewhere), id_of(&first));

    let replayed: Vec<bool> = s.proxy.requests().iter().map(|r| r.replayed).collect();
    assert_eq!(replayed, [false, true, false, false]);

    // The answer real CloudFront has been reported to give instead.
    let field = CloudFrontProxy::start(
        s.moto.addr(),
        CloudFrontOptions {
            caller_reference_conflict: CallerReferenceConflict::InvalidArgument,
            ..CloudFrontOptions::default()
        },
    )
    .await
    .unwrap();
    let client = sdk_client(&field.url());
    invalidate(&client, &s.dist, "deploy-43", &["/x"])
        .await
        .unwrap();
    let err = invalidate(&client, &s.dist, "deploy-43", &["/y"])
        .await
        .unwrap_err();
    assert_eq!(http_status(&err), Some(400));
    let err = err.into_service_error();
    assert!(err.is_invalid_argument(), "{err:?}");
    assert!(err.message().unwrap().contains("caller reference"));
}

#[tokio::test]
async fn in_progress_limits_are_per_distribution_and_per_kind() {
    let s = setup(CloudFrontOptions {
        completion: Completion::Manual,
        ..CloudFrontOptions::default()
    })
    .await;
    let files: Vec<String> = (0..3000).map(|i| format!("/p/{i}")).collect();
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    invalidate(&s.client, &s.dist, "files", &files)
        .await
        .unwrap();
    let err = invalidate(&s.client, &s.dist, "one-more", &["/q"])
        .await
        .unwrap_err();
    assert_eq!(http_status(&err), Some(400));
    assert!(
        err.into_service_error()
            .is_too_many_invalidations_in_progress()
    );

    // Wildcards count apart from files: 15 fit, the 16th does not.
    let wild: Vec<String> = (0..15).map(|i| format!("/w{i}/*")).collect();
    let wild: Vec<&str> = wild.iter().map(String::as_str).collect();
    invalidate(&s.client, &s.dist, "wild", &wild).await.unwrap();
    let err = invalidate(&s.client, &s.dist, "wild-16", &["/x*"])
        .await
        .unwrap_err();
    assert!(
        err.into_service_error()
            .is_too_many_invalidations_in_progress()
    );

    // Another distribution has its own budget; an unknown one is reported as unknown.
    let other = s.moto.create_distribution().await.unwrap();
    invalidate(&s.client, &other, "other", &["/q"])
        .await
        .unwrap();
    let mut big: Vec<String> = (0..3001).map(|i| format!("/big/{i}")).collect();
    big.sort();
    let big: Vec<&str> = big.iter().map(String::as_str).collect();
    let err = invalidate(&s.client, "E0NOSUCHDIST", "big", &big)
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_no_such_distribution());

    s.proxy.complete_all();
    invalidate(&s.client, &s.dist, "one-more", &["/q"])
        .await
        .unwrap();
    let refused: Vec<Option<String>> = s
        .proxy
        .requests()
        .iter()
        .map(|r| r.error_code.clone())
        .collect();
    let too_many = Some("TooManyInvalidationsInProgress".to_owned());
    assert_eq!(refused.iter().filter(|c| **c == too_many).count(), 2);
}

#[tokio::test]
async fn injected_faults_reach_the_sdk_as_its_typed_errors() {
    let s = setup(CloudFrontOptions::default()).await;
    let create = Some(Operation::CreateInvalidation);
    type Check = fn(&CreateInvalidationError) -> bool;
    let cases: [(CloudFrontFault, u16, Check); 4] = [
        (
            CloudFrontFault::TooManyInvalidationsInProgress,
            400,
            CreateInvalidationError::is_too_many_invalidations_in_progress,
        ),
        (
            CloudFrontFault::AccessDenied,
            403,
            CreateInvalidationError::is_access_denied,
        ),
        (
            CloudFrontFault::NoSuchDistribution,
            404,
            CreateInvalidationError::is_no_such_distribution,
        ),
        (
            CloudFrontFault::InvalidArgument,
            400,
            CreateInvalidationError::is_invalid_argument,
        ),
    ];
    for (i, (fault, status, is_it)) in cases.into_iter().enumerate() {
        s.proxy.inject(fault, create, 1);
        let err = invalidate(&s.client, &s.dist, &format!("f-{i}"), &["/a"])
            .await
            .unwrap_err();
        assert_eq!(http_status(&err), Some(status), "{fault:?}");
        let err = err.into_service_error();
        assert!(is_it(&err), "{fault:?} came back as {err:?}");
        assert!(err.request_id().is_some(), "{fault:?}");
    }
    assert!(
        listed(&sdk_client(&s.moto.url()), &s.dist).await.is_empty(),
        "an injected fault forwards nothing"
    );

    // Throttling is retried by the SDK: two throttles, then the third attempt succeeds.
    s.proxy.inject(CloudFrontFault::Throttling, create, 2);
    invalidate(&s.client, &s.dist, "throttled", &["/a"])
        .await
        .unwrap();
    let log = s.proxy.requests();
    let tail: Vec<(Option<u32>, bool, Option<&str>)> = log[log.len() - 3..]
        .iter()
        .map(|r| (r.attempt, r.injected, r.error_code.as_deref()))
        .collect();
    assert_eq!(
        tail,
        [
            (Some(1), true, Some("Throttling")),
            (Some(2), true, Some("Throttling")),
            (Some(3), false, None)
        ]
    );
    // Three throttles exhaust the three attempts.
    s.proxy.inject(CloudFrontFault::Throttling, create, 3);
    let err = invalidate(&s.client, &s.dist, "throttled-out", &["/a"])
        .await
        .unwrap_err();
    assert_eq!(err.into_service_error().code(), Some("Throttling"));
    assert_eq!(s.proxy.requests().len(), log.len() + 3);

    // 500 and 503 are retried too, on any operation they are injected on.
    let id = listed(&s.client, &s.dist).await[0].0.clone();
    s.proxy.inject(
        CloudFrontFault::InternalError,
        Some(Operation::GetInvalidation),
        1,
    );
    status_via(&s.client, &s.dist, &id).await;
    s.proxy.inject(
        CloudFrontFault::ServiceUnavailable,
        Some(Operation::ListInvalidations),
        3,
    );
    let err = s
        .client
        .list_invalidations()
        .distribution_id(&s.dist)
        .send()
        .await
        .unwrap_err();
    assert_eq!(http_status(&err), Some(503));
    assert_eq!(err.into_service_error().code(), Some("ServiceUnavailable"));
    s.proxy.inject(
        CloudFrontFault::AccessDenied,
        Some(Operation::GetInvalidation),
        1,
    );
    let err = s
        .client
        .get_invalidation()
        .distribution_id(&s.dist)
        .id(&id)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_access_denied());
    s.proxy.inject(CloudFrontFault::NoSuchDistribution, None, 1);
    let err = s
        .client
        .list_invalidations()
        .distribution_id(&s.dist)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_no_such_distribution());

    // Injections are used up: everything works again, and clear_injections drops leftovers.
    s.proxy
        .inject(CloudFrontFault::AccessDenied, Some(Operation::Other), 5);
    s.proxy.clear_injections();
    assert_eq!(listed(&s.client, &s.dist).await.len(), 1);
    s.client.list_distributions().send().await.unwrap();
}

#[tokio::test]
async fn unknown_distributions_and_invalidations() {
    let s = setup(CloudFrontOptions::default()).await;
    let err = s
        .client
        .list_invalidations()
        .distribution_id("E0NOSUCHDIST")
        .send()
        .await
        .unwrap_err();
    assert_eq!(http_status(&err), Some(404));
    assert!(err.into_service_error().is_no_such_distribution());
    // moto alone lists an unknown distribution as empty.
    assert!(
        listed(&sdk_client(&s.moto.url()), "E0NOSUCHDIST")
            .await
            .is_empty()
    );
    let err = s
        .client
        .get_invalidation()
        .distribution_id(&s.dist)
        .id("I0NOSUCH")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_no_such_invalidation());
    let err = invalidate(&s.client, "E0NOSUCHDIST", "r", &["/a"])
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_no_such_distribution());
}

#[tokio::test]
async fn lists_newest_first_one_page_at_a_time() {
    let s = setup(CloudFrontOptions {
        completion: Completion::Immediately,
        ..CloudFrontOptions::default()
    })
    .await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let created = invalidate(&s.client, &s.dist, &format!("r{n}"), &["/a"])
            .await
            .unwrap();
        assert_eq!(created.invalidation().unwrap().status(), "Completed");
        ids.push(id_of(&created));
    }
    ids.reverse();
    let page = s
        .client
        .list_invalidations()
        .distribution_id(&s.dist)
        .max_items(2)
        .send()
        .await
        .unwrap();
    let list = page.invalidation_list().unwrap();
    let got: Vec<&str> = list.items().iter().map(|i| i.id()).collect();
    assert_eq!(got, [ids[0].as_str(), ids[1].as_str()]);
    assert!(list.is_truncated());
    assert_eq!(list.next_marker(), Some(ids[1].as_str()));
    let all: Vec<String> = s
        .client
        .list_invalidations()
        .distribution_id(&s.dist)
        .max_items(1)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap()
        .iter()
        .map(|i| i.id().to_owned())
        .collect();
    assert_eq!(all, ids);
}

#[tokio::test]
async fn an_invalidation_purges_the_edge_in_front_of_the_fleet() {
    let f = fleet(Flavor::Next16).await;
    let lb = f.start_balancer().await.unwrap();
    let edge = Edge::start(lb.addr(), EdgeOptions::default())
        .await
        .unwrap();
    let s = setup(CloudFrontOptions {
        edge: Some(edge.cache().clone()),
        ..CloudFrontOptions::default()
    })
    .await;
    let c = client();
    for path in ["/posts/a", "/posts/b", "/plain/a"] {
        get(&c, &format!("{}{path}", edge.url())).await;
    }
    f.cms().set_title("a", "Post A (edited)");
    for pod in f.pods() {
        let r = get_with(
            &c,
            &format!("{}/posts/a", pod.url()),
            &[("x-prerender-revalidate", f.preview_id())],
        )
        .await;
        assert_eq!(r.cache(), Some("REVALIDATED"));
    }
    let stale = get(&c, &format!("{}/posts/a", edge.url())).await;
    assert!(stale.text().contains("Post A (initial)"));
    invalidate(&s.client, &s.dist, "publish-1", &["/posts/*"])
        .await
        .unwrap();
    let keys: Vec<String> = edge.cache().objects().into_iter().map(|o| o.key).collect();
    assert_eq!(keys, ["/plain/a"]);
    let fresh = get(&c, &format!("{}/posts/a", edge.url())).await;
    assert_eq!(fresh.header("x-cache"), Some("Miss from edge"));
    assert!(fresh.text().contains("Post A (edited)"));
    f.shutdown().await;
}

/// A request as an upstream received it.
#[derive(Clone, Debug)]
struct Received {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Recomputes the request's SigV4 signature from what arrived and compares it with the
    /// one in its Authorization header.
    fn signature_is_valid(&self, credentials: &aws_sdk_cloudfront::config::Credentials) -> bool {
        use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
        let Some(auth) = self.header("authorization") else {
            return false;
        };
        let field = |name: &str| {
            auth.split([',', ' '])
                .find_map(|part| part.strip_prefix(name))
                .unwrap_or_default()
        };
        let signed: Vec<&str> = field("SignedHeaders=").split(';').collect();
        let claimed = field("Signature=");
        let Some(time) = self.header("x-amz-date").and_then(parse_amz_date) else {
            return false;
        };
        let identity = credentials.clone().into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("cloudfront")
            .time(time)
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let headers = self
            .headers
            .iter()
            .filter(|(n, _)| signed.contains(&n.as_str()))
            .map(|(n, v)| (n.as_str(), v.as_str()));
        let host = self.header("host").unwrap_or_default();
        let request = SignableRequest::new(
            &self.method,
            format!("http://{host}{}", self.path),
            headers,
            SignableBody::Bytes(&self.body),
        )
        .unwrap();
        sign(request, &params).unwrap().signature() == claimed
    }
}

/// `20261201T230357Z` as a time.
fn parse_amz_date(s: &str) -> Option<std::time::SystemTime> {
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (n(0..4)?, n(4..6)?, n(6..8)?);
    let (h, mi, sec) = (n(9..11)?, n(11..13)?, n(13..15)?);
    // Days from 1970-01-01 to y-mo-d (Howard Hinnant's days_from_civil).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((mo + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    let secs = u64::try_from(days * 86_400 + h * 3600 + mi * 60 + sec).ok()?;
    Some(std::time::UNIX_EPOCH + Duration::from_secs(secs))
}

#[tokio::test]
async fn signatures_survive_the_proxy() {
    assert_eq!(
        parse_amz_date("20261201T230357Z"),
        Some(std::time::UNIX_EPOCH + Duration::from_secs(1_796_166_237))
    );
    let token = CancellationToken::new();
    let seen = Arc::new(Mutex::new(Vec::<Received>::new()));
    let created = Arc::new(AtomicUsize::new(0));
    let (sink, counter) = (seen.clone(), created.clone());
    let upstream = serve::spawn(token.clone(), move |req: Request<Incoming>| {
        let (sink, counter) = (sink.clone(), counter.clone());
        async move {
            let (parts, body) = req.into_parts();
            let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
            let received = Received {
                method: parts.method.to_string(),
                path: parts.uri.path_and_query().map_or("/", |pq| pq.as_str()).to_owned(),
                headers: parts
                    .headers
                    .iter()
                    .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned()))
                    .collect(),
                body,
            };
            let post = received.method == "POST";
            lock(&sink).push(received);
            if post {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let body = format!(
                    "<?xml version=\"1.0\"?><Invalidation xmlns=\"{}\"><Id>I{n}</Id><Status>COMPLETED</Status><CreateTime>2026-12-01T00:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>0</Quantity></Paths><CallerReference>r</CallerReference></InvalidationBatch></Invalidation>",
                    xml::NS
                );
                serve::reply(StatusCode::CREATED, "text/xml", body)
            } else {
                let body = format!(
                    "<?xml version=\"1.0\"?><DistributionList xmlns=\"{}\"><Marker></Marker><MaxItems>100</MaxItems><IsTruncated>false</IsTruncated><Quantity>0</Quantity></DistributionList>",
                    xml::NS
                );
                serve::reply(StatusCode::OK, "text/xml", body)
            }
        }
    })
    .unwrap();
    let proxy = CloudFrontProxy::start(upstream, CloudFrontOptions::default())
        .await
        .unwrap();
    let credentials = aws_sdk_cloudfront::config::Credentials::new(
        "AKIAREVALIDATETEST00",
        "revalidate-test-secret-key",
        None,
        None,
        "revalidate-sim",
    );
    for endpoint in [format!("http://{upstream}"), proxy.url()] {
        let c = sdk_client(&endpoint);
        c.list_distributions().send().await.unwrap();
        invalidate(
            &c,
            "E1",
            &format!("sig-{endpoint}"),
            &["/a?x=1&y=2", "/caf%C3%A9"],
        )
        .await
        .unwrap();
    }
    let seen = lock(&seen).clone();
    assert_eq!(seen.len(), 4);
    for r in &seen {
        assert!(
            r.signature_is_valid(&credentials),
            "signature broken: {r:?}"
        );
    }
    // Through the proxy, Host still names the proxy the SDK signed for.
    assert_eq!(
        seen[2].header("host"),
        Some(proxy.addr().to_string().as_str())
    );
    // The checker is not vacuous: a changed Host or body breaks the signature.
    let mut moved = seen[2].clone();
    moved.headers.retain(|(n, _)| n != "host");
    moved
        .headers
        .push(("host".to_owned(), upstream.to_string()));
    assert!(!moved.signature_is_valid(&credentials));
    let mut edited = seen[3].clone();
    edited.body = Bytes::from(String::from_utf8_lossy(&edited.body).replace("/a?x=1", "/b?x=1"));
    assert!(!edited.signature_is_valid(&credentials));
    token.cancel();
}
