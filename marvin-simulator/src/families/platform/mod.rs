//! Platform: `listApis`, what the simulator serves (the precache entries of
//! the commands the caller may use, by its role's rules and type), read
//! from the call's catalog.

use serde_json::Value;

use crate::kernel::access::Rules;
use crate::kernel::caller::RoleSet;
use crate::kernel::contract::{Call, Command, Family, Reply};
use crate::kernel::error::ApiError;

/// The platform family.
pub(crate) const FAMILY: Family = Family::new("platform", "", COMMANDS);

const COMMANDS: &[Command] = &[Command {
    name: "listApis",
    roles: RoleSet::ALL,
    doc: "Lists the APIs the caller may use, with their parameters and response fields.",
    run: list_apis,
}];

fn list_apis(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let catalog = call.served.catalog;
    let registry = &call.served.registry;
    let wanted = call.params.str("name");
    let rules = Rules::of_caller(call.tx, call.caller)?;
    let items: Vec<Value> = catalog
        .apis()
        .iter()
        .filter(|api| wanted.is_none_or(|name| api.name.eq_ignore_ascii_case(name)))
        .filter(|api| {
            registry
                .get(&api.name)
                .is_some_and(|command| rules.permits(call.caller.role, command))
        })
        .filter_map(|api| catalog.api_json(&api.name).cloned())
        .collect();
    if wanted.is_some() && items.is_empty() {
        return Err(ApiError::internal(
            "Api Discovery plugin was unable to find an api by that name or process any apis",
        ));
    }
    Ok(Reply::List {
        key: "api",
        count: items.len(),
        items,
    })
}
