//! Snapshots: what every pod served, written by `verify --save` and read back as `--baseline`.
//!
//! Invariant: a snapshot is only compared under the normalisation and mode it was taken with
//! (else hashes mean different things), and is written as every file the tool writes
//! ([`crate::fsutil::write`]): atomically, through a symlink, never replacing a device.

use std::collections::{BTreeMap, BTreeSet};

use super::Variant;
use super::normalize::Normalizer;
use crate::error::ConfigError;

/// The snapshot format's version; bumped only on incompatible change.
pub const SNAPSHOT_VERSION: u32 = 1;

/// A record of what every pod served, for a later `--baseline`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Snapshot {
    pub schema_version: u32,
    pub kind: String,
    pub taken_at: String,
    pub etag_mode: bool,
    pub normalisation: Vec<String>,
    /// path -> pod -> entry: the page itself.
    pub paths: BTreeMap<String, BTreeMap<String, SnapshotEntry>>,
    /// path -> variant -> pod -> entry: the data JSON and RSC payloads of the pages that have
    /// them (absent from snapshots taken before variants were checked).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variants: BTreeMap<String, BTreeMap<Variant, BTreeMap<String, SnapshotEntry>>>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct SnapshotEntry {
    pub hash: String,
    pub status: Option<u16>,
    pub etag: Option<String>,
    pub build_id: Option<String>,
}

const SNAPSHOT_KIND: &str = "revalidate-verify-snapshot";

impl Snapshot {
    /// An empty snapshot of a run under this mode and normalisation.
    pub fn new(etag_mode: bool, normalisation: Vec<String>) -> Snapshot {
        Snapshot {
            schema_version: SNAPSHOT_VERSION,
            kind: SNAPSHOT_KIND.into(),
            taken_at: String::new(),
            etag_mode,
            normalisation,
            paths: BTreeMap::new(),
            variants: BTreeMap::new(),
        }
    }

    /// Records what one pod served (fetches that got no answer are not recorded).
    pub fn record(&mut self, f: &super::Fetch) {
        if let (Some(super::FetchOutcome::Fetched), Some(hash)) = (f.outcome, &f.hash) {
            let entry = SnapshotEntry {
                hash: hash.clone(),
                status: f.status,
                etag: f.etag.clone(),
                build_id: f.build_id.clone(),
            };
            let pods = match f.variant {
                Variant::Html => self.paths.entry(f.path.clone()).or_default(),
                v => self
                    .variants
                    .entry(f.path.clone())
                    .or_default()
                    .entry(v)
                    .or_default(),
            };
            pods.insert(f.pod.clone(), entry);
        }
    }

    /// Forgets what one pod served of `path`: its page and every variant.
    pub fn forget(&mut self, path: &str, pod: &str) {
        if let Some(pods) = self.paths.get_mut(path) {
            pods.remove(pod);
        }
        if let Some(by) = self.variants.get_mut(path) {
            for pods in by.values_mut() {
                pods.remove(pod);
            }
            by.retain(|_, pods| !pods.is_empty());
        }
    }

    pub fn save(&self, file: &std::path::Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).expect("snapshots serialize");
        crate::fsutil::write(file, (text + "\n").as_bytes())
    }

    pub fn load(file: &std::path::Path) -> Result<Snapshot, ConfigError> {
        let text = std::fs::read_to_string(file).map_err(|e| {
            ConfigError(format!("cannot read the baseline {}: {e}", file.display()))
        })?;
        let s: Snapshot = serde_json::from_str(&text).map_err(|e| {
            ConfigError(format!(
                "{} is not a baseline written by `revalidate verify --save`: {e}",
                file.display()
            ))
        })?;
        if s.kind != SNAPSHOT_KIND || s.schema_version != SNAPSHOT_VERSION {
            return Err(ConfigError(format!(
                "{} is not a version {SNAPSHOT_VERSION} verify snapshot",
                file.display()
            )));
        }
        Ok(s)
    }

    /// Hashes are comparable only under the same normalisation and mode.
    pub fn check_compatible(
        &self,
        n: &Normalizer,
        etag: bool,
        file: &std::path::Path,
    ) -> Result<(), ConfigError> {
        if self.etag_mode != etag || self.normalisation != n.description {
            return Err(ConfigError(format!(
                "the baseline {} was taken with {}{}; this run uses {}{}: the hashes are not comparable, use the same settings",
                file.display(),
                if self.etag_mode { "--etag " } else { "" },
                describe_norm(&self.normalisation),
                if etag { "--etag " } else { "" },
                describe_norm(&n.description),
            )));
        }
        Ok(())
    }

    /// What the snapshot holds of one variant of `path`: the page's (empty when the path is
    /// missing: every response differs from it), or a variant's when the snapshot recorded it.
    pub fn baseline_of(&self, path: &str, variant: Variant) -> Option<super::judge::Baseline> {
        match variant {
            Variant::Html => Some(self.baseline(path)),
            v => self
                .variants
                .get(path)
                .and_then(|by| by.get(&v))
                .map(baseline_from),
        }
    }

    /// Every hash any pod served for `path` when the snapshot was taken, and each pod's build.
    pub fn baseline(&self, path: &str) -> super::judge::Baseline {
        let Some(pods) = self.paths.get(path) else {
            return super::judge::Baseline::default();
        };
        baseline_from(pods)
    }

    /// Every pod the snapshot recorded, on any path.
    pub fn pods(&self) -> BTreeSet<&str> {
        self.paths
            .values()
            .flat_map(|pods| pods.keys().map(String::as_str))
            .collect()
    }
}

fn baseline_from(pods: &BTreeMap<String, SnapshotEntry>) -> super::judge::Baseline {
    super::judge::Baseline {
        hashes: pods.values().map(|e| e.hash.clone()).collect(),
        builds: pods
            .iter()
            .map(|(pod, e)| (pod.clone(), e.build_id.clone()))
            .collect(),
        served: pods
            .iter()
            .map(|(pod, e)| (pod.clone(), e.hash.clone()))
            .collect(),
    }
}

fn describe_norm(n: &[String]) -> String {
    if n.is_empty() {
        "no normalisation".into()
    } else {
        format!("normalisation [{}]", n.join(", "))
    }
}
