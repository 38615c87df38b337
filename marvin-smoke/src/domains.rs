//! Domains: the tree, its scopes and its deletion rules.
