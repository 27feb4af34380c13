//! The integration tests: the built `revalidate` binary (and the library, in-process) against the
//! simulated Next.js fleet on 127.0.0.1. One test binary; each module is one area.

mod common;

mod cdn;
mod ci;
mod config;
mod docs;
mod doctor;
mod echo;
mod fanout;
mod faults;
mod files;
mod human;
mod kubernetes;
mod layers;
mod output;
mod paths;
mod proof;
mod redis;
mod run;
mod safety;
mod secrets;
mod serve;
mod sitemap;
mod tags;
mod variants;
mod verify;
