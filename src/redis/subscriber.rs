//! A subscription that outlives its connection: subscribes to channels and patterns on a
//! dedicated pub/sub connection, forwards every message, and when the connection goes away
//! (Redis restarted, the network dropped, a PING went unanswered) reconnects with backoff and
//! subscribes again, reporting every change of state.
//!
//! Why not the crate's ConnectionManager with automatic resubscription: it needs RESP3 (Redis 6+)
//! and says nothing of when the subscription was gone. A pub/sub connection never reconnects (its
//! stream just ends), so this loop does, and knows at every moment whether it is subscribed.
//! On a Redis Cluster with `--sharded`, the channels are shard channels: SSUBSCRIBE over RESP3
//! through the crate's cluster connection, which sends each to its slot's node and hands the
//! messages over as pushes. Its own reconnection is not relied on either: a lost node connection
//! ends the session, and this loop connects and subscribes again.
//!
//! Invariants: [`Link::Subscribed`] is sent only once the server has confirmed every
//! subscription; a message is forwarded once, in the order received; the loop ends only when
//! cancelled (or the receiver is gone).

use std::time::{Duration, SystemTime};

use ::redis::aio::{PubSubSink, PubSubStream};
use ::redis::cluster_async::ClusterConnection;
use ::redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, SlotAddr};
use ::redis::{PushInfo, PushKind, Value};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{Failure, Redis};

/// How often an idle subscription checks, with PING, that its connection is alive.
const PING_EVERY: Duration = Duration::from_secs(10);
/// First reconnect delay; doubles per failure, with jitter, up to [`BACKOFF_CAP`].
const BACKOFF_BASE: Duration = Duration::from_millis(100);
const BACKOFF_CAP: Duration = Duration::from_secs(5);

/// What to subscribe to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Topics {
    pub channels: Vec<String>,
    pub patterns: Vec<String>,
    /// The channels are shard channels of a Redis Cluster (SSUBSCRIBE); there are no patterns.
    pub sharded: bool,
}

impl Topics {
    pub fn channel(c: impl Into<String>) -> Topics {
        Topics {
            channels: vec![c.into()],
            patterns: Vec::new(),
            sharded: false,
        }
    }

