//! The default message read by a real Node subscriber: ioredis (installed by tests/node/prepare.sh
//! from tests/node/package-lock.json) subscribing in `node -e` and doing `JSON.parse(message).path`,
//! as the module-scope subscribers this tool was born from do.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::Running;
use super::server::RedisServer;
use crate::common::{code, revalidate, stderr, wait_until};

/// Installs ioredis when needed; its node_modules directory.
fn ioredis() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory")
        .to_path_buf();
    let out = Command::new("bash")
        .arg(root.join("tests/node/prepare.sh"))
        .arg("--cache")
        .arg(&target)
        .stdin(Stdio::null())
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "tests/node/prepare.sh failed: the ioredis test needs Node.js and npm (./scripts/test checks for them):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    PathBuf::from(stdout.lines().last().expect("a path").trim())
}

/// What `_app.js` subscribers do with a message.
const SUBSCRIBER: &str = r#"
const Redis = require('ioredis');
const sub = new Redis(process.env.REDIS_URL);
let left = 2;
sub.subscribe(process.env.CHANNEL, (err) => {
  if (err) { console.error(err); process.exit(1); }
  console.log('subscribed');
});
sub.on('message', (channel, message) => {
  const { path } = JSON.parse(message);
  console.log(JSON.stringify({ channel, path }));
  if (--left === 0) { sub.disconnect(); process.exit(0); }
});
"#;

#[test]
fn an_ioredis_subscriber_parses_the_default_message() {
    let modules = ioredis();
    let server = RedisServer::start();
    let mut node = Command::new("node");
    node.args(["-e", SUBSCRIBER])
        .env("NODE_PATH", &modules)
        .env("REDIS_URL", server.url())
        .env("CHANNEL", "strapi-web:revalidate");
    let node = Running::spawn(node);
    assert!(
        wait_until(20, || node.lines().iter().any(|l| l == "subscribed")),
        "{}",
        node.stderr()
    );
    let (mut c, _d) = revalidate();
    let out = c
        .args(["publish", "/posts/a", "/blog/caf%C3%A9?x=1"])
        .args([
            "--channel",
            "strapi-web:revalidate",
            "--redis-url",
            &server.url(),
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (status, lines, err) = node.wait(20);
    assert_eq!(status, 0, "{err}");
    let got: Vec<serde_json::Value> = lines
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        got,
        vec![
            serde_json::json!({"channel": "strapi-web:revalidate", "path": "/posts/a"}),
            serde_json::json!({"channel": "strapi-web:revalidate", "path": "/blog/caf%C3%A9?x=1"}),
        ]
    );
}
