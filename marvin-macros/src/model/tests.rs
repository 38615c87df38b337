//! The model over the real schemas: roles, fills, alternatives, answer
//! types and their deduplication.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use super::*;
use crate::test_support::{schema_418, schema_422};

fn model_422() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::build(schema_422()).expect("4.22 builds"))
}

fn model_418() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::build(schema_418()).expect("4.18 builds"))
}

fn method<'m>(model: &'m Model, entity: &str, name: &str) -> (&'m Method, &'m Command) {
    let e = model.entity(entity);
    let m = e
        .methods
        .iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("{entity}.{name}"));
    (m, &model.commands[m.command])
}

fn entity_answer(command: &Command) -> Option<&str> {
    match &command.response.answer {
        Answer::Type(TypeRef {
            module: Module::Root,
            name,
        }) => Some(name),
        _ => None,
    }
}

#[test]
fn every_api_becomes_exactly_one_command_and_one_method() {
    for (schema, model) in [(schema_422(), model_422()), (schema_418(), model_418())] {
        assert_eq!(model.commands.len(), schema.api.len());
        let mut methods: Vec<usize> = model
            .entities
            .iter()
            .flat_map(|e| e.methods.iter().map(|m| m.command))
            .collect();
        methods.sort_unstable();
        assert_eq!(methods, (0..model.commands.len()).collect::<Vec<_>>());
    }
}

#[test]
fn virtual_machine_has_its_creator_enumerator_verbs_and_deletion() {
    let model = model_422();
    let vm = model.entity("VirtualMachine");
    assert!(vm.has_id());
    let (create, deploy) = method(model, "VirtualMachine", "create");
    assert_eq!(
        (create.role, deploy.api.as_str()),
        (Role::Creator, "deployVirtualMachine")
    );
    let names: Vec<&str> = deploy.required.iter().map(|a| a.wire.as_str()).collect();
    assert_eq!(names, ["serviceofferingid", "templateid", "zoneid"]);
    assert_eq!(entity_answer(deploy), Some("VirtualMachine"));
    let (list, _) = method(model, "VirtualMachine", "list");
    assert_eq!(list.role, Role::Enumerator);
    let (stop, cmd) = method(model, "VirtualMachine", "stop");
    assert_eq!(stop.fill, Some(Fill::Required(0)));
    assert_eq!(cmd.required[0].wire, "id");
    let (add_nic, cmd) = method(model, "VirtualMachine", "add_nic");
    let Some(Fill::Required(i)) = add_nic.fill else {
        panic!("addNic fills {:?}", add_nic.fill)
    };
    assert_eq!(cmd.required[i].wire, "virtualmachineid");
    let removal = vm.removal.as_ref().expect("VMs are deletable");
    assert_eq!(model.commands[removal.command].api, "destroyVirtualMachine");
    assert_eq!(removal.flag, Some("expunge"));
    assert!(vm.refresh.is_some());
}

#[test]
fn special_creators_and_deletions() {
    let model = model_422();
    assert_eq!(
        method(model, "Template", "create").1.api,
        "registerTemplate"
    );
    assert_eq!(
        method(model, "Template", "create_template").1.api,
        "createTemplate"
    );
    assert_eq!(method(model, "Iso", "create").1.api, "registerIso");
    assert_eq!(
        method(model, "IpAddress", "create").1.api,
        "associateIpAddress"
    );
    let ip = model.entity("IpAddress");
    assert_eq!(
        model.commands[ip.removal.as_ref().unwrap().command].api,
        "disassociateIpAddress"
    );
    assert_eq!(method(model, "Host", "create").1.api, "addHost");
    let volume = model.entity("Volume").removal.as_ref().unwrap();
    assert_eq!(
        (model.commands[volume.command].api.as_str(), volume.flag),
        ("destroyVolume", Some("expunge"))
    );
    // A domain goes with what is in it (an account a killed run made
    // there without recording it would block its deletion otherwise).
    let domain = model.entity("Domain").removal.as_ref().unwrap();
    assert_eq!(
        (model.commands[domain.command].api.as_str(), domain.flag),
        ("deleteDomain", Some("cleanup"))
    );
}

