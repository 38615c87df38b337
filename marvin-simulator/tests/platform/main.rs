//! The simulator's platform, end to end over HTTP: signing, sessions,
//! validation, envelopes, async jobs, roles, faults, concurrency and
//! persistence, plus the precache generator.

mod describe;
mod precache;
mod support;

mod concurrency;
mod coverage;
mod every_api;
mod faults;
mod jobs;
mod persistence;
mod roles;
mod sessions;
mod signing;
mod validation;
