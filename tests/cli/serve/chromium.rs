//! Headless Chromium driven through the DevTools protocol, for the status page's tests: a
//! browser of its own (a fresh profile, a free debugging port), one tab with extra request
//! headers, `Runtime.evaluate` polled until a condition holds, and every console error, uncaught
//! exception and Content-Security-Policy violation collected so a test can assert there were none.
//!
//! The binary is `$CHROMIUM` or `chromium` (Debian's package, which scripts/test installs); a
//! test fails, never skips, without it.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Value>>>>;

/// A running headless Chromium and its DevTools connection. Dropping it closes the browser.
pub struct Chromium {
    child: Child,
    _profile: tempfile::TempDir,
    out: mpsc::UnboundedSender<Message>,
    pending: Pending,
    events: Arc<Mutex<Vec<Value>>>,
    next_id: AtomicU64,
}

/// One tab (a flattened DevTools session).
pub struct Tab<'a> {
    browser: &'a Chromium,
    session: String,
}

impl Chromium {
    /// Starts the browser and connects to it. Runs on the caller's tokio runtime.
    pub async fn start() -> Chromium {
        let profile = tempfile::tempdir().expect("profile dir");
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into());
        let child = Command::new(&binary)
            .args([
                "--headless=new",
                "--remote-debugging-port=0",
                // Tests run as root in CI containers, where Chromium's sandbox cannot start.
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--password-store=basic",
                "--use-mock-keychain",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {binary} (install Debian's chromium, or set CHROMIUM): {e}")
            });
        // The browser writes its port and its endpoint's path once it listens.
        let active = profile.path().join("DevToolsActivePort");
        let until = Instant::now() + Duration::from_secs(30);
        let (port, path) = loop {
            if let Ok(text) = std::fs::read_to_string(&active) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    break (port.trim().to_string(), path.trim().to_string());
                }
            }
            assert!(
                Instant::now() < until,
                "{binary} wrote no DevToolsActivePort within 30s"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        };
        let addr = format!("127.0.0.1:{port}");
        let tcp = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("DevTools port");
        let (ws, _) = tokio_tungstenite::client_async(format!("ws://{addr}{path}"), tcp)
            .await
            .expect("DevTools websocket");
        let (mut sink, mut stream) = ws.split();
        let (out, mut out_rx) = mpsc::unbounded_channel::<Message>();
        tokio::spawn(async move {
            while let Some(m) = out_rx.recv().await {
                if sink.send(m).await.is_err() {
                    break;
                }
            }
        });
        let pending: Pending = Arc::default();
        let events: Arc<Mutex<Vec<Value>>> = Arc::default();
        let (p, e) = (pending.clone(), events.clone());
        tokio::spawn(async move {
            while let Some(Ok(m)) = stream.next().await {
                let Message::Text(text) = m else { continue };
                let Ok(v) = serde_json::from_str::<Value>(text.as_str()) else {
                    continue;
                };
                match v.get("id").and_then(Value::as_u64) {
                    Some(id) => {
                        if let Some(tx) = p.lock().unwrap().remove(&id) {
                            let _ = tx.send(v);
                        }
                    }
                    None => e.lock().unwrap().push(v),
                }
            }
        });
        Chromium {
            child,
            _profile: profile,
            out,
            pending,
            events,
            next_id: AtomicU64::new(1),
        }
    }

    /// One DevTools command; its `result`, or a panic naming the command and the error.
    async fn call(&self, session: Option<&str>, method: &str, params: Value) -> Value {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap().insert(id, tx);
        self.out
            .send(Message::text(msg.to_string()))
            .expect("DevTools connection open");
        let reply = tokio::time::timeout(Duration::from_secs(30), rx)
            .await
            .unwrap_or_else(|_| panic!("{method}: no answer within 30s"))
            .expect("DevTools connection open");
        if let Some(err) = reply.get("error") {
            panic!("{method}: {err}");
        }
        reply["result"].clone()
    }

    /// A new tab sending `headers` with every request, its console, log and network reported.
    pub async fn tab(&self, headers: Value) -> Tab<'_> {
        let target = self
            .call(None, "Target.createTarget", json!({"url": "about:blank"}))
            .await;
        let attached = self
            .call(
                None,
                "Target.attachToTarget",
                json!({"targetId": target["targetId"], "flatten": true}),
            )
            .await;
        let session = attached["sessionId"]
            .as_str()
            .expect("sessionId")
            .to_string();
        let tab = Tab {
            browser: self,
            session,
        };
        for domain in [
            "Runtime.enable",
            "Log.enable",
            "Page.enable",
            "Network.enable",
        ] {
            tab.call(domain, json!({})).await;
        }
        tab.call("Network.setExtraHTTPHeaders", json!({"headers": headers}))
            .await;
        tab
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.out.send(Message::text(
            json!({"id": 0, "method": "Browser.close"}).to_string(),
        ));
        let until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Tab<'_> {
    async fn call(&self, method: &str, params: Value) -> Value {
        self.browser.call(Some(&self.session), method, params).await
    }

    /// Makes the tab a phone's screen: `width` CSS pixels wide, touch, a mobile viewport.
    pub async fn phone(&self, width: u32) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": 800, "deviceScaleFactor": 2, "mobile": true}),
        )
        .await;
    }

    /// Opens `url` and waits until its document has loaded.
    pub async fn navigate(&self, url: &str) {
        let r = self.call("Page.navigate", json!({"url": url})).await;
        assert!(
            r.get("errorText").is_none(),
            "navigating to {url}: {}",
            r["errorText"]
        );
        self.wait_for("the document to load", "document.readyState === 'complete'")
            .await;
    }

    /// The value of a JavaScript expression in the page (awaited when it is a promise).
    pub async fn eval(&self, expr: &str) -> Value {
        let r = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
            )
            .await;
        if let Some(e) = r.get("exceptionDetails") {
            panic!("evaluating {expr}: {e}");
        }
        r["result"]["value"].clone()
    }

    /// Polls `expr` until it is truthy (within 20s) and returns its value; the panic says what
    /// was awaited, the page's text at that moment and what went wrong in it.
    pub async fn wait_for(&self, what: &str, expr: &str) -> Value {
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let v = self.eval(expr).await;
            let truthy = match &v {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return v;
            }
            if Instant::now() >= until {
                let text = self
                    .eval("document.body ? document.body.innerText : ''")
                    .await;
                panic!(
                    "waited 20s for {what} ({expr})\npage text:\n{}\nproblems: {:#?}",
                    text.as_str().unwrap_or(""),
                    self.problems()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Console errors and warnings, uncaught exceptions, CSP violations, failed loads and other
    /// log entries of level error or warning, in the order the browser reported them.
    pub fn problems(&self) -> Vec<String> {
        let events = self.browser.events.lock().unwrap();
        let mut out = Vec::new();
        // A failed load names its request only; the request named its URL when it was sent.
        let mut urls: HashMap<&str, &str> = HashMap::new();
        for e in events.iter() {
            if e["sessionId"].as_str() != Some(&self.session) {
                continue;
            }
            let p = &e["params"];
            match e["method"].as_str().unwrap_or("") {
                "Network.requestWillBeSent" => {
                    if let (Some(id), Some(url)) =
                        (p["requestId"].as_str(), p["request"]["url"].as_str())
                    {
                        urls.insert(id, url);
                    }
                }
                "Runtime.consoleAPICalled"
                    if matches!(p["type"].as_str(), Some("error" | "warning" | "assert")) =>
                {
                    let args: Vec<String> = p["args"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|a| {
                            a.get("value")
                                .map(Value::to_string)
                                .or_else(|| a["description"].as_str().map(str::to_string))
                                .unwrap_or_default()
                        })
                        .collect();
                    out.push(format!("console.{}: {}", p["type"], args.join(" ")));
                }
                "Runtime.exceptionThrown" => out.push(format!(
                    "exception: {}",
                    p["exceptionDetails"]["exception"]["description"]
                        .as_str()
                        .or(p["exceptionDetails"]["text"].as_str())
                        .unwrap_or("?")
                )),
                "Log.entryAdded"
                    if matches!(p["entry"]["level"].as_str(), Some("error" | "warning"))
                        || p["entry"]["source"] == "security" =>
                {
                    out.push(format!(
                        "log {} {}: {} {}",
                        p["entry"]["source"].as_str().unwrap_or("?"),
                        p["entry"]["level"].as_str().unwrap_or("?"),
                        p["entry"]["text"].as_str().unwrap_or(""),
                        p["entry"]["url"].as_str().unwrap_or("")
                    ));
                }
                "Network.loadingFailed" => out.push(format!(
                    "load failed: {} {} {}",
                    p["errorText"].as_str().unwrap_or(""),
                    p["blockedReason"].as_str().unwrap_or(""),
                    p["requestId"]
                        .as_str()
                        .and_then(|id| urls.get(id))
                        .unwrap_or(&"")
                )),
                _ => {}
            }
        }
        out
    }

    /// Polls the tab's problems until one satisfies `pred` (within 20s) and returns them all.
    pub async fn wait_for_problem(&self, what: &str, pred: impl Fn(&str) -> bool) -> Vec<String> {
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let problems = self.problems();
            if problems.iter().any(|p| pred(p)) {
                return problems;
            }
            assert!(
                Instant::now() < until,
                "waited 20s for {what}: {problems:#?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The response headers of the tab's requests to URLs ending in `suffix`, lower-cased names.
    pub fn response_headers(&self, suffix: &str) -> Vec<HashMap<String, String>> {
        let events = self.browser.events.lock().unwrap();
        events
            .iter()
            .filter(|e| {
                e["sessionId"].as_str() == Some(&self.session)
                    && e["method"] == "Network.responseReceived"
                    && e["params"]["response"]["url"]
                        .as_str()
                        .is_some_and(|u| u.ends_with(suffix))
            })
            .map(|e| {
                e["params"]["response"]["headers"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .collect()
    }
}
