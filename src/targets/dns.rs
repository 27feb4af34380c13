//! `--dns NAME:PORT`: every address a headless Service's DNS name resolves to, for setups
//! without access to the Kubernetes API.
//!
//! The system resolver answers with every A and AAAA record (`tokio::net::lookup_host`); a
//! headless Service has one per ready pod (per family, on a dual-stack cluster). Invariants: each
//! address is one target, named by the address; on a dual-stack answer only one family is kept
//! (the same pods answer in both, and nothing in DNS says which record is which pod): IPv4 unless
//! `--ip-family ipv6`; a name that does not resolve is exit 5, a name with no address exit 3.

use std::net::IpAddr;

use super::kubernetes::endpoints::{Candidate, Found};
use crate::choices::IpFamily;
use crate::error::{Error, Service};

/// Resolves `host` and returns one candidate per address of the chosen family, sorted.
pub async fn resolve(host: &str, port: u16, family: IpFamily) -> Result<Found, Error> {
    let addrs = tokio::net::lookup_host((host, port)).await.map_err(|e| {
        Error::unavailable(
            Service::Dns,
            format!("cannot resolve {host} (--dns): {e}"),
            Some(
                "give a name this machine resolves: inside the cluster, the headless Service's NAME.NAMESPACE.svc.cluster.local"
                    .into(),
            ),
        )
    })?;
    let mut ips: Vec<IpAddr> = addrs.map(|a| a.ip()).collect();
    ips.sort();
    ips.dedup();
    Ok(pick(host, port, ips, family))
}

fn pick(host: &str, port: u16, ips: Vec<IpAddr>, family: IpFamily) -> Found {
    let want_v6 = match family {
        IpFamily::Ipv4 => false,
        IpFamily::Ipv6 => true,
        IpFamily::Auto => !ips.iter().any(IpAddr::is_ipv4),
    };
    let (kept, other): (Vec<IpAddr>, Vec<IpAddr>) =
        ips.into_iter().partition(|ip| ip.is_ipv6() == want_v6);
    let mut found = Found::default();
    if !other.is_empty() {
        found.warnings.push(format!(
            "{host} also has {} {} address{} (the same pods, on a dual-stack cluster); they were left out (--ip-family chooses)",
            other.len(),
            if want_v6 { "IPv4" } else { "IPv6" },
            if other.len() == 1 { "" } else { "es" },
        ));
    }
    found.pods = kept
        .into_iter()
        .map(|address| Candidate {
            name: address.to_string(),
            uid: None,
            is_pod: false,
            address,
            port,
            node: None,
            zone: None,
            // A headless Service publishes ready pods only (unless publishNotReadyAddresses).
            ready: true,
            serving: true,
            terminating: false,
        })
        .collect();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_family_of_a_dual_stack_answer() {
        let ips: Vec<IpAddr> = ["10.0.0.2", "10.0.0.1", "fd00::1"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let f = pick("web", 3000, ips.clone(), IpFamily::Auto);
        let names: Vec<&str> = f.pods.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["10.0.0.2", "10.0.0.1"]);
        assert!(
            f.warnings[0].contains("1 IPv6 address (the same pods"),
            "{:?}",
            f.warnings
        );
        let f = pick("web", 3000, ips, IpFamily::Ipv6);
        assert_eq!(f.pods[0].name, "fd00::1");
        let v6only = vec!["fd00::9".parse().unwrap()];
        assert_eq!(pick("web", 1, v6only, IpFamily::Auto).pods.len(), 1);
    }

    #[tokio::test]
    async fn localhost_resolves_and_a_bad_name_is_exit_5() {
        let f = resolve("localhost", 3000, IpFamily::Ipv4).await.unwrap();
        assert!(f.pods.iter().any(|p| p.name == "127.0.0.1"), "{f:?}");
        assert!(f.pods.iter().all(|p| p.port == 3000));
        let e = resolve("no-such-host.invalid", 3000, IpFamily::Auto)
            .await
            .unwrap_err();
        assert_eq!(e.exit_code(), crate::exit::Code::ServiceUnavailable);
    }
}
