//! SSH key pairs.
