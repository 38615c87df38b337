//! What the generated entities tell the rest of the framework about
//! themselves: their kind, their id, and how to delete them.
//!
//! The contract is data, not code: a [`Deletion`] names the API call that
//! removes a resource. Cleanup guards keep it, the ledger writes it to disk,
//! and `marvin cleanup` can replay it in a later process, once it has
//! checked it against the [`DeletionRule`] of its entity.

/// How to delete one resource: a CloudStack call and its parameters.
///
/// ```
/// use marvin_core::resource::Deletion;
/// let d = Deletion::new("VirtualMachine", "1f0c", "destroyVirtualMachine", true)
///     .param("expunge", "true");
/// assert_eq!(d.params, [("id".to_string(), "1f0c".to_string()),
///                       ("expunge".to_string(), "true".to_string())]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Deletion {
    /// The entity name (`VirtualMachine`, `Account`, ...).
    pub entity: String,
    /// The id of the resource.
    pub id: String,
    /// The deleting command (`destroyVirtualMachine`).
    pub command: String,
    /// Whether that command is asynchronous.
    pub is_async: bool,
    /// All parameters of the call, `id` first.
    pub params: Vec<(String, String)>,
    /// Ordering hint for cleanup: higher ranks are deleted first when several
    /// deletions are pending at once (rules before IPs, VMs before networks,
    /// everything before accounts and domains). LIFO order applies within a
    /// rank.
    pub rank: u8,
}

impl Deletion {
    /// A deletion that passes the id as `id`.
    pub fn new(entity: &str, id: &str, command: &str, is_async: bool) -> Self {
        Self {
            entity: entity.to_string(),
            id: id.to_string(),
            command: command.to_string(),
            is_async,
            params: vec![("id".to_string(), id.to_string())],
            rank: rank_of(entity),
        }
    }

    /// Adds a parameter to the call.
    #[must_use]
    pub fn param(mut self, name: &str, value: &str) -> Self {
        self.params.push((name.to_string(), value.to_string()));
        self
    }
}

/// The one way an entity may be deleted by a sweep: what `marvin cleanup`
/// checks every recorded [`Deletion`] against before it sends anything.
///
/// A rule names the entity, its deleting command, the parameter that
/// carries the resource's key (its id, or its name for key pairs), the
/// boolean parameters that change how it goes but never which object
/// (`expunge`, `forced`, `cleanup`), and, for keys unique only within an
/// owner, the parameters that name the owner. The generated entities
/// publish one rule per deletable entity (`marvin_entities::DELETION_RULES`).
///
/// ```
/// use marvin_core::resource::DeletionRule;
/// const VM: DeletionRule =
///     DeletionRule::new("VirtualMachine", "destroyVirtualMachine", true, "id")
///         .flags(&["expunge"])
///         .sends(&[("expunge", "true")]);
/// let deletion = VM.deletion("1f0c");
/// assert_eq!(deletion.command, "destroyVirtualMachine");
/// assert_eq!(deletion.params, [("id".to_string(), "1f0c".to_string()),
///                              ("expunge".to_string(), "true".to_string())]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeletionRule {
    /// The entity name (`VirtualMachine`).
    pub entity: &'static str,
    /// The deleting command (`destroyVirtualMachine`).
    pub command: &'static str,
    /// Whether that command is asynchronous.
    pub is_async: bool,
    /// The parameter whose value is the resource's key (`id`,
    /// `vmsnapshotid`, `name`).
    pub key: &'static str,
    /// Boolean parameters the call may carry, as `true` or `false`.
    pub flags: &'static [&'static str],
    /// Parameters the entity's own deletion sends besides the key
    /// (`expunge=true`); each is also a flag.
    pub sends: &'static [(&'static str, &'static str)],
    /// Parameters naming the owner of a key that is unique only per owner
    /// (`account`, `domainid` of a key pair's name).
    pub scope: &'static [&'static str],
}

impl DeletionRule {
    /// A rule without flags, extra parameters or scope.
    pub const fn new(
        entity: &'static str,
        command: &'static str,
        is_async: bool,
        key: &'static str,
    ) -> Self {
        Self {
            entity,
            command,
            is_async,
            key,
            flags: &[],
            sends: &[],
            scope: &[],
        }
    }

    /// Sets the boolean parameters the call may carry.
    #[must_use]
    pub const fn flags(mut self, flags: &'static [&'static str]) -> Self {
        self.flags = flags;
        self
    }

    /// Sets the parameters the entity's own deletion sends besides the key.
    #[must_use]
    pub const fn sends(mut self, sends: &'static [(&'static str, &'static str)]) -> Self {
        self.sends = sends;
        self
    }

    /// Sets the parameters naming the owner of the key.
    #[must_use]
    pub const fn scope(mut self, scope: &'static [&'static str]) -> Self {
        self.scope = scope;
        self
    }

    /// The deletion of the resource whose key is `key`, as the entity's own
    /// deletion builds it (for resources known only by their id, such as
    /// those found by their tags).
    pub fn deletion(&self, key: &str) -> Deletion {
        let mut deletion = Deletion::new(self.entity, key, self.command, self.is_async);
        deletion.params[0].0 = self.key.to_string();
        for (name, value) in self.sends {
            deletion = deletion.param(name, value);
        }
        deletion
    }
}

/// The default cleanup rank of an entity: dependents before what they depend on.
pub fn rank_of(entity: &str) -> u8 {
    match entity {
        "Domain" => 0,
        "Account" | "Project" => 10,
        "User" | "UserKeys" => 20,
        "ServiceOffering" | "DiskOffering" | "NetworkOffering" | "VpcOffering" => 30,
        "Zone" | "Pod" | "Cluster" | "Host" | "StoragePool" | "ImageStore" => 5,
        // CloudStack refuses to delete a role while an account has it
        // (`RoleManagerImpl.deleteRole`): the accounts go first.
        "Role" | "ProjectRole" => 7,
        "Vpc" => 40,
        "Network" | "PhysicalNetwork" => 50,
        "NetworkACLList" | "PrivateGateway" => 55,
        "IpAddress" | "PublicIpAddress" => 60,
        "SecurityGroup" | "AffinityGroup" | "SSHKeyPair" | "InstanceGroup" => 65,
        "Template" | "Iso" => 68,
        "Volume" => 70,
        "VirtualMachine" => 80,
        "Snapshot" | "VMSnapshot" => 85,
        _ => 90,
    }
}

/// A value that stands for one resource on the cloud.
///
/// The generated entities implement it; cleanup guards and factories rely on
/// it.
pub trait Resource {
    /// The entity name, as the linguist names it (`VirtualMachine`).
    const ENTITY: &'static str;
    /// The resource's id (uuid).
    fn id(&self) -> &str;
    /// The call that deletes it, if the entity can be deleted.
    fn deletion(&self) -> Option<Deletion>;
}

#[cfg(test)]
mod tests {
    use super::rank_of;

    #[test]
    fn what_depends_on_a_resource_is_deleted_before_it() {
        for (dependent, dependency) in [
            ("Account", "Role"),
            ("Account", "Domain"),
            ("User", "Account"),
            ("VirtualMachine", "Network"),
            ("VirtualMachine", "Volume"),
            ("Network", "Vpc"),
            ("Snapshot", "VirtualMachine"),
        ] {
            assert!(
                rank_of(dependent) > rank_of(dependency),
                "{dependent} ({}) must be deleted before {dependency} ({})",
                rank_of(dependent),
                rank_of(dependency)
            );
        }
    }
}
