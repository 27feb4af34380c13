//! `serve`: the endpoint a CMS button or webhook calls, which runs the `run` pipeline and answers
//! with its verdict. `auth` decides who may call (a shared secret or a signature of the body,
//! compared in constant time); `hooks` turns a request into paths (a generic body or query, or a
//! CMS payload mapped by the configured routes). Both are pure: no I/O once built.

pub mod auth;
pub mod hooks;