    /// For messages: `revalidate, news:* (pattern)`, or `revalidate (sharded)`.
    pub fn describe(&self) -> String {
        let kind = if self.sharded { " (sharded)" } else { "" };
        self.channels
            .iter()
            .map(|c| format!("{c}{kind}"))
            .chain(self.patterns.iter().map(|p| format!("{p} (pattern)")))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One message as received.
#[derive(Clone, Debug)]
pub struct Incoming {
    pub channel: String,
    /// The pattern that matched, for a pattern subscription.
    pub pattern: Option<String>,
    pub payload: Vec<u8>,
    pub received: SystemTime,
}

/// A change of the subscription's state.
#[derive(Clone, Debug, PartialEq)]
pub enum Link {
    /// Every subscription is confirmed. `down_for` is how long it was gone (None the first time).
    Subscribed {
        down_for: Option<Duration>,
        attempts: u32,
    },
    /// The connection is gone; reconnecting.
    Lost { error: String },
    /// A reconnect attempt failed; the next one is in `retry_in`.
    Retrying {
        attempt: u32,
        error: String,
        retry_in: Duration,
    },
}

/// A change of a link to Redis as reports show it (watch and agent).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct LinkEvent {
    /// What the link is for: "pubsub" (the subscription) or "stream" (the agent's stream reader).
    pub source: String,
    /// "subscribed", "reconnected", "lost" or "retrying".
    pub state: String,
    /// Redis's host:port.
    pub redis: String,
    pub error: Option<String>,
    /// "reconnected": how long the link was down.
    pub down_ms: Option<f64>,
    /// "retrying": which attempt failed, and when the next one is.
    pub attempt: Option<u32>,
    pub retry_in_ms: Option<f64>,
}

impl Link {
    /// This change as reports show it.
    pub fn event(&self, source: &str, redis: &str) -> LinkEvent {
        let mut e = LinkEvent {
            source: source.into(),
            state: String::new(),
            redis: redis.into(),
            error: None,
            down_ms: None,
            attempt: None,
            retry_in_ms: None,
        };
        match self {
            Link::Subscribed { down_for: None, .. } => e.state = "subscribed".into(),
            Link::Subscribed {
                down_for: Some(d), ..
            } => {
                e.state = "reconnected".into();
                e.down_ms = Some(crate::units::millis(*d));
            }
            Link::Lost { error } => {
                e.state = "lost".into();
                e.error = Some(error.clone());
            }
            Link::Retrying {
                attempt,
                error,
                retry_in,
            } => {
                e.state = "retrying".into();
                e.error = Some(error.clone());
                e.attempt = Some(*attempt);
                e.retry_in_ms = Some(crate::units::millis(*retry_in));
            }
        }
        e
    }
}

/// What the subscription sends.
#[derive(Clone, Debug)]
pub enum Update {
    Link(Link),
    Message(Incoming),
}

/// An established, subscribed connection.
pub enum Session {
    /// SUBSCRIBE and PSUBSCRIBE on a RESP2 pub/sub connection.
    Plain {
        sink: PubSubSink,
        stream: PubSubStream,
    },
    /// SSUBSCRIBE through a RESP3 cluster connection; messages arrive as pushes.
    Sharded {
        conn: ClusterConnection,
        pushes: mpsc::UnboundedReceiver<PushInfo>,
        /// How to reach each subscribed channel's node (for PING).
        routes: Vec<RoutingInfo>,
    },
}

impl Session {
    /// The messages, for a caller that reads them itself and does not reconnect (publish's
    /// acknowledgements: a lost connection ends the wait). The connection lives as long as the
    /// stream.
    pub fn into_stream(self) -> BoxStream<'static, Incoming> {
        match self {
            Session::Plain { sink, stream } => {
                drop(sink);
                stream.map(|m| incoming(&m)).boxed()
            }
            Session::Sharded { conn, pushes, .. } => {
                futures_util::stream::unfold((conn, pushes), |(conn, mut pushes)| async move {
                    loop {
                        match shard_message(pushes.recv().await?) {
                            Pushed::Message(m) => return Some((m, (conn, pushes))),
                            Pushed::Lost(_) => return None,
                            Pushed::Other => {}
                        }
                    }
                })
                .boxed()
            }
        }
    }
}

fn incoming(msg: &::redis::Msg) -> Incoming {
    let pattern = if msg.from_pattern() {
        msg.get_pattern::<String>().ok()
    } else {
        None
    };
    Incoming {
        channel: msg.get_channel_name().to_string(),
        pattern,
        payload: msg.get_payload_bytes().to_vec(),
        received: SystemTime::now(),
    }
}

const CLOSED: &str = "the connection was closed (Redis restarted or the network dropped)";

