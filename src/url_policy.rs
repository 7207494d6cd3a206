//! Which webhook URLs hookgate lets through to an upstream.
//!
//! A webhook URL is where a vendor will later send requests, so a URL naming a loopback,
//! private or cloud-metadata address turns the vendor (or a self-hosted delivery service) into
//! a way into a network it should not reach. [`UrlPolicy`] is compiled once from
//! `[url_policy]` and checked on every create and update before any upstream call.
//!
//! The URL is parsed as a browser would (WHATWG, by the `url` crate), which already turns every
//! IPv4 spelling into one address: decimal (`2130706433`), octal (`0177.0.0.1`), hex
//! (`0x7f.1`), short forms (`127.1`), trailing dots, percent-encoded and full-width digits.
//! IPv6 addresses that carry an IPv4 address (mapped, compatible, SIIT, NAT64, 6to4) are judged
//! by the address they carry. Names are judged as written: no DNS lookup is made, so a public
//! name that resolves to a private address is not caught here.

use crate::problem::FieldError;
use serde_json::{Map, Value};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use url::{Host, Url};

/// Why a class of address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    /// Loopback: `127.0.0.0/8`, `::1`.
    Loopback,
    /// RFC 1918, unique local (fc00::/7), deprecated site-local (fec0::/10), local NAT64.
    Private,
    /// Carrier-grade NAT (100.64.0.0/10).
    Shared,
    /// Link-local: `169.254.0.0/16`, `fe80::/10`.
    LinkLocal,
    /// "This network" and the unspecified address: `0.0.0.0/8`, `::`.
    Unspecified,
    /// The limited broadcast address `255.255.255.255`.
    Broadcast,
    /// Multicast: `224.0.0.0/4`, `ff00::/8`.
    Multicast,
    /// Documentation ranges: `192.0.2.0/24`, `198.51.100.0/24`, `203.0.113.0/24`, `2001:db8::/32`,
    /// `3fff::/20`.
    Documentation,
    /// Benchmarking, IETF protocol assignments, future use, deprecated or tunnelled forms.
    Reserved,
}

impl AddressClass {
    /// Whether `allow_private = true` lifts the refusal: addresses a webhook receiver on the
    /// operator's own network may have. The others are never a receiver anyone can run.
    fn is_private(self) -> bool {
        matches!(
            self,
            AddressClass::Loopback
                | AddressClass::Private
                | AddressClass::Shared
                | AddressClass::LinkLocal
        )
    }
}

impl fmt::Display for AddressClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AddressClass::Loopback => "a loopback",
            AddressClass::Private => "a private",
            AddressClass::Shared => "a shared (carrier-grade NAT)",
            AddressClass::LinkLocal => "a link-local",
            AddressClass::Unspecified => "an unspecified",
            AddressClass::Broadcast => "the broadcast",
            AddressClass::Multicast => "a multicast",
            AddressClass::Documentation => "a documentation",
            AddressClass::Reserved => "a reserved",
        })
    }
}

/// Why a host name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameClass {
    /// `localhost` and `*.localhost` (RFC 6761).
    Localhost,
    /// A special-use or private-use suffix such as `.internal`, `.local`, `.home.arpa`.
    Internal,
    /// A single label (`intranet`), completed by a resolver's search domains.
    Unqualified,
}

impl fmt::Display for NameClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameClass::Localhost => "localhost",
            NameClass::Internal => "an internal host name",
            NameClass::Unqualified => "an unqualified host name",
        })
    }
}

