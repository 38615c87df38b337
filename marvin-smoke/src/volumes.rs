//! Volumes: creation, attachment and deletion.
