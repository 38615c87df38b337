//! Projects: resources owned together by several accounts. A project owns
//! its resources through its own account (type 5), so limits, isolation and
//! cleanup treat it like any owner.

use crate::family::{Command, Family};

/// The projects family.
#[derive(Debug)]
pub struct Projects;

impl Family for Projects {
    fn name(&self) -> &'static str {
        "projects"
    }

    fn schema(&self) -> &'static str {
        include_str!("schema.sql")
    }

    fn commands(&self) -> &'static [Command] {
        COMMANDS
    }
}

const COMMANDS: &[Command] = &[];
