//! Redis Cluster: PUBLISH counts only the subscribers on the node that took it; --sharded uses
//! SPUBLISH and PUBSUB SHARDNUMSUB, which count the subscribers of the channel's shard.

use std::process::{Command, Stdio};

use super::server::cluster;
use super::{Running, publish_json};
use crate::common::{code, revalidate, stderr, wait_until};

#[test]
fn sharded_publish_counts_the_shard_subscribers() {
    let nodes = cluster(3);
    let slot: i64 = redis::cmd("CLUSTER")
        .arg("KEYSLOT")
        .arg("revalidate")
        .query(&mut nodes[0].client())
        .unwrap();
    // The node that owns the channel's slot, and one that does not.
    let owner = nodes
        .iter()
        .find(|n| {
            let slots: Vec<(i64, i64, redis::Value)> = redis::cmd("CLUSTER")
                .arg("SLOTS")
                .query(&mut n.client())
                .unwrap();
            slots.iter().any(|(from, to, node)| {
                *from <= slot && slot <= *to && format!("{node:?}").contains(&n.port.to_string())
            })
        })
        .expect("a node owns the slot");
    let other = nodes.iter().find(|n| n.port != owner.port).unwrap();
    // A shard subscriber on the owner (what SSUBSCRIBE clients do).
    let mut sub = Command::new("redis-cli");
    sub.args(["-p", &owner.port.to_string(), "SSUBSCRIBE", "revalidate"])
        .stdin(Stdio::null());
    let sub = Running::spawn(sub);
    assert!(wait_until(10, || {
        let counts: Vec<redis::Value> = redis::cmd("PUBSUB")
            .arg("SHARDNUMSUB")
            .arg("revalidate")
            .query(&mut owner.client())
            .unwrap_or_default();
        format!("{counts:?}").contains("int(1)")
    }));

    // --sharded through any node: routed to the shard, its subscriber counted.
    let (mut c, _d) = revalidate();
    let out = c
        .args([
            "publish",
            "/posts/a",
            "--sharded",
            "--check",
            "--expect-subscribers",
            "1",
        ])
        .args([
            "--redis-url",
            &format!("redis://127.0.0.1:{}", other.port),
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = publish_json(&out);
    assert_eq!(r.command, "SPUBLISH");
    assert_eq!(r.check.as_ref().unwrap().subscribers, 1);
    assert_eq!(r.messages[0].receivers, Some(1));
    assert!(wait_until(10, || sub
        .lines()
        .iter()
        .any(|l| l.contains("/posts/a"))));

    // Plain PUBLISH counts only the node's own (non-shard) subscribers: none here.
    let (mut c, _d) = revalidate();
    let out = c
        .args([
            "publish",
            "/posts/a",
            "--expect-subscribers",
            "1",
            "-o",
            "json",
        ])
        .args(["--redis-url", &format!("redis://127.0.0.1:{}", other.port)])
        .output()
        .unwrap();
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_eq!(publish_json(&out).messages[0].receivers, Some(0));
}

#[test]
fn sharded_against_a_single_server_says_so() {
    let server = super::server::RedisServer::start();
    let (mut c, _d) = revalidate();
    let out = c
        .args([
            "publish",
            "/posts/a",
            "--sharded",
            "--redis-url",
            &server.url(),
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cluster support disabled"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("hint: --sharded needs a Redis Cluster"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("WARN"), "{}", stderr(&out));
}
