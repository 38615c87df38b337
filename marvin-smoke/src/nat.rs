//! Static NAT.
