//! The `marvin` command line.

fn main() {}
