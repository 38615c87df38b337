//! Remote access and site-to-site VPN.
