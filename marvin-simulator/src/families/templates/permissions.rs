//! Template launch permissions: `updateTemplatePermissions` and
//! `listTemplatePermissions` (`TemplateManagerImpl.updateTemplateOrIsoPermissions`
//! and `listTemplatePermissions`). The owner (or an admin) makes a template
//! public, featured or extractable, and shares a private template with
//! accounts of the owner's domain (`op=add`, `remove`, `reset`).

use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

use crate::families::identity::api as identity;
use crate::kernel::contract::{Call, Reply};
use crate::kernel::error::ApiError;
use crate::kernel::scope::check_access;

/// A template as its permissions see it.
struct Shared {
    id: String,
    name: String,
    format: String,
    is_public: bool,
    account_id: String,
    /// The owner's account type (5: a project).
    owner_type: i64,
    owner_domain: String,
}

fn shared(call: &Call<'_>, id: &str) -> Result<Shared, ApiError> {
    call.tx
        .query_row(
            "SELECT t.id, t.name, t.format, t.is_public, t.account_id, a.account_type, a.domain_id
             FROM templates t JOIN identity_accounts a ON a.id = t.account_id
             WHERE t.id = ?1 AND t.removed IS NULL",
            [id],
            |r| {
                Ok(Shared {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    format: r.get(2)?,
                    is_public: r.get(3)?,
                    account_id: r.get(4)?,
                    owner_type: r.get(5)?,
                    owner_domain: r.get(6)?,
                })
            },
        )
        .optional()?
        .ok_or_else(|| ApiError::invalid_id("id", id))
}

/// `updateTemplatePermissions`.
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let template = shared(call, &id)?;
    if template.format.eq_ignore_ascii_case("ISO") {
        return Err(ApiError::param("Please provide a valid template"));
    }
    let accounts = call
        .params
        .str("accounts")
        .map(|_| call.params.list("accounts"));
    let operation = call.params.str("op").map(str::to_ascii_lowercase);
    let public = call.params.bool("ispublic");
    check_access(call, &template.account_id, &id)?;
    if template.owner_type == 5 {
        return Err(ApiError::param(format!(
            "Update template permissions is an invalid operation on template {}. Project owned templates cannot \
             be shared outside template.",
            template.name
        )));
    }
    let admin = call.caller.is_admin();
    let public_allowed = identity::setting_flag(
        call.tx,
        "allow.public.user.templates",
        &[("account", &template.account_id)],
    )?;
    if !admin && !public_allowed && public == Some(true) {
        return Err(ApiError::param("Only private templates can be created."));
    }
    if accounts.is_some() && !matches!(operation.as_deref(), Some("add" | "remove" | "reset")) {
        return Err(ApiError::param(format!(
            "Invalid operation on accounts, the operation must be either 'add' or 'remove' in order to modify \
             launch permissions.  Given operation is: '{}'",
            call.params.str("op").unwrap_or("null")
        )));
    }
    if call.caller.account_id != template.account_id && !admin {
        return Err(ApiError::param(format!(
            "Unable to grant permission to account {} as it is neither admin nor owner or the template",
            call.caller.account_name
        )));
    }
    for (param, column) in [
        ("ispublic", "is_public"),
        ("isfeatured", "is_featured"),
        ("isextractable", "is_extractable"),
    ] {
        if let Some(value) = call.params.bool(param) {
            call.tx.execute(
                &format!("UPDATE templates SET {column} = ?2 WHERE id = ?1"),
                params![id, value],
            )?;
        }
    }
    if matches!(operation.as_deref(), Some("add" | "remove")) && accounts.is_none() {
        return Err(ApiError::param(format!(
            "Operation {} requires accounts or projectIds to be passed in",
            call.params.str("op").unwrap_or_default()
        )));
    }
    match (operation.as_deref(), &accounts) {
        (Some("add"), Some(names)) => {
            for name in names {
                let Some(account) =
                    identity::account_by_name(call.tx, name, &template.owner_domain)?
                else {
                    return Err(ApiError::param(format!(
                        "Unable to grant a launch permission to account {name} in domain id={}, account not \
                         found.  No permissions updated, please verify the account names and retry.",
                        template.owner_domain
                    )));
                };
                // The caller (the owner) has the permission implicitly.
                if account.id == call.caller.account_id {
                    continue;
                }
                call.tx.execute(
                    "INSERT OR IGNORE INTO template_launch_permissions (template_id, account_id) VALUES (?1, ?2)",
                    params![id, account.id],
                )?;
            }
        }
        (Some("remove"), Some(names)) => {
            for name in names {
                if let Some(account) =
                    identity::account_by_name(call.tx, name, &template.owner_domain)?
                {
                    call.tx.execute(
                        "DELETE FROM template_launch_permissions WHERE template_id = ?1 AND account_id = ?2",
                        params![id, account.id],
                    )?;
                }
            }
        }
        (Some("reset"), _) => {
            call.tx.execute(
                "UPDATE templates SET is_public = 0, is_featured = 0 WHERE id = ?1",
                [&id],
            )?;
            call.tx.execute(
                "DELETE FROM template_launch_permissions WHERE template_id = ?1",
                [&id],
            )?;
        }
        _ => {}
    }
    Ok(Reply::Success(None))
}

/// `listTemplatePermissions`: the accounts a template is shared with, and
/// its owner when it is private.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call.required("id")?.to_string();
    let template = shared(call, &id)?;
    if template.format.eq_ignore_ascii_case("ISO") {
        return Err(ApiError::param("Please provide a valid template"));
    }
    if !template.is_public {
        check_access(call, &template.account_id, &id)?;
    }
    let mut names: Vec<String> = call
        .tx
        .prepare(
            "SELECT a.name FROM template_launch_permissions p JOIN identity_accounts a ON a.id = p.account_id
             WHERE p.template_id = ?1 ORDER BY a.seq",
        )?
        .query_map([&id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if !template.is_public {
        let owner: String = call.tx.query_row(
            "SELECT name FROM identity_accounts WHERE id = ?1",
            [&template.account_id],
            |r| r.get(0),
        )?;
        names.push(owner);
    }
    let mut value = json!({
        "id": template.id,
        "ispublic": template.is_public,
        "account": names,
    });
    if call.caller.is_admin() && !template.is_public {
        value["domainid"] = Value::String(template.owner_domain);
    }
    Ok(Reply::Object {
        key: "templatepermission",
        value,
    })
}
