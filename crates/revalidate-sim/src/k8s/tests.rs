//! The fake API server against the real `kube` client: EndpointSlice and Pod
//! lists, pagination, and the errors a discovery step must tell apart (403,
//! 404, 401, 410, unreachable). Transports are in `tests_transport`.
//!
//! Invariant: every test starts its own fleet and cluster on loopback and
//! asserts on what the client parsed, not on the fake's internals.

use std::collections::BTreeSet;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::api::{Api, ListParams};

use super::*;
use crate::{Fleet, FleetOptions};

/// A running fleet, the cluster that describes it and an admin client.
pub(super) struct Fixture {
    pub(super) fleet: Fleet,
    pub(super) cluster: FakeCluster,
    pub(super) client: kube::Client,
}

impl Fixture {
    /// The port every simulated pod listens on.
    pub(super) fn port(&self) -> u16 {
        self.fleet.pods()[0].addr().port()
    }
}

/// `pods` simulated pods on 127.0.0.11.. and Service `web` in namespace `web`
/// with their EndpointSlices.
pub(super) async fn fixture_with(pods: usize, opts: FleetPods) -> Fixture {
    crate::testkit::install_crypto_provider();
    let fleet = loopback_fleet(FleetOptions {
        pods,
        ..FleetOptions::default()
    })
    .await
    .expect("fleet starts");
    let cluster = FakeCluster::builder()
        .namespace("web")
        .service("web", &[ServicePort::http()])
        .pods_from_fleet("web", &fleet, opts)
        .start()
        .await
        .expect("cluster starts");
    let client = cluster.client().await.expect("client builds");
    Fixture {
        fleet,
        cluster,
        client,
    }
}

pub(super) async fn fixture(pods: usize) -> Fixture {
    fixture_with(pods, FleetPods::default()).await
}

