//! The client address rate limits and fraud rules are keyed by.
//!
//! Behind proxies, each proxy appends the address it saw to `X-Forwarded-For`, so only the
//! right-most `trusted_proxy_hops` entries were written by someone we trust; anything left of them
//! is whatever the client chose to send.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;

use super::AppState;

pub(super) struct ClientIp(pub(super) IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ci| ci.0.ip());
        let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(ClientIp(client_key(resolve(&parts.headers, peer, state.trusted_proxy_hops))))
    }
}

/// The client key (see [`client_key`]) of a request from `peer`, for callers outside `http`.
pub(crate) fn client_address(headers: &HeaderMap, peer: IpAddr, hops: usize) -> IpAddr {
    client_key(resolve(headers, peer, hops))
}

/// The client's address: the `X-Forwarded-For` entry `hops` from the right (the one our outermost
/// proxy wrote), or the peer when no proxy is trusted or the header cannot be read.
fn resolve(headers: &HeaderMap, peer: IpAddr, hops: usize) -> IpAddr {
    if hops == 0 {
        return peer;
    }
    // Several header lines are one list, in order.
    let mut entries = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let Ok(text) = value.to_str() else { return peer };
        entries.extend(text.split(',').map(str::trim).filter(|e| !e.is_empty()));
    }
    // Fewer entries than proxies: every entry there is was written by one of ours.
    let Some(entry) = entries.len().checked_sub(hops).map_or(entries.first(), |i| entries.get(i)) else {
        return peer;
    };
    entry.parse().unwrap_or(peer)
}

/// One key per client: an IPv4 address, or an IPv6 /64 (one subscriber's whole network, which
/// hands out fresh addresses at will).
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(v6.to_bits() & !((1u128 << 64) - 1))),
        },
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", v.parse().unwrap());
        }
        headers
    }

    const PEER: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5));

    #[test]
    fn a_forged_left_entry_is_ignored_behind_one_proxy() {
        let headers = forwarded(&["6.6.6.6, 203.0.113.7"]);
        assert_eq!(resolve(&headers, PEER, 1), "203.0.113.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn behind_two_proxies_the_second_entry_from_the_right_is_the_client() {
        let headers = forwarded(&["6.6.6.6", "203.0.113.7, 198.51.100.2"]);
        assert_eq!(resolve(&headers, PEER, 2), "203.0.113.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn without_trusted_proxies_or_a_usable_header_the_peer_is_the_client() {
        assert_eq!(resolve(&forwarded(&["6.6.6.6"]), PEER, 0), PEER);
        assert_eq!(resolve(&HeaderMap::new(), PEER, 1), PEER);
        assert_eq!(resolve(&forwarded(&["not-an-ip"]), PEER, 1), PEER);
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64_and_mapped_ipv4_as_ipv4() {
        let a = client_key("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = client_key("2001:db8:1:2:bbbb::9".parse().unwrap());
        let other = client_key("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, other);
        assert_eq!(client_key("::ffff:203.0.113.7".parse().unwrap()), "203.0.113.7".parse::<IpAddr>().unwrap());
    }
}
