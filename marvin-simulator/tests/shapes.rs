//! Our answers against answers recorded from real CloudStack servers
//! (`testdata/cloudstack/responses`): for each recorded compute, storage,
//! template, ISO, offering and configuration answer, an object of ours in
//! the same state must carry every field the recording has, with a value of
//! the same JSON kind.
//!
//! The recordings hold no volume, snapshot or OS type answer, so those are
//! not compared here.

mod common;

use common::{Client, start};
use serde_json::Value;

/// A recorded answer: `responses/<file>`, entry `api`.
fn recorded(file: &str, api: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/cloudstack/responses")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let all: Value = serde_json::from_str(&text).unwrap();
    all[api].clone()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The fields of `real` that `ours` lacks, or has with another kind, with
/// nested objects and the first element of lists compared the same way.
fn gaps(path: &str, real: &Value, ours: &Value, out: &mut Vec<String>) {
    let (Some(real), Some(ours)) = (real.as_object(), ours.as_object()) else {
        return;
    };
    for (key, value) in real {
        let here = format!("{path}.{key}");
        match ours.get(key) {
            None => out.push(format!("{here} missing")),
            Some(mine) if kind(mine) != kind(value) => out.push(format!(
                "{here}: {} where the server has {}",
                kind(mine),
                kind(value)
            )),
            Some(mine) => match (value, mine) {
                (Value::Object(_), Value::Object(_)) if key != "details" => {
                    gaps(&here, value, mine, out)
                }
                (Value::Array(a), Value::Array(b)) => {
                    if let (Some(a), Some(b)) = (a.first(), b.first()) {
                        gaps(&here, a, b, out);
                    }
                }
                _ => {}
            },
        }
    }
}

/// Fields a recording has that ours may lack, with the reason.
const EXCEPTIONS: &[(&str, &str)] = &[];

fn check(what: &str, real: &Value, ours: &Value, found: &mut Vec<String>) {
    assert!(real.is_object(), "{what}: no recorded object");
    assert!(ours.is_object(), "{what}: no object of ours: {ours}");
    let mut out = Vec::new();
    gaps(what, real, ours, &mut out);
    found.extend(
        out.into_iter()
            .filter(|gap| !EXCEPTIONS.iter().any(|(field, _)| gap.starts_with(field))),
    );
}

#[tokio::test]
async fn compute_storage_template_and_offering_answers_have_the_recorded_fields() {
    let sim = start(false).await;
    let admin = Client::admin(&sim);
    let mut found = Vec::new();
    let zone = admin.ok("listZones", &[]).await["zone"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let offering = admin.ok("listServiceOfferings", &[]).await["serviceoffering"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let template = admin
        .ok("listTemplates", &[("templatefilter", "featured")])
        .await["template"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    // A running VM: the deploy job, the list entry; then stopped.
    let deployed = admin
        .job(
            "deployVirtualMachine",
            &[
                ("zoneid", &zone),
                ("serviceofferingid", &offering),
                ("templateid", &template),
            ],
        )
        .await;
    let real = recorded("VirtualMachineService.json", "deployVirtualMachine");
    check(
        "deployVirtualMachine",
        &real["deployvirtualmachineresponse"],
        &deployed,
        &mut found,
    );
    let vm = deployed["jobresult"]["virtualmachine"].clone();
    let id = vm["id"].as_str().unwrap().to_string();
    let os = vm["ostypeid"].as_str().unwrap().to_string();
    let listed = admin.ok("listVirtualMachines", &[("id", &id)]).await;
    let real = recorded("VirtualMachineService.json", "listVirtualMachines");
    check(
        "listVirtualMachines",
        &real["listVirtualMachines"]["virtualmachine"][0],
        &listed["virtualmachine"][0],
        &mut found,
    );
    let stopped = admin.job("stopVirtualMachine", &[("id", &id)]).await;
    let real = recorded("VirtualMachineService.json", "stopVirtualMachine");
    check(
        "stopVirtualMachine",
        &real["stopvirtualmachineresponse"]["jobresult"]["virtualmachine"],
        &stopped["jobresult"]["virtualmachine"],
        &mut found,
    );

    // Offerings made as the recordings' were.
    let made = admin
        .ok(
            "createServiceOffering",
            &[
                ("name", "testServiceOffering"),
                ("displaytext", "testServiceOffering"),
                ("cpunumber", "2"),
                ("cpuspeed", "1000"),
                ("memory", "2048"),
            ],
        )
        .await;
    let real = recorded("ServiceOfferingService.json", "createServiceOffering");
    check(
        "createServiceOffering",
        &real["createserviceofferingresponse"]["serviceoffering"],
        &made["serviceoffering"],
        &mut found,
    );
    let made = admin
        .ok(
            "createDiskOffering",
            &[
                ("name", "test"),
                ("displaytext", "test"),
                ("customized", "true"),
            ],
        )
        .await;
    let real = recorded("DiskOfferingService.json", "createDiskOffering");
    check(
        "createDiskOffering",
        &real["creatediskofferingresponse"]["diskoffering"],
        &made["diskoffering"],
        &mut found,
    );
    let disk_id = made["diskoffering"]["id"].as_str().unwrap().to_string();
    let listed = admin.ok("listDiskOfferings", &[("id", &disk_id)]).await;
    let real = recorded("DiskOfferingService.json", "listDiskOfferings");
    check(
        "listDiskOfferings",
        &real["listdiskofferingsresponse"]["diskoffering"][0],
        &listed["diskoffering"][0],
        &mut found,
    );

    // A registered template, a template from the VM's ROOT volume, an ISO.
    let registered = admin
        .ok(
            "registerTemplate",
            &[
                ("name", "testTemplate"),
                ("displaytext", "testTemplate"),
                ("format", "VHD"),
                ("hypervisor", "Simulator"),
                ("ostypeid", &os),
                ("url", "http://dl.example.org/macchinina-xen.vhd.bz2"),
                ("zoneid", &zone),
            ],
        )
        .await;
    let real = recorded("TemplateService.json", "registerTemplate");
    check(
        "registerTemplate",
        &real["registertemplateresponse"]["template"][0],
        &registered["template"][0],
        &mut found,
    );
    let root = admin
        .ok(
            "listVolumes",
            &[("virtualmachineid", &id), ("type", "ROOT")],
        )
        .await["volume"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let created = admin
        .job(
            "createTemplate",
            &[
                ("name", "createTempFromVol"),
                ("displaytext", "createTempFromVol"),
                ("volumeid", &root),
                ("ostypeid", &os),
            ],
        )
        .await;
    let real = recorded("TemplateService.json", "createTemplate");
    check(
        "createTemplate",
        &real["createtemplateresponse"],
        &created,
        &mut found,
    );
    let iso = admin
        .ok(
            "registerIso",
            &[
                ("name", "testIso"),
                ("displaytext", "testIso"),
                ("url", "http://dl.example.org/TinyCore-8.0.iso"),
                ("zoneid", &zone),
                ("ostypeid", &os),
            ],
        )
        .await;
    let real = recorded("ISOService.json", "registerIso");
    check(
        "registerIso",
        &real["registerisoresponse"]["iso"][0],
        &iso["iso"][0],
        &mut found,
    );

    // A setting.
    let setting = admin
        .ok(
            "listConfigurations",
            &[("name", "allow.user.create.projects")],
        )
        .await;
    let real = recorded("ConfigurationService.json", "listConfigurations");
    check(
        "listConfigurations",
        &real["listconfigurationsresponse"]["configuration"][0],
        &setting["configuration"][0],
        &mut found,
    );

    assert!(
        found.is_empty(),
        "fields the servers answer and we do not:\n{}",
        found.join("\n")
    );
}
