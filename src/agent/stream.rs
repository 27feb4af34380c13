//! The agent's stream reader: reads `<channel>:stream` (which `publish --stream` appends to)
//! from a cursor, first everything already there (the catch-up), then, when following, with
//! XREAD BLOCK as entries arrive; on a lost connection it reconnects with backoff and goes on
//! from the last entry it read, so what was appended meanwhile is read after reconnecting.
//!
//! Invariants: the blocking read has a connection of its own, whose response timeout covers the
//! block (on a shared connection it would time out at the response timeout and stall every other
//! command); every entry is sent once, in stream order; [`StreamUpdate::CaughtUp`] is sent once,
//! when the reader first reaches the end of the stream.

use std::time::Duration;

use ::redis::streams::{StreamRangeReply, StreamReadReply};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::redis::Redis;
use crate::redis::subscriber::{Link, backoff};

/// How long one XREAD BLOCK waits for an entry before asking again.
const BLOCK: Duration = Duration::from_secs(5);
/// Entries read per XREAD.
const BATCH: usize = 500;

/// Where the reader starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// After the last entry present when the reader first connects (`$`, made concrete so a
    /// reconnect goes on from there).
    Latest,
    /// After this unix time in milliseconds (`--catch-up`): stream ids are milliseconds.
    Since(u64),
}

/// One stream entry, as publish wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub stream_id: String,
    pub id: Option<String>,
    pub path: Option<String>,
    /// A cache tag's entry.
    pub tag: Option<String>,
}

#[derive(Clone, Debug)]
pub enum StreamUpdate {
    Link(Link),
    Entry(Entry),
    /// The reader reached the end of the stream for the first time, after this many entries.
    CaughtUp {
        entries: usize,
    },
}

/// Reads `key` until cancelled (or, when not following, until caught up).
pub async fn run(
    redis: Redis,
    key: String,
    start: Start,
    follow: bool,
    cancel: CancellationToken,
    tx: mpsc::UnboundedSender<StreamUpdate>,
) {
    let mut cursor: Option<String> = match start {
        Start::Latest => None,
        Start::Since(ms) => Some(format!("{ms}-0")),
    };
    let mut caught_up = false;
    let mut read = 0usize;
    let mut attempts = 0u32;
    let mut down_since: Option<Instant> = None;
    loop {
        let conn = tokio::select! {
            _ = cancel.cancelled() => return,
            c = redis.connect_blocking(BLOCK) => c,
        };
        let mut conn = match conn {
            Ok(c) => c,
            Err(e) => {
                attempts += 1;
                let retry_in = backoff(attempts);
                let l = Link::Retrying {
                    attempt: attempts,
                    error: e.to_string(),
                    retry_in,
                };
                if tx.send(StreamUpdate::Link(l)).is_err() {
                    return;
                }
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(retry_in) => {}
                }
                continue;
            }
        };
        let up = Link::Subscribed {
            down_for: down_since.map(|d| d.elapsed()),
            attempts,
        };
        if tx.send(StreamUpdate::Link(up)).is_err() {
            return;
        }
        attempts = 0;
        let lost = loop {
            let c = match &cursor {
                Some(c) => c.clone(),
                None => {
                    let mut xrevrange = ::redis::cmd("XREVRANGE");
                    xrevrange.arg(&key).arg("+").arg("-").arg("COUNT").arg(1);
                    let last = xrevrange.query_async::<StreamRangeReply>(&mut conn);
                    let r = tokio::select! {
                        _ = cancel.cancelled() => return,
                        r = last => r,
                    };
                    match r {
                        Ok(r) => {
                            let c = r.ids.first().map_or("0-0".to_string(), |e| e.id.clone());
                            cursor = Some(c.clone());
                            c
                        }
                        Err(e) => break redis.failure(&e).to_string(),
                    }
                }
            };
            let mut xread = ::redis::cmd("XREAD");
            xread.arg("COUNT").arg(BATCH);
            if caught_up {
                xread.arg("BLOCK").arg(BLOCK.as_millis() as u64);
            }
            xread.arg("STREAMS").arg(&key).arg(&c);
            let r = tokio::select! {
                _ = cancel.cancelled() => return,
                r = xread.query_async::<Option<StreamReadReply>>(&mut conn) => r,
            };
            let entries = match r {
                Ok(reply) => reply
                    .map(|r| r.keys.into_iter().flat_map(|k| k.ids).collect::<Vec<_>>())
                    .unwrap_or_default(),
                Err(e) => break redis.failure(&e).to_string(),
            };
            let n = entries.len();
            for e in entries {
                cursor = Some(e.id.clone());
                let field = |name: &str| e.get::<String>(name);
                let entry = Entry {
                    stream_id: e.id.clone(),
                    id: field("id"),
                    path: field("path"),
                    tag: field("tag"),
                };
                read += 1;
                if tx.send(StreamUpdate::Entry(entry)).is_err() {
                    return;
                }
            }
            if n == 0 && !caught_up {
                caught_up = true;
                if tx.send(StreamUpdate::CaughtUp { entries: read }).is_err() || !follow {
                    return;
                }
            }
        };
        down_since = Some(Instant::now());
        if tx
            .send(StreamUpdate::Link(Link::Lost { error: lost }))
            .is_err()
        {
            return;
        }
    }
}
