//! serve's settings that this layer can check: where the secret is, and the routes' tables as
//! written (their fields are checked where they are compiled, in `serve::hooks`).

use std::path::PathBuf;

use super::{Config, Source, Sourced};

impl Config {
    /// `serve.secret_file`, relative to the config file when it came from one, with its source
    /// (which decides whether env REVALIDATE_SERVE_SECRET outranks it: `serve::auth`).
    pub fn serve_secret_file(&self) -> Option<Sourced<PathBuf>> {
        self.resolved.serve_secret_file.as_ref().map(|s| Sourced {
            value: s.path(),
            source: s.source.clone(),
        })
    }

    /// The `[[serve.routes]]` tables of the layer that sets them, and where they came from.
    pub fn serve_routes(&self) -> Option<(&[toml::Table], &Source)> {
        self.resolved
            .serve_routes
            .as_ref()
            .map(|s| (s.value.0.as_slice(), &s.source))
    }
}
