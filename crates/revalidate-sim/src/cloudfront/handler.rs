//! How the proxy answers each request: routing, injected faults, forwarding
//! to moto, and the status, deduplication, limit and listing rules layered
//! on moto's answers.
//!
//! Invariant: every request gets exactly one answer and one log entry, and
//! nothing but CreateInvalidation answered by moto with 201 adds a record.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Method, Request, Response, StatusCode};

use super::xml::{self, Batch};
use super::{
    CallerReferenceConflict, CloudFrontFault, CloudFrontRequest, InvalidationStatus, Operation,
    Record, State, TOO_MANY,
};
use crate::serve::{self, Reply, lock};

/// What the proxy answers, before it becomes a response.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    invalidation_id: Option<String>,
    replayed: bool,
}

impl Answer {
    fn error(status: StatusCode, sender_fault: bool, code: &str, message: &str) -> Answer {
        let request_id = request_id();
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            headers.insert("x-amzn-requestid", v);
        }
        Answer {
            status,
            headers,
            body: Bytes::from(xml::error_body(sender_fault, code, message, &request_id)),
            invalidation_id: None,
            replayed: false,
        }
    }

    fn fault(fault: CloudFrontFault, operation: Operation, distribution: Option<&str>) -> Answer {
        let status = fault.status();
        let message = fault.message(operation, distribution);
        Answer::error(status, !status.is_server_error(), fault.code(), &message)
    }

    fn into_reply(self) -> Reply {
        let mut resp = Response::new(Full::new(self.body));
        *resp.status_mut() = self.status;
        *resp.headers_mut() = self.headers;
        resp
    }
}

/// A request id shaped like CloudFront's (a UUID).
fn request_id() -> String {
    let h = crate::random_hex(32);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// The parts of a CloudFront API path the proxy cares about.
fn route(method: &Method, path: &str) -> (Operation, Option<String>, Option<String>) {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["2020-05-31", "distribution", dist, "invalidation"] => {
            let op = if method == Method::POST {
                Operation::CreateInvalidation
            } else if method == Method::GET {
                Operation::ListInvalidations
            } else {
                Operation::Other
            };
            (op, Some(decode(dist)), None)
        }
        ["2020-05-31", "distribution", dist, "invalidation", id] if method == Method::GET => (
            Operation::GetInvalidation,
            Some(decode(dist)),
            Some(decode(id)),
        ),
        ["2020-05-31", "distribution", dist, ..] => (Operation::Other, Some(decode(dist)), None),
        _ => (Operation::Other, None, None),
    }
}

pub(super) async fn handle(state: Arc<State>, req: Request<Incoming>) -> Reply {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_owned();
    let (operation, distribution_id, invalidation_id) = route(&parts.method, parts.uri.path());
    let batch = (operation == Operation::CreateInvalidation)
        .then(|| std::str::from_utf8(&body).ok().and_then(xml::parse_batch))
        .flatten();
    let mut entry = CloudFrontRequest {
        operation,
        method: parts.method.to_string(),
        path,
        distribution_id: distribution_id.clone(),
        invalidation_id,
        paths: batch.as_ref().map(|b| b.paths.clone()).unwrap_or_default(),
        caller_reference: batch.as_ref().map(|b| b.caller_reference.clone()),
        attempt: sdk_attempt(&parts.headers),
        status: 0,
        error_code: None,
        injected: false,
        replayed: false,
    };
    let injected = state.take_injection(operation);
    let answer = match (injected, operation, distribution_id) {
        (Some(fault), _, dist) => {
            entry.injected = true;
            Answer::fault(fault, operation, dist.as_deref())
        }
        (None, Operation::CreateInvalidation, Some(dist)) => {
            create(&state, &parts, body, &dist, batch).await
        }
        (None, Operation::GetInvalidation, Some(_)) => get(&state, &parts, body).await,
        (None, Operation::ListInvalidations, Some(dist)) => list(&state, &parts, &dist).await,
        _ => state.forward(&parts, body).await,
    };
    entry.status = answer.status.as_u16();
    if answer.status.is_client_error() || answer.status.is_server_error() {
        entry.error_code = std::str::from_utf8(&answer.body)
            .ok()
            .and_then(xml::error_code);
    }
    if answer.invalidation_id.is_some() {
        entry.invalidation_id.clone_from(&answer.invalidation_id);
    }
    entry.replayed = answer.replayed;
    lock(&state.inner).log.push(entry);
    answer.into_reply()
}

/// The attempt number the SDK puts in `amz-sdk-request: attempt=2; max=3`.
fn sdk_attempt(headers: &HeaderMap) -> Option<u32> {
    let value = headers.get("amz-sdk-request")?.to_str().ok()?;
    value
        .split(';')
        .find_map(|kv| kv.trim().strip_prefix("attempt="))
        .and_then(|n| n.parse().ok())
}

