//! Who a security-group rule is about, and which ports.

use cirrus_core::Expr;

/// The other side of a security-group rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Peer {
    /// An IPv4 CIDR block.
    Ipv4(String),
    /// Any IPv4 address (`0.0.0.0/0`).
    AnyIpv4,
    /// An IPv6 CIDR block.
    Ipv6(String),
    /// Any IPv6 address (`::/0`).
    AnyIpv6,
    /// A managed prefix list (such as CloudFront's origin-facing list), by id.
    PrefixList(Expr<String>),
    /// Another security group, by id.
    SecurityGroup(Expr<String>),
}

impl Peer {
    /// True for the whole internet.
    pub(crate) fn is_anywhere(&self) -> bool {
        match self {
            Peer::AnyIpv4 | Peer::AnyIpv6 => true,
            Peer::Ipv4(c) => c == "0.0.0.0/0",
            Peer::Ipv6(c) => c == "::/0",
            _ => false,
        }
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            Peer::Ipv4(c) | Peer::Ipv6(c) => c.clone(),
            Peer::AnyIpv4 => "0.0.0.0/0".into(),
            Peer::AnyIpv6 => "::/0".into(),
            Peer::PrefixList(_) => "a prefix list".into(),
            Peer::SecurityGroup(_) => "a security group".into(),
        }
    }

    pub(crate) fn problems(&self) -> Vec<String> {
        let cidr = match self {
            Peer::Ipv4(c) | Peer::Ipv6(c) => c,
            _ => return Vec::new(),
        };
        let valid = cidr.split_once('/').is_some_and(|(addr, bits)| {
            match (addr.parse::<std::net::IpAddr>(), bits.parse::<u8>()) {
                (Ok(std::net::IpAddr::V4(_)), Ok(b)) => matches!(self, Peer::Ipv4(_)) && b <= 32,
                (Ok(std::net::IpAddr::V6(_)), Ok(b)) => matches!(self, Peer::Ipv6(_)) && b <= 128,
                _ => false,
            }
        });
        if valid {
            Vec::new()
        } else {
            vec![format!(
                "\"{cidr}\" is not an {} CIDR block",
                if matches!(self, Peer::Ipv4(_)) {
                    "IPv4"
                } else {
                    "IPv6"
                }
            )]
        }
    }
}

/// A protocol and port range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Port {
    /// One TCP port.
    Tcp(u16),
    /// A TCP port range, inclusive.
    TcpRange(u16, u16),
    /// One UDP port.
    Udp(u16),
    /// Every TCP port.
    AllTcp,
    /// Every UDP port.
    AllUdp,
    /// ICMP echo request (ping).
    IcmpPing,
    /// Every ICMP type and code.
    AllIcmp,
    /// Every protocol and port.
    AllTraffic,
}

impl Port {
    /// `(IpProtocol, FromPort, ToPort)`; no ports for all traffic, which cfn-lint flags
    /// (W3687).
    pub(crate) fn cfn(self) -> (&'static str, Option<i64>, Option<i64>) {
        match self {
            Port::Tcp(p) => ("tcp", Some(p.into()), Some(p.into())),
            Port::TcpRange(a, b) => ("tcp", Some(a.into()), Some(b.into())),
            Port::Udp(p) => ("udp", Some(p.into()), Some(p.into())),
            Port::AllTcp => ("tcp", Some(0), Some(65535)),
            Port::AllUdp => ("udp", Some(0), Some(65535)),
            Port::IcmpPing => ("icmp", Some(8), Some(-1)),
            Port::AllIcmp => ("icmp", Some(-1), Some(-1)),
            Port::AllTraffic => ("-1", None, None),
        }
    }

    /// True when the range covers `port` of TCP (or every protocol).
    pub(crate) fn covers_tcp(self, port: u16) -> bool {
        match self {
            Port::Tcp(p) => p == port,
            Port::TcpRange(a, b) => (a..=b).contains(&port),
            Port::AllTcp | Port::AllTraffic => true,
            Port::Udp(_) | Port::AllUdp | Port::IcmpPing | Port::AllIcmp => false,
        }
    }
}
