//! The VM row and the operations every lifecycle command shares: loading,
//! labels, sequences, state changes with host capacity, settings.

use rusqlite::{OptionalExtension, params};

use crate::families::identity::api as identity;
use crate::kernel::contract::{Call, Job, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::scope::check_access;

use super::capacity;

/// A VM as the lifecycle code uses it.
#[derive(Debug, Clone)]
pub(crate) struct Vm {
    pub id: String,
    pub seq: i64,
    pub name: String,
    pub display_name: Option<String>,
    pub instance_name: String,
    pub account_id: String,
    pub zone_id: String,
    pub host_id: Option<String>,
    pub template_id: Option<String>,
    pub service_offering_id: Option<String>,
    pub hypervisor: String,
    pub cpu_number: i64,
    pub cpu_speed: i64,
    pub memory: i64,
    pub state: String,
    pub dynamically_scalable: bool,
}

impl Vm {
    /// CloudStack's `VM[User|i-2-5-VM]`, used in messages.
    pub(crate) fn label(&self) -> String {
        format!("VM[User|{}]", self.instance_name)
    }

    /// The display name, or the host name when none is set.
    pub(crate) fn shown_name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.name)
    }

    /// MHz the VM uses on a host (saturating: rows are only as bounded as
    /// whatever wrote them).
    pub(crate) fn cpu_mhz(&self) -> i64 {
        capacity::cpu_mhz(self.cpu_number, self.cpu_speed)
    }

    /// Whether the VM holds capacity on a host.
    pub(crate) fn on_host(&self) -> bool {
        capacity::ON_HOST.contains(&self.state.as_str())
    }
}

const SELECT: &str = "SELECT id, seq, name, display_name, instance_name, account_id, zone_id, host_id, last_host_id,
        template_id, service_offering_id, hypervisor, cpu_number, cpu_speed, memory, state, dynamically_scalable
    FROM vms WHERE id = ?1";

/// A VM by uuid, if it exists (an expunged VM does not).
pub(crate) fn find(call: &Call<'_>, id: &str) -> Result<Option<Vm>, ApiError> {
    Ok(call
        .tx
        .prepare_cached(SELECT)?
        .query_row([id], |r| {
            Ok(Vm {
                id: r.get(0)?,
                seq: r.get(1)?,
                name: r.get(2)?,
                display_name: r.get(3)?,
                instance_name: r.get(4)?,
                account_id: r.get(5)?,
                zone_id: r.get(6)?,
                host_id: r.get(7)?,
                template_id: r.get(9)?,
                service_offering_id: r.get(10)?,
                hypervisor: r.get(11)?,
                cpu_number: r.get(12)?,
                cpu_speed: r.get(13)?,
                memory: r.get(14)?,
                state: r.get(15)?,
                dynamically_scalable: r.get::<_, i64>(16)? != 0,
            })
        })
        .optional()?)
}

/// A VM named by a parameter, or 431 naming that parameter.
pub(crate) fn param(call: &Call<'_>, name: &str) -> Result<Vm, ApiError> {
    let id = call.required(name)?;
    find(call, id)?.ok_or_else(|| ApiError::invalid_id(name, id))
}

/// A VM named by a parameter that the caller may act on (531 otherwise).
pub(crate) fn operable(call: &Call<'_>, name: &str) -> Result<Vm, ApiError> {
    let vm = param(call, name)?;
    check_access(call, &vm.account_id, &vm.id)?;
    Ok(vm)
}

/// Reloads a VM inside a job (it may have changed or gone since the request).
pub(crate) fn reload(call: &Call<'_>, id: &str) -> Result<Vm, ApiError> {
    find(call, id)?
        .ok_or_else(|| ApiError::param(format!("unable to find a virtual machine with id {id}")))
}

/// The job of an async command on a VM: `work` runs with the VM's id and
/// the VM as it is when the job runs.
pub(crate) fn job(
    id: &str,
    work: impl FnOnce(&mut Call<'_>, &str, Vm) -> Result<Reply, ApiError> + Send + 'static,
) -> Job {
    let job_id = id.to_string();
    Job::on(
        "VirtualMachine",
        id,
        Box::new(move |call: &mut Call<'_>| {
            let vm = reload(call, &job_id)?;
            work(call, &job_id, vm)
        }),
    )
}

/// The next value of a never-reused sequence.
pub(crate) fn next_seq(call: &Call<'_>, name: &str) -> Result<i64, ApiError> {
    next_seq_in(call.tx, name)
}

