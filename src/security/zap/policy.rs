//! The authenticator's policies and the order they are applied in (see
//! [the module](super#the-policy)).

use std::collections::HashSet;
use std::net::IpAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use crate::error::{Error, Result};
use crate::security::{Certificate, CurveKey};

use super::decision::{Verdict, STATUS_DENIED, STATUS_INTERNAL, STATUS_OK, STATUS_TEMPORARY};
use super::passwords::{Lookup, Passwords};
use super::request::{encode_metadata, Credentials, Mechanism, ZapRequest};
use super::watch::{Fingerprint, Reloaded, Reloading, Source, MAX_DIR_ENTRIES};

/// A check closure, boxed.
pub(crate) type Check = Box<dyn Fn(&ZapRequest) -> Verdict + Send + 'static>;

/// An IP address or a network (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IpRule {
    addr: IpAddr,
    prefix: u8,
}

impl IpRule {
    pub(crate) fn parse(text: &str) -> Result<IpRule> {
        let refuse = |why: &str| {
            Error::SecuritySetup(format!(
                "{text:?} is not an IP address or network ({why}); write 192.168.1.7, ::1, \
                 10.0.0.0/8 or fd00::/8"
            ))
        };
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| refuse("bad address"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => match p.parse::<u8>() {
                Ok(n) if n <= max && n.to_string() == p => n,
                _ => return Err(refuse(&format!("the prefix must be 0 to {max}"))),
            },
        };
        // Peers are matched by their IPv4 address when libzmq gives an IPv4-mapped one
        // (`::ffff:10.1.2.3`, from a dual-stack socket): a rule written that way (as the
        // decisions print such a peer) is its IPv4 rule, or it would never match.
        if let IpAddr::V6(v6) = addr {
            if let (Some(v4), Some(prefix)) = (v6.to_ipv4_mapped(), prefix.checked_sub(96)) {
                return Ok(IpRule {
                    addr: IpAddr::V4(v4),
                    prefix,
                });
            }
        }
        Ok(IpRule { addr, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => prefix_eq(
                u128::from(u32::from(net)) << 96,
                u128::from(u32::from(ip)) << 96,
                self.prefix,
            ),
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix_eq(u128::from(net), u128::from(ip), self.prefix)
            }
            _ => false,
        }
    }
}

fn prefix_eq(a: u128, b: u128, prefix: u8) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
    a & mask == b & mask
}

/// The IP address libzmq gives (brackets, a zone and an IPv4-mapped IPv6 form removed);
/// `None` when it is not one (non-TCP transports give none).
fn peer_ip(address: &str) -> Option<IpAddr> {
    let bare = address.trim_start_matches('[').trim_end_matches(']');
    let bare = bare.split('%').next().unwrap_or(bare);
    match bare.parse::<IpAddr>().ok()? {
        IpAddr::V6(v6) => Some(v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)),
        v4 => Some(v4),
    }
}

/// A password file, as a reloading source.
pub(crate) struct PasswordFile;

impl Source for PasswordFile {
    type Value = Passwords;
    fn fingerprint(path: &Path) -> Fingerprint {
        Fingerprint::file(path)
    }
    fn read(path: &Path) -> Result<Passwords> {
        Passwords::load(path)
    }
}

/// A directory of public certificates, as a reloading source: the set of their keys.
pub(crate) struct CertDir;

impl Source for CertDir {
    type Value = HashSet<CurveKey>;
    fn fingerprint(path: &Path) -> Fingerprint {
        Fingerprint::dir(path)
    }
    fn read(path: &Path) -> Result<HashSet<CurveKey>> {
        // The fingerprint covers that many entries at most: a bigger directory read here
        // would never be read again (its changes, a removed key, unseen), so it is refused.
        if let Ok(entries) = std::fs::read_dir(path) {
            if entries.count() > MAX_DIR_ENTRIES {
                return Err(Error::Certificate {
                    path: path.to_path_buf(),
                    reason: format!(
                        "more than {MAX_DIR_ENTRIES} entries, more than a certificate \
                         directory is watched with here"
                    ),
                });
            }
        }
        let certs = Certificate::load_dir(path)?;
        Ok(certs.iter().map(|c| *c.public_key()).collect())
    }
}

/// Everything the builder gathered, checked: what the thread applies.
pub(crate) struct Policy {
    pub(crate) allow: Vec<IpRule>,
    pub(crate) deny: Vec<IpRule>,
    pub(crate) passwords: Option<Passwords>,
    pub(crate) password_files: Vec<Reloading<PasswordFile>>,
    pub(crate) curve_keys: Option<HashSet<CurveKey>>,
    pub(crate) cert_dirs: Vec<Reloading<CertDir>>,
    pub(crate) curve_any: bool,
    pub(crate) check: Option<Check>,
}

