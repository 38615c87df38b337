//! Load balancer rules.