/// Why a webhook URL is refused; the text is the field error's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The text does not parse as a URL.
    #[error("must be a valid URL")]
    Invalid,
    /// The text holds whitespace, control characters or backslashes, which parsers read
    /// differently.
    #[error("must not contain whitespace, control characters or backslashes")]
    Ambiguous,
    /// The scheme is neither `http` nor `https`.
    #[error("must be an http or https URL")]
    Scheme,
    /// An `http://` URL while `https_only` is on.
    #[error("must use https")]
    NotHttps,
    /// The URL carries `user@` or `user:password@` while `allow_userinfo` is off.
    #[error("must not contain credentials (user@ or user:password@)")]
    Userinfo,
    /// The host is in `deny_hosts` (named as written in the URL).
    #[error("must not point to a denied host ({0})")]
    Denied(String),
    /// The host is a cloud metadata service (named as written in the URL).
    #[error("must not point to a cloud metadata service ({0})")]
    Metadata(String),
    /// The host is an address of a refused class.
    #[error("must not point to {class} address ({addr})")]
    Address {
        /// Why the address's class is refused.
        class: AddressClass,
        /// The address, as the URL's host gives it.
        addr: IpAddr,
    },
    /// The host is a name of a refused class.
    #[error("must not point to {class} ({name})")]
    Name {
        /// Why the name's class is refused.
        class: NameClass,
        /// The host name, as the URL gives it.
        name: String,
    },
}

impl Refusal {
    /// The refusal as an error on the canonical `url` field.
    pub fn field_error(&self) -> FieldError {
        FieldError::new("url", self.to_string())
    }
}

/// Instance metadata services, refused whatever else is allowed: AWS, GCP, Azure, Oracle and
/// DigitalOcean (169.254.169.254), AWS ECS and EKS task credentials, Alibaba, Oracle's legacy
/// address, and AWS's IPv6 endpoints.
const METADATA_V4: [Ipv4Addr; 5] = [
    Ipv4Addr::new(169, 254, 169, 254),
    Ipv4Addr::new(169, 254, 170, 2),
    Ipv4Addr::new(169, 254, 170, 23),
    Ipv4Addr::new(100, 100, 100, 200),
    Ipv4Addr::new(192, 0, 0, 192),
];
const METADATA_V6: [Ipv6Addr; 2] = [
    Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254),
    Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23),
];
const METADATA_NAMES: [&str; 6] = [
    "metadata",
    "metadata.google.internal",
    "metadata.goog",
    "metadata.azure.internal",
    "instance-data",
    "instance-data.ec2.internal",
];

/// Suffixes that name hosts on a private network, never on the public internet: RFC 6762
/// (`local`), RFC 8375 (`home.arpa`), ICANN's private-use `internal`, and the names routers
/// and directories conventionally use, which ICANN will not delegate (`home`, `corp`, `lan`).
const INTERNAL_SUFFIXES: [&str; 9] = [
    "local",
    "internal",
    "home.arpa",
    "localdomain",
    "lan",
    "home",
    "corp",
    "intranet",
    "private",
];

/// An address block: an address and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// One entry of `allow_hosts` or `deny_hosts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostRule {
    /// Exactly this name.
    Name(String),
    /// `*.example.com`: any name under `example.com`, not `example.com` itself.
    Under(String),
    /// An address or a CIDR block.
    Net(Net),
}

impl HostRule {
    /// Parses one entry, normalising names as URLs are normalised.
    pub fn parse(text: &str) -> Result<HostRule, String> {
        let text = text.trim();
        let bad = |why: &str| format!("`{text}`: {why}");
        if let Some((addr, prefix)) = text.split_once('/') {
            let addr: IpAddr = addr
                .trim_matches(['[', ']'])
                .parse()
                .map_err(|_| bad("expected an address before `/`"))?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let prefix = prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| bad(&format!("the prefix length must be 0 to {max}")))?;
            return Ok(HostRule::Net(Net { addr, prefix }));
        }
        if let Ok(addr) = text.trim_matches(['[', ']']).parse::<IpAddr>() {
            return Ok(HostRule::Net(Net::single(addr)));
        }
        let (under, name) = match text.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        match Host::parse(name) {
            Ok(Host::Domain(d)) => {
                let d = d.trim_end_matches('.').to_owned();
                if d.is_empty() || d.contains('*') {
                    return Err(bad(
                        "expected a host name, `*.` and a host name, an address or a CIDR block",
                    ));
                }
                Ok(if under {
                    HostRule::Under(d)
                } else {
                    HostRule::Name(d)
                })
            }
            Ok(Host::Ipv4(a)) if !under => Ok(HostRule::Net(Net::single(IpAddr::V4(a)))),
            Ok(Host::Ipv6(a)) if !under => Ok(HostRule::Net(Net::single(IpAddr::V6(a)))),
            _ => Err(bad(
                "expected a host name, `*.` and a host name, an address or a CIDR block",
            )),
        }
    }

    fn matches(&self, host: &Target) -> bool {
        match (self, host) {
            (HostRule::Name(n), Target::Name(h)) => n == h,
            (HostRule::Under(n), Target::Name(h)) => h
                .strip_suffix(n.as_str())
                .is_some_and(|head| head.ends_with('.')),
            (HostRule::Net(net), Target::Ip { literal, carried }) => {
                net.contains(*literal) || carried.is_some_and(|c| net.contains(c))
            }
            _ => false,
        }
    }
}

