//! `extractVolume` (`VolumeApiServiceImpl.extractVolume`): a download URL
//! for a volume that is detached or whose VM is stopped, copied to the
//! zone's secondary storage.

use rusqlite::OptionalExtension;
use serde_json::json;

use crate::families::compute::api::vm;
use crate::families::identity::api as identity;
use crate::kernel::contract::{Call, Job, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::ids;
use crate::kernel::scope::check_access;

/// `extractVolume` (async): the checks run in the request, in the
/// server's order; the job makes the URL.
pub(crate) fn extract(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let zone = call.required("zoneid")?.to_string();
    let mode = call.required("mode")?.to_string();
    if !call.caller.is_root_admin() && identity::setting_flag(call.tx, "disable.extraction", &[])? {
        return Err(ApiError::permission(
            "Extraction has been disabled by admin",
        ));
    }
    let volume = super::volume::find(call, &id)?.ok_or_else(|| ApiError::invalid_id("id", &id))?;
    check_access(call, &volume.account_id, &id)?;
    let zone_name: String = call
        .tx
        .query_row(
            "SELECT name FROM datacenter_zones WHERE id = ?1",
            [&zone],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| ApiError::invalid_id("zoneid", &zone))?;
    if volume.pool_id.is_none() {
        return Err(ApiError::param(
            "The volume doesnt belong to a storage pool so cant extract it",
        ));
    }
    if let Some(vm_id) = &volume.vm_id {
        if vm::find(call, vm_id)?.is_some_and(|vm| vm.state != "Stopped") {
            return Err(ApiError::permission(
                "Invalid state of the volume with specified ID. It should be either detached or the VM should be in \
                 stopped state.",
            ));
        }
    }
    if volume.volume_type != "DATADISK" {
        // A volume made from a template follows that template's extractable
        // flag (system templates never are), except for root admins.
        let template: Option<(bool, String)> = call
            .tx
            .query_row(
                "SELECT t.is_extractable, t.template_type FROM volumes v
                 JOIN templates_templates t ON t.id = v.template_id WHERE v.id = ?1",
                [&id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((extractable, kind)) = template {
            let allowed = extractable && kind != "SYSTEM";
            if !allowed && !call.caller.is_root_admin() {
                return Err(ApiError::permission(
                    "The volume with specified volumeId is not allowed to be extracted",
                ));
            }
        }
    }
    if mode != "HTTP_DOWNLOAD" && mode != "FTP_UPLOAD" {
        return Err(ApiError::param("Please specify a valid extract Mode"));
    }
    let job_id = id.clone();
    let given_url = call.params.str("url").map(String::from);
    Ok(Reply::Job(
        Job::on(
            "Volume",
            id.clone(),
            Box::new(move |call: &mut Call<'_>| {
                let (name, account): (String, String) = call.tx.query_row(
                    "SELECT name, account_id FROM volumes WHERE id = ?1",
                    [&job_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                // The Simulator hypervisor's disks are VHDs.
                let url = given_url.clone().unwrap_or_else(|| {
                    format!("http://10.147.28.6/userdata/{}.vhd", ids::new_id())
                });
                Ok(Reply::Object {
                    key: "volume",
                    value: json!({
                        "id": job_id,
                        "name": name,
                        "accountid": account,
                        "state": "DOWNLOAD_URL_CREATED",
                        "status": "",
                        "zoneid": zone,
                        "zonename": zone_name,
                        "extractMode": mode,
                        "url": url,
                        "created": call.timestamp(),
                        "uploadpercentage": 100,
                        "storagetype": "Image",
                    }),
                })
            }),
        )
        .with_event("VOLUME.EXTRACT", "extracting volume"),
    ))
}

#[cfg(test)]
mod tests {
    use crate::families::compute::tests::deploy;
    use crate::families::testkit::{Kit, code};

    /// `VolumeApiServiceImpl.extractVolume`: a running VM's volume is
    /// refused (531); once the VM is stopped its ROOT volume gets a URL (for
    /// a root admin whatever the template's flag); another account is
    /// refused (531); a bad mode is 431.
    #[test]
    fn a_volume_is_extracted_once_its_vm_is_stopped() {
        let mut kit = Kit::new();
        let user = kit.account("extractor", 0, None);
        let other = kit.account("extract-other", 0, None);
        let zone = kit.id("zone");
        let vm = deploy(&mut kit, &user, &[("name", "x")]).unwrap();
        let vm = vm["id"].as_str().unwrap().to_string();
        let root: String = kit
            .conn
            .query_row(
                "SELECT id FROM volumes WHERE vm_id = ?1 AND volume_type = 'ROOT'",
                [&vm],
                |r| r.get(0),
            )
            .unwrap();
        let params = |mode: &'static str| -> Vec<(&'static str, String)> {
            vec![
                ("id", root.clone()),
                ("zoneid", zone.clone()),
                ("mode", mode.to_string()),
            ]
        };
        let call = |kit: &mut Kit, who, mode| {
            let owned = params(mode);
            let pairs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
            kit.call(who, "extractVolume", &pairs)
        };
        let err = call(&mut kit, &user, "HTTP_DOWNLOAD").unwrap_err();
        assert_eq!(code(&err), 531);
        assert!(err.text.starts_with("Invalid state of the volume"));
        kit.call(&user, "stopVirtualMachine", &[("id", &vm)])
            .unwrap();
        let err = call(&mut kit, &user, "SCP").unwrap_err();
        assert_eq!(
            (code(&err), err.text.as_str()),
            (431, "Please specify a valid extract Mode")
        );
        let err = call(&mut kit, &other, "HTTP_DOWNLOAD").unwrap_err();
        assert_eq!(code(&err), 531);
        // Root admins extract whatever the template's flag says.
        let admin = kit.admin();
        let extracted = call(&mut kit, &admin, "HTTP_DOWNLOAD").unwrap();
        assert_eq!(extracted["volume"]["state"], "DOWNLOAD_URL_CREATED");
        assert!(
            extracted["volume"]["url"]
                .as_str()
                .unwrap()
                .starts_with("http://")
        );
    }
}
