//! Jobs kept in a Redis stream, read through one consumer group, when Redis is configured: a
//! restarted serve finishes what it accepted, and several replicas behind one Service share the
//! work. Each accepted request is an entry (XADD); every replica reads new entries with
//! XREADGROUP and runs what it read; a finished job's view is kept under
//! `<stream>:job:<id>` (a day) and its entry acknowledged (XACK). A replica refreshes the
//! entries it holds (XCLAIM to itself), so only those of a replica that stopped doing so (it
//! died) are claimed by another after `serve.claim_after` (XAUTOCLAIM). Delivery is at least
//! once: an entry whose job is already finished is acknowledged and skipped.

use std::sync::Arc;
use std::time::Duration;

use ::redis::aio::ConnectionManager;
use ::redis::streams::{StreamAutoClaimReply, StreamId, StreamReadReply};
use ::redis::{AsyncCommands as _, Value};

use super::{Refused, Shared};
use crate::config::{Config, StreamSettings};
use crate::error::Error;
use crate::redis::{Conn, Redis};

/// The consumer group every replica reads through.
const GROUP: &str = "revalidate-serve";
/// How long one XREADGROUP waits for an entry.
const BLOCK: Duration = Duration::from_secs(1);
/// Entries read at once.
const BATCH: usize = 100;
/// How long a finished job's view is kept.
const KEEP: u64 = 24 * 3600;
/// The stream is trimmed to about this many entries.
const MAXLEN: usize = 100_000;

#[derive(Clone)]
pub struct Jobs {
    redis: Arc<Redis>,
    conn: ConnectionManager,
    key: String,
    consumer: String,
    claim_after: Duration,
}

impl Jobs {
    /// Connects and creates the consumer group (and the stream) when missing.
    pub async fn connect(config: &Config, s: &StreamSettings) -> Result<Jobs, Error> {
        let redis = Redis::build(&config.redis()?, &|name| std::env::var(name).ok())?;
        let conn = redis.manager().map_err(|f| f.into_error())?;
        let jobs = Jobs {
            redis: Arc::new(redis),
            conn,
            key: s.key.clone(),
            consumer: s.consumer.clone(),
            claim_after: s.claim_after,
        };
        jobs.create_group().await.map_err(|f| f.into_error())?;
        tracing::info!(
            "jobs are kept in the Redis stream {} (group {GROUP}, consumer {})",
            jobs.key,
            jobs.consumer
        );
        Ok(jobs)
    }

    async fn create_group(&self) -> Result<(), crate::redis::Failure> {
        let mut c = self.conn.clone();
        let r: Result<Value, _> = ::redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(&self.key)
            .arg(GROUP)
            .arg("$")
            .arg("MKSTREAM")
            .query_async(&mut c)
            .await;
        match r {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
            Err(e) => Err(self.redis.failure(&e)),
        }
    }

    pub async fn ping(&self) -> Result<(), String> {
        let mut c = self.conn.clone();
        ::redis::cmd("PING")
            .query_async::<String>(&mut c)
            .await
            .map(|_| ())
            .map_err(|e| self.redis.failure(&e).to_string())
    }

    fn job_key(&self, id: &str) -> String {
        format!("{}:job:{id}", self.key)
    }

    /// Keeps an accepted job in the stream; any replica (this one too) will run it.
    pub(super) async fn add(
        &self,
        shared: &Shared,
        id: &str,
        source: &str,
        paths: &[String],
    ) -> Result<(), Refused> {
        {
            let q = shared.queue();
            let waiting = q.waiting();
            if waiting + paths.len() > shared.settings.queue {
                return Err(Refused::Full(super::jobs::Full {
                    waiting,
                    limit: shared.settings.queue,
                }));
            }
        }
        let mut c = self.conn.clone();
        let body = serde_json::to_string(paths).expect("paths serialize");
        let r: Result<String, _> = ::redis::cmd("XADD")
            .arg(&self.key)
            .arg("MAXLEN")
            .arg("~")
            .arg(MAXLEN)
            .arg("*")
            .arg("job")
            .arg(id)
            .arg("source")
            .arg(source)
            .arg("paths")
            .arg(body)
            .query_async(&mut c)
            .await;
        r.map(|_| ())
            .map_err(|e| Refused::Redis(self.redis.failure(&e).to_string()))
    }