pub(super) fn api_status(err: kube::Error) -> kube::core::Status {
    match err {
        kube::Error::Api(status) => *status,
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn by_service(name: &str) -> ListParams {
    ListParams::default().labels(&format!("kubernetes.io/service-name={name}"))
}

#[tokio::test]
async fn kube_lists_every_slice_and_endpoint_of_a_service() {
    let opts = FleetPods::default()
        .per_slice(2)
        .state(1, EndpointState::NotReady)
        .state(2, EndpointState::Terminating { serving: true });
    let f = fixture_with(3, opts).await;
    let slices = Api::<EndpointSlice>::namespaced(f.client.clone(), "web")
        .list(&by_service("web"))
        .await
        .unwrap();
    assert_eq!(slices.items.len(), 2);
    let mut seen = Vec::new();
    for slice in &slices.items {
        assert_eq!(slice.address_type, "IPv4");
        let port = &slice.ports.as_ref().unwrap()[0];
        assert_eq!(
            (port.name.as_deref(), port.port),
            (Some("http"), Some(i32::from(f.port())))
        );
        for e in slice.endpoints.as_ref().unwrap() {
            let c = e.conditions.clone().unwrap();
            let target = e.target_ref.clone().unwrap();
            assert_eq!(target.kind.as_deref(), Some("Pod"));
            seen.push((
                target.name.unwrap(),
                e.addresses[0].clone(),
                (c.ready, c.serving, c.terminating),
                e.node_name.clone().unwrap(),
                e.zone.clone().unwrap(),
            ));
        }
    }
    seen.sort();
    let yes_no = |r, s, t| (Some(r), Some(s), Some(t));
    assert_eq!(
        seen,
        [
            (
                "web-0".into(),
                "127.0.0.11".into(),
                yes_no(true, true, false),
                "node-1".into(),
                "zone-a".into()
            ),
            (
                "web-1".into(),
                "127.0.0.12".into(),
                yes_no(false, false, false),
                "node-2".into(),
                "zone-b".into()
            ),
            (
                "web-2".into(),
                "127.0.0.13".into(),
                yes_no(false, true, true),
                "node-3".into(),
                "zone-c".into()
            ),
        ]
    );
    // Each address really is the pod: the direct transport works.
    let r = reqwest::Client::builder().no_proxy().build().unwrap();
    for pod in f.fleet.pods() {
        let url = format!("http://127.0.0.{}:{}/posts/a", 11 + pod.index(), f.port());
        assert_eq!(r.get(url).send().await.unwrap().status(), 200);
        assert_eq!(pod.counters().requests, 1);
    }
    let log = f.cluster.requests();
    let list = log.last().unwrap();
    assert_eq!(
        list.path,
        "/apis/discovery.k8s.io/v1/namespaces/web/endpointslices"
    );
    assert_eq!(
        list.query_param("labelSelector").as_deref(),
        Some("kubernetes.io/service-name=web")
    );
    assert_eq!(list.user.as_deref(), Some(ADMIN_USER));
    assert_eq!(list.header("authorization"), Some("<redacted>"));
    assert_eq!(list.status, 200);
}

#[tokio::test]
async fn pods_list_by_label_with_ready_condition_and_container_port() {
    let f = fixture_with(2, FleetPods::default().state(0, EndpointState::NotReady)).await;
    let pods = Api::<Pod>::namespaced(f.client.clone(), "web")
        .list(
            &ListParams::default()
                .labels("app=web")
                .fields("status.phase=Running"),
        )
        .await
        .unwrap();
    let summary: Vec<_> = pods
        .items
        .iter()
        .map(|p| {
            let status = p.status.clone().unwrap();
            let ready = status
                .conditions
                .unwrap()
                .into_iter()
                .find(|c| c.type_ == "Ready")
                .unwrap()
                .status;
            let port = p.spec.as_ref().unwrap().containers[0]
                .ports
                .as_ref()
                .unwrap()[0]
                .clone();
            (
                p.metadata.name.clone().unwrap(),
                status.pod_ip.unwrap(),
                ready,
                port.name,
                port.container_port,
            )
        })
        .collect();
    let port = i32::from(f.port());
    assert_eq!(
        summary,
        [
            (
                "web-0".into(),
                "127.0.0.11".into(),
                "False".into(),
                Some("http".into()),
                port
            ),
            (
                "web-1".into(),
                "127.0.0.12".into(),
                "True".into(),
                Some("http".into()),
                port
            ),
        ]
    );
    let none = Api::<Pod>::namespaced(f.client.clone(), "web")
        .list(&ListParams::default().labels("app=api"))
        .await
        .unwrap();
    assert!(none.items.is_empty());
    let err = Api::<Pod>::namespaced(f.client.clone(), "web")
        .list(&ListParams::default().fields("spec.bogus=1"))
        .await
        .unwrap_err();
    let s = api_status(err);
    assert_eq!((s.code, s.reason.as_str()), (400, "BadRequest"));
    assert_eq!(s.message, "field label not supported: spec.bogus");
}

#[tokio::test]
async fn a_thousand_endpoints_page_through_ten_slices() {
    crate::testkit::install_crypto_provider();
    let cluster = FakeCluster::builder()
        .namespace("web")
        .service("web", &[ServicePort::http()])
        .scaled_endpoints("web", 1000, &[])
        .start()
        .await
        .unwrap();
    let client = cluster.client().await.unwrap();
    let api = Api::<EndpointSlice>::namespaced(client.clone(), "web");
    let mut pages = Vec::new();
    let mut params = by_service("web").limit(3);
    loop {
        let page = api.list(&params).await.unwrap();
        pages.push(page.items.len());
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => break,
        }
        assert!(pages.len() < 10, "pagination does not end");
    }
    assert_eq!(pages, [3, 3, 3, 1]);
    let all = api.list(&by_service("web")).await.unwrap();
    let addresses: BTreeSet<String> = all
        .items
        .iter()
        .flat_map(|s| s.endpoints.clone().unwrap())
        .map(|e| e.addresses[0].clone())
        .collect();
    assert_eq!(addresses.len(), 1000);
    assert!(addresses.contains("127.1.3.232"));
    let continues: Vec<_> = cluster
        .requests()
        .iter()
        .map(|r| (r.query_param("limit"), r.query_param("continue").is_some()))
        .collect();
    assert_eq!(continues[0], (Some("3".into()), false));
    assert_eq!(continues[1], (Some("3".into()), true));

    // Without a selector the first page also says how many remain.
    let pods = Api::<Pod>::namespaced(client, "web");
    let first = pods.list(&ListParams::default().limit(400)).await.unwrap();
    assert_eq!(first.items.len(), 400);
    assert_eq!(first.metadata.remaining_item_count, Some(600));

    // An expired token is a 410 carrying a token to go on with.
    cluster.expire_next_continue();
    let token = first.metadata.continue_.unwrap();
    let err = pods
        .list(&ListParams::default().limit(400).continue_token(&token))
        .await
        .unwrap_err();
    let s = api_status(err);
    assert_eq!((s.code, s.reason.as_str()), (410, "Expired"));
    assert!(
        s.message
            .starts_with("The provided continue parameter is too old")
    );
    let fresh = s.metadata.and_then(|m| m.continue_).unwrap();
    let next = pods
        .list(&ListParams::default().limit(400).continue_token(&fresh))
        .await
        .unwrap();
    assert_eq!(next.items[0].metadata.name.as_deref(), Some("web-0400"));
}

#[tokio::test]
async fn forbidden_list_is_a_403_status_naming_verb_resource_and_group() {
    let f = fixture(1).await;
    let user = "system:serviceaccount:ci:revalidate";
    f.cluster.add_token(
        "ci-token",
        user,
        Access::all().deny("list", "endpointslices"),
    );
    let client = f
        .cluster
        .client_with_token("ci-token", Some("web"))
        .await
        .unwrap();
    let err = Api::<EndpointSlice>::default_namespaced(client.clone())
        .list(&by_service("web"))
        .await
        .unwrap_err();
    let s = api_status(err);
    assert_eq!((s.code, s.reason.as_str()), (403, "Forbidden"));
    assert_eq!(
        s.message,
        "endpointslices.discovery.k8s.io is forbidden: User \"system:serviceaccount:ci:revalidate\" \
         cannot list resource \"endpointslices\" in API group \"discovery.k8s.io\" in the namespace \"web\""
    );
    let details = s.details.unwrap();
    assert_eq!(
        (details.group.as_str(), details.kind.as_str()),
        ("discovery.k8s.io", "endpointslices")
    );
    // The same token may still list pods; lifting the deny lifts the 403.
    assert!(
        Api::<Pod>::default_namespaced(client.clone())
            .list(&ListParams::default())
            .await
            .is_ok()
    );
    assert!(f.cluster.set_access("ci-token", Access::all()));
    assert!(
        Api::<EndpointSlice>::default_namespaced(client)
            .list(&by_service("web"))
            .await
            .is_ok()
    );
    assert_eq!(f.cluster.requests()[0].user.as_deref(), Some(user));
}

#[tokio::test]
async fn unknown_token_is_401_and_no_token_is_anonymous() {
    let f = fixture(1).await;
    let client = f
        .cluster
        .client_with_token("not-a-token", None)
        .await
        .unwrap();
    let err = Api::<Pod>::namespaced(client, "web")
        .list(&ListParams::default())
        .await
        .unwrap_err();
    let s = api_status(err);
    assert_eq!(
        (s.code, s.reason.as_str(), s.message.as_str()),
        (401, "Unauthorized", "Unauthorized")
    );
    assert_eq!(f.cluster.requests().last().unwrap().user, None);

    let anonymous = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!("{}/api/v1/namespaces/web/pods", f.cluster.url());
    let r = anonymous.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["message"],
        "pods is forbidden: User \"system:anonymous\" cannot list resource \"pods\" in API group \"\" in the namespace \"web\""
    );
    let version = anonymous
        .get(format!("{}/version", f.cluster.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(version.status(), 200);
}

#[tokio::test]
async fn missing_service_is_a_404_and_the_namespace_lists_its_services() {
    let f = fixture(1).await;
    let services = Api::<Service>::namespaced(f.client.clone(), "web");
    let s = api_status(services.get("wbe").await.unwrap_err());
    assert_eq!((s.code, s.reason.as_str()), (404, "NotFound"));
    assert_eq!(s.message, "services \"wbe\" not found");
    let details = s.details.unwrap();
    assert_eq!(
        (details.name.as_str(), details.kind.as_str()),
        ("wbe", "services")
    );
    let names: Vec<_> = services
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|s| s.metadata.name.unwrap())
        .collect();
    assert_eq!(names, ["web"]);
    let web = services.get("web").await.unwrap();
    let port = &web.spec.unwrap().ports.unwrap()[0];
    assert_eq!((port.name.as_deref(), port.port), (Some("http"), 80));
    // A namespace that does not exist lists empty, as on a real cluster.
    let elsewhere = Api::<Service>::namespaced(f.client.clone(), "nope");
    assert!(
        elsewhere
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

#[tokio::test]
async fn a_service_without_pods_has_a_placeholder_slice() {
    crate::testkit::install_crypto_provider();
    let cluster = FakeCluster::builder()
        .namespace("web")
        .service("web", &[ServicePort::new(3000)])
        .start()
        .await
        .unwrap();
    let slices = Api::<EndpointSlice>::namespaced(cluster.client().await.unwrap(), "web")
        .list(&by_service("web"))
        .await
        .unwrap();
    assert_eq!(slices.items.len(), 1);
    assert!(slices.items[0].endpoints.is_none());
    assert!(slices.items[0].ports.is_none());
}

#[tokio::test]
async fn programmed_objects_are_served_and_deleted() {
    let f = fixture(1).await;
    let api = Api::<EndpointSlice>::namespaced(f.client.clone(), "web");
    let mut slice = api.list(&by_service("web")).await.unwrap().items.remove(0);
    let name = slice.metadata.name.clone().unwrap();
    slice.endpoints.as_mut().unwrap()[0].conditions = None;
    let stored = f.cluster.apply(&slice).unwrap();
    assert!(stored["endpoints"][0].get("conditions").is_none());
    let served = api.get(&name).await.unwrap();
    assert!(served.endpoints.unwrap()[0].conditions.is_none());
    assert_ne!(
        served.metadata.resource_version,
        slice.metadata.resource_version
    );
    assert!(f.cluster.get::<EndpointSlice>("web", &name).is_some());
    assert!(f.cluster.delete("EndpointSlice", "web", &name));
    assert!(api.list(&by_service("web")).await.unwrap().items.is_empty());
    assert!(
        f.cluster
            .apply_json(serde_json::json!({"kind": "Deployment"}))
            .is_err()
    );
}

#[tokio::test]
async fn an_api_server_that_is_gone_is_a_connection_error() {
    let f = fixture(1).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kubeconfig");
    f.cluster.write_kubeconfig(&path, Some("web")).unwrap();
    let kubeconfig = kube::config::Kubeconfig::read_from(&path).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .unwrap();
    assert_eq!(config.default_namespace, "web");
    let client = kube::Client::try_from(config).unwrap();
    assert!(
        Api::<Pod>::default_namespaced(client.clone())
            .list(&ListParams::default())
            .await
            .is_ok()
    );
    f.cluster.shutdown().await;
    let pods = Api::<Pod>::default_namespaced(client);
    let params = ListParams::default();
    let listing = pods.list(&params);
    let err = tokio::time::timeout(Duration::from_secs(10), listing)
        .await
        .expect("a closed port fails fast")
        .unwrap_err();
    assert!(!matches!(err, kube::Error::Api(_)), "{err:?}");
}

#[tokio::test]
async fn access_reviews_answer_as_the_request_would_be_answered() {
    use k8s_openapi::api::authorization::v1::{
        ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
    };
    let f = fixture(1).await;
    let user = "system:serviceaccount:web:proxy-only";
    let access = Access::none().allow(&["get"], &["pods/proxy"], &["web"]);
    f.cluster.add_token("proxy-only", user, access);
    let client = f
        .cluster
        .client_with_token("proxy-only", None)
        .await
        .unwrap();
    let ask = |verb: &str, resource: &str, sub: Option<&str>, ns: &str| SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                verb: Some(verb.into()),
                resource: Some(resource.into()),
                subresource: sub.map(Into::into),
                namespace: Some(ns.into()),
                ..ResourceAttributes::default()
            }),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let api: Api<SelfSubjectAccessReview> = Api::all(client);
    let post = kube::api::PostParams::default();
    let allowed = |r: SelfSubjectAccessReview| r.status.unwrap().allowed;
    let proxy = api
        .create(&post, &ask("get", "pods", Some("proxy"), "web"))
        .await;
    assert!(allowed(proxy.unwrap()));
    let elsewhere = api
        .create(&post, &ask("get", "pods", Some("proxy"), "other"))
        .await;
    assert!(!allowed(elsewhere.unwrap()));
    let forward = api
        .create(&post, &ask("create", "pods", Some("portforward"), "web"))
        .await;
    assert!(!allowed(forward.unwrap()));
    let logged = f.cluster.requests().pop().unwrap();
    assert_eq!((logged.method.as_str(), logged.status), ("POST", 201));

    // A token denied even the question gets RBAC's 403 for the review itself.
    f.cluster.add_token(
        "mute",
        user,
        Access::all().deny("create", "selfsubjectaccessreviews"),
    );
    let mute = f.cluster.client_with_token("mute", None).await.unwrap();
    let s = api_status(
        Api::<SelfSubjectAccessReview>::all(mute)
            .create(&post, &ask("get", "pods", Some("proxy"), "web"))
            .await
            .unwrap_err(),
    );
    assert_eq!(s.code, 403);
    assert!(
        s.message
            .starts_with("selfsubjectaccessreviews.authorization.k8s.io is forbidden"),
        "{}",
        s.message
    );
}
