//! Data factories for CloudStack tests.
