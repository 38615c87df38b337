//! Service and disk offerings.