impl Net {
    fn single(addr: IpAddr) -> Net {
        let prefix = if addr.is_ipv4() { 32 } else { 128 };
        Net { addr, prefix }
    }
}

/// A URL's host, as judged.
enum Target {
    /// A domain name, lower-case, without trailing dots.
    Name(String),
    /// An address, and the IPv4 address an IPv6 one carries, if any.
    Ip {
        literal: IpAddr,
        carried: Option<IpAddr>,
    },
}

/// `[url_policy]`, compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlPolicy {
    /// Refuse `http://`.
    pub https_only: bool,
    /// Let loopback, private, shared and link-local addresses and internal names through.
    pub allow_private: bool,
    /// Let `user:password@` through.
    pub allow_userinfo: bool,
    /// Hosts exempt from the address and name rules (never from metadata, scheme or userinfo).
    pub allow_hosts: Vec<HostRule>,
    /// Hosts refused whatever else says.
    pub deny_hosts: Vec<HostRule>,
    /// Also enforce in emulators' own APIs, not only towards upstreams.
    pub apply_to_emulators: bool,
}

impl Default for UrlPolicy {
    fn default() -> Self {
        UrlPolicy {
            https_only: true,
            allow_private: false,
            allow_userinfo: false,
            allow_hosts: Vec::new(),
            deny_hosts: Vec::new(),
            apply_to_emulators: false,
        }
    }
}

impl UrlPolicy {
    /// A policy that lets every well-formed URL through.
    pub fn permissive() -> UrlPolicy {
        UrlPolicy {
            https_only: false,
            allow_private: true,
            allow_userinfo: true,
            ..UrlPolicy::default()
        }
    }

    /// Checks the `url` member of a canonical create body or merge patch, if it has one.
    /// Other members, and a `url` that is not a string, are left to the body's own checks.
    pub fn check_webhook(&self, body: &Map<String, Value>) -> Result<(), Refusal> {
        match body.get("url").and_then(Value::as_str) {
            // A blank URL names no host to guard against: it is no value, which the upstream's
            // `required` check refuses as it refuses `null`.
            Some(url) if url.trim().is_empty() => Ok(()),
            Some(url) => self.check(url).map(|_| ()),
            None => Ok(()),
        }
    }

    /// Checks the URLs a webhook holds beside its `url`, each named by its place (`urls[1]`,
    /// another item of a list of which `url` is one): its vendor delivers to every one.
    pub fn check_beside(&self, beside: &[(String, &Value)]) -> Result<(), FieldError> {
        for (place, value) in beside {
            if let Some(url) = value.as_str().filter(|u| !u.trim().is_empty()) {
                self.check(url)
                    .map_err(|r| FieldError::new("url", format!("`{place}` {r}")))?;
            }
        }
        Ok(())
    }

