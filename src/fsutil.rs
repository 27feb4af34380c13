//! Writing the files the tool produces (`verify --save` snapshots, `--junit` reports,
//! `generate-docs`, the demo's info file): one function, [`write`], used for every one of them;
//! and [`append`], for a file others write to as well (GitHub's job summary).
//!
//! Invariant: a path that names a symlink is written through to the link's target (the link
//! stays a link); a path that names something other than a regular file (a device such as
//! /dev/null, a FIFO) is written in place, never replaced; only a regular file, or a path where
//! nothing exists yet, is replaced, and atomically: the new content goes to a temporary file in
//! the same directory, reaches the disk, and is renamed over the old one, so a reader sees the
//! old file or the new one, never half of one. A replaced file keeps its permission bits.

use std::fs::{File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Symlinks followed before giving up (Linux's own limit is 40).
const MAX_LINKS: usize = 40;

/// Writes `contents` to `path`: through symlinks, in place for a device or a FIFO, atomically
/// for a regular file. The error says, in words, what stood in the way.
pub fn write(path: &Path, contents: &[u8]) -> io::Result<()> {
    let target = resolve_links(path)?;
    match std::fs::metadata(&target) {
        Ok(m) if m.is_dir() => Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            format!("{} is a directory", target.display()),
        )),
        Ok(m) if !m.is_file() => write_in_place(&target, contents),
        Ok(m) => replace(&target, contents, Some(m.permissions())),
        // Nothing there yet, or a parent that is no directory: `replace` says which.
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            replace(&target, contents, None)
        }
        Err(e) => Err(e),
    }
}

/// Appends `contents` to `path` (created when missing), through symlinks: for a file that other
/// programs append to as well, such as `$GITHUB_STEP_SUMMARY`, which must never be replaced.
/// One write call, so appends of several processes do not interleave within it.
pub fn append(path: &Path, contents: &[u8]) -> io::Result<()> {
    let target = resolve_links(path)?;
    if std::fs::metadata(&target).is_ok_and(|m| m.is_dir()) {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            format!("{} is a directory", target.display()),
        ));
    }
    let mut f = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o666)
        .open(&target)?;
    f.write_all(contents)?;
    f.flush()
}

/// The path a write lands on: `path` with every symlink at its end followed (a dangling link
/// resolves to the file it names, which is then created).
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p)?;
                // A relative target is relative to the link's directory; an absolute one
                // replaces the whole path (`join` does both).
                p = p.parent().map_or_else(|| to.clone(), |dir| dir.join(&to));
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

/// Writes into what is there, without truncating or replacing it (a device, a FIFO).
fn write_in_place(target: &Path, contents: &[u8]) -> io::Result<()> {
    let mut f = OpenOptions::new().write(true).open(target)?;
    f.write_all(contents)?;
    f.flush()
}

/// Writes a temporary file beside `target` and renames it over `target`.
fn replace(target: &Path, contents: &[u8], keep: Option<Permissions>) -> io::Result<()> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(io::Error::new(
                io::ErrorKind::NotADirectory,
                format!("{} is not a directory", dir.display()),
            ));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("the directory {} does not exist", dir.display()),
            ));
        }
        Err(e) => return Err(e),
    }
    let name = target
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let tmp = Temp(dir.join(format!(".{name}.{:016x}.tmp", rand::random::<u64>())));
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        // What a new file gets (the umask applies), as with any file a shell creates.
        .mode(0o666)
        .open(&tmp.0)
        .map_err(|e| in_dir(e, dir))?;
    f.write_all(contents)?;
    if let Some(p) = keep {
        f.set_permissions(Permissions::from_mode(p.mode() & 0o7777))?;
    }
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp.0, target).map_err(|e| in_dir(e, dir))?;
    std::mem::forget(tmp);
    // The rename reaches the disk with the directory; a failure here loses nothing written.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// An error creating or renaming a file in `dir`, naming the directory.
fn in_dir(e: io::Error, dir: &Path) -> io::Error {
    let why = match e.kind() {
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::ReadOnlyFilesystem => "read-only file system".to_string(),
        _ => e.to_string(),
    };
    io::Error::new(
        e.kind(),
        format!("cannot create a file in {}: {why}", dir.display()),
    )
}

/// A temporary file removed unless it was renamed into place.
struct Temp(PathBuf);

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::FileTypeExt;

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_new_file_and_a_replaced_one_keep_no_temporary_file() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("out.json");
        write(&f, b"one").unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"one");
        std::fs::set_permissions(&f, Permissions::from_mode(0o640)).unwrap();
        write(&f, b"two").unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"two");
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o640, "a replaced file keeps its permissions");
        assert_eq!(entries(d.path()), ["out.json"]);
    }

    #[test]
    fn a_symlink_is_written_through_and_stays_a_link() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("real.json");
        std::fs::write(&real, "old").unwrap();
        let link = d.path().join("link.json");
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        // A chain of links, the second one absolute.
        let link2 = d.path().join("link2.json");
        std::os::unix::fs::symlink(&link, &link2).unwrap();
        write(&link2, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(
            std::fs::symlink_metadata(&link2)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        // A dangling link creates the file it names.
        let dangling = d.path().join("dangling.json");
        std::os::unix::fs::symlink("made.json", &dangling).unwrap();
        write(&dangling, b"made").unwrap();
        assert_eq!(std::fs::read(d.path().join("made.json")).unwrap(), b"made");
        assert!(
            std::fs::symlink_metadata(&dangling)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        // A loop is an error, not a hang.
        let a = d.path().join("a");
        let b = d.path().join("b");
        std::os::unix::fs::symlink(&b, &a).unwrap();
        std::os::unix::fs::symlink(&a, &b).unwrap();
        let e = write(&a, b"x").unwrap_err();
        assert!(e.to_string().contains("too many levels"), "{e}");
    }

    #[test]
    fn a_fifo_is_written_in_place() {
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write(&fifo, b"through the pipe").unwrap();
        assert!(
            std::fs::symlink_metadata(&fifo)
                .unwrap()
                .file_type()
                .is_fifo()
        );
        // Had nothing opened the FIFO, the reader would wait forever: opening it without
        // blocking (O_NONBLOCK, Linux's value) and closing it ends that wait.
        let _ = OpenOptions::new()
            .write(true)
            .custom_flags(0o4000)
            .open(&fifo);
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        assert_eq!(entries(d.path()), ["pipe"]);
    }

    #[test]
    fn append_adds_to_what_is_there_through_a_link() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("summary.md");
        std::fs::write(&real, "before\n").unwrap();
        let link = d.path().join("link.md");
        std::os::unix::fs::symlink("summary.md", &link).unwrap();
        append(&link, b"after\n").unwrap();
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "before\nafter\n");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let new = d.path().join("new.md");
        append(&new, b"x").unwrap();
        assert_eq!(std::fs::read(&new).unwrap(), b"x");
        assert!(append(d.path(), b"x").is_err());
    }

    #[test]
    fn what_stands_in_the_way_is_said_in_words() {
        let d = tempfile::tempdir().unwrap();
        let e = write(&d.path().join("nope/out.json"), b"x").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        assert_eq!(
            e.to_string(),
            format!(
                "the directory {} does not exist",
                d.path().join("nope").display()
            )
        );
        let file = d.path().join("file");
        std::fs::write(&file, "").unwrap();
        let e = write(&file.join("out.json"), b"x").unwrap_err();
        assert!(e.to_string().ends_with("is not a directory"), "{e}");
        let e = write(d.path(), b"x").unwrap_err();
        assert!(e.to_string().ends_with("is a directory"), "{e}");
    }
}
