//! CNI configurations for Kubernetes clusters: `registerCniConfiguration`,
//! `listCniConfiguration`, `deleteCniConfiguration`. CloudStack keeps them
//! as user data marked for CKS (`UserDataVO.forCks`,
//! `ManagementServerImpl.registerCniConfiguration`): the same owner rules,
//! name uniqueness and base64 check as registered user data, listed apart
//! from it.

use rusqlite::OptionalExtension;
use serde_json::Value;

use crate::kernel::contract::{Call, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::scope::check_access;
use crate::kernel::sql::Query;

use super::owner;

fn query() -> Query {
    Query::new(format!(
        "SELECT x.id AS id, x.name AS name, x.user_data AS userdata, x.params AS params, {},
                0 AS \"hasannotations?\"
         FROM user_data x {}",
        owner::COLUMNS,
        owner::join("x")
    ))
}

/// `registerCniConfiguration`: a name new to the owner's user data and a
/// base64 configuration (`UserDataManager.validateUserData`).
pub(crate) fn register(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let name = call.required("name")?.to_string();
    let data = call.required("cniconfig")?.to_string();
    let owner = owner::resolve(call)?;
    let id = super::userdata::insert(call, &owner, &name, &data, true)?;
    let mut q = query();
    q.eq("x.id", Some(&id));
    let row = q
        .all(call.tx)?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal("CNI configuration vanished"))?;
    Ok(Reply::Object {
        key: "cniconfig",
        value: Value::Object(row),
    })
}

/// `listCniConfiguration`: the CNI configurations the caller may see.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut q = query();
    q.and("x.for_cks = 1", []);
    owner::scope(call, &mut q, "x.account_id")?;
    q.eq("x.id", call.params.str("id"));
    q.eq("x.name", call.params.str("name"));
    q.keyword(&["x.name"], call.params.str("keyword"));
    q.order("x.name, x.rowid");
    q.list(call, "cniconfig", |_, row| Ok(Value::Object(row)))
}

/// `deleteCniConfiguration`: the owner's (or an admin's above it) CNI
/// configuration goes.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let account: Option<String> = call
        .tx
        .query_row(
            "SELECT account_id FROM user_data WHERE id = ?1 AND for_cks = 1",
            [&id],
            |r| r.get(0),
        )
        .optional()?;
    let account = account.ok_or_else(|| ApiError::invalid_id("id", &id))?;
    check_access(call, &account, &id)?;
    call.tx
        .execute("DELETE FROM user_data WHERE id = ?1", [&id])?;
    Ok(Reply::Success(None))
}

#[cfg(test)]
mod tests {
    use crate::families::testkit::{Kit, code};

    /// `registerCniConfiguration` stores user data for CKS: listed by
    /// `listCniConfiguration`, not by `listUserData`; names are unique per
    /// owner across both; only the owner (or an admin) deletes it.
    #[test]
    fn cni_configurations_are_user_data_kept_apart() {
        let mut kit = Kit::new();
        let user = kit.account("cni-owner", 0, None);
        let other = kit.account("cni-other", 0, None);
        let made = kit
            .call(
                &user,
                "registerCniConfiguration",
                &[("name", "calico"), ("cniconfig", "a2luZDogQ29uZmln")],
            )
            .unwrap();
        let id = made["cniconfig"]["id"].as_str().unwrap().to_string();
        assert_eq!(made["cniconfig"]["userdata"], "a2luZDogQ29uZmln");
        let listed = kit.call(&user, "listCniConfiguration", &[]).unwrap();
        assert_eq!(listed["count"], 1);
        let user_data = kit.call(&user, "listUserData", &[]).unwrap();
        assert_eq!(user_data["count"].as_u64().unwrap_or(0), 0);
        let err = kit
            .call(
                &user,
                "registerCniConfiguration",
                &[("name", "calico"), ("cniconfig", "a2luZA==")],
            )
            .unwrap_err();
        assert_eq!(code(&err), 431);
        let err = kit
            .call(
                &user,
                "registerCniConfiguration",
                &[("name", "flannel"), ("cniconfig", "not base64!")],
            )
            .unwrap_err();
        assert_eq!(err.text, "User data is not base64 encoded.");
        assert_eq!(
            kit.call(&other, "listCniConfiguration", &[]).unwrap()["count"]
                .as_u64()
                .unwrap_or(0),
            0
        );
        let err = kit
            .call(&other, "deleteCniConfiguration", &[("id", &id)])
            .unwrap_err();
        assert_eq!(code(&err), 531);
        kit.call(&user, "deleteCniConfiguration", &[("id", &id)])
            .unwrap();
        assert_eq!(
            kit.call(&user, "listCniConfiguration", &[]).unwrap()["count"]
                .as_u64()
                .unwrap_or(0),
            0
        );
    }
}
