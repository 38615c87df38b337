//! Users: creation, keys, state changes, moves and deletion.
