//! Which recorded deletions a sweep may send: only the command the record's
//! entity is deleted with ([`DeletionRule`]), aimed at the record's own
//! resource, with no parameter that could reach another object.
//!
//! A ledger is a plain file: a corrupted or hand-edited line must not turn
//! `marvin cleanup` into a way of deleting whatever it names. So before
//! anything is sent, [`check_deletion`] holds each recorded [`Deletion`]
//! against the rules and refuses it, with the reason, when
//! - its entity or id is not the record's;
//! - its command is not a deletion, or not the one of its entity;
//! - the parameter carrying the key is missing, repeated, or names another
//!   resource than the record's id;
//! - it carries any other parameter than the rule's boolean flags (with
//!   `true` or `false`) and, for keys unique only per owner, the owner.

use crate::resource::{Deletion, DeletionRule};

/// Why a recorded deletion is not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The deletion names another resource than its record.
    #[error(
        "the record is of {record_entity} {record_id} but its deletion names {deletion_entity} {deletion_id}"
    )]
    NotTheRecords {
        /// The record's entity.
        record_entity: String,
        /// The record's id.
        record_id: String,
        /// The deletion's entity.
        deletion_entity: String,
        /// The deletion's id.
        deletion_id: String,
    },
    /// The command deletes no known entity.
    #[error("{command} is not the deletion command of any known entity")]
    NotADeletion {
        /// The recorded command.
        command: String,
    },
    /// The command deletes something, but not this entity.
    #[error("{entity} is deleted with {expected}, not {command}")]
    WrongCommand {
        /// The record's entity.
        entity: String,
        /// The recorded command.
        command: String,
        /// The command(s) it is deleted with.
        expected: String,
    },
    /// No rule says how this entity is deleted.
    #[error("no known deletion of {entity} ({command} deletes {deletes})")]
    UnknownEntity {
        /// The record's entity.
        entity: String,
        /// The recorded command.
        command: String,
        /// What that command does delete.
        deletes: String,
    },
    /// The parameter carrying the key is absent.
    #[error("{command} needs `{key}` (the resource's key), which the record does not carry")]
    MissingKey {
        /// The command.
        command: String,
        /// The key parameter.
        key: String,
    },
    /// The parameter carrying the key names another resource.
    #[error("`{key}={value}` names another resource than the record's {id}")]
    KeyMismatch {
        /// The key parameter.
        key: String,
        /// Its value.
        value: String,
        /// The record's id.
        id: String,
    },
    /// A parameter appears twice.
    #[error("`{name}` appears more than once")]
    Repeated {
        /// The parameter.
        name: String,
    },
    /// A parameter the rule does not allow.
    #[error("unexpected parameter `{name}={value}` ({command} of {entity} takes only {allowed})")]
    UnexpectedParam {
        /// The parameter.
        name: String,
        /// Its value.
        value: String,
        /// The command.
        command: String,
        /// The entity.
        entity: String,
        /// The parameters it takes.
        allowed: String,
    },
    /// A flag with a value other than `true` or `false`.
    #[error("`{name}={value}`: {name} takes only true or false")]
    NotAFlag {
        /// The parameter.
        name: String,
        /// Its value.
        value: String,
    },
    /// A tagged resource of a type no rule deletes.
    #[error("no known deletion of resources of type {resource_type}")]
    NotDeletable {
        /// The CloudStack resource type.
        resource_type: String,
    },
    /// An intent's lookup found several objects of its name: deleting one
    /// could hit another's.
    #[error(
        "{count} objects are listed by {list} with {field} {name:?}: which one the intent made is unknown"
    )]
    Ambiguous {
        /// The list API.
        list: String,
        /// The field compared.
        field: String,
        /// The name looked up.
        name: String,
        /// How many matched.
        count: usize,
    },
    /// An intent's lookup found an object made before the intent was
    /// written: someone else's, of the same name.
    #[error(
        "the {entity} named {name:?} was created {created}, before the intent ({intent}): not this run's"
    )]
    OlderThanIntent {
        /// The entity.
        entity: String,
        /// The name looked up.
        name: String,
        /// When the cloud says the object was created.
        created: String,
        /// When the intent was written.
        intent: String,
    },
    /// An intent of an entity that cannot be looked up by name.
    #[error("no known lookup of {entity} by name")]
    NoLookup {
        /// The entity.
        entity: String,
    },
    /// An owner parameter without a value.
    #[error("`{name}` is empty")]
    Empty {
        /// The parameter.
        name: String,
    },
}

