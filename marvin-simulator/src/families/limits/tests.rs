//! Limits tests.
