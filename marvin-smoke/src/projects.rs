//! Projects, their accounts and invitations.
