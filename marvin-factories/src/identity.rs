//! Accounts, users, domains and projects.

use marvin_entities::commands;

use crate::{RootDomain, factory, fake, sequence};

factory! {
    /// An ordinary account (type 0). Its first user gets a unique login
    /// name, a fake first and last name, the email `first.last@example.com`
    /// and a random password; it is created in the ROOT domain unless
    /// `domainid` is set (`with_request`).
    pub UserAccount / UserAccountBuilder {
        fields {
            /// The first user's login name (unique).
            username: String = sequence("user"),
            /// The first user's first name.
            firstname: String = fake::first_name(),
            /// The first user's last name.
            lastname: String = fake::last_name(),
            /// The email (from the first and last names unless given).
            email: String = fake::email(&firstname, &lastname),
            /// The first user's password.
            password: String = fake::password(),
            /// The account type: 0 user, 1 root admin, 2 domain admin.
            accounttype: i64 = 0,
        }
        build -> commands::CreateAccount as marvin_entities::Account {
            commands::CreateAccount::builder()
                .email(email)
                .firstname(firstname)
                .lastname(lastname)
                .password(password)
                .username(username)
                .into_request()
                .with_options(commands::CreateAccountOptions {
                    accounttype: Some(accounttype),
                    ..Default::default()
                })
        }
    }

    /// A root admin account: [`UserAccount`] with account type 1.
    pub AdminAccount = UserAccount::new().accounttype(1);

    /// A domain admin account: [`UserAccount`] with account type 2.
    pub DomainAdminAccount = UserAccount::new().accounttype(2);

    /// A user inside an account (by default a new [`UserAccount`]; pass a
    /// builder, or `Sub::of(&account)` for an existing one: the account's
    /// name and domain are needed, an id alone is not enough).
    pub UserFactory / UserBuilder {
        subs {
            /// The account the user joins.
            account: UserAccount,
        }
        fields {
            /// The login name (unique).
            username: String = sequence("user"),
            /// The first name.
            firstname: String = fake::first_name(),
            /// The last name.
            lastname: String = fake::last_name(),
            /// The email.
            email: String = fake::email(&firstname, &lastname),
            /// The password.
            password: String = fake::password(),
        }
        build -> commands::CreateUser as marvin_entities::User {
            commands::CreateUser::builder()
                .account(account.get(|a| a.name.clone()))
                .email(email)
                .firstname(firstname)
                .lastname(lastname)
                .password(password)
                .username(username)
                .into_request()
            .with_options(commands::CreateUserOptions {
                domainid: account.entity().and_then(|a| a.domainid.clone()),
                ..Default::default()
            })
        }
    }

    /// A user inside a new root admin account ([`AdminAccount`]).
    pub AdminUser = UserFactory::new().account(AdminAccount::new());

    /// A domain under ROOT (or under `parent`), with a unique name.
    pub DomainFactory / DomainBuilder {
        subs {
            /// The parent domain.
            parent: RootDomain,
        }
        fields {
            /// The name (unique).
            name: String = sequence("domain"),
        }
        build -> commands::CreateDomain as marvin_entities::Domain {
            commands::CreateDomain::builder()
                .name(name)
                .into_request()
                .with_options(commands::CreateDomainOptions {
                parentdomainid: Some(parent.id_string()).filter(|id| !id.is_empty()),
                ..Default::default()
            })
        }
    }

    /// A project owned by the caller, with a unique name.
    pub ProjectFactory / ProjectBuilder {
        fields {
            /// The name (unique).
            name: String = sequence("project"),
            /// The description.
            displaytext: String = fake::description(),
        }
        build -> commands::CreateProject as marvin_entities::Project {
            commands::CreateProject::builder().displaytext(displaytext).name(name).into_request()
        }
    }
}
