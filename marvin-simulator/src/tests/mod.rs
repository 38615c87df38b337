//! Tests of the kernel that need real families: the engine with identity
//! (authentication), the jobs and events families and a probe family of its
//! own. They live outside `kernel/`, which never names a family.

mod engine;
mod engine_failures;
mod layering;
mod shapes;