#[test]
fn alternative_parameter_sets_become_a_target_filled_by_id() {
    let model = model_422();
    let (disable, cmd) = method(model, "Account", "disable");
    assert_eq!(disable.fill, Some(Fill::Target));
    let target = cmd
        .target
        .as_ref()
        .expect("disableAccount has alternatives");
    let sets: Vec<(&str, Vec<&str>)> = target
        .variants
        .iter()
        .map(|v| {
            (
                v.name.as_str(),
                v.args.iter().map(|a| a.wire.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        sets,
        [("Id", vec!["id"]), ("Name", vec!["account", "domainid"])]
    );
    assert_eq!(
        cmd.required
            .iter()
            .map(|a| a.wire.as_str())
            .collect::<Vec<_>>(),
        ["lock"]
    );
    assert!(cmd.optional.is_empty());
    let account = model.entity("Account");
    assert_eq!(
        model.commands[account.removal.as_ref().unwrap().command].api,
        "deleteAccount"
    );
}

#[test]
fn ids_of_another_entity_are_not_filled() {
    let model = model_422();
    // findStoragePoolsForMigration takes a volume's id.
    let (find, _) = method(model, "StoragePool", "find_for_migration");
    assert_eq!(find.fill, None);
    // listLoadBalancerRuleInstances lists by a plain id: an associated function.
    let (instances, _) = method(model, "LoadBalancerRule", "list_instances");
    assert_eq!(instances.fill, None);
    // revokeSecurityGroupIngress takes the rule's id.
    assert_eq!(
        method(model, "SecurityGroup", "revoke_ingress").0.fill,
        None
    );
    let (authorize, _) = method(model, "SecurityGroup", "authorize_ingress");
    assert!(authorize.fill.is_some());
    // ... but listProjectAccounts names the project's id.
    let (accounts, cmd) = method(model, "Project", "list_accounts");
    let Some(Fill::Required(i)) = accounts.fill else {
        panic!()
    };
    assert_eq!(cmd.required[i].wire, "projectid");
}

#[test]
fn answers_reuse_entities_and_success() {
    let model = model_422();
    assert_eq!(
        model.command("deleteAccount").response.answer,
        Answer::Success
    );
    assert_eq!(
        entity_answer(model.command("createVMFromBackup")),
        Some("VirtualMachine")
    );
    assert_eq!(
        entity_answer(model.command("stopVirtualMachine")),
        Some("VirtualMachine")
    );
    // createSSHKeyPair answers the key pair with its private key, a secret.
    assert_eq!(
        entity_answer(model.command("createSSHKeyPair")),
        Some("SSHKeyPair")
    );
    let pair = model.entity("SSHKeyPair").fields.as_ref().unwrap();
    let private = pair.iter().find(|f| f.wire == "privatekey").unwrap();
    assert_eq!(private.ty, FieldTy::Scalar(Scalar::Secret));
    let list = &model.command("listVirtualMachines").response;
    assert!(list.many && list.paged);
    let discover = &model.command("discoverGpuDevices").response;
    assert!(discover.many && discover.paged);
    assert!(!model.command("stopVirtualMachine").response.many);
}

#[test]
fn answer_types_are_deduplicated_by_structure() {
    for (schema, model) in [(schema_422(), model_422()), (schema_418(), model_418())] {
        let structs =
            model.entities.iter().filter(|e| e.fields.is_some()).count() + model.structs.len();
        // About 230 distinct top-level shapes and 40 nested ones in 4.22.
        assert!(
            structs < 330,
            "{structs} answer types for {} APIs",
            schema.api.len()
        );
        let names: BTreeSet<&str> = model.structs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names.len(), model.structs.len(), "struct names are unique");
        for s in &model.structs {
            let fields: BTreeSet<&str> = s.fields.iter().map(|f| f.ident.as_str()).collect();
            assert_eq!(
                fields.len(),
                s.fields.len(),
                "{}: field names are unique",
                s.name
            );
        }
    }
    // 4.22's nested objects reuse listNics' item for `nic`.
    let vm = model_422()
        .entity("VirtualMachine")
        .fields
        .as_ref()
        .unwrap();
    let nic = vm.iter().find(|f| f.wire == "nic").unwrap();
    assert_eq!(
        nic.ty,
        FieldTy::Objects(TypeRef {
            module: Module::Root,
            name: "Nic".into()
        })
    );
}

#[test]
fn the_4_18_quirks_are_absorbed() {
    let model = model_418();
    // 1,467 `{}` entries: no field without a name.
    for s in &model.structs {
        assert!(s.fields.iter().all(|f| !f.wire.is_empty()));
    }
    // Repeated parameters keep one entry.
    let role = model.command("updateRole");
    let names: Vec<&str> = role.optional.iter().map(|a| a.wire.as_str()).collect();
    let unique: BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(names.len(), unique.len());
    // Real types: dates and uuids.
    let vm = model.entity("VirtualMachine").fields.as_ref().unwrap();
    assert_eq!(
        vm.iter().find(|f| f.wire == "created").unwrap().ty,
        FieldTy::Scalar(Scalar::Date)
    );
    assert_eq!(model.command("listVirtualMachines").since, None);
    assert!(model.command("listResourceIcon").since.is_some());
}

#[test]
fn required_arguments_are_alphabetical_and_typed() {
    let cmd = model_422().command("createAccount");
    let names: Vec<&str> = cmd.required.iter().map(|a| a.wire.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    let password = cmd.required.iter().find(|a| a.wire == "password").unwrap();
    assert_eq!(password.kind, ArgKind::Secret);
    let deploy = model_422().command("deployVirtualMachine");
    let kind = |name: &str| {
        deploy
            .optional
            .iter()
            .find(|a| a.wire == name)
            .unwrap()
            .kind
    };
    assert_eq!(kind("details"), ArgKind::Map);
    assert_eq!(kind("networkids"), ArgKind::List);
    assert_eq!(kind("rootdisksize"), ArgKind::Int);
    assert_eq!(kind("startvm"), ArgKind::Bool);
}

#[test]
fn building_twice_gives_the_same_model() {
    let again = Model::build(schema_418()).expect("builds");
    assert_eq!(again.entities, model_418().entities);
    assert_eq!(again.commands, model_418().commands);
    assert_eq!(again.structs, model_418().structs);
}

#[test]
fn unusual_names_still_give_valid_identifiers() {
    let doc = r#"{"api":[
        {"name":"moveDomain","params":[{"name":"type","type":"string","required":true},
                                        {"name":"options","type":"string","required":true}]},
        {"name":"listDomains","params":[{"name":"id","type":"uuid"}],"response":[{"name":"id"},{"name":"extra"}]},
        {"name":"login","isasync":false}]}"#;
    let model = Model::build(&ApiList::from_json(doc).unwrap()).unwrap();
    let (moved, cmd) = method(&model, "Domain", "move_domain");
    assert_eq!(moved.fill, None);
    let idents: Vec<&str> = cmd.required.iter().map(|a| a.ident.as_str()).collect();
    assert_eq!(idents, ["options_", "type_"]);
    let fields = model.entity("Domain").fields.as_ref().unwrap();
    assert_eq!(
        fields.iter().map(|f| f.ident.as_str()).collect::<Vec<_>>(),
        ["extra_", "id"]
    );
    assert!(model.entity("Session").fields.is_none());
}

#[test]
fn odd_names_never_panic_and_give_valid_identifiers() {
    let doc = r#"{"api":[
        {"name":"list3parVolumes","params":[{"name":"prénom","type":"string","required":true},
            {"name":"details[0].key","type":"map"},{"name":"_","type":"integer"}],
         "response":[{"name":"id"},{"name":"ça","type":"list","response":[{"name":"été"},{"name":"x.y"}]},
            {"name":"tags]é","type":"set","response":[{"name":"k"}]},{"name":"9lives","type":"map"}]},
        {"name":"deleteX","params":[{"name":"id","type":"uuid","required":true}]}]}"#;
    let model = Model::build(&ApiList::from_json(doc).unwrap()).unwrap();
    let tokens = crate::emit::api(&model, None, "odd.json");
    let file: syn::File = syn::parse2(tokens).expect("valid Rust");
    assert!(!file.items.is_empty());
    assert_eq!(
        model.command("list3parVolumes").mapping.entity,
        "X3parVolume"
    );
}