impl State {
    fn take_injection(&self, operation: Operation) -> Option<CloudFrontFault> {
        let mut inner = lock(&self.inner);
        let index = inner
            .injections
            .iter()
            .position(|i| i.on.is_none_or(|on| on == operation))?;
        let injection = &mut inner.injections[index];
        let fault = injection.fault;
        injection.remaining -= 1;
        if injection.remaining == 0 {
            inner.injections.remove(index);
        }
        Some(fault)
    }

    /// Sends a request to moto with its method, path, headers (Host included) and body unchanged.
    async fn forward(&self, parts: &Parts, body: Bytes) -> Answer {
        let path = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
        self.send(parts.method.clone(), path, &parts.headers, body)
            .await
    }

    async fn send(&self, method: Method, path: &str, headers: &HeaderMap, body: Bytes) -> Answer {
        let mut request = self
            .client
            .request(method, format!("http://{}{path}", self.upstream));
        for (name, value) in headers {
            if !serve::is_hop_by_hop(name) && name != header::CONTENT_LENGTH {
                request = request.header(name, value);
            }
        }
        if !body.is_empty() {
            request = request.body(body);
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => return upstream_failure(&e),
        };
        let status = response.status();
        let mut headers = HeaderMap::new();
        for (name, value) in response.headers() {
            if !serve::is_hop_by_hop(name) && name != header::CONTENT_LENGTH {
                headers.append(name, value.clone());
            }
        }
        match response.bytes().await {
            Ok(body) => Answer {
                status,
                headers,
                body,
                invalidation_id: None,
                replayed: false,
            },
            Err(e) => upstream_failure(&e),
        }
    }

    /// moto's 404 for a distribution it does not have, or `None` when it exists. Reuses the
    /// client's headers: moto routes by the Authorization header's scope and, unless started
    /// with `INITIAL_NO_AUTH_ACTION_COUNT`, does not verify signatures.
    async fn missing_distribution(&self, parts: &Parts, dist: &str) -> Option<Answer> {
        let path = format!("/2020-05-31/distribution/{dist}");
        let answer = self
            .send(Method::GET, &path, &parts.headers, Bytes::new())
            .await;
        (answer.status == StatusCode::NOT_FOUND).then_some(answer)
    }

    /// The status every answer reports for an invalidation moto returned; counts a poll when asked.
    fn status_of(&self, id: &str, count_poll: bool) -> Option<InvalidationStatus> {
        let now = self.clock.now();
        let mut inner = lock(&self.inner);
        let record = inner.records.iter_mut().find(|r| r.id == id)?;
        let status = record.status(self.opts.completion, now);
        if count_poll {
            record.polls += 1;
        }
        Some(status)
    }

    /// Whether a new batch would break the in-progress limits of its distribution.
    fn over_limits(&self, dist: &str, paths: &[String]) -> bool {
        let now = self.clock.now();
        let is_wildcard = |p: &String| p.contains('*');
        let inner = lock(&self.inner);
        let in_progress = inner.records.iter().filter(|r| {
            r.distribution_id == dist
                && r.status(self.opts.completion, now) == InvalidationStatus::InProgress
        });
        let (mut files, mut wildcards) = (0, 0);
        for p in in_progress.flat_map(|r| r.paths.iter()).chain(paths) {
            if is_wildcard(p) {
                wildcards += 1;
            } else {
                files += 1;
            }
        }
        files > self.opts.max_paths_in_progress
            || wildcards > self.opts.max_wildcard_paths_in_progress
    }
}

fn upstream_failure(e: &reqwest::Error) -> Answer {
    tracing::debug!(error = %e, "moto did not answer");
    Answer::error(
        StatusCode::BAD_GATEWAY,
        false,
        "ServiceUnavailable",
        &format!("the CloudFront proxy could not reach moto: {e}"),
    )
}

/// Replaces moto's `COMPLETED` with the status the proxy reports.
fn with_status(body: &[u8], status: &str) -> Bytes {
    std::str::from_utf8(body)
        .ok()
        .and_then(|text| xml::replace_text(text, "Status", status))
        .map_or_else(|| Bytes::copy_from_slice(body), Bytes::from)
}

fn same_paths(a: &[String], b: &[String]) -> bool {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort();
    b.sort();
    a == b
}

