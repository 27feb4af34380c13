//! The baseline as judging reads it, held compactly: per path, what each pod served of the page
//! and of each variant (its hash and its build), and nothing else. `run` keeps its snapshot in
//! this form, and `verify --baseline` reads its file into it, so 10,000 paths on 10 pods take a
//! few MiB where the file's form (hex strings, ETags and statuses in maps of maps) took tens.
//!
//! Invariants: judging sees exactly what the file's form gives it ([`Baselines::baseline_of`]
//! yields the same [`Baseline`] a [`Snapshot`] holding the same responses does): a BLAKE3 hash
//! is kept as its 32 bytes and given back as the same lowercase hex, anything else (an ETag in
//! `--etag` mode) as its text; pod names and build ids are stored once each.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::judge::Baseline;
use super::{Fetch, FetchOutcome, Snapshot, Variant};

/// What every pod served of each path, as judging reads it.
#[derive(Clone, Debug, Default)]
pub struct Baselines {
    /// Pod names, each once; entries name them by position.
    pods: Names,
    /// Build ids, each once; entries name them by position, [`NO_BUILD`] for none.
    builds: Names,
    /// The hashes that are not BLAKE3 hex (ETags), by position.
    texts: Vec<Box<str>>,
    /// Path -> its position in `paths`.
    index: HashMap<Box<str>, u32>,
    /// Per path, what each pod served of the page and of each variant.
    paths: Vec<Served>,
}

/// What the pods served of one path: each distinct hash once (the pods of a build mostly serve
/// the same), and a small entry a pod and variant naming it.
#[derive(Clone, Debug, Default)]
struct Served {
    hashes: Vec<Hash>,
    entries: Vec<Entry>,
}

/// One pod's response to one variant of a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    pod: u32,
    build: u32,
    /// Its position in [`Served::hashes`].
    hash: u32,
    variant: Variant,
}

const NO_BUILD: u32 = u32::MAX;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hash {
    /// A BLAKE3 hash, from its lowercase hex.
    Blake3([u8; 32]),
    /// Any other text (an ETag), by its position in `texts`.
    Text(u32),
}

/// Strings stored once, named by position.
#[derive(Clone, Debug, Default)]
struct Names {
    names: Vec<Box<str>>,
    at: HashMap<Box<str>, u32>,
}

impl Names {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.at.get(name) {
            return i;
        }
        let i = u32::try_from(self.names.len()).expect("fewer than 2^32 names");
        self.names.push(name.into());
        self.at.insert(name.into(), i);
        i
    }

    fn get(&self, i: u32) -> &str {
        &self.names[i as usize]
    }
}

impl Baselines {
    pub fn new() -> Baselines {
        Baselines::default()
    }

    /// The file's form read into this one.
    pub fn from_snapshot(s: &Snapshot) -> Baselines {
        let mut b = Baselines::new();
        for (path, pods) in &s.paths {
            let p = b.slot(path);
            for (pod, e) in pods {
                b.put(p, Variant::Html, pod, &e.hash, e.build_id.as_deref());
            }
        }
        for (path, by) in &s.variants {
            let p = b.slot(path);
            for (variant, pods) in by {
                for (pod, e) in pods {
                    b.put(p, *variant, pod, &e.hash, e.build_id.as_deref());
                }
            }
        }
        b
    }

    /// Records what one pod served (fetches that got no answer are not recorded), replacing
    /// what it served of that variant before.
    pub fn record(&mut self, f: &Fetch) {
        if let (Some(FetchOutcome::Fetched), Some(hash)) = (f.outcome, &f.hash) {
            let p = self.slot(&f.path);
            self.put(p, f.variant, &f.pod, hash, f.build_id.as_deref());
        }
    }

    fn slot(&mut self, path: &str) -> usize {
        if let Some(&p) = self.index.get(path) {
            return p as usize;
        }
        let p = u32::try_from(self.paths.len()).expect("fewer than 2^32 paths");
        self.index.insert(path.into(), p);
        self.paths.push(Served::default());
        p as usize
    }