    /// A finished job's view, as the replica that ran it left it.
    pub async fn finished(&self, id: &str) -> Option<serde_json::Value> {
        let mut c = self.conn.clone();
        let text: Option<String> = c.get(self.job_key(id)).await.ok()?;
        serde_json::from_str(&text?).ok()
    }

    /// Records a finished job and acknowledges its entry (retried a few times: an entry not
    /// acknowledged is run again by another replica, which is safe).
    pub async fn done(&self, id: &str, entry: Option<&str>, view: Option<&super::jobs::JobView>) {
        let text = view.and_then(|v| serde_json::to_string(v).ok());
        for attempt in 0..5u32 {
            let mut c = self.conn.clone();
            let mut pipe = ::redis::pipe();
            if let Some(t) = &text {
                pipe.cmd("SET")
                    .arg(self.job_key(id))
                    .arg(t)
                    .arg("EX")
                    .arg(KEEP)
                    .ignore();
            }
            if let Some(e) = entry {
                pipe.cmd("XACK").arg(&self.key).arg(GROUP).arg(e).ignore();
            }
            match pipe.query_async::<()>(&mut c).await {
                Ok(()) => return,
                Err(e) => {
                    tracing::warn!(
                        "job {id}: cannot record its end in Redis (attempt {}): {}",
                        attempt + 1,
                        self.redis.failure(&e)
                    );
                    tokio::time::sleep(crate::redis::subscriber::backoff(attempt + 1)).await;
                }
            }
        }
    }

    /// Reads entries for this replica until aborted: its own unacknowledged ones first (a
    /// restart), then new ones, claiming those of dead replicas and refreshing its own.
    pub(super) async fn read(self, shared: Arc<Shared>) {
        let mut conn: Option<Conn> = None;
        let mut own_pending = true;
        let mut last_claim = tokio::time::Instant::now() - self.claim_after;
        let mut last_touch = tokio::time::Instant::now();
        let mut failures = 0u32;
        loop {
            if conn.is_none() {
                match self.redis.connect_blocking(BLOCK).await {
                    Ok(c) => {
                        conn = Some(c);
                        if failures > 0 {
                            tracing::info!("Redis is back: reading jobs again");
                            let _ = self.create_group().await;
                        }
                        failures = 0;
                    }
                    Err(f) => {
                        failures += 1;
                        if failures == 1 {
                            tracing::warn!("cannot read jobs from Redis: {f}");
                        }
                        tokio::time::sleep(crate::redis::subscriber::backoff(failures)).await;
                        continue;
                    }
                }
            }
            let c = conn.as_mut().expect("connected");
            let result = self
                .step(
                    c,
                    &shared,
                    &mut own_pending,
                    &mut last_claim,
                    &mut last_touch,
                )
                .await;
            if let Err(e) = result {
                failures += 1;
                if failures == 1 {
                    tracing::warn!("reading jobs from Redis failed: {}", self.redis.failure(&e));
                }
                if e.code() == Some("NOGROUP") {
                    let _ = self.create_group().await;
                }
                conn = None;
                tokio::time::sleep(crate::redis::subscriber::backoff(failures)).await;
            } else {
                failures = 0;
            }
        }
    }

