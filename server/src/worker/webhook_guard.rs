//! Webhook URLs come from campaign files, but a webhook is a request the server makes on a
//! merchant's behalf: it must not reach the operator's own network (the cloud metadata endpoint,
//! an admin port on loopback, a database on a private address). The check runs where the
//! connection is made, on every address a name resolves to, so a name that resolves to a public
//! address today and a private one tomorrow is refused too.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Loopback, private, link-local, shared (CGNAT), multicast and unspecified addresses: nothing a
/// merchant's public endpoint can be.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || (a == 100 && (64..128).contains(&b))
                || a == 0
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_internal(IpAddr::V4(v4)),
            None => {
                v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || v6.is_unique_local()
                    || v6.is_unicast_link_local()
            }
        },
    }
}

/// Resolves names like the system does, keeping only addresses that are not internal.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found.into_iter().filter(|a| !is_internal(a.ip())).collect();
            if public.is_empty() {
                return Err(format!("{host} resolves only to internal addresses; webhooks go to public ones").into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

/// The webhook client. Redirects are not followed (a redirect could lead inside); with
/// `allow_internal` (development, tests) any address is allowed.
pub fn client(allow_internal: bool) -> reqwest::Client {
    let builder = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none());
    let builder = if allow_internal { builder } else { builder.dns_resolver(Arc::new(PublicOnly)) };
    // A default client instead would silently drop the address check: fail loudly at start.
    builder.build().expect("the webhook client builds (rustls, no system dependencies)")
}

/// An address literal in the URL is connected to without resolving, so it is checked here.
pub fn literal_is_internal(url: &str) -> bool {
    let Some(parsed) = reqwest::Url::parse(url).ok() else { return false };
    let host = parsed.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
    host.parse::<IpAddr>().is_ok_and(is_internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_recognised_and_public_ones_pass() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_internal(internal.parse().unwrap()), "{internal}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:2800:220:1:248:1893:25c8:1946"] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn address_literals_in_urls_are_checked() {
        assert!(literal_is_internal("http://127.0.0.1:9000/hooks"));
        assert!(literal_is_internal("http://[::1]/hooks"));
        assert!(literal_is_internal("http://169.254.169.254/latest/meta-data"));
        assert!(!literal_is_internal("https://hooks.shop.example/vouch"));
        assert!(!literal_is_internal("https://8.8.8.8/vouch"));
    }
}
