//! The team's own factories, shared by its tests (`tests/cloud`).

use marvin::entities::commands;
use marvin::factories::{factory, fake, sequence};

factory! {
    /// A team account: its first user is named after the team.
    pub TeamAccount / TeamAccountBuilder {
        subs {
            /// Made first; its id flows into the request.
            domain: marvin::factories::DomainFactory,
        }
        fields {
            team: String = sequence("team"),
            username: String = format!("{team}-lead"),
            firstname: String = fake::first_name(),
            lastname: String = fake::last_name(),
            email: String = fake::email(&firstname, &lastname),
            password: String = fake::password(),
        }
        build -> commands::CreateAccount {
            commands::CreateAccount::builder()
                .email(email)
                .firstname(firstname)
                .lastname(lastname)
                .password(password)
                .username(username)
                .into_request()
                .with_options(commands::CreateAccountOptions {
                    accounttype: Some(0),
                    domainid: Some(domain.id_string()),
                    ..Default::default()
                })
        }
    }

    /// The operations team.
    pub OpsTeam = TeamAccount::new().team("ops");
}