    /// Checks one URL; returns it parsed when it may be used.
    pub fn check(&self, raw: &str) -> Result<Url, Refusal> {
        // The WHATWG parser drops tabs and newlines, trims spaces and controls and reads `\`
        // as `/`; a vendor's parser may not. Refuse what two parsers could read differently.
        if raw
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
        {
            return Err(Refusal::Ambiguous);
        }
        let url = Url::parse(raw).map_err(|_| Refusal::Invalid)?;
        match url.scheme() {
            "https" => {}
            "http" if !self.https_only => {}
            "http" => return Err(Refusal::NotHttps),
            _ => return Err(Refusal::Scheme),
        }
        if !self.allow_userinfo && (has_userinfo(raw) || url_has_userinfo(&url)) {
            return Err(Refusal::Userinfo);
        }
        let target = match url.host() {
            Some(Host::Domain(d)) => Target::Name(d.trim_end_matches('.').to_owned()),
            Some(Host::Ipv4(a)) => Target::Ip {
                literal: IpAddr::V4(a),
                carried: None,
            },
            Some(Host::Ipv6(a)) => Target::Ip {
                literal: IpAddr::V6(a),
                carried: carried_v4(a).map(IpAddr::V4),
            },
            None => return Err(Refusal::Invalid),
        };
        let shown = || url.host_str().unwrap_or_default().to_owned();
        if self.deny_hosts.iter().any(|r| r.matches(&target)) {
            return Err(Refusal::Denied(shown()));
        }
        match &target {
            Target::Name(name) => {
                if name.is_empty() {
                    return Err(Refusal::Invalid);
                }
                if METADATA_NAMES.contains(&name.as_str()) {
                    return Err(Refusal::Metadata(name.clone()));
                }
                if self.allow_hosts.iter().any(|r| r.matches(&target)) || self.allow_private {
                    return Ok(url);
                }
                if let Some(class) = classify_name(name) {
                    return Err(Refusal::Name {
                        class,
                        name: name.clone(),
                    });
                }
            }
            Target::Ip { literal, carried } => {
                let judged = carried.unwrap_or(*literal);
                if is_metadata(judged) || is_metadata(*literal) {
                    return Err(Refusal::Metadata(judged.to_string()));
                }
                if self.allow_hosts.iter().any(|r| r.matches(&target)) {
                    return Ok(url);
                }
                if let Some(class) = classify(*literal)
                    && !(self.allow_private && class.is_private())
                {
                    return Err(Refusal::Address {
                        class,
                        addr: judged,
                    });
                }
            }
        }
        Ok(url)
    }
}

/// Whether the authority as written holds an `@`: the parser may drop an empty userinfo
/// (`https://@host`) that another parser would not.
fn has_userinfo(raw: &str) -> bool {
    let Some((_, rest)) = raw.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.contains('@')
}

fn url_has_userinfo(url: &Url) -> bool {
    !url.username().is_empty() || url.password().is_some()
}

fn is_metadata(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => METADATA_V4.contains(&a),
        IpAddr::V6(a) => METADATA_V6.contains(&a),
    }
}

/// Why a host name is refused, if it is.
pub fn classify_name(name: &str) -> Option<NameClass> {
    let under = |suffix: &str| {
        name == suffix
            || name
                .strip_suffix(suffix)
                .is_some_and(|head| head.ends_with('.'))
    };
    if under("localhost") {
        return Some(NameClass::Localhost);
    }
    if INTERNAL_SUFFIXES.iter().any(|s| under(s)) {
        return Some(NameClass::Internal);
    }
    if !name.contains('.') {
        return Some(NameClass::Unqualified);
    }
    None
}

/// The IPv4 address an IPv6 address carries: IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible
/// (`::a.b.c.d`, deprecated), SIIT (`::ffff:0:a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) and 6to4
/// (`2002:AABB:CCDD::`).
pub fn carried_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        [0, 0, 0, 0, 0, 0xffff, _, _] => Some(low),
        [0, 0, 0, 0, 0xffff, 0, _, _] => Some(low),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(low),
        // `::` and `::1` are themselves, not IPv4-compatible forms of 0.0.0.0 and 0.0.0.1.
        [0, 0, 0, 0, 0, 0, hi, lo] if hi != 0 || lo > 1 => Some(low),
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::new(
            (hi >> 8) as u8,
            hi as u8,
            (lo >> 8) as u8,
            lo as u8,
        )),
        _ => None,
    }
}

