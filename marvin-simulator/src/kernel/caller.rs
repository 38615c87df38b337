//! Who is calling: resolved by authentication, read by every handler.

/// The role of a caller, from its account type (cloudstack-protocol.md §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Root admin (account type 1).
    Admin,
    /// Resource domain admin (account type 3).
    ResourceAdmin,
    /// Domain admin (account type 2).
    DomainAdmin,
    /// Ordinary user (account type 0).
    User,
}

impl Role {
    /// The role CloudStack gives an account type when no role id is chosen.
    pub fn for_account_type(account_type: i64) -> Self {
        match account_type {
            1 => Self::Admin,
            2 => Self::DomainAdmin,
            3 => Self::ResourceAdmin,
            _ => Self::User,
        }
    }

    /// The role's name as `listRoles` shows it (`Admin`, `DomainAdmin`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Admin => "Admin",
            Self::ResourceAdmin => "ResourceAdmin",
            Self::DomainAdmin => "DomainAdmin",
            Self::User => "User",
        }
    }

    /// Parses a role type name.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::Admin,
            Self::ResourceAdmin,
            Self::DomainAdmin,
            Self::User,
        ]
        .into_iter()
        .find(|role| role.name().eq_ignore_ascii_case(name))
    }

    const fn mask(self) -> u8 {
        match self {
            Self::Admin => 1,
            Self::ResourceAdmin => 2,
            Self::DomainAdmin => 4,
            Self::User => 8,
        }
    }
}

/// The roles allowed to call a command (CloudStack's masks 1/2/4/8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleSet(u8);

impl RoleSet {
    /// Root admin only.
    pub const ADMIN: Self = Self(1);
    /// Root admin and domain admins (and resource admins).
    pub const ADMINS: Self = Self(1 | 2 | 4);
    /// Everyone, users included.
    pub const ALL: Self = Self(1 | 2 | 4 | 8);

    /// Whether the role may call.
    pub const fn allows(self, role: Role) -> bool {
        self.0 & role.mask() != 0
    }
}

/// The authenticated caller of one API call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The user's uuid.
    pub user_id: String,
    /// The account's uuid.
    pub account_id: String,
    /// The account's name.
    pub account_name: String,
    /// The account type (0 user, 1 root admin, 2 domain admin, ...).
    pub account_type: i64,
    /// The domain's uuid.
    pub domain_id: String,
    /// The domain's stored path (`/` for ROOT, `/a/b/` below).
    pub domain_path: String,
    /// The caller's role.
    pub role: Role,
}

impl Caller {
    /// Whether this is the root admin (may do everything).
    pub fn is_root_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether this is a domain or resource admin.
    pub fn is_domain_admin(&self) -> bool {
        matches!(self.role, Role::DomainAdmin | Role::ResourceAdmin)
    }

    /// Any kind of admin.
    pub fn is_admin(&self) -> bool {
        self.is_root_admin() || self.is_domain_admin()
    }
}