async fn create(
    state: &State,
    parts: &Parts,
    body: Bytes,
    dist: &str,
    batch: Option<Batch>,
) -> Answer {
    // A body the proxy cannot read is moto's to reject.
    let Some(batch) = batch else {
        return state.forward(parts, body).await;
    };
    let _one_at_a_time = state.create_lock.lock().await;
    if let Some(answer) = deduplicate(state, dist, &batch) {
        return answer;
    }
    if state.over_limits(dist, &batch.paths) {
        if let Some(missing) = state.missing_distribution(parts, dist).await {
            return missing;
        }
        return Answer::error(
            StatusCode::BAD_REQUEST,
            true,
            "TooManyInvalidationsInProgress",
            TOO_MANY,
        );
    }
    let mut answer = state.forward(parts, body).await;
    if answer.status != StatusCode::CREATED {
        return answer;
    }
    let text = String::from_utf8_lossy(&answer.body).into_owned();
    let Some(id) = xml::parse(&text)
        .ok()
        .and_then(|root| root.text_at(&["Id"]).map(str::to_owned))
    else {
        return answer;
    };
    {
        let mut inner = lock(&state.inner);
        inner.records.push(Record {
            id: id.clone(),
            distribution_id: dist.to_owned(),
            paths: batch.paths.clone(),
            caller_reference: batch.caller_reference.clone(),
            created: state.clock.now(),
            polls: 0,
            forced: false,
            create_body: text,
            location: answer.headers.get(header::LOCATION).cloned(),
        });
    }
    if let Some(edge) = &state.opts.edge {
        for path in &batch.paths {
            match path.strip_suffix('*') {
                Some(prefix) => edge.purge_prefix(prefix),
                None => edge.purge(path),
            };
        }
    }
    let status = state
        .status_of(&id, false)
        .unwrap_or(InvalidationStatus::InProgress);
    answer.body = with_status(&answer.body, status.as_str());
    answer.invalidation_id = Some(id);
    answer
}

/// CloudFront's CallerReference rule, or `None` when the reference is new for this distribution.
fn deduplicate(state: &State, dist: &str, batch: &Batch) -> Option<Answer> {
    let now = state.clock.now();
    let inner = lock(&state.inner);
    let earlier = inner
        .records
        .iter()
        .find(|r| r.distribution_id == dist && r.caller_reference == batch.caller_reference)?;
    if !same_paths(&earlier.paths, &batch.paths) {
        return Some(match state.opts.caller_reference_conflict {
            CallerReferenceConflict::AlreadyExists => Answer::error(
                StatusCode::CONFLICT,
                true,
                "InvalidationBatchAlreadyExists",
                "The CallerReference is already used by an invalidation batch with different paths.",
            ),
            CallerReferenceConflict::InvalidArgument => Answer::error(
                StatusCode::BAD_REQUEST,
                true,
                "InvalidArgument",
                "Your request contains a caller reference that was used for a previous \
                 invalidation batch for the same distribution.",
            ),
        });
    }
    let status = earlier.status(state.opts.completion, now);
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    if let Some(location) = &earlier.location {
        headers.insert(header::LOCATION, location.clone());
    }
    if let Ok(v) = HeaderValue::from_str(&request_id()) {
        headers.insert("x-amzn-requestid", v);
    }
    Some(Answer {
        status: StatusCode::CREATED,
        headers,
        body: with_status(earlier.create_body.as_bytes(), status.as_str()),
        invalidation_id: Some(earlier.id.clone()),
        replayed: true,
    })
}

async fn get(state: &State, parts: &Parts, body: Bytes) -> Answer {
    let mut answer = state.forward(parts, body).await;
    if answer.status != StatusCode::OK {
        return answer;
    }
    let text = String::from_utf8_lossy(&answer.body).into_owned();
    if let Some(id) = xml::parse(&text)
        .ok()
        .and_then(|root| root.text_at(&["Id"]).map(str::to_owned))
    {
        // Invalidations made behind the proxy's back are done, spelled as CloudFront spells it.
        let status = state
            .status_of(&id, true)
            .unwrap_or(InvalidationStatus::Completed);
        answer.body = with_status(&answer.body, status.as_str());
        answer.invalidation_id = Some(id);
    }
    answer
}

async fn list(state: &State, parts: &Parts, dist: &str) -> Answer {
    if let Some(missing) = state.missing_distribution(parts, dist).await {
        return missing;
    }
    let mut answer = state.forward(parts, Bytes::new()).await;
    if answer.status != StatusCode::OK {
        return answer;
    }
    let Some(mut items) = std::str::from_utf8(&answer.body)
        .ok()
        .and_then(xml::parse_summaries)
    else {
        return answer;
    };
    for item in &mut items {
        let status = state
            .status_of(&item.id, false)
            .unwrap_or(InvalidationStatus::Completed);
        item.status = status.as_str().to_owned();
    }
    // Newest first, as CloudFront lists them (moto lists oldest first).
    items.reverse();
    items.sort_by(|a, b| b.create_time.cmp(&a.create_time));
    let query = |name: &str| {
        parts.uri.query().and_then(|q| {
            q.split('&').find_map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (k == name).then(|| {
                    percent_encoding::percent_decode_str(v)
                        .decode_utf8_lossy()
                        .into_owned()
                })
            })
        })
    };
    let marker = query("Marker").unwrap_or_default();
    let max_items = query("MaxItems")
        .and_then(|m| m.parse().ok())
        .unwrap_or(100usize);
    let start = items
        .iter()
        .position(|s| s.id == marker)
        .map_or(0, |i| i + 1);
    let end = (start + max_items).min(items.len());
    let page = &items[start.min(end)..end];
    let next_marker = (end < items.len())
        .then(|| page.last().map(|s| s.id.as_str()))
        .flatten();
    answer.body = Bytes::from(xml::render_list(&xml::ListPage {
        marker: &marker,
        next_marker,
        max_items,
        items: page,
    }));
    answer
}
