//! The bundled smoke suite: scenarios that check a CloudStack cloud (or the
//! simulator) behaves as CloudStack does, each a plain
//! `async fn(&mut TestContext) -> marvin::Result<()>`.
//!
//! [`smoke_scenarios!`](crate::smoke_scenarios) below is the only list of
//! them. It gives [`SCENARIOS`], which `marvin smoke` runs and which the
//! `smoke` test target (`tests/smoke.rs`, `marvin::main!`) runs under
//! `cargo test` and `cargo nextest`, on the same runner. To add a
//! scenario, write the function in its module and add one line to the
//! table.

pub mod accounts;
pub mod configurations;
pub mod domains;
pub mod events;
pub mod factories;
pub mod faults;
pub mod groups;
pub mod infrastructure;
pub mod keypairs;
pub mod limits;
pub mod networks;
pub mod offerings;
pub mod projects;
pub mod rules;
pub mod security_groups;
pub mod snapshots;
pub mod support;
pub mod tags;
pub mod templates;
pub mod users;
pub mod vms;
pub mod volumes;
pub mod vpc;

/// The table of the smoke suite, expanded by
/// [`scenario_table!`](crate::scenario_table) in the given mode: `list`
/// (the [`SCENARIOS`] list).
///
/// Tags: `smoke` on every scenario, plus the area; `simulator` marks
/// scenarios that need the simulator's own APIs (they skip themselves on a
/// real cloud); `serial` marks scenarios that change state other tests
/// could observe (the CI profile runs them one at a time).
#[macro_export]
macro_rules! smoke_scenarios {
    ($mode:ident) => {
        $crate::scenario_table! { $mode, $crate::smoke;
            accounts {
                create_and_delete => ["smoke", "accounts"],
                duplicate_username_is_refused => ["smoke", "accounts"],
                missing_names_are_refused => ["smoke", "accounts"],
                disable_and_enable => ["smoke", "accounts"],
                lock_and_enable => ["smoke", "accounts"],
                rename => ["smoke", "accounts"],
            }
            users {
                keys_are_registered_and_replaced => ["smoke", "users", "security"],
                lists_show_only_the_callers_account => ["smoke", "users", "security"],
                acting_on_another_account_is_refused => ["smoke", "users", "security"],
                add_and_delete_a_user => ["smoke", "users"],
                disable_enable_and_lock_a_user => ["smoke", "users"],
                update_own_details => ["smoke", "users"],
            }
            domains {
                tree => ["smoke", "domains"],
                duplicate_name_is_refused => ["smoke", "domains"],
                delete_non_empty_needs_cleanup => ["smoke", "domains"],
                rename => ["smoke", "domains"],
                root_cannot_be_deleted => ["smoke", "domains"],
                domain_admin_sees_only_its_subtree => ["smoke", "domains", "security"],
            }
            offerings {
                service_offering_lifecycle => ["smoke", "offerings"],
                service_offering_limits_are_checked => ["smoke", "offerings"],
                disk_offering_lifecycle => ["smoke", "offerings"],
                custom_disk_offering => ["smoke", "offerings"],
                default_network_offering => ["smoke", "offerings", "network"],
                network_offering_lifecycle => ["smoke", "offerings", "network"],
                vpc_offering_lifecycle => ["smoke", "offerings", "vpc"],
            }
            templates {
                builtin_template_is_ready => ["smoke", "templates"],
                register_update_delete => ["smoke", "templates"],
                private_template_is_invisible_to_others => ["smoke", "templates", "security"],
                register_and_delete_iso => ["smoke", "templates"],
                os_types_have_categories => ["smoke", "templates"],
            }
            infrastructure {
                topology_is_consistent => ["smoke", "infrastructure"],
                storage_is_up => ["smoke", "infrastructure"],
                public_ip_ranges => ["smoke", "infrastructure", "network"],
                zone_and_pod_lifecycle => ["smoke", "infrastructure"],
            }
            configurations {
                account_scoped_setting => ["smoke", "configurations"],
                bad_values_are_refused => ["smoke", "configurations"],
                capabilities => ["smoke", "configurations"],
            }
            events {
                account_changes_are_recorded => ["smoke", "events"],
                users_see_their_own_events => ["smoke", "events", "security"],
                async_jobs_are_listed => ["smoke", "events", "jobs"],
            }
            vms {
                deploy_and_destroy => ["smoke", "vms"],
                stop_and_start => ["smoke", "vms"],
                reboot_needs_a_running_vm => ["smoke", "vms"],
                destroy_and_recover => ["smoke", "vms"],
                change_service_offering => ["smoke", "vms"],
                vms_are_isolated_between_accounts => ["smoke", "vms", "security"],
                users_cannot_expunge => ["smoke", "vms", "security"],
                no_deploy_for_a_disabled_owner => ["smoke", "vms", "accounts"],
                update_display_name => ["smoke", "vms"],
            }
            volumes {
                create_attach_detach_delete => ["smoke", "volumes"],
                attached_and_root_volumes_are_protected => ["smoke", "volumes"],
                device_ids_skip_the_cdrom => ["smoke", "volumes"],
                resize_a_custom_volume => ["smoke", "volumes"],
            }
            snapshots {
                volume_snapshot_lifecycle => ["smoke", "snapshots"],
                vm_snapshot_lifecycle => ["smoke", "snapshots", "vms"],
            }
            keypairs {
                create_list_delete => ["smoke", "keypairs", "security"],
                register_public_key => ["smoke", "keypairs", "security"],
                deploy_with_a_key_pair => ["smoke", "keypairs", "vms"],
            }
            tags {
                tag_a_vm => ["smoke", "tags"],
            }
            projects {
                suspend_and_activate => ["smoke", "projects"],
                add_and_remove_an_account => ["smoke", "projects"],
            }
            limits {
                vm_limit_blocks_deploy => ["smoke", "limits"],
                counts_follow_deployments => ["smoke", "limits"],
            }
            groups {
                host_anti_affinity => ["smoke", "vms", "affinity"],
                instance_group => ["smoke", "vms"],
            }
            networks {
                isolated_network_with_a_vm => ["smoke", "network"],
                vms_get_distinct_addresses => ["smoke", "network"],
                network_in_use_is_not_deleted => ["smoke", "network"],
                networks_are_isolated_between_accounts => ["smoke", "network", "security"],
                source_nat_and_more_addresses => ["smoke", "network", "ip"],
                restart_network => ["smoke", "network"],
            }
            rules {
                firewall_rule => ["smoke", "network", "firewall"],
                port_forwarding => ["smoke", "network", "pf"],
                static_nat => ["smoke", "network", "nat"],
                load_balancer => ["smoke", "network", "lb"],
                egress_rule => ["smoke", "network", "firewall"],
            }
            security_groups {
                ingress_rules => ["smoke", "sg", "security"],
                egress_rules => ["smoke", "sg", "security"],
            }
            vpc {
                vpc_with_a_tier => ["smoke", "vpc", "network"],
                network_acls => ["smoke", "vpc", "network"],
            }
            factories {
                account_and_user => ["smoke", "factories", "accounts"],
                vm_with_static_nat => ["smoke", "factories", "network", "nat"],
                vms_in_a_batch => ["smoke", "factories", "vms"],
            }
            faults {
                failed_job_changes_nothing => ["smoke", "jobs", "simulator", "serial"],
                refused_request_reports_its_code => ["smoke", "jobs", "simulator", "serial"],
            }
        }
    };
}

crate::smoke_scenarios!(list);
