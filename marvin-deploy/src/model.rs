//! The datacenter part of a Marvin config (`zones`, `globalConfig`) as
//! typed data. Unknown keys are ignored when reading; booleans may be JSON
//! booleans or Marvin's `"true"`/`"True"` strings.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::DeployError;

/// A datacenter description: what `marvin deploy` builds and `marvin
/// export` writes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DataCenter {
    /// The zones, built in order.
    #[serde(default)]
    pub zones: Vec<Zone>,
    /// Global settings applied first (`updateConfiguration`).
    #[serde(
        rename = "globalConfig",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub global_config: Vec<GlobalSetting>,
}

/// One `globalConfig` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalSetting {
    /// The setting's name.
    pub name: String,
    /// Its value (numbers and booleans are sent as text).
    #[serde(deserialize_with = "text")]
    pub value: String,
}

/// A zone (`zones[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    /// `name`.
    pub name: String,
    /// `networktype`: `Advanced` or `Basic`.
    #[serde(default = "advanced")]
    pub networktype: String,
    /// `dns1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns1: Option<String>,
    /// `dns2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns2: Option<String>,
    /// `internaldns1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internaldns1: Option<String>,
    /// `internaldns2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internaldns2: Option<String>,
    /// `guestcidraddress`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guestcidraddress: Option<String>,
    /// `domain` (the network domain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// `securitygroupenabled`.
    #[serde(
        default,
        deserialize_with = "flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub securitygroupenabled: Option<bool>,
    /// `localstorageenabled`.
    #[serde(
        default,
        deserialize_with = "flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub localstorageenabled: Option<bool>,
    /// `physical_networks[]`.
    #[serde(default)]
    pub physical_networks: Vec<PhysicalNetwork>,
    /// `ipranges[]`: public IP ranges.
    #[serde(default)]
    pub ipranges: Vec<IpRange>,
    /// `pods[]`.
    #[serde(default)]
    pub pods: Vec<Pod>,
    /// `primaryStorages[]`: zone-wide primary storage.
    #[serde(
        rename = "primaryStorages",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub primary_storages: Vec<PrimaryStorage>,
    /// `secondaryStorages[]`: image stores.
    #[serde(rename = "secondaryStorages", default)]
    pub secondary_storages: Vec<SecondaryStorage>,
    /// `networkofferingname`: the offering of a Basic zone's guest network
    /// (deployDataCenter's default: `DefaultSharedNetworkOfferingWithSGService`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub networkofferingname: Option<String>,
}

impl Zone {
    /// Whether this is a Basic zone (`networktype` `Basic`).
    pub fn is_basic(&self) -> bool {
        self.networktype.eq_ignore_ascii_case("Basic")
    }
}

fn advanced() -> String {
    "Advanced".into()
}

/// A physical network of a zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhysicalNetwork {
    /// `name`.
    pub name: String,
    /// `vlan`: guest VLAN ranges (`100-200`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vlan: Option<String>,
    /// `isolationmethods` (`["VLAN"]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub isolationmethods: Vec<String>,
    /// `broadcastdomainrange` (`ZONE`, `POD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broadcastdomainrange: Option<String>,
    /// `traffictypes[]`.
    #[serde(default)]
    pub traffictypes: Vec<TrafficType>,
    /// `providers[]`: the service providers to enable.
    #[serde(default)]
    pub providers: Vec<Provider>,
}

/// A traffic type (`{"typ": "Guest"}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrafficType {
    /// `typ`: `Guest`, `Public`, `Management` or `Storage`.
    pub typ: String,
}

/// A network service provider to enable (`{"name": "VirtualRouter"}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provider {
    /// `name`.
    pub name: String,
}

/// A public IP range (`createVlanIpRange`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpRange {
    /// `vlan` (`untagged` or a VLAN id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vlan: Option<String>,
    /// `gateway`.
    pub gateway: String,
    /// `netmask`.
    pub netmask: String,
    /// `startip`.
    pub startip: String,
    /// `endip`.
    pub endip: String,
}