/// [`next_seq`] outside a call (a background task's transaction).
pub(crate) fn next_seq_in(tx: &rusqlite::Transaction<'_>, name: &str) -> Result<i64, ApiError> {
    tx.prepare_cached(
        "INSERT INTO compute_sequences (name, value) VALUES (?1, 1)
             ON CONFLICT (name) DO UPDATE SET value = value + 1",
    )?
    .execute([name])?;
    Ok(tx.query_row(
        "SELECT value FROM compute_sequences WHERE name = ?1",
        [name],
        |r| r.get(0),
    )?)
}

/// Sets a VM's state (and `last_updated`).
pub(crate) fn set_state(call: &Call<'_>, id: &str, state: &str) -> Result<(), ApiError> {
    call.tx
        .prepare_cached("UPDATE vms SET state = ?2, last_updated = ?3 WHERE id = ?1")?
        .execute(params![id, state, call.timestamp()])?;
    Ok(())
}

/// Puts a VM on a host in `state` (Starting or Running), taking capacity.
pub(crate) fn place(
    call: &Call<'_>,
    vm: &Vm,
    host_id: &str,
    pod_id: &str,
    state: &str,
) -> Result<(), ApiError> {
    capacity::allocate(call, host_id, vm.cpu_mhz(), vm.memory)?;
    call.tx
        .prepare_cached(
            "UPDATE vms SET host_id = ?2, pod_id = ?3, last_host_id = ?2, state = ?4, last_updated = ?5 WHERE id = ?1",
        )?
        .execute(params![vm.id, host_id, pod_id, state, call.timestamp()])?;
    Ok(())
}

/// Takes a VM off its host into `state`, giving the capacity back.
pub(crate) fn unplace(call: &Call<'_>, vm: &Vm, state: &str) -> Result<(), ApiError> {
    if let Some(host) = &vm.host_id {
        if vm.on_host() {
            capacity::free(call, host, vm.cpu_mhz(), vm.memory)?;
        }
    }
    call.tx
        .prepare_cached(
            "UPDATE vms SET host_id = NULL, last_host_id = COALESCE(host_id, last_host_id), state = ?2,
                            last_updated = ?3 WHERE id = ?1",
        )?
        .execute(params![vm.id, state, call.timestamp()])?;
    Ok(())
}

/// Whether a VM has delete protection on (`updateVirtualMachine
/// deleteprotection`).
pub(crate) fn delete_protected(call: &Call<'_>, id: &str) -> Result<bool, ApiError> {
    Ok(call
        .tx
        .query_row(
            "SELECT delete_protection FROM vms WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(false))
}

/// Whether the caller may expunge and recover VMs (admins, or the
/// `allow.user.expunge.recover.vm` setting for its account).
pub(crate) fn may_expunge(call: &Call<'_>) -> Result<bool, ApiError> {
    if call.caller.is_admin() {
        return Ok(true);
    }
    identity::setting_flag(
        call.tx,
        "allow.user.expunge.recover.vm",
        &[("account", &call.caller.account_id)],
    )
}

/// Whether the VM's template is password enabled.
pub(crate) fn password_enabled(call: &Call<'_>, vm: &Vm) -> Result<bool, ApiError> {
    Ok(match &vm.template_id {
        Some(id) => super::refs::template(call, id)?.is_some_and(|t| t.password_enabled),
        None => false,
    })
}

/// A random password like CloudStack's `generateRandomPassword`
/// (`vm.password.length` characters, letters and digits, no look-alikes).
pub(crate) fn random_password(call: &Call<'_>) -> Result<String, ApiError> {
    use rand::Rng as _;
    const CHARS: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let length = identity::setting_number(call.tx, "vm.password.length", &[], 6)?.clamp(6, 64);
    let mut rng = rand::rng();
    Ok((0..length)
        .map(|_| char::from(CHARS[rng.random_range(0..CHARS.len())]))
        .collect())
}

/// Validates a VM host name (RFC 1123 label rules as CloudStack applies them).
pub(crate) fn check_host_name(name: &str) -> Result<(), ApiError> {
    let valid = !name.is_empty()
        && name.len() <= 63
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.as_bytes()[0].is_ascii_digit();
    if valid {
        return Ok(());
    }
    Err(ApiError::param(
        "Invalid name. Vm name can contain ASCII letters 'a' through 'z', the digits '0' through '9', and the \
         hyphen ('-'), must be between 1 and 63 characters long, and can't start or end with \"-\" and can't start \
         with digit",
    ))
}