#[test]
fn entity_fields_read_as_the_entitys_own_list_api_describes_them() {
    // The repository's precache keeps descriptions; a VM's shape is met
    // first in `addNicToVirtualMachine`, which speaks of the NIC.
    let path = crate::test_support::workspace_root().join("api-precache.json");
    let text = std::fs::read_to_string(&path).expect("the precache");
    let schema = marvin_core::schema::ApiList::from_json(&text).expect("it parses");
    let model = Model::build(&schema).expect("it builds");
    let fields = model
        .entity("VirtualMachine")
        .fields
        .as_ref()
        .expect("VMs have fields");
    let created = fields
        .iter()
        .find(|f| f.wire == "created")
        .expect("created");
    assert_eq!(created.doc, "When the virtual machine was created.");
}

/// The workspace precache: its VM listing comes from the 4.18 answer and
/// `attachIso` from the 4.22 one, so only the linguist's facts tell that
/// `attachIso` answers a VM and not a VNF appliance.
fn model_precache() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let path = crate::test_support::workspace_root().join("api-precache.json");
        let text = std::fs::read_to_string(&path).expect("the precache is readable");
        let list = crate::precache::parse(&text, "api-precache.json").expect("it parses");
        Model::build(&list).expect("the precache builds")
    })
}

#[test]
fn answers_the_schema_misstates_are_the_entities_the_linguist_names() {
    for model in [model_precache(), model_422(), model_418()] {
        let answer = |api: &str| entity_answer(model.command(api)).map(str::to_string);
        let vm = Some("VirtualMachine".to_string());
        assert_eq!(answer("scaleVirtualMachine"), vm);
        assert_eq!(answer("attachIso"), vm);
        assert_eq!(answer("detachIso"), vm);
        assert_eq!(answer("listLoadBalancerRuleInstances"), vm);
        assert!(model.command("listLoadBalancerRuleInstances").response.many);
        let group = Some("SecurityGroup".to_string());
        assert_eq!(answer("authorizeSecurityGroupIngress"), group);
        assert_eq!(answer("authorizeSecurityGroupEgress"), group);
    }
}