/// Why an address is refused, if it is (`None` for a public unicast address). An IPv6
/// address carrying an IPv4 address is judged by the IPv4 address.
pub fn classify(ip: IpAddr) -> Option<AddressClass> {
    match ip {
        IpAddr::V4(a) => classify_v4(a),
        IpAddr::V6(a) => classify_v6(a),
    }
}

fn v4_in(ip: Ipv4Addr, net: [u8; 4], prefix: u8) -> bool {
    Net {
        addr: IpAddr::V4(Ipv4Addr::from(net)),
        prefix,
    }
    .contains(IpAddr::V4(ip))
}

fn classify_v4(ip: Ipv4Addr) -> Option<AddressClass> {
    use AddressClass::*;
    let table: [([u8; 4], u8, AddressClass); 16] = [
        ([255, 255, 255, 255], 32, Broadcast),
        ([0, 0, 0, 0], 8, Unspecified),
        ([127, 0, 0, 0], 8, Loopback),
        ([10, 0, 0, 0], 8, Private),
        ([172, 16, 0, 0], 12, Private),
        ([192, 168, 0, 0], 16, Private),
        ([100, 64, 0, 0], 10, Shared),
        ([169, 254, 0, 0], 16, LinkLocal),
        ([192, 0, 2, 0], 24, Documentation),
        ([198, 51, 100, 0], 24, Documentation),
        ([203, 0, 113, 0], 24, Documentation),
        ([224, 0, 0, 0], 4, Multicast),
        ([240, 0, 0, 0], 4, Reserved),
        ([192, 0, 0, 0], 24, Reserved),
        ([198, 18, 0, 0], 15, Reserved),
        // The deprecated 6to4 relay anycast block.
        ([192, 88, 99, 0], 24, Reserved),
    ];
    table
        .iter()
        .find(|(net, prefix, _)| v4_in(ip, *net, *prefix))
        .map(|(_, _, class)| *class)
}

fn v6_in(ip: Ipv6Addr, net: Ipv6Addr, prefix: u8) -> bool {
    Net {
        addr: IpAddr::V6(net),
        prefix,
    }
    .contains(IpAddr::V6(ip))
}