/// Checks the deletion recorded for `entity` `id` against `rules`; returns
/// the rule it follows, or why it must not be sent.
///
/// ```
/// use marvin_core::cleanup::{Refusal, check_deletion};
/// use marvin_core::resource::{Deletion, DeletionRule};
///
/// const RULES: &[DeletionRule] =
///     &[DeletionRule::new("Account", "deleteAccount", true, "id")];
/// let good = Deletion::new("Account", "a1", "deleteAccount", true);
/// assert!(check_deletion("Account", "a1", &good, RULES).is_ok());
/// let aimed_elsewhere = Deletion {
///     params: vec![("id".into(), "someone-else".into())],
///     ..good.clone()
/// };
/// assert!(matches!(
///     check_deletion("Account", "a1", &aimed_elsewhere, RULES),
///     Err(Refusal::KeyMismatch { .. })
/// ));
/// ```
pub fn check_deletion<'r>(
    entity: &str,
    id: &str,
    deletion: &Deletion,
    rules: &'r [DeletionRule],
) -> Result<&'r DeletionRule, Refusal> {
    if deletion.entity != entity || deletion.id != id {
        return Err(Refusal::NotTheRecords {
            record_entity: entity.to_owned(),
            record_id: id.to_owned(),
            deletion_entity: deletion.entity.clone(),
            deletion_id: deletion.id.clone(),
        });
    }
    let rule = find_rule(entity, &deletion.command, rules)?;
    check_params(rule, id, &deletion.params)?;
    Ok(rule)
}

/// The rule of `entity` for `command`, or why there is none.
fn find_rule<'r>(
    entity: &str,
    command: &str,
    rules: &'r [DeletionRule],
) -> Result<&'r DeletionRule, Refusal> {
    if let Some(rule) = rules
        .iter()
        .find(|rule| rule.entity == entity && rule.command == command)
    {
        return Ok(rule);
    }
    let joined = |names: Vec<&str>| names.join(" or ");
    let deletes: Vec<&str> = rules
        .iter()
        .filter(|rule| rule.command == command)
        .map(|rule| rule.entity)
        .collect();
    if deletes.is_empty() {
        return Err(Refusal::NotADeletion {
            command: command.to_owned(),
        });
    }
    let expected: Vec<&str> = rules
        .iter()
        .filter(|rule| rule.entity == entity)
        .map(|rule| rule.command)
        .collect();
    if expected.is_empty() {
        return Err(Refusal::UnknownEntity {
            entity: entity.to_owned(),
            command: command.to_owned(),
            deletes: joined(deletes),
        });
    }
    Err(Refusal::WrongCommand {
        entity: entity.to_owned(),
        command: command.to_owned(),
        expected: joined(expected),
    })
}

fn is_flag_value(value: &str) -> bool {
    value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false")
}

fn check_params(rule: &DeletionRule, id: &str, params: &[(String, String)]) -> Result<(), Refusal> {
    let mut seen: Vec<&str> = Vec::with_capacity(params.len());
    let mut key_seen = false;
    for (name, value) in params {
        if seen.contains(&name.as_str()) {
            return Err(Refusal::Repeated { name: name.clone() });
        }
        seen.push(name);
        if name == rule.key {
            if value != id || id.is_empty() {
                return Err(Refusal::KeyMismatch {
                    key: name.clone(),
                    value: value.clone(),
                    id: id.to_owned(),
                });
            }
            key_seen = true;
        } else if let Some((_, sent)) = rule.sends.iter().find(|(n, _)| n == name) {
            let allowed =
                value == sent || (rule.flags.contains(&name.as_str()) && is_flag_value(value));
            if !allowed {
                return Err(Refusal::NotAFlag {
                    name: name.clone(),
                    value: value.clone(),
                });
            }
        } else if rule.flags.contains(&name.as_str()) {
            if !is_flag_value(value) {
                return Err(Refusal::NotAFlag {
                    name: name.clone(),
                    value: value.clone(),
                });
            }
        } else if rule.scope.contains(&name.as_str()) {
            if value.trim().is_empty() {
                return Err(Refusal::Empty { name: name.clone() });
            }
        } else {
            return Err(Refusal::UnexpectedParam {
                name: name.clone(),
                value: value.clone(),
                command: rule.command.to_owned(),
                entity: rule.entity.to_owned(),
                allowed: allowed_params(rule),
            });
        }
    }
    if !key_seen {
        return Err(Refusal::MissingKey {
            command: rule.command.to_owned(),
            key: rule.key.to_owned(),
        });
    }
    Ok(())
}

