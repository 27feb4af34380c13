//! Redis Cluster: PUBLISH counts only the subscribers on the node that took it; --sharded uses
//! SPUBLISH and PUBSUB SHARDNUMSUB, which count the subscribers of the channel's shard; agents
//! and watch with --sharded subscribe with SSUBSCRIBE on that shard, resubscribe when its node
//! restarts, and read the stream through the cluster.

use std::process::{Command, Stdio};

use revalidate::agent::Source;
use revalidate::publish::Outcome;
use revalidate::redis::subscriber::LinkEvent;
use revalidate::report::events::{End, STEP_START};
use revalidate::watch::Seen;

use super::agent::{Agent, publish};
use super::server::{RedisServer, cluster};
use super::{Running, command, publish_json};
use crate::common::{TestFleet, code, revalidate, stderr, wait_until};

/// The node that owns `channel`'s slot.
fn owner_of(nodes: &[RedisServer], channel: &str) -> usize {
    let slot: i64 = redis::cmd("CLUSTER")
        .arg("KEYSLOT")
        .arg(channel)
        .query(&mut nodes[0].client())
        .unwrap();
    nodes
        .iter()
        .position(|n| {
            let slots: Vec<(i64, i64, redis::Value)> = redis::cmd("CLUSTER")
                .arg("SLOTS")
                .query(&mut n.client())
                .unwrap();
            slots.iter().any(|(from, to, node)| {
                *from <= slot && slot <= *to && format!("{node:?}").contains(&n.port.to_string())
            })
        })
        .expect("a node owns the slot")
}

fn shard_subscribers(node: &RedisServer, channel: &str) -> i64 {
    let counts: Vec<redis::Value> = redis::cmd("PUBSUB")
        .arg("SHARDNUMSUB")
        .arg(channel)
        .query(&mut node.client())
        .unwrap_or_default();
    match counts.get(1) {
        Some(redis::Value::Int(n)) => *n,
        _ => 0,
    }
}

#[test]
fn sharded_agents_and_watch_get_the_shard_messages_and_resubscribe_when_its_node_restarts() {
    let mut nodes = cluster(3);
    let owner = owner_of(&nodes, "revalidate");
    // Every client starts from a node that does not own the channel: the cluster routes.
    let other = (owner + 1) % nodes.len();
    let url = nodes[other].url();
    let tf = TestFleet::three();
    let agent = Agent::start(&tf, &url, 0, &["--sharded"]);
    agent.wait_ready();
    let (_, dir) = revalidate();
    let mut w = command(dir.path());
    w.args(["watch", "--sharded", "--count", "1", "-o", "ndjson"])
        .args(["--redis-url", &url]);
    let watch = Running::spawn(w);
    assert!(wait_until(15, || shard_subscribers(
        &nodes[owner],
        "revalidate"
    ) == 2));

    // Two shard subscribers (the agent and watch); one pod acknowledges.
    let pod = format!("pod-1={}", tf.pod(0).url());
    let (exit, r) = publish(
        &url,
        &[
            "/posts/a",
            "--sharded",
            "--wait-acks",
            "--expect-subscribers",
            "2",
            "--pod",
            &pod,
        ],
    );
    assert_eq!(exit, 0, "{r:#?}");
    assert_eq!(r.command, "SPUBLISH");
    let m = &r.messages[0];
    assert_eq!(m.receivers, Some(2), "{m:?}");
    assert_eq!(m.outcome, Outcome::Acknowledged, "{m:?}");
    assert_eq!(m.acks[0].pod, "pod-1");
    assert_eq!(m.acks[0].outcome, "revalidated");
    assert_eq!(tf.pod(0).counters().revalidate_requests, 1);
    // The agent is registered through the cluster, whichever node owns its keys.
    let registered = || {
        let (mut c, _d) = revalidate();
        let out = c
            .args(["agents", "--sharded", "--redis-url", &url, "-o", "json"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).contains("\"pod\":\"pod-1\",\"state\":\"live\"")
    };
    assert!(
        wait_until(15, registered),
        "the agent is listed as live\n{}",
        agent.run.stderr()
    );
    watch.wait_for(10, "the message", |e| e.is::<End>());
    let seen: Vec<Seen> = watch.events().into_iter().filter_map(|e| e.get()).collect();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path.as_deref(), Some("/posts/a"));
    assert_eq!(seen[0].channel, "revalidate");
    // Both say, for machines, that they subscribed to a shard channel.
    for (events, step) in [(watch.events(), "watch"), (agent.run.events(), "agent")] {
        let step_start = events
            .iter()
            .find(|e| e.event == STEP_START && e.step.as_deref() == Some(step));
        let sharded = step_start.map(|e| match step {
            "watch" => e.get::<revalidate::watch::Start>().unwrap().sharded,
            _ => e.get::<revalidate::agent::StartInfo>().unwrap().sharded,
        });
        assert_eq!(sharded, Some(true), "{step}");
    }

    // The shard's node restarts: the agent is not ready meanwhile, then subscribes again.
    nodes[owner].kill();
    assert!(
        wait_until(15, || agent.healthz() == 503),
        "not ready while the shard's node is gone\n{}",
        agent.run.stderr()
    );
    nodes[owner].restart();
    agent.wait_ready();
    assert!(wait_until(15, || shard_subscribers(
        &nodes[owner],
        "revalidate"
    ) == 1));
    let (exit, r) = publish(
        &url,
        &[
            "/posts/b",
            "--sharded",
            "--stream",
            "--wait-acks",
            "--expect-subscribers",
            "1",
        ],
    );
    assert_eq!(exit, 0, "{r:#?}");
    assert_eq!(r.messages[0].outcome, Outcome::Acknowledged);
    let states: Vec<String> = agent
        .run
        .events()
        .into_iter()
        .filter_map(|e| e.get::<LinkEvent>())
        .map(|link| link.state)
        .collect();
    assert!(states.contains(&"lost".to_string()), "{states:?}");
    assert_eq!(states.last().map(String::as_str), Some("reconnected"));

    // A pod started later catches up from the stream, read through the cluster.
    let late = Agent::start(&tf, &url, 1, &["--sharded", "--catch-up", "10m"]);
    late.wait_ready();
    let caught_up: Vec<String> = late
        .handled()
        .into_iter()
        .filter(|h| h.source == Source::CatchUp && h.outcome == "revalidated")
        .filter_map(|h| h.path)
        .collect();
    assert_eq!(caught_up, ["/posts/b"]);
    // The stream never held /posts/a (published without --stream); the record, on the
    // channel's shard too, did: the late pod regenerates it as well, and /posts/b once.
    let from_record: Vec<String> = late
        .handled()
        .into_iter()
        .filter(|h| h.source == Source::Record)
        .filter_map(|h| h.path)
        .collect();
    assert_eq!(from_record, ["/posts/a"]);
    assert_eq!(tf.pod(1).counters().revalidate_requests, 2);
    for a in [agent, late] {
        let (status, _, err) = a.stop();
        assert_eq!(status, 0, "{err}");
    }
}

