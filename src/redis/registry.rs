//! Who is listening: agents register themselves beside the channel, with a heartbeat, so
//! `revalidate agents` and `publish --wait-acks` can name them (PUBSUB NUMSUB only counts).
//!
//! The layout, two keys per channel: the hash `{<channel>}:agents` maps a pod's name to its
//! record (JSON: pod, version, build id, when it started, the last message it handled, its
//! last heartbeat), and the sorted set `{<channel>}:agents:heartbeats` scores each pod by its
//! last heartbeat (unix milliseconds). An agent beats every `heartbeat` (HSET and ZADD in one
//! MULTI); a reader counts a pod live while its last beat is younger than three beats, and
//! expired after that: an expired pod stays named (so a publish can say whose heartbeat just
//! stopped) until it is an hour old, when any reader or agent removes it. An agent that stops
//! cleanly removes itself. Both keys expire a day after the last beat, so a channel nobody
//! uses leaves nothing behind. A hash and a set, not a key per agent with a TTL: an expired
//! agent could not be named, and listing keys needs SCAN.
//!
//! Invariants: a record is written and scored together (one transaction); a record without a
//! score, or a score without a record, is never listed as live.

use std::time::Duration;

use ::redis::aio::ConnectionLike;

/// How long after its last beat a pod is still named, as expired.
pub const FORGET_AFTER: Duration = Duration::from_secs(3600);
/// How long both keys live after the last beat of any agent.
const KEYS_LIVE: Duration = Duration::from_secs(86_400);
/// A pod is live while its last beat is younger than this many beats.
pub const BEATS_LIVE: u32 = 3;

/// The hash of the records. Both keys begin with the channel in braces, a Redis Cluster hash
/// tag: they live in one slot (the shard channel's own), so one transaction writes both.
pub fn agents_key(channel: &str) -> String {
    format!("{{{channel}}}:agents")
}

/// The sorted set of the last heartbeats.
pub fn heartbeats_key(channel: &str) -> String {
    format!("{{{channel}}}:agents:heartbeats")
}

/// What an agent says of itself.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Record {
    pub pod: String,
    /// The agent's version (revalidate's).
    pub version: String,
    /// The app's build id, when the agent could read it.
    pub build_id: Option<String>,
    /// When the agent started (unix ms).
    pub started_ms: u64,
    /// When it last handled a message (unix ms).
    pub last_message_ms: Option<u64>,
    /// Its last heartbeat (unix ms).
    pub heartbeat_ms: u64,
    /// How often it beats (ms).
    pub heartbeat_every_ms: u64,
}

impl Record {
    /// Whether the pod was live at `now_ms`.
    pub fn live_at(&self, now_ms: u64) -> bool {
        now_ms.saturating_sub(self.heartbeat_ms)
            < self
                .heartbeat_every_ms
                .saturating_mul(u64::from(BEATS_LIVE))
    }
}

/// Writes the record and its score, and keeps both keys alive.
pub async fn beat(
    conn: &mut impl ConnectionLike,
    channel: &str,
    r: &Record,
) -> ::redis::RedisResult<()> {
    let (agents, beats) = (agents_key(channel), heartbeats_key(channel));
    let json = serde_json::to_string(r).expect("records serialize");
    let forget_before = r
        .heartbeat_ms
        .saturating_sub(FORGET_AFTER.as_millis() as u64);
    ::redis::pipe()
        .atomic()
        .cmd("HSET")
        .arg(&agents)
        .arg(&r.pod)
        .arg(json)
        .ignore()
        .cmd("ZADD")
        .arg(&beats)
        .arg(r.heartbeat_ms)
        .arg(&r.pod)
        .ignore()
        .cmd("PEXPIRE")
        .arg(&agents)
        .arg(KEYS_LIVE.as_millis() as u64)
        .ignore()
        .cmd("PEXPIRE")
        .arg(&beats)
        .arg(KEYS_LIVE.as_millis() as u64)
        .ignore()
        .query_async::<()>(conn)
        .await?;
    forget(conn, channel, forget_before).await
}

/// Removes a pod (its agent stops cleanly).
pub async fn remove(
    conn: &mut impl ConnectionLike,
    channel: &str,
    pod: &str,
) -> ::redis::RedisResult<()> {
    ::redis::pipe()
        .atomic()
        .cmd("HDEL")
        .arg(agents_key(channel))
        .arg(pod)
        .ignore()
        .cmd("ZREM")
        .arg(heartbeats_key(channel))
        .arg(pod)
        .ignore()
        .query_async::<()>(conn)
        .await
}

/// Removes the pods whose last beat is older than `before_ms`.
async fn forget(
    conn: &mut impl ConnectionLike,
    channel: &str,
    before_ms: u64,
) -> ::redis::RedisResult<()> {
    let beats = heartbeats_key(channel);
    let old: Vec<String> = ::redis::cmd("ZRANGEBYSCORE")
        .arg(&beats)
        .arg("-inf")
        .arg(format!("({before_ms}"))
        .query_async(conn)
        .await?;
    if old.is_empty() {
        return Ok(());
    }
    ::redis::pipe()
        .atomic()
        .cmd("HDEL")
        .arg(agents_key(channel))
        .arg(&old)
        .ignore()
        .cmd("ZREM")
        .arg(&beats)
        .arg(&old)
        .ignore()
        .query_async::<()>(conn)
        .await
}

/// A hash's fields or a sorted set's members, with their values or scores.
type Pairs<V> = Vec<(String, V)>;

/// Every pod registered on `channel` and not yet forgotten, by name, with whether it is live at
/// `now_ms`. A record without a score is left out; a record that does not parse is left out.
pub async fn list(
    conn: &mut impl ConnectionLike,
    channel: &str,
    now_ms: u64,
) -> ::redis::RedisResult<Vec<(Record, bool)>> {
    forget(
        conn,
        channel,
        now_ms.saturating_sub(FORGET_AFTER.as_millis() as u64),
    )
    .await?;
    let (records, scored): (Pairs<String>, Pairs<u64>) = ::redis::pipe()
        .cmd("HGETALL")
        .arg(agents_key(channel))
        .cmd("ZRANGE")
        .arg(heartbeats_key(channel))
        .arg(0)
        .arg(-1)
        .arg("WITHSCORES")
        .query_async(conn)
        .await?;
    let scored: std::collections::HashMap<String, u64> = scored.into_iter().collect();
    let mut out: Vec<(Record, bool)> = records
        .into_iter()
        .filter(|(pod, _)| scored.contains_key(pod))
        .filter_map(|(_, json)| serde_json::from_str::<Record>(&json).ok())
        .map(|r| {
            let live = r.live_at(now_ms);
            (r, live)
        })
        .collect();
    out.sort_by(|a, b| a.0.pod.cmp(&b.0.pod));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_for_three_beats() {
        let r = Record {
            pod: "web-0".into(),
            version: "0.1.0".into(),
            build_id: None,
            started_ms: 0,
            last_message_ms: None,
            heartbeat_ms: 10_000,
            heartbeat_every_ms: 5_000,
        };
        assert!(r.live_at(10_000));
        assert!(r.live_at(24_999));
        assert!(!r.live_at(25_000));
    }
}
