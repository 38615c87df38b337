//! Resource tags: `createTags`, `deleteTags`, `listTags`, and the helpers
//! other families use for the `tags` of their responses and the
//! `tags[i].key/value` filter of their lists ([`api`]).

pub(crate) mod api;

use crate::family::{Command, Family};

/// The tags family.
#[derive(Debug)]
pub struct Tags;

impl Family for Tags {
    fn name(&self) -> &'static str {
        "tags"
    }

    fn schema(&self) -> &'static str {
        include_str!("schema.sql")
    }

    fn commands(&self) -> &'static [Command] {
        COMMANDS
    }
}

const COMMANDS: &[Command] = &[];
