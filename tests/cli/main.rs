//! The integration tests: the built `revalidate` binary (and the library, in-process) against the
//! simulated Next.js fleet on 127.0.0.1. One test binary; each module is one area.

mod common;

mod config;
mod docs;
mod fanout;
mod output;
mod paths;
mod redis;
mod secrets;
mod verify;