/// What a push on a sharded session means.
enum Pushed {
    Message(Incoming),
    /// A node's connection was lost, or the server ended the subscription: why.
    Lost(&'static str),
    /// A subscription confirmation, or another push of no interest.
    Other,
}

fn shard_message(p: PushInfo) -> Pushed {
    match p.kind {
        PushKind::SMessage => {
            let mut data = p.data.into_iter();
            let (Some(channel), Some(payload)) = (data.next(), data.next()) else {
                return Pushed::Other;
            };
            let bytes = |v: Value| match v {
                Value::BulkString(b) => b,
                Value::SimpleString(s) => s.into_bytes(),
                _ => Vec::new(),
            };
            Pushed::Message(Incoming {
                channel: String::from_utf8_lossy(&bytes(channel)).into_owned(),
                pattern: None,
                payload: bytes(payload),
                received: SystemTime::now(),
            })
        }
        PushKind::Disconnection => Pushed::Lost(CLOSED),
        // This program never unsubscribes: the server did, because the channel's slot moved to
        // another node (resharding, failover). Subscribing again finds the new owner.
        PushKind::SUnsubscribe => {
            Pushed::Lost("the server ended the shard subscription (the channel's slot moved)")
        }
        _ => Pushed::Other,
    }
}

/// Connects and subscribes once; the error is the first failure.
pub async fn connect(redis: &Redis, topics: &Topics) -> Result<Session, Failure> {
    if topics.sharded {
        return connect_sharded(redis, topics).await;
    }
    let pubsub = redis.pubsub().await?;
    let (mut sink, stream) = pubsub.split();
    let t = redis.timeout();
    let confirm = async {
        if !topics.channels.is_empty() {
            sink.subscribe(&topics.channels).await?;
        }
        if !topics.patterns.is_empty() {
            sink.psubscribe(&topics.patterns).await?;
        }
        Ok::<(), ::redis::RedisError>(())
    };
    match tokio::time::timeout(t, confirm).await {
        Ok(Ok(())) => Ok(Session::Plain { sink, stream }),
        Ok(Err(e)) => Err(redis.failure(&e)),
        Err(_) => Err(redis.timed_out()),
    }
}

/// SSUBSCRIBE to each channel on its shard (one command per channel: channels of different
/// slots cannot share one).
async fn connect_sharded(redis: &Redis, topics: &Topics) -> Result<Session, Failure> {
    let (tx, pushes) = mpsc::unbounded_channel();
    let mut conn = redis.cluster(redis.timeout(), Some(tx)).await?;
    let mut routes = Vec::new();
    let confirm = async {
        for c in &topics.channels {
            conn.ssubscribe(c).await?;
            // The channel's node, for PING: the one that owns the channel's slot.
            let slot: u16 = ::redis::cmd("CLUSTER")
                .arg("KEYSLOT")
                .arg(c)
                .query_async(&mut conn)
                .await?;
            routes.push(RoutingInfo::SingleNode(
                SingleNodeRoutingInfo::SpecificNode(Route::new(slot, SlotAddr::Master)),
            ));
        }
        Ok::<(), ::redis::RedisError>(())
    };
    match tokio::time::timeout(redis.timeout() * 2, confirm).await {
        Ok(Ok(())) => Ok(Session::Sharded {
            conn,
            pushes,
            routes,
        }),
        Ok(Err(e)) => Err(redis.failure(&e)),
        Err(_) => Err(redis.timed_out()),
    }
}

/// Runs the subscription until `cancel`, starting from `first` when already connected.
pub async fn run(
    redis: Redis,
    topics: Topics,
    first: Option<Session>,
    cancel: CancellationToken,
    tx: mpsc::UnboundedSender<Update>,
) {
    let mut session = first;
    let mut down_since: Option<Instant> = None;
    let mut attempts: u32 = 0;
    loop {
        let s = match session.take() {
            Some(s) => s,
            None => {
                let connected = tokio::select! {
                    _ = cancel.cancelled() => return,
                    c = connect(&redis, &topics) => c,
                };
                match connected {
                    Ok(s) => s,
                    Err(e) => {
                        attempts += 1;
                        let retry_in = backoff(attempts);
                        let update = Update::Link(Link::Retrying {
                            attempt: attempts,
                            error: e.to_string(),
                            retry_in,
                        });
                        if tx.send(update).is_err() {
                            return;
                        }
                        tokio::select! {
                            _ = cancel.cancelled() => return,
                            _ = tokio::time::sleep(retry_in) => {}
                        }
                        continue;
                    }
                }
            }
        };
        let up = Update::Link(Link::Subscribed {
            down_for: down_since.map(|d| d.elapsed()),
            attempts,
        });
        if tx.send(up).is_err() {
            return;
        }
        attempts = 0;
        match pump(s, redis.timeout(), &cancel, &tx).await {
            None => return,
            Some(error) => {
                down_since = Some(Instant::now());
                if tx.send(Update::Link(Link::Lost { error })).is_err() {
                    return;
                }
            }
        }
    }
}

/// Forwards messages until the connection is lost (returns why) or the run is cancelled (None).
async fn pump(
    s: Session,
    timeout: Duration,
    cancel: &CancellationToken,
    tx: &mpsc::UnboundedSender<Update>,
) -> Option<String> {
    match s {
        Session::Plain { sink, stream } => {
            // PING runs beside the stream, so a slow answer never holds a message back.
            let (dead_tx, dead) = tokio::sync::oneshot::channel::<String>();
            let pinger = tokio::spawn(async move {
                let mut sink = sink;
                loop {
                    tokio::time::sleep(PING_EVERY).await;
                    let ping = tokio::time::timeout(timeout, sink.ping::<Value>()).await;
                    if let Some(why) = ping_failed(ping, timeout) {
                        let _ = dead_tx.send(why);
                        return;
                    }
                }
            });
            let messages = stream.map(|m| Pushed::Message(incoming(&m)));
            let why = forward(messages, dead, cancel, tx).await;
            pinger.abort();
            why
        }
        Session::Sharded {
            conn,
            pushes,
            routes,
        } => {
            let (dead_tx, dead) = tokio::sync::oneshot::channel::<String>();
            let pinger = tokio::spawn(async move {
                let mut conn = conn;
                loop {
                    tokio::time::sleep(PING_EVERY).await;
                    for r in &routes {
                        let ping = conn.route_command(::redis::cmd("PING"), r.clone());
                        let ping = tokio::time::timeout(timeout, ping).await;
                        if let Some(why) = ping_failed(ping, timeout) {
                            let _ = dead_tx.send(why);
                            return;
                        }
                    }
                }
            });
            let messages = tokio_stream_of(pushes).map(shard_message);
            let why = forward(messages, dead, cancel, tx).await;
            pinger.abort();
            why
        }
    }
}

fn tokio_stream_of<T: Send + 'static>(mut rx: mpsc::UnboundedReceiver<T>) -> BoxStream<'static, T> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)).boxed()
}

