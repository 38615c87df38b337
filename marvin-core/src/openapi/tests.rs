use super::*;

fn precache() -> ApiList {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../api-precache.json");
    ApiList::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_api_is_one_operation_and_shapes_are_shared() {
    let list = precache();
    let doc = document(&list, "4.22");
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(paths.len(), list.api.len());
    for (path, item) in paths {
        assert_eq!(item.as_object().unwrap().len(), 1, "{path}");
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap().len();
    assert!(
        (100..list.api.len()).contains(&schemas),
        "{schemas} components for {} APIs",
        list.api.len()
    );
}

#[test]
fn lists_jobs_maps_and_secrets_are_described() {
    let doc = document(&precache(), "4.22");
    let zones = &doc["paths"]["/listZones"]["get"];
    assert_eq!(zones["tags"], json!(["Zone"]));
    assert_eq!(zones["x-cloudstack-list-key"], "zone");
    let inner = &zones["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["listzonesresponse"];
    assert_eq!(inner["properties"]["count"]["type"], "integer");
    assert_eq!(
        inner["properties"]["zone"]["items"]["$ref"],
        "#/components/schemas/Zone"
    );
    assert_eq!(
        zones["responses"]["4XX"]["$ref"],
        "#/components/responses/Error"
    );

    let deploy = &doc["paths"]["/deployVirtualMachine"]["get"];
    assert_eq!(deploy["x-cloudstack-async"], true);
    let answer = &deploy["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
        ["deployvirtualmachineresponse"];
    assert_eq!(answer["$ref"], "#/components/schemas/AsyncJob");
    assert_eq!(
        deploy["x-cloudstack-jobresult"]["$ref"],
        "#/components/schemas/VirtualMachine"
    );
    let params = deploy["parameters"].as_array().unwrap();
    let find = |name: &str| params.iter().find(|p| p["name"] == name).unwrap().clone();
    assert_eq!(find("zoneid")["required"], true);
    assert_eq!(find("zoneid")["schema"]["format"], "uuid");
    let details = find("details");
    assert_eq!(details["schema"]["x-cloudstack-encoding"], "indexed-map");
    assert!(
        details["description"]
            .as_str()
            .unwrap()
            .contains("details[0].key=k1")
    );
    assert_eq!(find("securitygroupids")["schema"]["type"], "array");
    assert_eq!(find("securitygroupids")["explode"], false);

    let login = &doc["paths"]["/login"]["post"];
    assert_eq!(login["security"], json!([]));
    let body = &login["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"];
    assert_eq!(body["properties"]["password"]["format"], "password");
    assert!(
        body["required"]
            .as_array()
            .unwrap()
            .contains(&json!("username"))
    );
    // login answers its session's fields straight in the envelope.
    let session = &login["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
        ["loginresponse"]["$ref"];
    let session = session.as_str().unwrap().rsplit('/').next().unwrap();
    let fields = &doc["components"]["schemas"][session]["properties"];
    assert_eq!(fields["sessionkey"]["format"], "password");
    assert_eq!(fields["timeout"]["type"], "integer");
    assert!(doc["paths"]["/createAccount"]["post"].is_object());
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["sessionKey"]["name"], "sessionkey");
    assert!(
        schemes["signature"]["description"]
            .as_str()
            .unwrap()
            .contains(SIGNING_DOCS)
    );
}