/// A pod.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pod {
    /// `name`.
    pub name: String,
    /// `gateway`.
    pub gateway: String,
    /// `netmask`.
    pub netmask: String,
    /// `startip` of the management range.
    pub startip: String,
    /// `endip` of the management range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endip: Option<String>,
    /// `guestIpRanges[]`: a Basic zone's guest addresses in this pod
    /// (`createVlanIpRange` with `podid` and `networkid`).
    #[serde(
        rename = "guestIpRanges",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub guest_ip_ranges: Vec<IpRange>,
    /// `clusters[]`.
    #[serde(default)]
    pub clusters: Vec<Cluster>,
}

/// A cluster of a pod.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    /// `clustername`.
    pub clustername: String,
    /// `hypervisor` (`Simulator`, `KVM`, ...).
    pub hypervisor: String,
    /// `clustertype` (`CloudManaged` or `ExternalManaged`).
    #[serde(default = "cloud_managed")]
    pub clustertype: String,
    /// `hosts[]`.
    #[serde(default)]
    pub hosts: Vec<Host>,
    /// `primaryStorages[]`: cluster-wide primary storage.
    #[serde(rename = "primaryStorages", default)]
    pub primary_storages: Vec<PrimaryStorage>,
}

fn cloud_managed() -> String {
    "CloudManaged".into()
}

/// A host of a cluster. Its password never shows in Debug output.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Host {
    /// `url` (`http://sim/c1/h1` for the simulator).
    pub url: String,
    /// `username`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// `password`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

impl fmt::Debug for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Host")
            .field("url", &self.url)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Primary storage (`createStoragePool`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrimaryStorage {
    /// `name`.
    pub name: String,
    /// `url` (`nfs://10.0.0.5/primary`).
    pub url: String,
    /// `scope` (`cluster` by default inside a cluster, `zone` at zone level).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// `hypervisor` (needed by zone-wide storage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hypervisor: Option<String>,
}

/// Secondary storage (`addImageStore`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecondaryStorage {
    /// `url`.
    pub url: String,
    /// `provider` (`NFS` by default).
    #[serde(default = "nfs")]
    pub provider: String,
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

fn nfs() -> String {
    "NFS".into()
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Null => Ok(String::new()),
        other => Ok(other.to_string()),
    }
}

fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(b)),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        other => Err(serde::de::Error::custom(format!(
            "expected true or false, not {other}"
        ))),
    }
}

/// A config file's text without its `#` comment lines (Marvin's format).
pub fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.trim_start().starts_with('#') {
                ""
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl DataCenter {
    /// Reads the `zones` and `globalConfig` of a Marvin config text (other
    /// keys, `mgtSvr` included, are ignored); `origin` names it in errors.
    pub fn from_str_named(text: &str, origin: &str) -> Result<Self, DeployError> {
        serde_json::from_str(&strip_comments(text)).map_err(|error| DeployError::Config {
            origin: origin.to_owned(),
            message: error.to_string(),
        })
    }

    /// Reads a Marvin config file's datacenter part.
    pub fn from_path(path: &Path) -> Result<Self, DeployError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| DeployError::Config {
            origin: origin.clone(),
            message: format!("cannot read the file: {error}"),
        })?;
        Self::from_str_named(&text, &origin)
    }

    /// The datacenter as a Marvin config document (`{"zones": [..]}`).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Checks what the deployer supports before anything is built.
    pub fn validate(&self) -> Result<(), DeployError> {
        let invalid = |message: String| DeployError::Config {
            origin: "zones".into(),
            message,
        };
        if self.zones.is_empty() {
            return Err(invalid("no zones to deploy".into()));
        }
        for (index, zone) in self.zones.iter().enumerate() {
            if !zone.networktype.eq_ignore_ascii_case("Advanced") && !zone.is_basic() {
                return Err(invalid(format!(
                    "zones[{index}] ({}): networktype is Advanced or Basic, not {}",
                    zone.name, zone.networktype
                )));
            }
            if zone.dns1.is_none() || zone.internaldns1.is_none() {
                return Err(invalid(format!(
                    "zones[{index}] ({}): dns1 and internaldns1 are required",
                    zone.name
                )));
            }
        }
        Ok(())
    }
}