/// `` `id`, `expunge` (true/false) `` for messages.
fn allowed_params(rule: &DeletionRule) -> String {
    let mut names = vec![format!("`{}`", rule.key)];
    names.extend(
        rule.flags
            .iter()
            .map(|flag| format!("`{flag}` (true/false)")),
    );
    names.extend(
        rule.sends
            .iter()
            .filter(|(name, _)| !rule.flags.contains(name))
            .map(|(name, value)| format!("`{name}={value}`")),
    );
    names.extend(rule.scope.iter().map(|owner| format!("`{owner}`")));
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &[DeletionRule] = &[
        DeletionRule::new("VirtualMachine", "destroyVirtualMachine", true, "id")
            .flags(&["expunge"])
            .sends(&[("expunge", "true")]),
        DeletionRule::new("Account", "deleteAccount", true, "id"),
        DeletionRule::new("Domain", "deleteDomain", true, "id").flags(&["cleanup"]),
        DeletionRule::new("VMSnapshot", "deleteVMSnapshot", true, "vmsnapshotid"),
        DeletionRule::new("SSHKeyPair", "deleteSSHKeyPair", false, "name").scope(&[
            "account",
            "domainid",
            "projectid",
        ]),
    ];

    fn vm(id: &str) -> Deletion {
        RULES[0].deletion(id)
    }

    fn with_params(mut deletion: Deletion, params: &[(&str, &str)]) -> Deletion {
        deletion.params = params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        deletion
    }

    #[test]
    fn what_entities_record_passes() {
        assert_eq!(
            check_deletion("VirtualMachine", "vm1", &vm("vm1"), RULES),
            Ok(&RULES[0])
        );
        let account = Deletion::new("Account", "a1", "deleteAccount", true);
        assert!(check_deletion("Account", "a1", &account, RULES).is_ok());
        let domain = Deletion::new("Domain", "d1", "deleteDomain", true).param("cleanup", "true");
        assert!(check_deletion("Domain", "d1", &domain, RULES).is_ok());
        let snapshot = RULES[3].deletion("s1");
        assert_eq!(snapshot.params[0].0, "vmsnapshotid");
        assert!(check_deletion("VMSnapshot", "s1", &snapshot, RULES).is_ok());
        let key = with_params(
            Deletion::new("SSHKeyPair", "k1", "deleteSSHKeyPair", false),
            &[("name", "k1"), ("account", "acme"), ("domainid", "d1")],
        );
        assert!(check_deletion("SSHKeyPair", "k1", &key, RULES).is_ok());
        // A VM without expunge, or with expunge=false, only goes less far.
        let plain = with_params(vm("vm1"), &[("id", "vm1")]);
        assert!(check_deletion("VirtualMachine", "vm1", &plain, RULES).is_ok());
        let soft = with_params(vm("vm1"), &[("id", "vm1"), ("expunge", "FALSE")]);
        assert!(check_deletion("VirtualMachine", "vm1", &soft, RULES).is_ok());
    }

    #[test]
    fn another_command_is_refused() {
        // The command of another entity.
        let deletion = Deletion::new("Account", "a1", "deleteDomain", true);
        assert_eq!(
            check_deletion("Account", "a1", &deletion, RULES),
            Err(Refusal::WrongCommand {
                entity: "Account".into(),
                command: "deleteDomain".into(),
                expected: "deleteAccount".into(),
            })
        );
        // An entity no rule knows, with a real deletion command.
        let deletion = Deletion::new("Widget", "w1", "deleteAccount", true);
        let refusal = check_deletion("Widget", "w1", &deletion, RULES).unwrap_err();
        assert!(
            matches!(refusal, Refusal::UnknownEntity { .. }),
            "{refusal}"
        );
        assert_eq!(
            refusal.to_string(),
            "no known deletion of Widget (deleteAccount deletes Account)"
        );
    }

    #[test]
    fn a_command_that_deletes_nothing_is_refused() {
        for command in [
            "updateAccount",
            "disableAccount",
            "createAccount",
            "deleteEverything",
        ] {
            let deletion = Deletion::new("Account", "a1", command, false);
            assert_eq!(
                check_deletion("Account", "a1", &deletion, RULES),
                Err(Refusal::NotADeletion {
                    command: command.into()
                }),
                "{command}"
            );
        }
    }

    #[test]
    fn an_id_that_disagrees_is_refused() {
        // The parameter aims at another resource.
        let aimed = with_params(vm("vm1"), &[("id", "victim"), ("expunge", "true")]);
        assert_eq!(
            check_deletion("VirtualMachine", "vm1", &aimed, RULES),
            Err(Refusal::KeyMismatch {
                key: "id".into(),
                value: "victim".into(),
                id: "vm1".into(),
            })
        );
        // The deletion names another resource than its record.
        let refusal = check_deletion("VirtualMachine", "vm1", &vm("victim"), RULES).unwrap_err();
        assert!(
            matches!(refusal, Refusal::NotTheRecords { .. }),
            "{refusal}"
        );
        let refusal = check_deletion("Account", "vm1", &vm("vm1"), RULES).unwrap_err();
        assert!(
            matches!(refusal, Refusal::NotTheRecords { .. }),
            "{refusal}"
        );
        // No key at all, the key twice, the key under another name.
        let keyless = with_params(vm("vm1"), &[("expunge", "true")]);
        assert_eq!(
            check_deletion("VirtualMachine", "vm1", &keyless, RULES),
            Err(Refusal::MissingKey {
                command: "destroyVirtualMachine".into(),
                key: "id".into(),
            })
        );
        let twice = with_params(vm("vm1"), &[("id", "vm1"), ("id", "victim")]);
        assert_eq!(
            check_deletion("VirtualMachine", "vm1", &twice, RULES),
            Err(Refusal::Repeated { name: "id".into() })
        );
        let renamed = with_params(RULES[3].deletion("s1"), &[("id", "s1")]);
        let refusal = check_deletion("VMSnapshot", "s1", &renamed, RULES).unwrap_err();
        assert!(
            matches!(refusal, Refusal::UnexpectedParam { .. }),
            "{refusal}"
        );
    }

    #[test]
    fn extra_params_are_refused() {
        // volumeids would destroy another object with the VM.
        let extra = vm("vm1").param("volumeids", "victim-volume");
        let refusal = check_deletion("VirtualMachine", "vm1", &extra, RULES).unwrap_err();
        assert_eq!(
            refusal,
            Refusal::UnexpectedParam {
                name: "volumeids".into(),
                value: "victim-volume".into(),
                command: "destroyVirtualMachine".into(),
                entity: "VirtualMachine".into(),
                allowed: "`id`, `expunge` (true/false)".into(),
            }
        );
        // A flag carrying something else than a boolean.
        let smuggled = with_params(vm("vm1"), &[("id", "vm1"), ("expunge", "victim")]);
        assert!(matches!(
            check_deletion("VirtualMachine", "vm1", &smuggled, RULES),
            Err(Refusal::NotAFlag { .. })
        ));
        // Owner parameters only where the key needs them.
        let scoped = Deletion::new("Account", "a1", "deleteAccount", true).param("domainid", "d1");
        assert!(matches!(
            check_deletion("Account", "a1", &scoped, RULES),
            Err(Refusal::UnexpectedParam { .. })
        ));
        let empty_owner = with_params(
            Deletion::new("SSHKeyPair", "k1", "deleteSSHKeyPair", false),
            &[("name", "k1"), ("account", " ")],
        );
        assert_eq!(
            check_deletion("SSHKeyPair", "k1", &empty_owner, RULES),
            Err(Refusal::Empty {
                name: "account".into()
            })
        );
    }
}