    async fn step(
        &self,
        c: &mut Conn,
        shared: &Shared,
        own_pending: &mut bool,
        last_claim: &mut tokio::time::Instant,
        last_touch: &mut tokio::time::Instant,
    ) -> Result<(), ::redis::RedisError> {
        let now = tokio::time::Instant::now();
        // Keep what this replica holds from being claimed: it is alive.
        if now.duration_since(*last_touch) >= self.claim_after / 3 {
            *last_touch = now;
            let tags = shared.queue().open_tags();
            if !tags.is_empty() {
                let mut cmd = ::redis::cmd("XCLAIM");
                cmd.arg(&self.key).arg(GROUP).arg(&self.consumer).arg(0);
                for t in &tags {
                    cmd.arg(t);
                }
                cmd.arg("JUSTID");
                cmd.query_async::<Value>(c).await?;
            }
        }
        let room = |shared: &Shared| shared.queue().waiting() < shared.settings.queue;
        if now.duration_since(*last_claim) >= self.claim_after / 2 && room(shared) {
            *last_claim = now;
            let claimed: StreamAutoClaimReply = ::redis::cmd("XAUTOCLAIM")
                .arg(&self.key)
                .arg(GROUP)
                .arg(&self.consumer)
                .arg(self.claim_after.as_millis() as u64)
                .arg("0-0")
                .arg("COUNT")
                .arg(BATCH)
                .query_async(c)
                .await?;
            let entries = claimed.claimed;
            if !entries.is_empty() {
                tracing::info!(
                    "claimed {} job(s) from a replica that stopped",
                    entries.len()
                );
                shared.metrics.claimed(entries.len() as u64);
                for e in &entries {
                    self.take(shared, e).await;
                }
            }
        }
        if !room(shared) {
            tokio::time::sleep(BLOCK).await;
            return Ok(());
        }
        let from = if *own_pending { "0" } else { ">" };
        let mut cmd = ::redis::cmd("XREADGROUP");
        cmd.arg("GROUP")
            .arg(GROUP)
            .arg(&self.consumer)
            .arg("COUNT")
            .arg(BATCH);
        if !*own_pending {
            cmd.arg("BLOCK").arg(BLOCK.as_millis() as u64);
        }
        cmd.arg("STREAMS").arg(&self.key).arg(from);
        let reply: Option<StreamReadReply> = cmd.query_async(c).await?;
        let entries: Vec<StreamId> = reply
            .map(|r| r.keys.into_iter().flat_map(|k| k.ids).collect())
            .unwrap_or_default();
        if *own_pending {
            // This consumer's entries not acknowledged before a restart: read once, at start
            // (more than a batch of them are claimed back later by XAUTOCLAIM).
            *own_pending = false;
            if !entries.is_empty() {
                tracing::info!(
                    "taking back {} job(s) accepted before a restart",
                    entries.len()
                );
            }
        }
        for e in &entries {
            self.take(shared, e).await;
        }
        Ok(())
    }

    /// Queues the job of one entry here, unless it is finished already.
    async fn take(&self, shared: &Shared, e: &StreamId) {
        let field = |name: &str| -> Option<String> {
            e.map.get(name).and_then(|v| match v {
                Value::BulkString(b) => String::from_utf8(b.clone()).ok(),
                Value::SimpleString(s) => Some(s.clone()),
                _ => None,
            })
        };
        let (Some(job), Some(paths)) = (field("job"), field("paths")) else {
            tracing::warn!(
                "stream entry {} is not a job: acknowledged and skipped",
                e.id
            );
            self.done("-", Some(&e.id), None).await;
            return;
        };
        let Ok(paths) = serde_json::from_str::<Vec<String>>(&paths) else {
            tracing::warn!(
                "stream entry {} has no paths: acknowledged and skipped",
                e.id
            );
            self.done("-", Some(&e.id), None).await;
            return;
        };
        if shared.queue().has(&job) {
            return;
        }
        if self.finished(&job).await.is_some() {
            self.done(&job, Some(&e.id), None).await;
            return;
        }
        let source = field("source").unwrap_or_else(|| "paths".into());
        match shared
            .queue()
            .submit(&job, &source, paths, Some(e.id.clone()))
        {
            Ok(_) => {
                shared.wake.notify_one();
            }
            Err(full) => tracing::warn!(
                "job {job} left in the stream: the queue is full ({} of {})",
                full.waiting,
                full.limit
            ),
        }
        shared.publish(&job);
    }
}
