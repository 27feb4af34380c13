//! Every file the tool writes (`verify --save`, `generate-docs`, `demo --info-file`): through a
//! symlink to its target, in place into a FIFO or a device, atomically over a regular file; and
//! a file that cannot be written fails the command after its report (exit 1), never as a warning.

use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::process::{Output, Stdio};

use revalidate::verify::Snapshot;

use crate::common::{
    TestFleet, code, envelope, revalidate, std_command, stderr, stdout, verify_of, wait_until,
};

/// `verify /posts/a --pod …(every pod) --save FILE EXTRA…`.
fn save(tf: &TestFleet, file: &Path, extra: &[&str]) -> Output {
    tf.cmd()
        .args(["verify", "/posts/a", "--save"])
        .arg(file)
        .args(tf.pod_args())
        .args(extra)
        .output()
        .expect("runs")
}

fn is_link(p: &Path) -> bool {
    std::fs::symlink_metadata(p)
        .unwrap()
        .file_type()
        .is_symlink()
}

fn snapshot_in(text: &[u8]) -> Snapshot {
    serde_json::from_slice(text)
        .unwrap_or_else(|e| panic!("not a snapshot ({e}): {}", String::from_utf8_lossy(text)))
}

#[test]
fn save_writes_through_a_symlink_and_keeps_the_link() {
    let tf = TestFleet::three();
    let real = tf.write("real.json", "old");
    let link = tf.dir.path().join("snap.json");
    std::os::unix::fs::symlink("real.json", &link).unwrap();
    let out = save(&tf, &link, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(is_link(&link), "the link is still a link");
    let snap = snapshot_in(&std::fs::read(&real).unwrap());
    assert!(snap.paths.contains_key("/posts/a"));
    // Read back through the link as a baseline.
    let out = tf
        .cmd()
        .args(["verify", "/posts/a", "--baseline"])
        .arg(&link)
        .args(tf.pod_args())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn save_into_a_fifo_writes_in_place() {
    let tf = TestFleet::three();
    let fifo = tf.dir.path().join("snap.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let out = save(&tf, &fifo, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO is still a FIFO: {kind:?}");
    // Should nothing have opened the FIFO, the reader would wait forever: a writer that opens
    // it without blocking, and closes it at once, ends its wait (with nothing read).
    let _ = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(O_NONBLOCK)
        .open(&fifo);
    let snap = snapshot_in(&reader.join().unwrap());
    assert!(snap.paths.contains_key("/posts/a"));
}

/// Linux's O_NONBLOCK.
const O_NONBLOCK: i32 = 0o4000;

/// As root a device node of our own (a /dev/null twin in the test's directory), so the real
/// devices are never at stake; otherwise the real /dev/null, which a user cannot replace.
#[test]
fn save_onto_a_device_writes_into_it_and_leaves_the_device() {
    let tf = TestFleet::three();
    let own = tf.dir.path().join("null");
    let made = std::process::Command::new("mknod")
        .arg(&own)
        .args(["c", "1", "3"])
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success();
    let device = if made {
        own
    } else {
        Path::new("/dev/null").to_path_buf()
    };
    let out = save(&tf, &device, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let kind = std::fs::symlink_metadata(&device).unwrap().file_type();
    assert!(kind.is_char_device(), "{}: {kind:?}", device.display());
    assert_eq!(std::fs::metadata(&device).unwrap().len(), 0);
    let left: Vec<String> = std::fs::read_dir(device.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "no temporary file is left: {left:?}");
}

#[test]
fn a_snapshot_that_cannot_be_saved_fails_the_command_after_the_report() {
    let tf = TestFleet::three();
    let missing = tf.dir.path().join("no-such-dir").join("snap.json");
    // People: the report, then the error; exit 1.
    let out = save(&tf, &missing, &[]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stdout(&out).contains("/posts/a"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("snapshot saved"), "{}", stdout(&out));
    let err = stderr(&out);
    let said = format!(
        "error: cannot save the snapshot {}: the directory {} does not exist",
        missing.display(),
        missing.parent().unwrap().display()
    );
    assert!(err.lines().any(|l| l == said), "{err}");
    assert!(!err.contains("warning: cannot"), "{err}");
    // Machines: the report holds why, and its exit code is the process's.
    let out = save(&tf, &missing, &["-o", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let env = envelope(&out);
    let r = verify_of(&env);
    assert_eq!(r.saved, None);
    assert!(
        r.save_error
            .as_deref()
            .is_some_and(|e| e.contains("does not exist")),
        "{r:#?}"
    );
    // A path under a regular file.
    let file = tf.write("plain", "");
    let out = save(&tf, &file.join("snap.json"), &[]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not a directory"),
        "{}",
        stderr(&out)
    );
    // A stale fleet that also cannot save: still 1, so a CI step that tolerates 3 and 4 in its
    // "before" verify (a rollout in progress) stops when there is no snapshot to compare with.
    tf.fleet().cms().set_title("a", "Post A, not yet out");
    let out = save(&tf, &missing, &["--expect-contains", "Post A, not yet out"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stdout(&out).contains("stale"), "{}", stdout(&out));
    assert!(stderr(&out).contains("cannot save the snapshot"));
}

/// A directory without write permission. Root ignores permissions, so as root the command runs
/// as nobody (setpriv); otherwise as the test's own user.
#[test]
fn save_into_a_read_only_directory_fails_with_exit_1() {
    let tf = TestFleet::three();
    let root = is_root();
    let ro = tf.dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    // nobody must reach the directory and the binary (the test's directory is 0700).
    std::fs::set_permissions(tf.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let file = ro.join("snap.json");
    let mut c = if root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
        c.arg(env!("CARGO_BIN_EXE_revalidate"));
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("CI", "1")
            .current_dir(tf.dir.path());
        c
    } else {
        std_command(tf.dir.path())
    };
    let out = c
        .args(["verify", "/posts/a", "--save"])
        .arg(&file)
        .args(tf.pod_args())
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "cannot save the snapshot {}: cannot create a file in {}: permission denied",
            file.display(),
            ro.display()
        )),
        "{err}"
    );
    assert!(!file.exists());
    assert_eq!(std::fs::read_dir(&ro).unwrap().count(), 0, "nothing left");
}

/// Whether this process runs as root (uid 0).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1))
        == Some("0")
}

#[test]
fn generate_docs_writes_through_symlinks() {
    let (mut c, dir) = revalidate();
    let real = dir.path().join("elsewhere.1");
    std::fs::write(&real, "old").unwrap();
    std::fs::create_dir_all(dir.path().join("man")).unwrap();
    let page = dir.path().join("man/revalidate-verify.1");
    std::os::unix::fs::symlink(&real, &page).unwrap();
    let out = c
        .args(["generate-docs", "--out-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(is_link(&page));
    let text = std::fs::read_to_string(&real).unwrap();
    assert!(text.contains("revalidate\\-verify"), "{text}");
    // A directory that cannot hold the pages is an error naming the file.
    let (mut c, dir) = revalidate();
    std::fs::write(dir.path().join("man"), "a file where the directory goes").unwrap();
    let out = c
        .args(["generate-docs", "--out-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
}

#[test]
fn demo_info_file_writes_through_a_symlink() {
    let (_, dir) = revalidate();
    let real = dir.path().join("info-real.json");
    let link = dir.path().join("info.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let mut child = std_command(dir.path())
        .args(["demo", "--serve", "--info-file"])
        .arg(&link)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let written = wait_until(30, || {
        std::fs::read(&real).is_ok_and(|t| serde_json::from_slice::<serde_json::Value>(&t).is_ok())
    });
    let pid = child.id().to_string();
    let _ = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status();
    let _ = child.wait();
    assert!(written, "the info file was written through the link");
    assert!(is_link(&link), "the link is still a link");
}

#[test]
fn demo_serve_removes_its_directory_of_secrets_when_stopped_by_either_signal() {
    for (signal, want) in [("INT", 0), ("TERM", 143)] {
        let (_, dir) = revalidate();
        let info = dir.path().join("info.json");
        let mut child = std_command(dir.path())
            .args(["demo", "--serve", "--info-file"])
            .arg(&info)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let written = wait_until(30, || {
            std::fs::read(&info)
                .is_ok_and(|t| serde_json::from_slice::<serde_json::Value>(&t).is_ok())
        });
        assert!(written, "the info file was written");
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&info).unwrap()).unwrap();
        let secret = std::path::PathBuf::from(v["secret_file"].as_str().unwrap());
        assert!(secret.is_file(), "{secret:?}");
        let _ = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(want), "SIG{signal}");
        assert!(
            !secret.parent().unwrap().exists(),
            "SIG{signal}: the demo's directory of secrets is removed"
        );
    }
}