fn classify_v6(ip: Ipv6Addr) -> Option<AddressClass> {
    use AddressClass::*;
    if ip.is_unspecified() {
        return Some(Unspecified);
    }
    if ip.is_loopback() {
        return Some(Loopback);
    }
    if let Some(v4) = carried_v4(ip) {
        let compatible = ip.segments()[..6] == [0; 6];
        // An IPv4-compatible address is deprecated and routes nowhere, whatever it carries.
        return classify_v4(v4).or(compatible.then_some(Reserved));
    }
    let v6 = |a, b, c| Ipv6Addr::new(a, b, c, 0, 0, 0, 0, 0);
    let table: [(Ipv6Addr, u8, AddressClass); 9] = [
        (v6(0xff00, 0, 0), 8, Multicast),
        (v6(0xfc00, 0, 0), 7, Private),
        (v6(0xfe80, 0, 0), 10, LinkLocal),
        (v6(0xfec0, 0, 0), 10, Private),
        (v6(0x64, 0xff9b, 1), 48, Private),
        (v6(0x2001, 0xdb8, 0), 32, Documentation),
        (v6(0x3fff, 0, 0), 20, Documentation),
        // IETF protocol assignments: Teredo, benchmarking, ORCHID and the like.
        (v6(0x2001, 0, 0), 23, Reserved),
        (v6(0x5f00, 0, 0), 16, Reserved),
    ];
    if let Some((_, _, class)) = table.iter().find(|(net, p, _)| v6_in(ip, *net, *p)) {
        return Some(*class);
    }
    // Only 2000::/3 is allocated for global unicast.
    (!v6_in(ip, v6(0x2000, 0, 0), 3)).then_some(Reserved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> Refusal {
        UrlPolicy::default()
            .check(url)
            .expect_err(&format!("{url} should be refused"))
    }

    #[test]
    fn whatwg_parsing_folds_every_ipv4_spelling_into_one_address() {
        let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
        for url in [
            "https://127.0.0.1/",
            "https://2130706433/",
            "https://0x7f000001/",
            "https://0x7f.1/",
            "https://0177.0.0.1/",
            "https://017700000001/",
            "https://127.1/",
            "https://127.0.1/",
            "https://127.000.000.001/",
            "https://127.0.0.1./",
            "https://%31%32%37.0.0.1/",
            "https://\u{ff11}\u{ff12}\u{ff17}.0.0.1/",
            "https://[::ffff:127.0.0.1]/",
            "https://[::ffff:7f00:1]/",
            "https://[0:0:0:0:0:ffff:127.0.0.1]/",
            "https://[::127.0.0.1]/",
            "https://[::ffff:0:7f00:1]/",
            "https://[64:ff9b::127.0.0.1]/",
            "https://[2002:7f00:1::]/",
            "https:///127.0.0.1/",
        ] {
            assert_eq!(
                refused(url),
                Refusal::Address {
                    class: AddressClass::Loopback,
                    addr: loopback
                },
                "{url}"
            );
        }
    }

    #[test]
    fn classifies_the_special_ranges() {
        use AddressClass::*;
        let cases: [(&str, Option<AddressClass>); 28] = [
            ("10.1.2.3", Some(Private)),
            ("172.16.0.1", Some(Private)),
            ("172.31.255.255", Some(Private)),
            ("172.32.0.1", None),
            ("192.168.0.1", Some(Private)),
            ("100.64.0.1", Some(Shared)),
            ("100.127.255.255", Some(Shared)),
            ("100.128.0.1", None),
            ("169.254.1.1", Some(LinkLocal)),
            ("0.0.0.0", Some(Unspecified)),
            ("255.255.255.255", Some(Broadcast)),
            ("224.0.0.1", Some(Multicast)),
            ("240.0.0.1", Some(Reserved)),
            ("198.19.0.1", Some(Reserved)),
            ("192.0.2.7", Some(Documentation)),
            ("8.8.8.8", None),
            ("::", Some(Unspecified)),
            ("::1", Some(Loopback)),
            ("fd12::1", Some(Private)),
            ("fe80::1", Some(LinkLocal)),
            ("ff02::1", Some(Multicast)),
            ("2001:db8::1", Some(Documentation)),
            ("2001::1", Some(Reserved)),
            ("64:ff9b::10.0.0.1", Some(Private)),
            ("64:ff9b::8.8.8.8", None),
            ("::8.8.8.8", Some(Reserved)),
            ("2606:4700:4700::1111", None),
            ("4000::1", Some(Reserved)),
        ];
        for (addr, want) in cases {
            assert_eq!(classify(addr.parse().unwrap()), want, "{addr}");
        }
    }

    #[test]
    fn metadata_is_refused_even_when_private_addresses_are_allowed() {
        let policy = UrlPolicy {
            allow_private: true,
            allow_hosts: vec![HostRule::parse("169.254.0.0/16").unwrap()],
            ..UrlPolicy::default()
        };
        for url in [
            "https://169.254.169.254/latest/meta-data/",
            "https://0xa9fea9fe/",
            "https://[::ffff:169.254.169.254]/",
            "https://[fd00:ec2::254]/",
            "https://metadata.google.internal./computeMetadata/v1/",
            "https://METADATA/",
            "https://100.100.100.200/",
        ] {
            assert!(
                matches!(policy.check(url), Err(Refusal::Metadata(_))),
                "{url}: {:?}",
                policy.check(url)
            );
        }
        assert!(policy.check("https://169.254.1.1/").is_ok());
        assert!(policy.check("https://10.0.0.1/").is_ok());
        assert!(policy.check("https://db.internal/").is_ok());
    }

    #[test]
    fn names_are_judged_after_normalisation() {
        for (url, class) in [
            ("https://localhost/", NameClass::Localhost),
            ("https://LocalHost./", NameClass::Localhost),
            ("https://api.localhost/", NameClass::Localhost),
            ("https://%6c%6f%63%61%6c%68%6f%73%74/", NameClass::Localhost),
            ("https://db.internal/", NameClass::Internal),
            ("https://printer.local/", NameClass::Internal),
            ("https://router.home.arpa/", NameClass::Internal),
            ("https://wiki/", NameClass::Unqualified),
        ] {
            assert!(
                matches!(refused(url), Refusal::Name { class: c, .. } if c == class),
                "{url}: {:?}",
                refused(url)
            );
        }
        for url in [
            "https://localhost.example.com/",
            "https://example.com./",
            "https://b\u{fc}cher.example/",
            "https://internal.example.com/",
        ] {
            assert!(UrlPolicy::default().check(url).is_ok(), "{url}");
        }
    }

    #[test]
    fn scheme_userinfo_and_ambiguous_spellings() {
        assert_eq!(refused("http://example.com/"), Refusal::NotHttps);
        assert_eq!(refused("ftp://example.com/"), Refusal::Scheme);
        assert_eq!(refused("javascript:alert(1)"), Refusal::Scheme);
        assert_eq!(refused("example.com/hook"), Refusal::Invalid);
        assert_eq!(refused("https://good.com@127.0.0.1/"), Refusal::Userinfo);
        assert_eq!(refused("https://@example.com/"), Refusal::Userinfo);
        assert_eq!(refused("https://127.0.0.1\\@good.com/"), Refusal::Ambiguous);
        assert_eq!(refused("https://exa\tmple.com/"), Refusal::Ambiguous);
        assert_eq!(refused(" https://example.com/"), Refusal::Ambiguous);
        assert!(
            UrlPolicy::default()
                .check("https://example.com/a/@127.0.0.1?next=http://127.0.0.1/#@10.0.0.1")
                .is_ok()
        );
        let permissive = UrlPolicy::permissive();
        assert!(permissive.check("http://user:pw@127.0.0.1:8080/").is_ok());
        assert!(permissive.check("https://169.254.169.254/").is_err());
    }

    #[test]
    fn host_rules_allow_and_deny() {
        let policy = UrlPolicy {
            allow_hosts: [
                "10.20.0.0/16",
                "*.corp.example",
                "hooks.internal",
                "[fd00::5]",
            ]
            .into_iter()
            .map(|r| HostRule::parse(r).unwrap())
            .collect(),
            deny_hosts: ["*.evil.example", "EVIL.example.", "8.8.8.0/24"]
                .into_iter()
                .map(|r| HostRule::parse(r).unwrap())
                .collect(),
            ..UrlPolicy::default()
        };
        for ok in [
            "https://10.20.3.4/",
            "https://[::ffff:10.20.3.4]/",
            "https://a.b.corp.example/",
            "https://hooks.internal/",
            "https://[fd00::5]/",
        ] {
            assert!(policy.check(ok).is_ok(), "{ok}: {:?}", policy.check(ok));
        }
        for no in [
            "https://10.21.0.1/",
            "https://corp.example.internal/",
            "https://other.internal/",
        ] {
            assert!(policy.check(no).is_err(), "{no}");
        }
        for denied in [
            "https://a.evil.example/",
            "https://evil.example/",
            "https://8.8.8.8/",
        ] {
            assert!(
                matches!(policy.check(denied), Err(Refusal::Denied(_))),
                "{denied}"
            );
        }
        assert!(policy.check("https://notevil.example/").is_ok());
        for bad in ["10.0.0.0/33", "*.1.2.3.4", "a b", "*.", "x/y", ""] {
            assert!(HostRule::parse(bad).is_err(), "{bad}");
        }
    }
}