    fn put(&mut self, p: usize, variant: Variant, pod: &str, hash: &str, build: Option<&str>) {
        let pod = self.pods.intern(pod);
        let build = build.map_or(NO_BUILD, |b| self.builds.intern(b));
        let bytes = blake3_hex(hash);
        let texts = &self.texts;
        let served = &mut self.paths[p];
        let known = served.hashes.iter().position(|h| match (h, bytes) {
            (Hash::Blake3(h), Some(b)) => *h == b,
            (Hash::Text(i), None) => *texts[*i as usize] == *hash,
            _ => false,
        });
        let hash = match known {
            Some(i) => i,
            None => {
                let h = match bytes {
                    Some(b) => Hash::Blake3(b),
                    None => {
                        self.texts.push(hash.into());
                        Hash::Text(
                            u32::try_from(self.texts.len() - 1).expect("fewer than 2^32 texts"),
                        )
                    }
                };
                // Exactly as many as there are: a path's handful of entries is kept for the
                // whole run, for 10,000 paths and more.
                served.hashes.reserve_exact(1);
                served.hashes.push(h);
                served.hashes.len() - 1
            }
        };
        let entry = Entry {
            pod,
            build,
            hash: u32::try_from(hash).expect("fewer than 2^32 contents of one path"),
            variant,
        };
        match served
            .entries
            .iter_mut()
            .find(|e| e.variant == variant && e.pod == pod)
        {
            Some(e) => *e = entry,
            None => {
                served.entries.reserve_exact(1);
                served.entries.push(entry);
            }
        }
    }

    fn served(&self, path: &str) -> Option<&Served> {
        self.index.get(path).map(|&p| &self.paths[p as usize])
    }

    fn entries(&self, path: &str) -> &[Entry] {
        self.served(path).map_or(&[], |s| s.entries.as_slice())
    }

    /// Forgets what one pod served of `path`: its page and every variant.
    pub fn forget(&mut self, path: &str, pod: &str) {
        let (Some(&p), Some(&pod)) = (self.index.get(path), self.pods.at.get(pod)) else {
            return;
        };
        self.paths[p as usize].entries.retain(|e| e.pod != pod);
    }

    /// The pods whose page of `path` was recorded.
    pub fn page_pods(&self, path: &str) -> Vec<&str> {
        self.entries(path)
            .iter()
            .filter(|e| e.variant == Variant::Html)
            .map(|e| self.pods.get(e.pod))
            .collect()
    }