#[test]
fn the_security_group_verbs_and_volume_update_send_the_entitys_id() {
    for model in [model_precache(), model_422()] {
        for verb in ["authorize_ingress", "authorize_egress"] {
            let (m, cmd) = method(model, "SecurityGroup", verb);
            let Some(Fill::Optional(i)) = m.fill else {
                panic!("{verb} fills {:?}", m.fill)
            };
            assert_eq!(cmd.optional[i].wire, "securitygroupid");
        }
        let (update, cmd) = method(model, "Volume", "update");
        let Some(Fill::Optional(i)) = update.fill else {
            panic!("update fills {:?}", update.fill)
        };
        assert_eq!(cmd.optional[i].wire, "id");
    }
}

#[test]
fn deletions_by_a_key_the_entity_carries_are_methods() {
    let model = model_precache();
    for (entity, verb, key, owners) in [
        ("RemoteAccessVpn", "delete", "publicipid", &[][..]),
        (
            "VpnUser",
            "remove",
            "username",
            &["account", "domainid", "projectid"][..],
        ),
        (
            "SSHKeyPair",
            "delete",
            "name",
            &["account", "domainid", "projectid"][..],
        ),
    ] {
        let (m, cmd) = method(model, entity, verb);
        let Some(Fill::Key { required, scope }) = &m.fill else {
            panic!("{entity}.{verb} fills {:?}", m.fill)
        };
        assert_eq!(cmd.required[*required].wire, key, "{entity}.{verb}");
        let sent: Vec<&str> = scope
            .iter()
            .map(|i| cmd.optional[*i].wire.as_str())
            .collect();
        assert_eq!(sent, owners, "{entity}.{verb}");
    }
    // Static NAT is switched on the address, by its id.
    for verb in ["enable_static_nat", "disable_static_nat"] {
        let (m, cmd) = method(model, "IpAddress", verb);
        let Some(Fill::Required(i)) = m.fill else {
            panic!("{verb} fills {:?}", m.fill)
        };
        assert_eq!(cmd.required[i].wire, "ipaddressid");
    }
    // A listing's required key is never taken for an entity's own.
    let (instances, _) = method(model, "LoadBalancerRule", "list_instances");
    assert_eq!(instances.fill, None);
}

