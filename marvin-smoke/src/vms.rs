//! Virtual machines: deployment and life cycle.
