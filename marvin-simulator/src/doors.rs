//! The doors other projects' CI scripts knock on besides the API: the
//! readiness answer (`GET /`), which they poll before their set-up, and the
//! Ansible test container's `/admin.json` (the admin's keys).
//!
//! Readiness is asked of the cloud itself, through the same commands a
//! client would send (`listZones`, `listHosts`, `listTemplates`, as the
//! root admin): the simulator is ready once its start-up work is done (see
//! [`Doors::release`]) and every zone is Enabled, every routing host Up and
//! every template Ready.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use crate::kernel::engine::Engine;
use crate::kernel::error::ApiError;
use crate::kernel::params::Params;

/// The shared state of the doors of one simulator.
pub(crate) struct Doors {
    engine: Arc<Engine>,
    /// Whether start-up work (a datacenter deployment) still holds the
    /// readiness answer at 503.
    held: AtomicBool,
    /// The id of the admin user whose keys `/admin.json` serves.
    admin_user_id: String,
}

impl std::fmt::Debug for Doors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Doors")
            .field("held", &self.held.load(Ordering::Acquire))
            .finish_non_exhaustive()
    }
}

/// What the readiness door found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Readiness {
    /// Ready: how many zones, routing hosts and templates were checked.
    Ready {
        zones: usize,
        hosts: usize,
        templates: usize,
    },
    /// Not yet, and why.
    Waiting(String),
}

impl Doors {
    pub(crate) fn new(engine: Arc<Engine>, held: bool, admin_user_id: String) -> Self {
        Self {
            engine,
            held: AtomicBool::new(held),
            admin_user_id,
        }
    }

    /// Lets the readiness answer depend on the cloud alone from now on.
    pub(crate) fn release(&self) {
        self.held.store(false, Ordering::Release);
    }

    /// Whether start-up work still holds the doors.
    pub(crate) fn is_held(&self) -> bool {
        self.held.load(Ordering::Acquire)
    }

    /// Whether the cloud is ready for a client's set-up.
    pub(crate) fn readiness(&self) -> Readiness {
        if self.is_held() {
            return Readiness::Waiting("the start-up deployment is still running".into());
        }
        match self.survey() {
            Ok(readiness) => readiness,
            Err(error) => Readiness::Waiting(format!("the survey failed: {}", error.text)),
        }
    }

    fn survey(&self) -> Result<Readiness, ApiError> {
        let zones = self.items("listZones", &[], "zone")?;
        if let Some(zone) = zones
            .iter()
            .find(|z| field(z, "allocationstate") != "Enabled")
        {
            return Ok(Readiness::Waiting(format!(
                "zone {} is {}",
                field(zone, "name"),
                field(zone, "allocationstate")
            )));
        }
        let hosts = self.items("listHosts", &[("type", "Routing")], "host")?;
        if let Some(host) = hosts.iter().find(|h| field(h, "state") != "Up") {
            return Ok(Readiness::Waiting(format!(
                "host {} is {}",
                field(host, "name"),
                field(host, "state")
            )));
        }
        let templates = self.items(
            "listTemplates",
            &[("templatefilter", "all"), ("listall", "true")],
            "template",
        )?;
        if let Some(template) = templates
            .iter()
            .find(|t| t.get("isready").and_then(Value::as_bool) == Some(false))
        {
            return Ok(Readiness::Waiting(format!(
                "template {} is not Ready",
                field(template, "name")
            )));
        }
        Ok(Readiness::Ready {
            zones: zones.len(),
            hosts: hosts.len(),
            templates: templates.len(),
        })
    }

    /// The items of one list command, run as the root admin.
    fn items(
        &self,
        command: &str,
        params: &[(&str, &str)],
        key: &str,
    ) -> Result<Vec<Value>, ApiError> {
        let params = Params::from_pairs(params.iter().map(|(n, v)| (*n, (*v).to_owned())));
        let mut answer = self.engine.run_as_root(command, params)?;
        Ok(match answer.get_mut(key).map(Value::take) {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        })
    }

    /// The admin's keys as `getUserKeys` answers them (its `userkeys`
    /// object), the document the Ansible test container serves as
    /// `/admin.json`.
    pub(crate) fn admin_keys(&self) -> Result<Value, ApiError> {
        let params = Params::from_pairs([("id", self.admin_user_id.clone())]);
        let mut answer = self.engine.run_as_root("getUserKeys", params)?;
        Ok(answer
            .get_mut("userkeys")
            .map(Value::take)
            .unwrap_or_else(|| json!({})))
    }
}

fn field<'v>(item: &'v Value, name: &str) -> &'v str {
    item.get(name).and_then(Value::as_str).unwrap_or("")
}
