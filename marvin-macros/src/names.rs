//! Identifier helpers: turning wire names into Rust identifiers. Splitting
//! camel case and singular forms are marvin-core's (`marvin_core::names`).
//!
//! Every function here is pure and total: odd input gives an odd but valid
//! identifier, never a panic.

pub(crate) use marvin_core::names::{singular, upper_camel, words};

/// `resetPassword` -> `reset_password`, `enableHA` -> `enable_ha`.
pub(crate) fn snake(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// Rust's strict and reserved keywords (edition 2024).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Whether `word` is a Rust keyword.
pub(crate) fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// A field or argument identifier for a wire name: lower case, non
/// alphanumerics become `_`, keywords get a trailing `_` (`type` ->
/// `type_`). CloudStack names are lower-case concatenations already
/// (`displayname`); keeping that spelling lets test authors use the names
/// they know.
pub(crate) fn field_ident(wire: &str) -> String {
    let mut out: String = wire
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if is_keyword(&out) || out == "_" {
        out.push('_');
    }
    out
}

/// Whether a parameter or response field holds a secret, so that its value
/// must never show up in `Debug` output.
pub(crate) use marvin_core::names::is_secret;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_and_camel_cases() {
        assert_eq!(snake("resetPassword"), "reset_password");
        assert_eq!(
            snake("enableOutOfBandManagement"),
            "enable_out_of_band_management"
        );
        assert_eq!(snake("getVMPassword"), "get_vm_password");
        assert_eq!(upper_camel("deployVirtualMachine"), "DeployVirtualMachine");
        assert_eq!(upper_camel("listVPCs"), "ListVPCs");
        assert_eq!(upper_camel("oauthlogin"), "Oauthlogin");
    }

    #[test]
    fn field_idents_are_valid_rust() {
        assert_eq!(field_ident("displayname"), "displayname");
        assert_eq!(field_ident("type"), "type_");
        assert_eq!(field_ident("postURL"), "posturl");
        assert_eq!(
            field_ident("Message.ReservedCapacityFreed.Flag"),
            "message_reservedcapacityfreed_flag"
        );
        assert_eq!(field_ident("3par"), "_3par");
    }

    #[test]
    fn secrets_are_recognised() {
        assert!(is_secret("password"));
        assert!(is_secret("secretkey"));
        assert!(is_secret("privatekey"));
        assert!(!is_secret("publickey"));
        assert!(!is_secret("apikey"));
    }
}
