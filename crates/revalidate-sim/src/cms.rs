//! The content store ("CMS") that every simulated pod renders pages from.
//!
//! Owns the posts shared by the whole fleet. Invariant: there is exactly one
//! store per fleet and every pod reads the same live values from it, so a
//! change made by a test is visible to the next regeneration on any pod, while
//! pages already in a pod's ISR cache stay exactly as they were rendered.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// One post as `getStaticProps` would fetch it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Post {
    /// Rendered in `<title>`, the heading and the page props.
    pub title: String,
    /// Rendered as the article text.
    pub body: String,
}

/// Handle to the fleet's shared content store; clones share the same data.
#[derive(Clone, Debug, Default)]
pub struct Cms {
    posts: Arc<Mutex<HashMap<String, Post>>>,
}

impl Cms {
    /// Changes a post's title, creating the post (with a generic body) if it
    /// does not exist, which is what the reference `set-content.sh` did.
    pub fn set_title(&self, slug: &str, title: &str) {
        let mut posts = self.lock();
        match posts.get_mut(slug) {
            Some(post) => post.title = title.to_owned(),
            None => {
                posts.insert(
                    slug.to_owned(),
                    Post {
                        title: title.to_owned(),
                        body: default_body(slug),
                    },
                );
            }
        }
    }

    /// Creates or replaces a post.
    pub fn set_post(&self, slug: &str, title: &str, body: &str) {
        self.lock().insert(
            slug.to_owned(),
            Post {
                title: title.to_owned(),
                body: body.to_owned(),
            },
        );
    }

    /// Removes a post; the next regeneration of its pages yields `notFound`.
    pub fn delete(&self, slug: &str) {
        self.lock().remove(slug);
    }

    /// The post's current title, if the post exists.
    pub fn title(&self, slug: &str) -> Option<String> {
        self.lock().get(slug).map(|p| p.title.clone())
    }

    /// The post as a regeneration would see it right now.
    pub fn post(&self, slug: &str) -> Option<Post> {
        self.lock().get(slug).cloned()
    }

    /// Slugs currently in the store, sorted (for demos and listings).
    pub fn slugs(&self) -> Vec<String> {
        let mut slugs: Vec<String> = self.lock().keys().cloned().collect();
        slugs.sort();
        slugs
    }

    /// The content a fresh fleet starts with: the build-time posts `a`, `b`,
    /// `c` (and `p1..pN` for benchmarks) plus `d` and `e`, which exist in the
    /// CMS but were never pre-rendered, exactly like the reference app.
    pub(crate) fn seeded(extra_slugs: usize) -> Cms {
        let cms = Cms::default();
        for slug in ["a", "b", "c"] {
            let upper = slug.to_uppercase();
            cms.set_post(
                slug,
                &format!("Post {upper} (initial)"),
                &default_body(slug),
            );
        }
        for slug in ["d", "e"] {
            let upper = slug.to_uppercase();
            cms.set_post(
                slug,
                &format!("Post {upper} (seed, not pre-rendered)"),
                &default_body(slug),
            );
        }
        for slug in extra_slug_names(extra_slugs) {
            let upper = slug.to_uppercase();
            cms.set_post(
                &slug,
                &format!("Post {upper} (initial)"),
                &default_body(&slug),
            );
        }
        cms
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Post>> {
        // A panic while holding this lock cannot leave a half-written post
        // behind (every mutation is a single insert/remove), so a poisoned
        // lock is still consistent and safe to keep using.
        self.posts.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Names of the benchmark slugs `p1..pN`.
pub(crate) fn extra_slug_names(n: usize) -> impl Iterator<Item = String> {
    (1..=n).map(|i| format!("p{i}"))
}

fn default_body(slug: &str) -> String {
    format!("Body of post {}, version 1.", slug.to_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_store_has_build_and_fallback_posts() {
        let cms = Cms::seeded(2);
        assert_eq!(cms.title("a").as_deref(), Some("Post A (initial)"));
        assert_eq!(
            cms.title("d").as_deref(),
            Some("Post D (seed, not pre-rendered)")
        );
        assert_eq!(cms.title("p2").as_deref(), Some("Post P2 (initial)"));
        assert_eq!(cms.slugs(), ["a", "b", "c", "d", "e", "p1", "p2"]);
    }

    #[test]
    fn clones_share_content() {
        let cms = Cms::seeded(0);
        let other = cms.clone();
        other.set_title("a", "Post A v2");
        assert_eq!(cms.title("a").as_deref(), Some("Post A v2"));
        assert_eq!(cms.post("a").unwrap().body, "Body of post A, version 1.");
        other.delete("a");
        assert_eq!(cms.title("a"), None);
        cms.set_title("new", "Brand new");
        assert_eq!(
            other.post("new").unwrap().body,
            "Body of post NEW, version 1."
        );
    }
}
