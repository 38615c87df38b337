//! Proc macros of Marvin for Rust.
//!
//! The entry points stay thin: the schema model comes from
//! `marvin_core::schema`, and naming, the linguist and emission are plain
//! functions in this crate's modules so unit tests can reach them.