#[test]
fn watch_sharded_refuses_patterns() {
    let (mut c, _d) = revalidate();
    let out = c
        .args(["watch", "--sharded", "--pattern", "news:*"])
        .args(["--redis-url", "redis://127.0.0.1:1"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--pattern cannot be used with --sharded"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn sharded_publish_counts_the_shard_subscribers() {
    let nodes = cluster(3);
    let owner_index = owner_of(&nodes, "revalidate");
    // The node that owns the channel's slot, and one that does not.
    let owner = &nodes[owner_index];
    let other = &nodes[(owner_index + 1) % nodes.len()];
    // A shard subscriber on the owner (what SSUBSCRIBE clients do).
    let mut sub = Command::new("redis-cli");
    sub.args(["-p", &owner.port.to_string(), "SSUBSCRIBE", "revalidate"])
        .stdin(Stdio::null());
    let sub = Running::spawn(sub);
    assert!(wait_until(10, || shard_subscribers(owner, "revalidate") == 1));

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

/// The id of a cluster node, as CLUSTER MYID gives it.
fn node_id(node: &RedisServer) -> String {
    redis::cmd("CLUSTER")
        .arg("MYID")
        .query(&mut node.client())
        .unwrap()
}

#[test]
fn a_sharded_agent_follows_its_channel_when_the_slot_moves_to_another_node() {
    let nodes = cluster(3);
    let owner = owner_of(&nodes, "revalidate");
    let next = (owner + 1) % nodes.len();
    let url = nodes[owner].url();
    let tf = TestFleet::three();
    // One heartbeat, at start: its keys live in the channel's slot, which the test moves
    // without migrating keys (a real reshard migrates them), so they are removed first.
    let agent = Agent::start(&tf, &url, 0, &["--sharded", "--heartbeat", "1h"]);
    agent.wait_ready();
    assert!(wait_until(15, || shard_subscribers(
        &nodes[owner],
        "revalidate"
    ) == 1));
    let agents_key = revalidate::redis::registry::agents_key("revalidate");
    assert!(wait_until(15, || redis::cmd("EXISTS")
        .arg(&agents_key)
        .query::<i64>(&mut nodes[owner].client())
        .unwrap()
        == 1));
    let _: i64 = redis::cmd("DEL")
        .arg(&agents_key)
        .arg(revalidate::redis::registry::heartbeats_key("revalidate"))
        .query(&mut nodes[owner].client())
        .unwrap();

    // Resharding: the channel's slot now belongs to another node. Redis ends the shard
    // subscription there (SUNSUBSCRIBE); the agent subscribes again, on the new owner.
    let slot: i64 = redis::cmd("CLUSTER")
        .arg("KEYSLOT")
        .arg("revalidate")
        .query(&mut nodes[0].client())
        .unwrap();
    let new_owner = node_id(&nodes[next]);
    for n in &nodes {
        let _: String = redis::cmd("CLUSTER")
            .arg("SETSLOT")
            .arg(slot)
            .arg("NODE")
            .arg(&new_owner)
            .query(&mut n.client())
            .unwrap();
    }
    assert!(
        wait_until(15, || shard_subscribers(&nodes[next], "revalidate") == 1),
        "the agent did not subscribe on the new owner\n{}",
        agent.run.stderr()
    );
    let pod = format!("pod-1={}", tf.pod(0).url());
    let (exit, r) = publish(
        &url,
        &["/posts/a", "--sharded", "--wait-acks", "--pod", &pod],
    );
    assert_eq!(exit, 0, "{r:#?}");
    assert_eq!(r.messages[0].receivers, Some(1));
    assert_eq!(r.messages[0].outcome, Outcome::Acknowledged);
    let lost: Vec<String> = agent
        .run
        .events()
        .into_iter()
        .filter_map(|e| e.get::<LinkEvent>())
        .filter(|link| link.state == "lost")
        .filter_map(|link| link.error)
        .collect();
    assert!(lost.iter().any(|e| e.contains("slot moved")), "{lost:?}");
    let (status, _, err) = agent.stop();
    assert_eq!(status, 0, "{err}");
}