    /// How many responses are recorded, pages and variants.
    pub fn len(&self) -> usize {
        self.paths.iter().map(|s| s.entries.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What the baseline holds of one variant of `path`: the page's (empty when the path is
    /// missing: every response differs from it), or a variant's when some pod's was recorded.
    pub fn baseline_of(&self, path: &str, variant: Variant) -> Option<Baseline> {
        let entries = self.entries(path).iter().filter(|e| e.variant == variant);
        if variant != Variant::Html && entries.clone().next().is_none() {
            return None;
        }
        let mut b = Baseline {
            hashes: BTreeSet::new(),
            builds: BTreeMap::new(),
            served: BTreeMap::new(),
        };
        let hashes = self.served(path).map_or(&[][..], |s| s.hashes.as_slice());
        for e in entries {
            let hash = self.hash_text(hashes[e.hash as usize]);
            let pod = self.pods.get(e.pod).to_string();
            let build = (e.build != NO_BUILD).then(|| self.builds.get(e.build).to_string());
            b.hashes.insert(hash.clone());
            b.builds.insert(pod.clone(), build);
            b.served.insert(pod, hash);
        }
        Some(b)
    }

    fn hash_text(&self, h: Hash) -> String {
        match h {
            Hash::Blake3(bytes) => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let mut s = String::with_capacity(64);
                for b in bytes {
                    s.push(HEX[usize::from(b >> 4)] as char);
                    s.push(HEX[usize::from(b & 15)] as char);
                }
                s
            }
            Hash::Text(i) => self.texts[i as usize].to_string(),
        }
    }
}

/// The 32 bytes of a BLAKE3 hash written as 64 lowercase hex digits (as [`super::fetch`] writes
/// them); `None` for any other text, which is then kept as it is.
fn blake3_hex(s: &str) -> Option<[u8; 32]> {
    let s = s.as_bytes();
    if s.len() != 64 {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, pair) in s.chunks_exact(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetch(path: &str, pod: &str, variant: Variant, hash: &str, build: Option<&str>) -> Fetch {
        Fetch {
            path: path.into(),
            pod: pod.into(),
            variant,
            outcome: Some(FetchOutcome::Fetched),
            status: Some(200),
            hash: Some(hash.into()),
            build_id: build.map(Into::into),
            etag: Some("\"e\"".into()),
            ..Fetch::default()
        }
    }

    fn hex(seed: u8) -> String {
        blake3::hash(&[seed]).to_hex().to_string()
    }

    /// Every response recorded both ways: the file's form and this one give judging the same.
    #[test]
    fn gives_judging_what_the_snapshot_gives() {
        let fetches = vec![
            fetch("/a", "pod-1", Variant::Html, &hex(1), Some("B1")),
            fetch("/a", "pod-2", Variant::Html, &hex(2), Some("B2")),
            fetch("/a", "pod-3", Variant::Html, &hex(1), None),
            fetch("/a", "pod-1", Variant::Data, &hex(3), Some("B1")),
            fetch("/a", "pod-2", Variant::Data, &hex(3), Some("B2")),
            // Not BLAKE3 hex: an ETag, upper-case hex, a short one.
            fetch("/b", "pod-1", Variant::Html, "\"etag-1\"", Some("B1")),
            fetch(
                "/b",
                "pod-2",
                Variant::Html,
                &hex(4).to_uppercase(),
                Some("B1"),
            ),
            fetch("/b", "pod-3", Variant::Html, "abc", Some("B1")),
            // Replaced by the pod's later response.
            fetch("/c", "pod-1", Variant::Html, &hex(5), Some("B1")),
            fetch("/c", "pod-1", Variant::Html, &hex(6), Some("B1")),
            fetch("/c", "pod-2", Variant::Rsc, &hex(7), Some("B1")),
        ];
        let mut unanswered = fetch("/d", "pod-1", Variant::Html, &hex(8), Some("B1"));
        unanswered.outcome = Some(FetchOutcome::Error);
        let mut snap = Snapshot::new(false, Vec::new());
        let mut compact = Baselines::new();
        for f in fetches.iter().chain([&unanswered]) {
            snap.record(f);
            compact.record(f);
        }
        snap.forget("/a", "pod-3");
        compact.forget("/a", "pod-3");
        snap.forget("/c", "pod-2");
        compact.forget("/c", "pod-2");
        let read = Baselines::from_snapshot(&snap);
        for path in ["/a", "/b", "/c", "/d", "/missing"] {
            for v in [
                Variant::Html,
                Variant::Data,
                Variant::Rsc,
                Variant::Prefetch,
            ] {
                let want = snap.baseline_of(path, v);
                assert_eq!(compact.baseline_of(path, v), want, "{path} {v:?}");
                assert_eq!(read.baseline_of(path, v), want, "{path} {v:?} read");
            }
        }
        assert_eq!(compact.page_pods("/a"), ["pod-1", "pod-2"]);
        assert!(compact.page_pods("/d").is_empty());
        assert_eq!(compact.len(), 8);
        assert_eq!(
            compact.baseline_of("/b", Variant::Html).unwrap().served["pod-2"],
            hex(4).to_uppercase()
        );
    }
}