/// What the policy decided, before the reply is framed.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) status: u16,
    pub(crate) reason: String,
    pub(crate) user_id: String,
    pub(crate) metadata: Vec<u8>,
    /// Reloads that failed or recovered, to report (they are also in `reason` when they
    /// decided).
    pub(crate) notes: Vec<String>,
}

impl Outcome {
    fn refuse(status: u16, reason: String) -> Outcome {
        Outcome {
            status,
            reason,
            user_id: String::new(),
            metadata: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// The text of a panic's payload.
pub(crate) fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-text panic".to_owned())
}

impl Policy {
    /// Applies the policies to `request`, in order: deny list, allow list, mechanism, closure.
    pub(crate) fn decide(&mut self, request: &ZapRequest) -> Outcome {
        let mut notes = Vec::new();
        let mut outcome = self.decide_inner(request, &mut notes);
        outcome.notes = notes;
        outcome
    }

    fn decide_inner(&mut self, request: &ZapRequest, notes: &mut Vec<String>) -> Outcome {
        let address = request.address();
        let ip = peer_ip(address);
        if let Some(ip) = ip {
            if let Some(rule) = self.deny.iter().find(|r| r.contains(ip)) {
                return Outcome::refuse(
                    STATUS_DENIED,
                    format!("address {ip} is in the deny list ({})", show_rule(rule)),
                );
            }
        }
        if !self.allow.is_empty() {
            match ip {
                Some(ip) if self.allow.iter().any(|r| r.contains(ip)) => {}
                Some(ip) => {
                    return Outcome::refuse(
                        STATUS_DENIED,
                        format!("address {ip} is not in the allow list"),
                    )
                }
                None => {
                    return Outcome::refuse(
                        STATUS_DENIED,
                        format!(
                            "address {address:?} is not an IP address, and an allow list is set"
                        ),
                    )
                }
            }
        }
        let (user_id, reason) = match self.mechanism(request, notes) {
            Ok(allowed) => allowed,
            Err(refused) => return refused,
        };
        let Some(check) = &self.check else {
            return Outcome {
                status: STATUS_OK,
                reason,
                user_id,
                metadata: Vec::new(),
                notes: Vec::new(),
            };
        };
        let verdict = match catch_unwind(AssertUnwindSafe(|| check(request))) {
            Ok(verdict) => verdict,
            Err(payload) => {
                return Outcome::refuse(
                    STATUS_INTERNAL,
                    format!("the check closure panicked: {}", panic_text(&*payload)),
                )
            }
        };
        match verdict {
            Verdict::Allow {
                user_id: chosen,
                metadata,
            } => match encode_metadata(&metadata) {
                Ok(metadata) => Outcome {
                    status: STATUS_OK,
                    reason: format!("{reason}; allowed by the check closure"),
                    user_id: chosen.unwrap_or(user_id),
                    metadata,
                    notes: Vec::new(),
                },
                Err(why) => Outcome::refuse(
                    STATUS_INTERNAL,
                    format!("the check closure allowed with bad metadata: {why}"),
                ),
            },
            Verdict::Deny { reason } => Outcome::refuse(
                STATUS_DENIED,
                format!("denied by the check closure: {reason}"),
            ),
            Verdict::TryLater { reason } => Outcome::refuse(
                STATUS_TEMPORARY,
                format!("put off by the check closure: {reason}"),
            ),
        }
    }

    /// The mechanism's policy: `Ok((default user id, reason))` when it lets the client on
    /// (to the closure, if any), the refusal otherwise.
    fn mechanism(
        &mut self,
        request: &ZapRequest,
        notes: &mut Vec<String>,
    ) -> std::result::Result<(String, String), Outcome> {
        let has_check = self.check.is_some();
        match request.credentials() {
            Credentials::Null => Ok((String::new(), "NULL: no credentials to check".into())),
            Credentials::Plain { username, password } => {
                let name = String::from_utf8_lossy(username).into_owned();
                if self.passwords.is_none() && self.password_files.is_empty() {
                    return if has_check {
                        Ok((name, "PLAIN: left to the check closure".into()))
                    } else {
                        Err(no_policy(&Mechanism::Plain))
                    };
                }
                // Fail closed: while any password file is unreadable, nobody gets in.
                let mut tables = Vec::new();
                for file in &mut self.password_files {
                    let reloaded = file.refresh();
                    match file.state() {
                        Ok(table) => {
                            if reloaded == Reloaded::Changed {
                                notes.push(format!(
                                    "password file {} reloaded",
                                    file_name(file.path())
                                ));
                            }
                            tables.push(table);
                        }
                        Err(why) => {
                            return Err(Outcome::refuse(
                                STATUS_INTERNAL,
                                format!("PLAIN refused: {why}"),
                            ))
                        }
                    }
                }
                let lookups: Vec<Lookup> = self
                    .passwords
                    .iter()
                    .chain(tables)
                    .map(|t| t.check(username, password))
                    .collect();
                if lookups.contains(&Lookup::Match) {
                    Ok((
                        name.clone(),
                        format!("PLAIN user {name:?} with the right password"),
                    ))
                } else if lookups.contains(&Lookup::WrongPassword) {
                    Err(Outcome::refuse(
                        STATUS_DENIED,
                        format!("PLAIN user {name:?}: wrong password"),
                    ))
                } else {
                    Err(Outcome::refuse(
                        STATUS_DENIED,
                        format!("PLAIN user {name:?} is unknown"),
                    ))
                }
            }
            Credentials::Curve(key) => {
                let z85 = key.to_z85();
                if self.curve_any {
                    return Ok((z85, "CURVE: any client key is allowed".into()));
                }
                if self.curve_keys.is_none() && self.cert_dirs.is_empty() {
                    return if has_check {
                        Ok((z85, "CURVE: left to the check closure".into()))
                    } else {
                        Err(no_policy(&Mechanism::Curve))
                    };
                }
                if self.curve_keys.as_ref().is_some_and(|k| k.contains(key)) {
                    return Ok((z85, "CURVE client key in the allowed keys".into()));
                }
                let mut found = None;
                for dir in &mut self.cert_dirs {
                    let reloaded = dir.refresh();
                    match dir.state() {
                        Ok(keys) => {
                            if reloaded == Reloaded::Changed {
                                notes.push(format!(
                                    "certificate directory {} reloaded",
                                    dir.path().display()
                                ));
                            }
                            if found.is_none() && keys.contains(key) {
                                found = Some(dir.path().display().to_string());
                            }
                        }
                        Err(why) => {
                            return Err(Outcome::refuse(
                                STATUS_INTERNAL,
                                format!("CURVE refused: {why}"),
                            ))
                        }
                    }
                }
                match found {
                    Some(dir) => Ok((
                        z85,
                        format!("CURVE client key in the certificates of {dir}"),
                    )),
                    None => Err(Outcome::refuse(
                        STATUS_DENIED,
                        format!("CURVE client key {z85} is not allowed"),
                    )),
                }
            }
            Credentials::Gssapi { principal } => {
                if has_check {
                    Ok((
                        String::from_utf8_lossy(principal).into_owned(),
                        "GSSAPI: left to the check closure".into(),
                    ))
                } else {
                    Err(no_policy(&Mechanism::Gssapi))
                }
            }
        }
    }
}

fn no_policy(mechanism: &Mechanism) -> Outcome {
    Outcome::refuse(STATUS_DENIED, format!("no {mechanism} policy configured"))
}

fn show_rule(rule: &IpRule) -> String {
    let max = if rule.addr.is_ipv4() { 32 } else { 128 };
    if rule.prefix == max {
        rule.addr.to_string()
    } else {
        format!("{}/{}", rule.addr, rule.prefix)
    }
}

fn file_name(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_rules_parse_and_match() {
        let net = IpRule::parse("10.0.0.0/8").unwrap();
        assert!(net.contains("10.1.2.3".parse().unwrap()));
        assert!(!net.contains("11.1.2.3".parse().unwrap()));
        let one = IpRule::parse("127.0.0.1").unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        let all = IpRule::parse("0.0.0.0/0").unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
        assert!(!all.contains("::1".parse().unwrap()));
        let v6 = IpRule::parse("fd00::/8").unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        for bad in [
            "",
            "10.0.0",
            "10.0.0.0/33",
            "::1/129",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "host",
        ] {
            assert!(
                matches!(IpRule::parse(bad), Err(Error::SecuritySetup(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn peer_addresses_are_normalised() {
        assert_eq!(peer_ip("127.0.0.1"), Some("127.0.0.1".parse().unwrap()));
        assert_eq!(
            peer_ip("::ffff:127.0.0.1"),
            Some("127.0.0.1".parse().unwrap())
        );
        assert_eq!(peer_ip("[::1]"), Some("::1".parse().unwrap()));
        assert_eq!(peer_ip("fe80::1%eth0"), Some("fe80::1".parse().unwrap()));
        assert_eq!(peer_ip(""), None);
    }
}
