//! rediss:// against a TLS-only redis-server whose certificate a test CA signed: trusted with
//! --redis-ca (which replaces the system roots), refused without it (exit 5, with the hint); the
//! same for a TLS-only Redis Cluster reached with --sharded.

use super::publish_json;
use super::server::{RedisServer, make_certs, tls_cluster};
use crate::common::{code, revalidate, stderr};

#[test]
fn rediss_with_the_ca_given_works_and_without_it_is_exit_5() {
    let certs = tempfile::tempdir().unwrap();
    make_certs(certs.path());
    let server = RedisServer::with_tls(certs.path());
    let url = format!("rediss://localhost:{}", server.port);

    let (mut c, _d) = revalidate();
    let out = c
        .args([
            "publish",
            "/posts/a",
            "--redis-url",
            &url,
            "--expect-subscribers",
            "0",
            "--stream",
        ])
        .arg("--redis-ca")
        .arg(certs.path().join("ca.pem"))
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = publish_json(&out);
    assert_eq!(r.redis, url);
    assert_eq!(r.messages[0].receivers, Some(0));

    // The system roots do not know the test CA.
    let (mut c, _d) = revalidate();
    let out = c
        .args(["publish", "/posts/a", "--redis-url", &url])
        .output()
        .unwrap();
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("localhost:{}", server.port)), "{err}");
    assert!(
        err.contains("hint: the server's certificate is not trusted: give its CA with --redis-ca"),
        "{err}"
    );

    // A CA file that is not one is a usage error.
    let (mut c, dir) = revalidate();
    std::fs::write(dir.path().join("ca.pem"), "not a certificate").unwrap();
    let out = c
        .args([
            "publish",
            "/posts/a",
            "--redis-url",
            &url,
            "--redis-ca",
            "ca.pem",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("holds no PEM certificate"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_tls_cluster_is_reached_with_the_ca_given_and_refused_without_it() {
    let certs = tempfile::tempdir().unwrap();
    make_certs(certs.path());
    let nodes = tls_cluster(3, certs.path());
    let url = format!("rediss://localhost:{}", nodes[0].port);
    let sharded = |ca: bool| {
        let (mut c, _d) = revalidate();
        c.args(["publish", "/posts/a", "--sharded", "--redis-url", &url])
            .args(["--expect-subscribers", "0", "--stream", "-o", "json"]);
        if ca {
            c.arg("--redis-ca").arg(certs.path().join("ca.pem"));
        }
        c.output().unwrap()
    };
    // The cluster connection trusts the CA given, on every node it discovers.
    let out = sharded(true);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = publish_json(&out);
    assert_eq!(r.command, "SPUBLISH");
    assert_eq!(r.messages[0].receivers, Some(0));
    let out = sharded(false);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
}
