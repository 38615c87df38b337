//! Generated code, checked as code: the trimmed fixture whose expansion is
//! marvin-macros' snapshot, calls through a real client against a tiny
//! in-process endpoint, and the real CloudStack sample answers decoded into
//! the types generated from the 4.22 schema.

mod endpoint;
mod fixture;
mod linking;
mod samples;