/// Why a PING says the connection is gone, if it does.
fn ping_failed<E: std::fmt::Display>(
    ping: Result<Result<Value, E>, tokio::time::error::Elapsed>,
    timeout: Duration,
) -> Option<String> {
    match ping {
        Ok(Ok(_)) => None,
        Ok(Err(e)) => Some(format!("PING failed: {e}")),
        Err(_) => Some(format!(
            "no answer to PING within {}",
            humantime::format_duration(timeout)
        )),
    }
}

/// Sends each message on until the messages end or a connection is lost (why), the pinger
/// finds it dead (why), or the run is cancelled or nobody listens (None).
async fn forward(
    mut messages: impl futures_util::Stream<Item = Pushed> + Unpin,
    mut dead: tokio::sync::oneshot::Receiver<String>,
    cancel: &CancellationToken,
    tx: &mpsc::UnboundedSender<Update>,
) -> Option<String> {
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return None,
            why = &mut dead => return Some(why.unwrap_or_else(|_| "the connection was closed".into())),
            m = messages.next() => match m {
                Some(Pushed::Message(incoming)) => {
                    if tx.send(Update::Message(incoming)).is_err() {
                        return None;
                    }
                }
                Some(Pushed::Other) => {}
                Some(Pushed::Lost(why)) => return Some(why.into()),
                None => return Some(CLOSED.into()),
            }
        }
    }
}

/// The wait before reconnect `attempt` (see [`crate::context::Backoff`]).
pub fn backoff(attempt: u32) -> Duration {
    crate::context::Backoff {
        base: BACKOFF_BASE,
        cap: BACKOFF_CAP,
    }
    .delay(attempt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_its_cap() {
        assert!(backoff(1) <= BACKOFF_BASE);
        for a in 1..20 {
            assert!(backoff(a) <= BACKOFF_CAP, "{a}");
        }
        assert!(backoff(20) >= BACKOFF_CAP / 2);
    }

    #[test]
    fn topics_describe_themselves() {
        let t = Topics {
            channels: vec!["a".into(), "b".into()],
            patterns: vec!["n:*".into()],
            sharded: false,
        };
        assert_eq!(t.describe(), "a, b, n:* (pattern)");
        let s = Topics {
            sharded: true,
            ..Topics::channel("a")
        };
        assert_eq!(s.describe(), "a (sharded)");
    }
}
