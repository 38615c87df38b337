//! IPv4 arithmetic (addresses, CIDRs, ranges), for every family that
//! hands out or checks addresses.

use std::net::Ipv4Addr;

/// A dotted-quad IPv4 address as a number (strict: four decimal octets).
pub(crate) fn parse(text: &str) -> Option<u32> {
    text.trim().parse::<Ipv4Addr>().ok().map(u32::from)
}

/// A number as a dotted-quad address.
pub(crate) fn format(addr: u32) -> String {
    Ipv4Addr::from(addr).to_string()
}

/// The prefix length of a netmask, when it is one (contiguous ones).
pub(crate) fn prefix_of_netmask(netmask: &str) -> Option<u32> {
    let mask = parse(netmask)?;
    let ones = mask.leading_ones();
    (mask.checked_shl(ones).unwrap_or(0) == 0).then_some(ones)
}

/// The netmask of a prefix length.
pub(crate) fn netmask_of_prefix(prefix: u32) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix.min(32))
    }
}

/// `a.b.c.d/n` split into (network address, prefix), when valid.
pub(crate) fn parse_cidr(cidr: &str) -> Option<(u32, u32)> {
    let (addr, prefix) = cidr.trim().split_once('/')?;
    let prefix: u32 = prefix.parse().ok().filter(|p| *p <= 32)?;
    Some((parse(addr)? & netmask_of_prefix(prefix), prefix))
}

/// The CIDR text of an address and prefix (`10.0.0.0/24`).
pub(crate) fn cidr_text(addr: u32, prefix: u32) -> String {
    format!("{}/{prefix}", format(addr & netmask_of_prefix(prefix)))
}

/// Whether `addr` lies in the network `net/prefix`.
pub(crate) fn in_subnet(addr: u32, net: u32, prefix: u32) -> bool {
    let mask = netmask_of_prefix(prefix);
    addr & mask == net & mask
}

/// Whether two inclusive ranges overlap.
pub(crate) fn overlaps(a: (u32, u32), b: (u32, u32)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netmasks_and_cidrs() {
        assert_eq!(prefix_of_netmask("255.255.255.0"), Some(24));
        assert_eq!(prefix_of_netmask("255.0.255.0"), None);
        assert_eq!(prefix_of_netmask("0.0.0.0"), Some(0));
        assert_eq!(
            parse_cidr("10.1.1.7/24"),
            Some((parse("10.1.1.0").unwrap(), 24))
        );
        assert_eq!(parse_cidr("10.1.1.0/33"), None);
        assert_eq!(
            cidr_text(parse("172.16.15.9").unwrap(), 24),
            "172.16.15.0/24"
        );
        assert!(in_subnet(
            parse("10.0.0.9").unwrap(),
            parse("10.0.0.0").unwrap(),
            24
        ));
        assert!(!in_subnet(
            parse("10.0.1.9").unwrap(),
            parse("10.0.0.0").unwrap(),
            24
        ));
        assert!(overlaps((1, 5), (5, 9)) && !overlaps((1, 4), (5, 9)));
        assert_eq!(parse("1.2.3"), None);
    }
}
