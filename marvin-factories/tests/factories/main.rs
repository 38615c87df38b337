//! The factories, checked without a cloud (`build`) and against the
//! embedded simulator (`create`, cleanup, lookups, hooks, tags).

mod build;
mod composite;
mod harness;
mod lint;
mod simulator;
