//! The record: beside the stream, the last time each path was revalidated, so that a pod started
//! late (a scale-up, an eviction, a node drained an hour after the change) can catch up on every
//! path changed since its build, however busy the channel was meanwhile.
//!
//! It is one Redis hash, `<channel>:revalidated`, path → unix milliseconds of the latest publish
//! of that path: it grows with the number of paths a site has, never with the number of messages
//! (the stream, capped by count, forgets older changes; the record does not). Tags, when they
//! are published, get a hash of their own beside it (`<channel>:revalidated-tags`, tag → ms),
//! written and read by the same two functions: a path and a tag never share a field. An agent
//! with a tag route catches up on both; the data cache a pod's build holds is as stale as its
//! pages.
//!
//! Invariants: a time is only ever replaced by a newer one, atomically on the server (a Lua
//! script compares and sets each field), so a slow publish of an older change cannot hide a
//! newer one; publish writes the record before it publishes the message, so an agent that reads
//! the record after it subscribed misses nothing in between; a field that does not hold a number
//! is read as "changed at an unknown time", i.e. always revalidated, never skipped.

use ::redis::RedisResult;
use ::redis::aio::ConnectionLike;

/// The record of a channel's paths.
pub fn key(channel: &str) -> String {
    format!("{channel}:revalidated")
}

/// The record of a channel's tags (`revalidateTag`), when publish sends tags: the same form as
/// the paths' record ([`write`], [`read_since`]), in a hash of its own.
pub fn tags_key(channel: &str) -> String {
    format!("{channel}:revalidated-tags")
}

/// Sets each field's time unless the record already holds a newer one; answers how many fields
/// were set.
const KEEP_NEWEST: &str = r"
local set = 0
for i = 1, #ARGV, 2 do
  local t = tonumber(ARGV[i + 1])
  local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[i]))
  if cur == nil or cur < t then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    set = set + 1
  end
end
return set
";

/// Records that each field (a path) was revalidated at its time (unix ms), keeping the newest.
pub async fn write<C: ConnectionLike>(
    conn: &mut C,
    key: &str,
    entries: &[(&str, u64)],
) -> RedisResult<i64> {
    if entries.is_empty() {
        return Ok(0);
    }
    let script = ::redis::Script::new(KEEP_NEWEST);
    let mut call = script.key(key);
    for (field, ms) in entries {
        call.arg(*field).arg(*ms);
    }
    call.invoke_async(conn).await
}

/// One field of the record: a path and when it was last revalidated (None: the value is not a
/// time, so when is unknown).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub field: String,
    pub ms: Option<u64>,
}

/// Every field changed at or after `since_ms` (or at an unknown time), read with HSCAN so a big
/// record is read in pieces without blocking Redis. Also answers how many fields it holds.
pub async fn read_since<C: ConnectionLike>(
    conn: &mut C,
    key: &str,
    since_ms: u64,
) -> RedisResult<(Vec<Entry>, usize)> {
    let mut cursor: u64 = 0;
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut total = 0usize;
    loop {
        let (next, pairs): (u64, Vec<(String, String)>) = ::redis::cmd("HSCAN")
            .arg(key)
            .arg(cursor)
            .arg("COUNT")
            .arg(1000)
            .query_async(conn)
            .await?;
        for (field, value) in pairs {
            // HSCAN may return a field twice when the hash is rehashed meanwhile.
            if !seen.insert(field.clone()) {
                continue;
            }
            total += 1;
            let ms = value.trim().parse::<u64>().ok();
            if ms.is_none_or(|t| t >= since_ms) {
                out.push(Entry { field, ms });
            }
        }
        if next == 0 {
            break;
        }
        cursor = next;
    }
    // Oldest first: the catch-up regenerates in the order the changes were made.
    out.sort_by(|a, b| a.ms.cmp(&b.ms).then_with(|| a.field.cmp(&b.field)));
    Ok((out, total))
}