#[test]
fn templates_refresh_and_own_their_permissions() {
    let model = model_precache();
    let template = model.entity("Template");
    let refresh = template.refresh.as_ref().expect("Template::refresh");
    assert_eq!(
        refresh.fixed,
        vec![("templatefilter".to_string(), "self".to_string())]
    );
    let (list, cmd) = method(model, "Template", "list_permissions");
    assert!(!cmd.response.many, "one object per template");
    assert_eq!(list.fill, Some(Fill::Required(0)));
    assert_eq!(
        cmd.response.answer,
        Answer::Type(TypeRef {
            module: Module::Responses,
            name: "TemplatePermission".into()
        })
    );
    let (update, _) = method(model, "Template", "update_permissions");
    assert_eq!(update.fill, Some(Fill::Required(0)));
    let (iso, cmd) = method(model, "Iso", "list_permissions");
    assert_eq!(iso.fill, Some(Fill::Required(0)));
    assert_eq!(
        cmd.response.answer,
        model.command("listTemplatePermissions").response.answer
    );
    assert!(
        !model
            .entities
            .iter()
            .any(|e| e.name == "TemplatePermission")
    );
}

#[test]
fn lists_of_ids_and_account_names_are_strings() {
    let model = model_precache();
    let field = |fields: &[Field], wire: &str| {
        fields
            .iter()
            .find(|f| f.wire == wire)
            .unwrap_or_else(|| panic!("no field {wire}"))
            .ty
            .clone()
    };
    let entity = |name: &str| model.entity(name).fields.clone().expect("fields");
    assert_eq!(
        field(&entity("AffinityGroup"), "virtualmachineIds"),
        FieldTy::Strings
    );
    assert_eq!(
        field(&entity("SecurityGroup"), "virtualmachineids"),
        FieldTy::Strings
    );
    let permission = model
        .structs
        .iter()
        .find(|s| s.name == "TemplatePermission")
        .expect("TemplatePermission");
    assert_eq!(field(&permission.fields, "account"), FieldTy::Strings);
    assert_eq!(field(&permission.fields, "projectids"), FieldTy::Strings);
    // Lists of objects the schema does not describe stay raw.
    let lb = entity("LoadBalancerRule");
    assert!(
        lb.iter()
            .all(|f| f.ty != FieldTy::Strings || f.wire.ends_with("ids"))
    );
}

#[test]
fn camel_case_answer_fields_keep_their_wire_name() {
    let model = model_precache();
    let Answer::Type(t) = &model.command("extractTemplate").response.answer else {
        panic!("extractTemplate answers a type")
    };
    let fields = match t.module {
        Module::Root => model.entity(&t.name).fields.clone().expect("fields"),
        Module::Responses => model
            .structs
            .iter()
            .find(|s| s.name == t.name)
            .expect("struct")
            .fields
            .clone(),
    };
    let mode = fields
        .iter()
        .find(|f| f.ident == "extractmode")
        .expect("extractmode");
    assert_eq!(mode.wire, "extractMode");
}
