//! The simulated fleet (`revalidate_sim`) behind the same `Fleet` face as the real one, on its
//! own runtime, with the prerender-manifest the tool reads written to a temporary directory.

use std::path::{Path, PathBuf};

use revalidate_sim::{Balancer, Edge, EdgeOptions, Flavor, FleetOptions};

use crate::fleet::{Fleet, PodRef};
use crate::next::Version;

pub struct SimFleet {
    rt: tokio::runtime::Runtime,
    // Dropped before the fleet (fields drop in order): the edge, then its balancer.
    edge: Option<(Edge, Balancer)>,
    edge_url: String,
    fleet: Option<revalidate_sim::Fleet>,
    refs: Vec<PodRef>,
    manifest: PathBuf,
    _dir: tempfile::TempDir,
}

impl SimFleet {
    pub fn start(version: Version) -> SimFleet {
        let flavor = match version {
            Version::Next13 => Flavor::Next13,
            Version::Next16 => Flavor::Next16,
        };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let fleet = rt
            .block_on(revalidate_sim::Fleet::start(FleetOptions {
                flavor,
                ..FleetOptions::default()
            }))
            .expect("simulated fleet starts");
        assert_eq!(fleet.pods().len(), 3);
        let dir = tempfile::tempdir().expect("tempdir");
        let manifest = fleet
            .write_prerender_manifest(dir.path())
            .expect("manifest");
        let refs = fleet
            .pods()
            .iter()
            .map(|p| PodRef {
                name: p.name().to_owned(),
                url: p.url(),
            })
            .collect();
        let (edge, balancer) = rt.block_on(async {
            let balancer = fleet.start_balancer().await.expect("balancer");
            let edge = Edge::start(balancer.addr(), EdgeOptions::default())
                .await
                .expect("edge");
            (edge, balancer)
        });
        SimFleet {
            rt,
            edge_url: edge.url(),
            edge: Some((edge, balancer)),
            fleet: Some(fleet),
            refs,
            manifest,
            _dir: dir,
        }
    }

    fn fleet(&self) -> &revalidate_sim::Fleet {
        self.fleet.as_ref().expect("running")
    }
}

impl Fleet for SimFleet {
    fn describe(&self) -> String {
        format!("simulated Next.js {}", self.fleet().flavor().next_version())
    }

    fn pods(&self) -> &[PodRef] {
        &self.refs
    }

    fn manifest(&self) -> &Path {
        &self.manifest
    }

    fn secret(&self) -> &str {
        self.fleet().secret()
    }

    fn set_title(&self, slug: &str, title: &str) {
        self.fleet().cms().set_title(slug, title);
    }

    fn delete(&self, slug: &str) {
        self.fleet().cms().delete(slug);
    }

    fn edge(&self) -> &str {
        &self.edge_url
    }

    fn build_id(&self) -> String {
        self.fleet().build_id().to_owned()
    }
}

impl Drop for SimFleet {
    fn drop(&mut self) {
        self.edge.take();
        if let Some(fleet) = self.fleet.take() {
            self.rt.block_on(fleet.shutdown());
        }
    }
}
