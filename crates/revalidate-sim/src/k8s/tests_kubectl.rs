//! The real `kubectl` against the fake: how the fixtures' shape is
//! validated by the reference client, discovery included.
//!
//! Invariant: kubectl runs with its own kubeconfig and discovery cache in a
//! temporary directory, never the user's; where kubectl is not installed the
//! tests fail and say how to get it (scripts/test installs it; set `KUBECTL` to
//! a binary to use that one).

use std::collections::BTreeSet;
use std::path::PathBuf;

use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use serde_json::Value;

use super::tests::fixture_with;
use super::*;

/// `KUBECTL`, else kubectl on the PATH; a test that needs it fails without it.
fn kubectl_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("KUBECTL") {
        return PathBuf::from(path);
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("kubectl"))
                .find(|candidate| candidate.is_file())
        })
        .expect(
            "kubectl is not installed: scripts/test installs it (Debian package kubernetes-client), or set KUBECTL to a kubectl binary",
        )
}

/// Runs kubectl against the cluster: whether it succeeded, its stdout and stderr.
async fn kubectl(
    cluster: &FakeCluster,
    dir: &tempfile::TempDir,
    args: &[&str],
) -> (bool, String, String) {
    let binary = kubectl_binary();
    let kubeconfig = dir.path().join("kubeconfig");
    cluster.write_kubeconfig(&kubeconfig, Some("web")).unwrap();
    let output = tokio::process::Command::new(binary)
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .arg("--cache-dir")
        .arg(dir.path().join("cache"))
        .args(args)
        .env_remove("KUBECONFIG")
        .env("HOME", dir.path())
        .kill_on_drop(true)
        .output()
        .await
        .expect("kubectl runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Items of kubectl's `-o json` list output, typed.
fn items<K: serde::de::DeserializeOwned>(stdout: &str) -> Vec<K> {
    let list: Value = serde_json::from_str(stdout).expect("kubectl printed JSON");
    list["items"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| serde_json::from_value(item.clone()).expect("an item of the expected type"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_reads_slices_pods_and_services() {
    let f = fixture_with(3, FleetPods::default().per_slice(2).dual_stack()).await;
    let dir = tempfile::tempdir().unwrap();
    f.cluster
        .set_anonymous_access(Access::all().allow(&["get"], &["/*"], &[]));
    let (ok, stdout, stderr) =
        kubectl(&f.cluster, &dir, &["get", "endpointslices", "-o", "json"]).await;
    assert!(ok, "{stderr}");
    let slices: Vec<EndpointSlice> = items(&stdout);
    assert_eq!(slices.len(), 4, "two IPv4 and two IPv6 slices");
    let v6 = slices.iter().filter(|s| s.address_type == "IPv6").count();
    assert_eq!(v6, 2);

    let (ok, stdout, stderr) = kubectl(
        &f.cluster,
        &dir,
        &["get", "pods", "-l", "app=web", "-o", "json"],
    )
    .await;
    assert!(ok, "{stderr}");
    let pods: Vec<Pod> = items(&stdout);
    let names: Vec<_> = pods
        .iter()
        .map(|p| p.metadata.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["web-0", "web-1", "web-2"]);

    let (ok, stdout, stderr) =
        kubectl(&f.cluster, &dir, &["get", "service", "web", "-o", "json"]).await;
    assert!(ok, "{stderr}");
    let service: Service = serde_json::from_str(&stdout).unwrap();
    assert_eq!(service.spec.unwrap().ip_families.unwrap(), ["IPv4", "IPv6"]);

    // Without -o, kubectl asks for a Table, gets a list and prints NAME/AGE.
    let (ok, stdout, stderr) = kubectl(&f.cluster, &dir, &["get", "endpointslices"]).await;
    assert!(ok, "{stderr}");
    assert!(stdout.starts_with("NAME "), "{stdout}");
    assert_eq!(stdout.lines().count(), 5, "{stdout}");

    // What kubectl needed: legacy discovery (it falls back from aggregated
    // discovery) and the objects, and /version (kubectl 1.2x reads it first;
    // Debian's 1.20 does not); no OpenAPI.
    let mut paths: BTreeSet<String> = f.cluster.requests().into_iter().map(|r| r.path).collect();
    paths.remove("/version");
    let expected = [
        "/api",
        "/api/v1",
        "/api/v1/namespaces/web/pods",
        "/api/v1/namespaces/web/services/web",
        "/apis",
        "/apis/discovery.k8s.io/v1",
        "/apis/discovery.k8s.io/v1/namespaces/web/endpointslices",
    ];
    assert_eq!(paths, expected.into_iter().map(str::to_owned).collect());
    assert!(f.cluster.requests().iter().all(|r| r.status == 200));
}
