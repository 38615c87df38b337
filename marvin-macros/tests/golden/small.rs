/**How each entity is deleted, as its `Resource::deletion` does it: the rules `marvin cleanup` checks every recorded deletion against.

```
let vm = marvin_entities::DELETION_RULES
    .iter()
    .find(|rule| rule.entity == "VirtualMachine")
    .expect("VMs are deletable");
assert_eq!(vm.command, "destroyVirtualMachine");
assert_eq!(vm.sends, [("expunge", "true")]);
```*/
pub const DELETION_RULES: &[::marvin_entities::__private::DeletionRule] = &[
    ::marvin_entities::__private::DeletionRule::new(
            "Account",
            "deleteAccount",
            true,
            "id",
        )
        .flags(&[])
        .sends(&[]),
    ::marvin_entities::__private::DeletionRule::new(
            "IpAddress",
            "disassociateIpAddress",
            true,
            "id",
        )
        .flags(&[])
        .sends(&[]),
    ::marvin_entities::__private::DeletionRule::new(
            "VirtualMachine",
            "destroyVirtualMachine",
            true,
            "id",
        )
        .flags(&["expunge"])
        .sends(&[("expunge", "true")]),
];
/**A CloudStack `Account`.

- Creator: [`create`](Self::create) (`createAccount`)
- Enumerator: [`list`](Self::list) (`listAccounts`)
- [`refresh`](Self::refresh): the current state, listed by id
- Deletion (for cleanup, `Resource::deletion`): `deleteAccount`
- Verbs:
  - [`delete`](Self::delete) (`deleteAccount`, on `&self`)
  - [`disable`](Self::disable) (`disableAccount`, on `&self`)*/
#[derive(Debug, Clone)]
pub struct Account {
    ///account type (admin, domain-admin, user) (`accounttype`)
    pub accounttype: Option<i64>,
    ///id of the Domain the account belongs to (`domainid`)
    pub domainid: Option<String>,
    ///the id of the account (`id`)
    pub id: String,
    ///the UUID of the latest async job acting on this object (`jobid`)
    pub jobid: Option<String>,
    ///the current status of the latest async job acting on this object (`jobstatus`)
    pub jobstatus: Option<i64>,
    ///the name of the account (`name`)
    pub name: Option<String>,
    ///the state of the account (`state`)
    pub state: Option<String>,
    ///the list of users associated with account (`user`)
    pub user: Vec<responses::User>,
    /// Fields the schema does not list, as sent.
    pub extra: ::marvin_entities::Object,
}
impl ::marvin_entities::Decode for Account {
    fn decode(o: &mut ::marvin_entities::Object) -> Self {
        Self {
            accounttype: ::marvin_entities::__private::take(o, "accounttype"),
            domainid: ::marvin_entities::__private::take(o, "domainid"),
            id: ::marvin_entities::__private::take(o, "id"),
            jobid: ::marvin_entities::__private::take(o, "jobid"),
            jobstatus: ::marvin_entities::__private::take(o, "jobstatus"),
            name: ::marvin_entities::__private::take(o, "name"),
            state: ::marvin_entities::__private::take(o, "state"),
            user: ::marvin_entities::__private::take(o, "user"),
            extra: ::core::mem::take(o),
        }
    }
    fn extra(&self) -> &::marvin_entities::Object {
        &self.extra
    }
}
impl ::marvin_entities::__private::Resource for Account {
    const ENTITY: &'static str = "Account";
    fn id(&self) -> &str {
        &self.id
    }
    fn deletion(&self) -> Option<::marvin_entities::__private::Deletion> {
        Some(
            ::marvin_entities::__private::deletion(
                "Account",
                &self.id,
                "deleteAccount",
                true,
                "id",
                &[],
            ),
        )
    }
}
impl Account {
    /**Creates an account.

CloudStack API `createAccount` (sync).

# Arguments

- `email`: email (`email`)
- `firstname`: firstname (`firstname`)
- `lastname`: lastname (`lastname`)
- `password`: Clear text password (Default hashed to SHA256SALT). If you wish to use any other hashing algorithm, you would need to write a custom authentication adapter See Docs section. (`password`)
- `username`: Unique username. (`username`)

Optional arguments: [`CreateAccountOptions`](commands::CreateAccountOptions).*/
    pub fn create(
        client: &::marvin_entities::__private::Client,
        email: impl Into<String>,
        firstname: impl Into<String>,
        lastname: impl Into<String>,
        password: impl Into<String>,
        username: impl Into<String>,
        options: commands::CreateAccountOptions,
    ) -> ::marvin_entities::Call<Account> {
        commands::CreateAccount {
            email: email.into(),
            firstname: firstname.into(),
            lastname: lastname.into(),
            password: ::marvin_entities::Secret::new(password),
            username: username.into(),
            options,
        }
            .send(client)
    }
    /**Lists accounts and provides detailed account information for listed accounts.

CloudStack API `listAccounts` (sync).

Optional arguments: [`ListAccountsOptions`](commands::ListAccountsOptions).*/
    pub fn list(
        client: &::marvin_entities::__private::Client,
        options: commands::ListAccountsOptions,
    ) -> ::marvin_entities::Call<Vec<Account>> {
        commands::ListAccounts { options }.send(client)
    }
    ///[`list`](Self::list) as a stream of items, fetched page by page (`listAccounts`).
    pub fn list_stream(
        client: &::marvin_entities::__private::Client,
        options: commands::ListAccountsOptions,
    ) -> ::marvin_entities::ListStream<Account> {
        commands::ListAccounts { options }.stream(client)
    }
    /**Deletes a account, and all users associated with this account.

CloudStack API `deleteAccount` (async: waits for the job). Sends this entity's id as `id`.*/
    pub fn delete(
        &self,
        client: &::marvin_entities::__private::Client,
    ) -> ::marvin_entities::Call<::marvin_entities::Success> {
        commands::DeleteAccount {
            id: self.id.clone(),
        }
            .send(client)
    }
    /**Disables an account.

CloudStack API `disableAccount` (async: waits for the job). Sends this entity's id as `id`.

# Arguments

- `lock`: If true, only lock the account; else disable the account (`lock`)*/
    pub fn disable(
        &self,
        client: &::marvin_entities::__private::Client,
        lock: bool,
    ) -> ::marvin_entities::Call<Account> {
        commands::DisableAccount {
            lock,
            target: commands::DisableAccountTarget::Id(self.id.clone()),
        }
            .send(client)
    }
    /// This entity's current state, listed by its id.
    pub fn refresh(
        &self,
        client: &::marvin_entities::__private::Client,
    ) -> ::marvin_entities::Call<Self> {
        let mut p = ::marvin_entities::__private::Params::new();
        p.set("id", &self.id);
        p.set("listall", "true");
        ::marvin_entities::__private::refresh(client, "listAccounts", p, true)
    }
}
/**A CloudStack `Capability`.

- Enumerator: [`list`](Self::list) (`listCapabilities`)*/
#[derive(Debug, Clone)]
pub struct Capability {
    ///Max allowed number of api requests within the specified interval (`apilimitmax`)
    pub apilimitmax: Option<i64>,
    ///version of the cloud stack (`cloudstackversion`)
    pub cloudstackversion: Option<String>,
    ///true if security groups support is enabled, false otherwise (`securitygroupsenabled`)
    pub securitygroupsenabled: Option<bool>,
    /// Fields the schema does not list, as sent.
    pub extra: ::marvin_entities::Object,
}
impl ::marvin_entities::Decode for Capability {
    fn decode(o: &mut ::marvin_entities::Object) -> Self {
        Self {
            apilimitmax: ::marvin_entities::__private::take(o, "apilimitmax"),
            cloudstackversion: ::marvin_entities::__private::take(
                o,
                "cloudstackversion",
            ),
            securitygroupsenabled: ::marvin_entities::__private::take(
                o,
                "securitygroupsenabled",
            ),
            extra: ::core::mem::take(o),
        }
    }
    fn extra(&self) -> &::marvin_entities::Object {
        &self.extra
    }
}
impl Capability {
    /**Lists capabilities.

CloudStack API `listCapabilities` (sync).*/
    pub fn list(
        client: &::marvin_entities::__private::Client,
    ) -> ::marvin_entities::Call<Vec<Capability>> {
        commands::ListCapabilities {}.send(client)
    }
}
/**A CloudStack `IpAddress`.

- Creator: [`create`](Self::create) (`associateIpAddress`)
- Enumerator: [`list`](Self::list) (`listPublicIpAddresses`)
- [`refresh`](Self::refresh): the current state, listed by id
- Deletion (for cleanup, `Resource::deletion`): `disassociateIpAddress`
- Verbs:
  - [`disassociate`](Self::disassociate) (`disassociateIpAddress`, on `&self`)*/
#[derive(Debug, Clone)]
pub struct IpAddress {
    ///date the public IP address was acquired (`allocated`)
    pub allocated: Option<::marvin_entities::Timestamp>,
    ///public IP address id (`id`)
    pub id: String,
    ///public IP address (`ipaddress`)
    pub ipaddress: Option<String>,
    ///true if the IP address is a source nat address, false otherwise (`issourcenat`)
    pub issourcenat: Option<bool>,
    ///the UUID of the latest async job acting on this object (`jobid`)
    pub jobid: Option<String>,
    ///the current status of the latest async job acting on this object (`jobstatus`)
    pub jobstatus: Option<i64>,
    ///State of the ip address. Can be: Allocatin, Allocated and Releasing (`state`)
    pub state: Option<String>,
    ///the list of resource tags associated with ip address (`tags`)
    pub tags: Vec<responses::IpAddressTag>,
    ///the ID of the zone the public IP address belongs to (`zoneid`)
    pub zoneid: Option<String>,
    /// Fields the schema does not list, as sent.
    pub extra: ::marvin_entities::Object,
}
impl ::marvin_entities::Decode for IpAddress {
    fn decode(o: &mut ::marvin_entities::Object) -> Self {
        Self {
            allocated: ::marvin_entities::__private::take(o, "allocated"),
            id: ::marvin_entities::__private::take(o, "id"),
            ipaddress: ::marvin_entities::__private::take(o, "ipaddress"),
            issourcenat: ::marvin_entities::__private::take(o, "issourcenat"),
            jobid: ::marvin_entities::__private::take(o, "jobid"),
            jobstatus: ::marvin_entities::__private::take(o, "jobstatus"),
            state: ::marvin_entities::__private::take(o, "state"),
            tags: ::marvin_entities::__private::take(o, "tags"),
            zoneid: ::marvin_entities::__private::take(o, "zoneid"),
            extra: ::core::mem::take(o),
        }
    }
    fn extra(&self) -> &::marvin_entities::Object {
        &self.extra
    }
}
impl ::marvin_entities::__private::Resource for IpAddress {
    const ENTITY: &'static str = "IpAddress";
    fn id(&self) -> &str {
        &self.id
    }
    fn deletion(&self) -> Option<::marvin_entities::__private::Deletion> {
        Some(
            ::marvin_entities::__private::deletion(
                "IpAddress",
                &self.id,
                "disassociateIpAddress",
                true,
                "id",
                &[],
            ),
        )
    }
}
impl IpAddress {
    /**Acquires and associates a public IP to an account.

CloudStack API `associateIpAddress` (async: waits for the job).

Optional arguments: [`AssociateIpAddressOptions`](commands::AssociateIpAddressOptions).*/
    pub fn create(
        client: &::marvin_entities::__private::Client,
        options: commands::AssociateIpAddressOptions,
    ) -> ::marvin_entities::Call<IpAddress> {
        commands::AssociateIpAddress {
            options,
        }
            .send(client)
    }
    /**Lists all public ip addresses.

CloudStack API `listPublicIpAddresses` (sync).

Optional arguments: [`ListPublicIpAddressesOptions`](commands::ListPublicIpAddressesOptions).*/
    pub fn list(
        client: &::marvin_entities::__private::Client,
        options: commands::ListPublicIpAddressesOptions,
    ) -> ::marvin_entities::Call<Vec<IpAddress>> {
        commands::ListPublicIpAddresses {
            options,
        }
            .send(client)
    }
    ///[`list`](Self::list) as a stream of items, fetched page by page (`listPublicIpAddresses`).
    pub fn list_stream(
        client: &::marvin_entities::__private::Client,
        options: commands::ListPublicIpAddressesOptions,
    ) -> ::marvin_entities::ListStream<IpAddress> {
        commands::ListPublicIpAddresses {
            options,
        }
            .stream(client)
    }
    /**Disassociates an IP address from the account.

CloudStack API `disassociateIpAddress` (async: waits for the job). Sends this entity's id as `id`.*/
    pub fn disassociate(
        &self,
        client: &::marvin_entities::__private::Client,
    ) -> ::marvin_entities::Call<::marvin_entities::Success> {
        commands::DisassociateIpAddress {
            id: self.id.clone(),
        }
            .send(client)
    }
    /// This entity's current state, listed by its id.
    pub fn refresh(
        &self,
        client: &::marvin_entities::__private::Client,
    ) -> ::marvin_entities::Call<Self> {
        let mut p = ::marvin_entities::__private::Params::new();
        p.set("id", &self.id);
        p.set("listall", "true");
        ::marvin_entities::__private::refresh(client, "listPublicIpAddresses", p, true)
    }
}
/**A CloudStack `Session`. No answer describes it: this type only groups its APIs.

- Verbs:
  - [`login`](Self::login) (`login`)*/
#[derive(Debug, Clone, Copy, Default)]
pub struct Session;
impl Session {
    /**Logs a user into the CloudStack. A successful login attempt will generate a JSESSIONID cookie value that can be passed in subsequent Query command calls until the "logout" command has been issued or the session has expired.

CloudStack API `login` (sync).

# Arguments

- `password`: Hashed password (Default is MD5). If you wish to use any other hashing algorithm, you would need to write a custom authentication adapter See Docs section. (`password`)
- `username`: Username (`username`)

Optional arguments: [`LoginOptions`](commands::LoginOptions).*/
    pub fn login(
        client: &::marvin_entities::__private::Client,
        password: impl Into<String>,
        username: impl Into<String>,
        options: commands::LoginOptions,
    ) -> ::marvin_entities::Call<responses::LoginResponse> {
        commands::Login {
            password: ::marvin_entities::Secret::new(password),
            username: username.into(),
            options,
        }
            .send(client)
    }
}
/**A CloudStack `Tag`. No answer describes it: this type only groups its APIs.

- Creator: [`create`](Self::create) (`createTags`)*/
#[derive(Debug, Clone, Copy, Default)]
pub struct Tag;
impl Tag {
    /**Creates resource tag(s).

CloudStack API `createTags` (async: waits for the job). Since 4.0.0.

# Arguments

- `resourceids`: list of resources to create the tags for (`resourceids`)
- `resourcetype`: type of the resource (`resourcetype`)
- `tags`: Map of tags (key/value pairs) (`tags`)

Optional arguments: [`CreateTagsOptions`](commands::CreateTagsOptions).*/
    pub fn create(
        client: &::marvin_entities::__private::Client,
        resourceids: impl IntoIterator<Item = impl Into<String>>,
        resourcetype: impl Into<String>,
        tags: impl IntoIterator<
            Item = impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>,
        >,
        options: commands::CreateTagsOptions,
    ) -> ::marvin_entities::Call<::marvin_entities::Success> {
        commands::CreateTags {
            resourceids: ::marvin_entities::__private::strings(resourceids),
            resourcetype: resourcetype.into(),
            tags: ::marvin_entities::__private::maps(tags),
            options,
        }
            .send(client)
    }
}
/**A CloudStack `VirtualMachine`.

- Creator: [`create`](Self::create) (`deployVirtualMachine`)
- Enumerator: [`list`](Self::list) (`listVirtualMachines`)
- [`refresh`](Self::refresh): the current state, listed by id
- Deletion (for cleanup, `Resource::deletion`): `destroyVirtualMachine` with `expunge=true`
- Verbs:
  - [`add_nic`](Self::add_nic) (`addNicToVirtualMachine`, on `&self`)
  - [`destroy`](Self::destroy) (`destroyVirtualMachine`, on `&self`)
  - [`get_password`](Self::get_password) (`getVMPassword`, on `&self`)
  - [`reset_password`](Self::reset_password) (`resetPasswordForVirtualMachine`, on `&self`)
  - [`stop`](Self::stop) (`stopVirtualMachine`, on `&self`)*/
#[derive(Debug, Clone)]
pub struct VirtualMachine {
    ///the number of vCPUs this virtual machine is using (`cpunumber`)
    pub cpunumber: Option<i64>,
    ///the date when this virtual machine was created (`created`)
    pub created: Option<::marvin_entities::Timestamp>,
    ///Vm details in key/value pairs. (`details`)
    pub details: Option<::marvin_entities::Object>,
    ///user generated name. The name of the virtual machine is returned if no displayname exists. (`displayname`)
    pub displayname: Option<String>,
    ///true if high-availability is enabled, false otherwise (`haenable`)
    pub haenable: Option<bool>,
    ///the ID of the virtual machine (`id`)
    pub id: String,
    ///the UUID of the latest async job acting on this object (`jobid`)
    pub jobid: Option<String>,
    ///the current status of the latest async job acting on this object (`jobstatus`)
    pub jobstatus: Option<i64>,
    ///the memory allocated for the virtual machine (`memory`)
    pub memory: Option<i64>,
    ///the name of the virtual machine (`name`)
    pub name: Option<String>,
    ///the list of nics associated with vm (`nic`)
    pub nic: Vec<responses::Nic>,
    ///the password (if exists) of the virtual machine (`password`)
    pub password: Option<::marvin_entities::Secret>,
    ///the state of the virtual machine (`state`)
    pub state: Option<String>,
    ///the list of resource tags associated (`tags`)
    pub tags: Vec<responses::IpAddressTag>,
    ///the ID of the availablility zone for the virtual machine (`zoneid`)
    pub zoneid: Option<String>,
    /// Fields the schema does not list, as sent.
    pub extra: ::marvin_entities::Object,
}
impl ::marvin_entities::Decode for VirtualMachine {
    fn decode(o: &mut ::marvin_entities::Object) -> Self {
        Self {
            cpunumber: ::marvin_entities::__private::take(o, "cpunumber"),
            created: ::marvin_entities::__private::take(o, "created"),
            details: ::marvin_entities::__private::take(o, "details"),
            displayname: ::marvin_entities::__private::take(o, "displayname"),
            haenable: ::marvin_entities::__private::take(o, "haenable"),
            id: ::marvin_entities::__private::take(o, "id"),
            jobid: ::marvin_entities::__private::take(o, "jobid"),
            jobstatus: ::marvin_entities::__private::take(o, "jobstatus"),
            memory: ::marvin_entities::__private::take(o, "memory"),
            name: ::marvin_entities::__private::take(o, "name"),
            nic: ::marvin_entities::__private::take(o, "nic"),
            password: ::marvin_entities::__private::take(o, "password"),
            state: ::marvin_entities::__private::take(o, "state"),
            tags: ::marvin_entities::__private::take(o, "tags"),
            zoneid: ::marvin_entities::__private::take(o, "zoneid"),
            extra: ::core::mem::take(o),
        }
    }
    fn extra(&self) -> &::marvin_entities::Object {
        &self.extra
    }
}
impl ::marvin_entities::__private::Resource for VirtualMachine {
    const ENTITY: &'static str = "VirtualMachine";
    fn id(&self) -> &str {
        &self.id
    }
    fn deletion(&self) -> Option<::marvin_entities::__private::Deletion> {
        Some(
            ::marvin_entities::__private::deletion(
                "VirtualMachine",
                &self.id,
                "destroyVirtualMachine",
                true,
                "id",
                &[("expunge", "true")],
            ),
        )
    }
}
impl VirtualMachine {
    /**Creates and automatically starts a virtual machine based on a service offering, disk offering, and template.

CloudStack API `deployVirtualMachine` (async: waits for the job).

# Arguments

- `serviceofferingid`: the ID of the service offering for the virtual machine (`serviceofferingid`)
- `templateid`: the ID of the template for the virtual machine (`templateid`)
- `zoneid`: availability zone for the virtual machine (`zoneid`)

Optional arguments: [`DeployVirtualMachineOptions`](commands::DeployVirtualMachineOptions).*/
    pub fn create(
        client: &::marvin_entities::__private::Client,
        serviceofferingid: impl Into<String>,
        templateid: impl Into<String>,
        zoneid: impl Into<String>,
        options: commands::DeployVirtualMachineOptions,
    ) -> ::marvin_entities::Call<VirtualMachine> {
        commands::DeployVirtualMachine {
            serviceofferingid: serviceofferingid.into(),
            templateid: templateid.into(),
            zoneid: zoneid.into(),
            options,
        }
            .send(client)
    }
    /**List the virtual machines owned by the account.

CloudStack API `listVirtualMachines` (sync).

Optional arguments: [`ListVirtualMachinesOptions`](commands::ListVirtualMachinesOptions).*/
    pub fn list(
        client: &::marvin_entities::__private::Client,
        options: commands::ListVirtualMachinesOptions,
    ) -> ::marvin_entities::Call<Vec<VirtualMachine>> {
        commands::ListVirtualMachines {
            options,
        }
            .send(client)
    }
    ///[`list`](Self::list) as a stream of items, fetched page by page (`listVirtualMachines`).
    pub fn list_stream(
        client: &::marvin_entities::__private::Client,
        options: commands::ListVirtualMachinesOptions,
    ) -> ::marvin_entities::ListStream<VirtualMachine> {
        commands::ListVirtualMachines {
            options,
        }
            .stream(client)
    }
    /**Adds VM to specified network by creating a NIC.

CloudStack API `addNicToVirtualMachine` (async: waits for the job). Sends this entity's id as `virtualmachineid`.

# Arguments

- `networkid`: Network ID (`networkid`)

Optional arguments: [`AddNicToVirtualMachineOptions`](commands::AddNicToVirtualMachineOptions).*/
    pub fn add_nic(
        &self,
        client: &::marvin_entities::__private::Client,
        networkid: impl Into<String>,
        options: commands::AddNicToVirtualMachineOptions,
    ) -> ::marvin_entities::Call<VirtualMachine> {
        commands::AddNicToVirtualMachine {
            networkid: networkid.into(),
            virtualmachineid: self.id.clone(),
            options,
        }
            .send(client)
    }
    /**Destroys a virtual machine. Once destroyed, only the administrator can recover it.

CloudStack API `destroyVirtualMachine` (async: waits for the job). Sends this entity's id as `id`.

Optional arguments: [`DestroyVirtualMachineOptions`](commands::DestroyVirtualMachineOptions).*/
    pub fn destroy(
        &self,
        client: &::marvin_entities::__private::Client,
        options: commands::DestroyVirtualMachineOptions,
    ) -> ::marvin_entities::Call<VirtualMachine> {
        commands::DestroyVirtualMachine {
            id: self.id.clone(),
            options,
        }
            .send(client)
    }
    /**Returns an encrypted password for the VM.

CloudStack API `getVMPassword` (sync). Sends this entity's id as `id`.*/
    pub fn get_password(
        &self,
        client: &::marvin_entities::__private::Client,
    ) -> ::marvin_entities::Call<responses::GetVMPasswordResponse> {
        commands::GetVMPassword {
            id: self.id.clone(),
        }
            .send(client)
    }
    /**Resets the password for virtual machine. The virtual machine must be in a "Stopped" state and the template must already support this feature for this command to take effect. \[async\].

CloudStack API `resetPasswordForVirtualMachine` (async: waits for the job). Sends this entity's id as `id`.*/
    pub fn reset_password(
        &self,
        client: &::marvin_entities::__private::Client,
    ) -> ::marvin_entities::Call<VirtualMachine> {
        commands::ResetPasswordForVirtualMachine {
            id: self.id.clone(),
        }
            .send(client)
    }
    /**Stops a virtual machine.

CloudStack API `stopVirtualMachine` (async: waits for the job). Sends this entity's id as `id`.

Optional arguments: [`StopVirtualMachineOptions`](commands::StopVirtualMachineOptions).*/
    pub fn stop(
        &self,
        client: &::marvin_entities::__private::Client,
        options: commands::StopVirtualMachineOptions,
    ) -> ::marvin_entities::Call<VirtualMachine> {
        commands::StopVirtualMachine {
            id: self.id.clone(),
            options,
        }
            .send(client)
    }
    /// This entity's current state, listed by its id.
    pub fn refresh(
        &self,
        client: &::marvin_entities::__private::Client,
    ) -> ::marvin_entities::Call<Self> {
        let mut p = ::marvin_entities::__private::Params::new();
        p.set("id", &self.id);
        p.set("listall", "true");
        ::marvin_entities::__private::refresh(client, "listVirtualMachines", p, true)
    }
}
///Typed requests, one per API of `small.json`: required parameters as fields, optional ones in an `...Options` struct, alternative ones in a `...Target` enum.
pub mod commands {
    /**Adds VM to specified network by creating a NIC.

CloudStack API `addNicToVirtualMachine` (async: waits for the job).

Acts on `VirtualMachine` (verb `addNic`). Answers [`VirtualMachine`](super::VirtualMachine).*/
    #[derive(Debug, Clone)]
    pub struct AddNicToVirtualMachine {
        ///Network ID (`networkid`)
        pub networkid: String,
        ///Virtual Machine ID (`virtualmachineid`)
        pub virtualmachineid: String,
        ///The optional parameters.
        pub options: AddNicToVirtualMachineOptions,
    }
    impl AddNicToVirtualMachine {
        ///A request with its required parameters, in alphabetical order of their CloudStack names.
        pub fn new(
            networkid: impl Into<String>,
            virtualmachineid: impl Into<String>,
        ) -> Self {
            Self {
                networkid: networkid.into(),
                virtualmachineid: virtualmachineid.into(),
                options: Default::default(),
            }
        }
        /// Replaces the optional parameters.
        #[must_use]
        pub fn with_options(mut self, options: AddNicToVirtualMachineOptions) -> Self {
            self.options = options;
            self
        }
        /// The parameters as they are sent.
        pub fn params(&self) -> ::marvin_entities::__private::Params {
            let mut p = ::marvin_entities::__private::Params::new();
            ::marvin_entities::__private::put(&mut p, "networkid", &self.networkid);
            ::marvin_entities::__private::put(
                &mut p,
                "virtualmachineid",
                &self.virtualmachineid,
            );
            ::marvin_entities::__private::Encode::encode(&self.options, &mut p);
            p
        }
        /// Sends the request and decodes the answer.
        pub fn send(
            &self,
            client: &::marvin_entities::__private::Client,
        ) -> ::marvin_entities::Call<super::VirtualMachine> {
            ::marvin_entities::__private::call(
                client,
                "addNicToVirtualMachine",
                self.params(),
                true,
            )
        }
    }
    impl ::marvin_entities::Command for AddNicToVirtualMachine {
        const API: &'static str = "addNicToVirtualMachine";
        const IS_ASYNC: bool = true;
        type Answer = super::VirtualMachine;
        fn to_params(&self) -> ::marvin_entities::__private::Params {
            self.params()
        }
    }
    ///The optional parameters of [`AddNicToVirtualMachine`]; unset ones are not sent. Build with `Default` and the setters.
    #[derive(Debug, Clone, Default)]
    pub struct AddNicToVirtualMachineOptions {
        ///DHCP options which are passed to the nic Example: dhcpoptions\[0\].dhcp:114=url&dhcpoptions\[0\].dhcp:66=www.test.com (`dhcpoptions`)
        pub dhcpoptions: Option<Vec<::std::collections::BTreeMap<String, String>>>,
        ///IP Address for the new network (`ipaddress`)
        pub ipaddress: Option<String>,
        ///Mac Address for the new network (`macaddress`)
        pub macaddress: Option<String>,
    }
    impl AddNicToVirtualMachineOptions {
        ///Sets `dhcpoptions`.
        #[must_use]
        pub fn dhcpoptions(
            mut self,
            dhcpoptions: impl IntoIterator<
                Item = impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>,
            >,
        ) -> Self {
            self.dhcpoptions = Some(::marvin_entities::__private::maps(dhcpoptions));
            self
        }
        ///Sets `ipaddress`.
        #[must_use]
        pub fn ipaddress(mut self, ipaddress: impl Into<String>) -> Self {
            self.ipaddress = Some(ipaddress.into());
            self
        }
        ///Sets `macaddress`.
        #[must_use]
        pub fn macaddress(mut self, macaddress: impl Into<String>) -> Self {
            self.macaddress = Some(macaddress.into());
            self
        }
    }
    impl ::marvin_entities::__private::Encode for AddNicToVirtualMachineOptions {
        fn encode(&self, p: &mut ::marvin_entities::__private::Params) {
            ::marvin_entities::__private::put(p, "dhcpoptions", &self.dhcpoptions);
            ::marvin_entities::__private::put(p, "ipaddress", &self.ipaddress);
            ::marvin_entities::__private::put(p, "macaddress", &self.macaddress);
        }
    }
    /**Acquires and associates a public IP to an account.

CloudStack API `associateIpAddress` (async: waits for the job).

Acts on `IpAddress` (verb `associate`). Answers [`IpAddress`](super::IpAddress).*/
    #[derive(Debug, Clone, Default)]
    pub struct AssociateIpAddress {
        ///The optional parameters.
        pub options: AssociateIpAddressOptions,
    }
    impl AssociateIpAddress {
        ///A request with no parameter set.
        pub fn new() -> Self {
            Self {
                options: Default::default(),
            }
        }
        /// Replaces the optional parameters.
        #[must_use]
        pub fn with_options(mut self, options: AssociateIpAddressOptions) -> Self {
            self.options = options;
            self
        }
        /// The parameters as they are sent.
        pub fn params(&self) -> ::marvin_entities::__private::Params {
            let mut p = ::marvin_entities::__private::Params::new();
            ::marvin_entities::__private::Encode::encode(&self.options, &mut p);
            p
        }
        /// Sends the request and decodes the answer.
        pub fn send(
            &self,
            client: &::marvin_entities::__private::Client,
        ) -> ::marvin_entities::Call<super::IpAddress> {
            ::marvin_entities::__private::call(
                client,
                "associateIpAddress",
                self.params(),
                true,
            )
        }
    }
    impl ::marvin_entities::Command for AssociateIpAddress {
        const API: &'static str = "associateIpAddress";
        const IS_ASYNC: bool = true;
        type Answer = super::IpAddress;
        fn to_params(&self) -> ::marvin_entities::__private::Params {
            self.params()
        }
    }
    ///The optional parameters of [`AssociateIpAddress`]; unset ones are not sent. Build with `Default` and the setters.
    #[derive(Debug, Clone, Default)]
    pub struct AssociateIpAddressOptions {
        ///IP Address to be associated (`ipaddress`)
        pub ipaddress: Option<String>,
        ///The network this IP address should be associated to. (`networkid`)
        pub networkid: Option<String>,
        ///the VPC you want the IP address to be associated with (`vpcid`)
        pub vpcid: Option<String>,
        ///the ID of the availability zone you want to acquire an public IP address from (`zoneid`)
        pub zoneid: Option<String>,
    }
    impl AssociateIpAddressOptions {
        ///Sets `ipaddress`.
        #[must_use]
        pub fn ipaddress(mut self, ipaddress: impl Into<String>) -> Self {
            self.ipaddress = Some(ipaddress.into());
            self
        }
        ///Sets `networkid`.
        #[must_use]
        pub fn networkid(mut self, networkid: impl Into<String>) -> Self {
            self.networkid = Some(networkid.into());
            self
        }
        ///Sets `vpcid`.
        #[must_use]
        pub fn vpcid(mut self, vpcid: impl Into<String>) -> Self {
            self.vpcid = Some(vpcid.into());
            self
        }
        ///Sets `zoneid`.
        #[must_use]
        pub fn zoneid(mut self, zoneid: impl Into<String>) -> Self {
            self.zoneid = Some(zoneid.into());
            self
        }
    }
    impl ::marvin_entities::__private::Encode for AssociateIpAddressOptions {
        fn encode(&self, p: &mut ::marvin_entities::__private::Params) {
            ::marvin_entities::__private::put(p, "ipaddress", &self.ipaddress);
            ::marvin_entities::__private::put(p, "networkid", &self.networkid);
            ::marvin_entities::__private::put(p, "vpcid", &self.vpcid);
            ::marvin_entities::__private::put(p, "zoneid", &self.zoneid);
        }
    }
    /**Creates an account.

CloudStack API `createAccount` (sync).

Acts on `Account` (verb `create`). Answers [`Account`](super::Account).*/
    #[derive(Debug, Clone)]
    pub struct CreateAccount {
        ///email (`email`)
        pub email: String,
        ///firstname (`firstname`)
        pub firstname: String,
        ///lastname (`lastname`)
        pub lastname: String,
        ///Clear text password (Default hashed to SHA256SALT). If you wish to use any other hashing algorithm, you would need to write a custom authentication adapter See Docs section. (`password`)
        pub password: ::marvin_entities::Secret,
        ///Unique username. (`username`)
        pub username: String,
        ///The optional parameters.
        pub options: CreateAccountOptions,
    }
    impl CreateAccount {
        ///A request with its required parameters, in alphabetical order of their CloudStack names.
        pub fn new(
            email: impl Into<String>,
            firstname: impl Into<String>,
            lastname: impl Into<String>,
            password: impl Into<String>,
            username: impl Into<String>,
        ) -> Self {
            Self {
                email: email.into(),
                firstname: firstname.into(),
                lastname: lastname.into(),
                password: ::marvin_entities::Secret::new(password),
                username: username.into(),
                options: Default::default(),
            }
        }
        /// Replaces the optional parameters.
        #[must_use]
        pub fn with_options(mut self, options: CreateAccountOptions) -> Self {
            self.options = options;
            self
        }
        /// The parameters as they are sent.
        pub fn params(&self) -> ::marvin_entities::__private::Params {
            let mut p = ::marvin_entities::__private::Params::new();
            ::marvin_entities::__private::put(&mut p, "email", &self.email);
            ::marvin_entities::__private::put(&mut p, "firstname", &self.firstname);
            ::marvin_entities::__private::put(&mut p, "lastname", &self.lastname);
            ::marvin_entities::__private::put(&mut p, "password", &self.password);
            ::marvin_entities::__private::put(&mut p, "username", &self.username);
            ::marvin_entities::__private::Encode::encode(&self.options, &mut p);
            p
        }
        /// Sends the request and decodes the answer.
        pub fn send(
            &self,
            client: &::marvin_entities::__private::Client,
        ) -> ::marvin_entities::Call<super::Account> {
            ::marvin_entities::__private::call(
                client,
                "createAccount",
                self.params(),
                false,
            )
        }
    }
    impl ::marvin_entities::Command for CreateAccount {
        const API: &'static str = "createAccount";
        const IS_ASYNC: bool = false;
        type Answer = super::Account;
        fn to_params(&self) -> ::marvin_entities::__private::Params {
            self.params()
        }
    }
    ///The optional parameters of [`CreateAccount`]; unset ones are not sent. Build with `Default` and the setters.
    #[derive(Debug, Clone, Default)]
    pub struct CreateAccountOptions {
        ///Name of the account to be created. The user will be added to this newly created account. If no account is specified, the username will be used as the account name. (`account`)
        pub account: Option<String>,
        ///Type of the account.  Specify 0 for user, 1 for root admin, and 2 for domain admin (`accounttype`)
        pub accounttype: Option<i64>,
        ///Creates the user under the specified domain. (`domainid`)
        pub domainid: Option<String>,
        ///Creates the account under the specified role. (`roleid`)
        pub roleid: Option<String>,
    }
    impl CreateAccountOptions {
        ///Sets `account`.
        #[must_use]
        pub fn account(mut self, account: impl Into<String>) -> Self {
            self.account = Some(account.into());
            self
        }
        ///Sets `accounttype`.
        #[must_use]
        pub fn accounttype(mut self, accounttype: i64) -> Self {
            self.accounttype = Some(accounttype);
            self
        }
        ///Sets `domainid`.
        #[must_use]
        pub fn domainid(mut self, domainid: impl Into<String>) -> Self {
            self.domainid = Some(domainid.into());
            self
        }
        ///Sets `roleid`.
        #[must_use]
        pub fn roleid(mut self, roleid: impl Into<String>) -> Self {
            self.roleid = Some(roleid.into());
            self
        }
    }
    impl ::marvin_entities::__private::Encode for CreateAccountOptions {
        fn encode(&self, p: &mut ::marvin_entities::__private::Params) {
            ::marvin_entities::__private::put(p, "account", &self.account);
            ::marvin_entities::__private::put(p, "accounttype", &self.accounttype);
            ::marvin_entities::__private::put(p, "domainid", &self.domainid);
            ::marvin_entities::__private::put(p, "roleid", &self.roleid);
        }
    }
    /**Creates resource tag(s).

CloudStack API `createTags` (async: waits for the job). Since 4.0.0.

Acts on `Tag` (verb `create`). Answers [`Success`](marvin_entities::Success).*/
    #[derive(Debug, Clone)]
    pub struct CreateTags {
        ///list of resources to create the tags for (`resourceids`)
        pub resourceids: Vec<String>,
        ///type of the resource (`resourcetype`)
        pub resourcetype: String,
        ///Map of tags (key/value pairs) (`tags`)
        pub tags: Vec<::std::collections::BTreeMap<String, String>>,
        ///The optional parameters.
        pub options: CreateTagsOptions,
    }
    impl CreateTags {
        ///A request with its required parameters, in alphabetical order of their CloudStack names.
        pub fn new(
            resourceids: impl IntoIterator<Item = impl Into<String>>,
            resourcetype: impl Into<String>,
            tags: impl IntoIterator<
                Item = impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>,
            >,
        ) -> Self {
            Self {
                resourceids: ::marvin_entities::__private::strings(resourceids),
                resourcetype: resourcetype.into(),
                tags: ::marvin_entities::__private::maps(tags),
                options: Default::default(),
            }
        }
        /// Replaces the optional parameters.
        #[must_use]
        pub fn with_options(mut self, options: CreateTagsOptions) -> Self {
            self.options = options;
            self
        }
        /// The parameters as they are sent.
        pub fn params(&self) -> ::marvin_entities::__private::Params {
            let mut p = ::marvin_entities::__private::Params::new();
            ::marvin_entities::__private::put(&mut p, "resourceids", &self.resourceids);
            ::marvin_entities::__private::put(
                &mut p,
                "resourcetype",
                &self.resourcetype,
            );
            ::marvin_entities::__private::put(&mut p, "tags", &self.tags);
            ::marvin_entities::__private::Encode::encode(&self.options, &mut p);
            p
        }
        /// Sends the request and decodes the answer.
        pub fn send(
            &self,
            client: &::marvin_entities::__private::Client,
        ) -> ::marvin_entities::Call<::marvin_entities::Success> {
            ::marvin_entities::__private::call(client, "createTags", self.params(), true)
        }
    }
    impl ::marvin_entities::Command for CreateTags {
        const API: &'static str = "createTags";
        const IS_ASYNC: bool = true;
        type Answer = ::marvin_entities::Success;
        fn to_params(&self) -> ::marvin_entities::__private::Params {
            self.params()
        }
    }
    ///The optional parameters of [`CreateTags`]; unset ones are not sent. Build with `Default` and the setters.
    #[derive(Debug, Clone, Default)]
    pub struct CreateTagsOptions {
        ///identifies client specific tag. When the value is not null, the tag can't be used by cloudStack code internally (`customer`)
        pub customer: Option<String>,
    }
    impl CreateTagsOptions {
        ///Sets `customer`.
        #[must_use]
        pub fn customer(mut self, customer: impl Into<String>) -> Self {
            self.customer = Some(customer.into());
            self
        }
    }
    impl ::marvin_entities::__private::Encode for CreateTagsOptions {
        fn encode(&self, p: &mut ::marvin_entities::__private::Params) {
            ::marvin_entities::__private::put(p, "customer", &self.customer);
        }
    }
    /**Deletes a account, and all users associated with this account.

CloudStack API `deleteAccount` (async: waits for the job).

Acts on `Account` (verb `delete`). Answers [`Success`](marvin_entities::Success).*/
    #[derive(Debug, Clone)]
    pub struct DeleteAccount {
        ///Account id (`id`)
        pub id: String,
    }
    impl DeleteAccount {
        ///A request with its required parameters, in alphabetical order of their CloudStack names.
        pub fn new(id: impl Into<String>) -> Self {
            Self { id: id.into() }
        }
        /// The parameters as they are sent.
        pub fn params(&self) -> ::marvin_entities::__private::Params {
            let mut p = ::marvin_entities::__private::Params::new();
            ::marvin_entities::__private::put(&mut p, "id", &self.id);
            p
        }
        /// Sends the request and decodes the answer.
        pub fn send(
            &self,
            client: &::marvin_entities::__private::Client,
        ) -> ::marvin_entities::Call<::marvin_entities::Success> {
            ::marvin_entities::__private::call(
                client,
                "deleteAccount",
                self.params(),
                true,
            )
        }
    }
    impl ::marvin_entities::Command for DeleteAccount {
        const API: &'static str = "deleteAccount";
        const IS_ASYNC: bool = true;
        type Answer = ::marvin_entities::Success;
        fn to_params(&self) -> ::marvin_entities::__private::Params {
            self.params()
        }
    }
    /**Creates and automatically starts a virtual machine based on a service offering, disk offering, and template.

CloudStack API `deployVirtualMachine` (async: waits for the job).

Acts on `VirtualMachine` (verb `deploy`). Answers [`VirtualMachine`](super::VirtualMachine).*/
    #[derive(Debug, Clone)]
    pub struct DeployVirtualMachine {
        ///the ID of the service offering for the virtual machine (`serviceofferingid`)
        pub serviceofferingid: String,
        ///the ID of the template for the virtual machine (`templateid`)
        pub templateid: String,
        ///availability zone for the virtual machine (`zoneid`)
        pub zoneid: String,
        ///The optional parameters.
        pub options: DeployVirtualMachineOptions,
    }
    impl DeployVirtualMachine {
        ///A request with its required parameters, in alphabetical order of their CloudStack names.
        pub fn new(
            serviceofferingid: impl Into<String>,
            templateid: impl Into<String>,
            zoneid: impl Into<String>,
        ) -> Self {
            Self {
                serviceofferingid: serviceofferingid.into(),
                templateid: templateid.into(),
                zoneid: zoneid.into(),
                options: Default::default(),
            }
        }
        /// Replaces the optional parameters.
        #[must_use]
        pub fn with_options(mut self, options: DeployVirtualMachineOptions) -> Self {
            self.options = options;
            self
        }
        /// The parameters as they are sent.
        pub fn params(&self) -> ::marvin_entities::__private::Params {
            let mut p = ::marvin_entities::__private::Params::new();
            ::marvin_entities::__private::put(
                &mut p,
                "serviceofferingid",
                &self.serviceofferingid,
            );
            ::marvin_entities::__private::put(&mut p, "templateid", &self.templateid);
            ::marvin_entities::__private::put(&mut p, "zoneid", &self.zoneid);
            ::marvin_entities::__private::Encode::encode(&self.options, &mut p);
            p
        }
        /// Sends the request and decodes the answer.
        pub fn send(
            &self,
            client: &::marvin_entities::__private::Client,
        ) -> ::marvin_entities::Call<super::VirtualMachine> {
            ::marvin_entities::__private::call(
                client,
                "deployVirtualMachine",
                self.params(),
                true,
            )
        }
    }
    impl ::marvin_entities::Command for DeployVirtualMachine {
        const API: &'static str = "deployVirtualMachine";
        const IS_ASYNC: bool = true;
        type Answer = super::VirtualMachine;
        fn to_params(&self) -> ::marvin_entities::__private::Params {
            self.params()
        }
    }
    ///The optional parameters of [`DeployVirtualMachine`]; unset ones are not sent. Build with `Default` and the setters.
    #[derive(Debug, Clone, Default)]
    pub struct DeployVirtualMachineOptions {
        ///used to specify the custom parameters. 'extraconfig' is not allowed to be passed in details (`details`) Since 4.3.
        pub details: Option<Vec<::std::collections::BTreeMap<String, String>>>,
        ///host name for the virtual machine (`name`)
        pub name: Option<String>,
        ///list of network ids used by virtual machine. Can't be specified with ipToNetworkList parameter (`networkids`)
        pub networkids: Option<Vec<String>>,
        ///Optional field to resize root disk on deploy. Value is in GB. Only applies to template-based deployments. Analogous to details\[0\].rootdisksize, which takes precedence over this parameter if both are provided (`rootdisksize`) Since 4.4.
        pub rootdisksize: Option<i64>,
        ///true if start vm after creating; defaulted to true if not specified (`startvm`)
        pub startvm: Option<bool>,
        ///an optional binary data that can be sent to the virtual machine upon a successful deployment. This binary data must be base64 encoded before adding it to the request. Using HTTP GET (via querystring), you can send up to 4KB of data after base64 encoding. Using HTTP POST(via POST body), you can send up to 1MB of data after base64 encoding. (`userdata`)
        pub userdata: Option<String>,
    }
    impl DeployVirtualMachineOptions {
        ///Sets `details`.
        #[must_use]
        pub fn details(
            mut self,
            details: impl IntoIterator<
                Item = impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>,
            >,
        ) -> Self {
            self.details = Some(::marvin_entities::__private::maps(details));
            self
        }
        ///Sets `name`.
        #[must_use]
        pub fn name(mut self, name: impl Into<String>) -> Self {
            self.name = Some(name.into());
            self
        }
        ///Sets `networkids`.
        #[must_use]
        pub fn networkids(
            mut self,
            networkids: impl IntoIterator<Item = impl Into<String>>,
        ) -> Self {
            self.networkids = Some(::marvin_entities::__private::strings(networkids));
            self
        }
        ///Sets `rootdisksize`.
        #[must_use]
        pub fn rootdisksize(mut self, rootdisksize: i64) -> Self {
            self.rootdisksize = Some(rootdisksize);
            self
        }
        ///Sets `startvm`.
        #[must_use]
        pub fn startvm(mut self, startvm: bool) -> Self {
            self.startvm = Some(startvm);
            self
        }
        ///Sets `userdata`.
        #[must_use]
        pub fn userdata(mut self, userdata: impl Into<String>) -> Self {
            self.userdata = Some(userdata.into());
            self
        }
    }
    impl ::marvin_entities::__private::Encode for DeployVirtualMachineOptions {
        fn encode(&self, p: &mut ::marvin_entities::__private::Params) {
            ::marvin_entities::__private::put(p, "details", &self.details);
            ::marvin_entities::__private::put(p, "name", &self.name);
            ::marvin_entities::__private::put(p, "networkids", &self.networkids);
            ::marvin_entities::__private::put(p, "rootdisksize", &self.rootdisksize);
            ::marvin_entities::__private::put(p, "startvm", &self.startvm);
            ::marvin_entities::__private::put(p, "userdata", &self.userdata);
        }
    }
    /**Destroys a virtual machine. Once destroyed, only the administrator can recover it.

CloudStack API `destroyVirtualMachine` (async: waits for the job).

Acts on `VirtualMachine` (verb `destroy`). Answers [`VirtualMachine`](super::VirtualMachine).*/
    #[derive(Debug, Clone)]
    pub struct DestroyVirtualMachine {
        ///The ID of the virtual machine (`id`)
        pub id: String,
        ///The optional parameters.
        pub options: DestroyVirtualMachineOptions,
    }
    impl DestroyVirtualMachine {
        ///A request with its required parameters, in alphabetical order of their CloudStack names.
        pub fn new(id: impl Into<String>) -> Self {
            Self {
                id: id.into(),
                options: Default::default(),
            }
        }
        /// Replaces the optional parameters.
        #[must_use]
        pub fn with_options(mut self, options: DestroyVirtualMachineOptions) -> Self {
            self.options = options;
            self
        }
        /// The parameters as they are sent.
        pub fn params(&self) -> ::marvin_entities::__private::Params {
            let mut p = ::marvin_entities::__private::Params::new();
            ::marvin_entities::__private::put(&mut p, "id", &self.id);
            ::marvin_entities::__private::Encode::encode(&self.options, &mut p);
            p
        }
        /// Sends the request and decodes the answer.
        pub fn send(
            &self,
            client: &::marvin_entities::__private::Client,
        ) -> ::marvin_entities::Call<super::VirtualMachine> {
            ::marvin_entities::__private::call(
                client,
                "destroyVirtualMachine",
                self.params(),
                true,
            )
        }
    }
    impl ::marvin_entities::Command for DestroyVirtualMachine {
        const API: &'static str = "destroyVirtualMachine";
        const IS_ASYNC: bool = true;
        type Answer = super::VirtualMachine;
        fn to_params(&self) -> ::marvin_entities::__private::Params {
            self.params()
        }
    }
    ///The optional parameters of [`DestroyVirtualMachine`]; unset ones are not sent. Build with `Default` and the setters.
    #[derive(Debug, Clone, Default)]
    pub struct DestroyVirtualMachineOptions {
        ///If true is passed, the vm is expunged immediately. False by default. (`expunge`) Since 4.2.1.
        pub expunge: Option<bool>,
        ///Comma separated list of UUIDs for volumes that will be deleted (`volumeids`) Since 4.12.0.
        pub volumeids: Option<Vec<String>>,
    }
    impl DestroyVirtualMachineOptions {
        ///Sets `expunge`.
        #[must_use]
        pub fn expunge(mut self, expunge: bool) -> Self {
            self.expunge = Some(expunge);
            self
        }
        ///Sets `volumeids`.
        #[must_use]
        pub fn volumeids(
            mut self,
            volumeids: impl IntoIterator<Item = impl Into<String>>,
        ) -> Self {
            self.volumeids = Some(::marvin_entities::__private::strings(volumeids));
            self
        }
    }
    impl ::marvin_entities::__private::Encode for DestroyVirtualMachineOptions {
        fn encode(&self, p: &mut ::marvin_entities::__private::Params) {
            ::marvin_entities::__private::put(p, "expunge", &self.expunge);
            ::marvin_entities::__private::put(p, "volumeids", &self.volumeids);
        }
    }
    /**Disables an account.

CloudStack API `disableAccount` (async: waits for the job).

Acts on `Account` (verb `disable`). Answers [`Account`](super::Account).*/
    #[derive(Debug, Clone)]
    pub struct DisableAccount {
        ///If true, only lock the account; else disable the account (`lock`)
        pub lock: bool,
        ///Which alternative set of parameters identifies the target.
        pub target: DisableAccountTarget,
    }
    impl DisableAccount {
        ///A request with its required parameters, in alphabetical order of their CloudStack names.
        pub fn new(lock: bool, target: DisableAccountTarget) -> Self {
            Self { lock, target }
        }
        /// The parameters as they are sent.
        pub fn params(&self) -> ::marvin_entities::__private::Params {
            let mut p = ::marvin_entities::__private::Params::new();
            ::marvin_entities::__private::put(&mut p, "lock", &self.lock);
            ::marvin_entities::__private::Encode::encode(&self.target, &mut p);
            p
        }
        /// Sends the request and decodes the answer.
        pub fn send(
            &self,
            client: &::marvin_entities::__private::Client,
        ) -> ::marvin_entities::Call<super::Account> {
            ::marvin_entities::__private::call(
                client,
                "disableAccount",
                self.params(),
                true,
            )
        }
    }
    impl ::marvin_entities::Command for DisableAccount {
        const API: &'static str = "disableAccount";
        const IS_ASYNC: bool = true;
        type Answer = super::Account;
        fn to_params(&self) -> ::marvin_entities::__private::Params {
            self.params()
        }
    }
    ///Which Account [`DisableAccount`] acts on: one of its alternative sets of required parameters.
    #[derive(Debug, Clone)]
    pub enum DisableAccountTarget {
        ///By `id`.
        Id(String),
        ///By `account` and `domainid`.
        Name {
            ///Disables specified account. (`account`)
            account: String,
            ///Disables specified account in this domain. (`domainid`)
            domainid: String,
        },
    }
    impl ::marvin_entities::__private::Encode for DisableAccountTarget {
        fn encode(&self, p: &mut ::marvin_entities::__private::Params) {
            match self {
                Self::Id(value) => ::marvin_entities::__private::put(p, "id", value),
                Self::Name { account, domainid } => {
                    ::marvin_entities::__private::put(p, "account", account);
                    ::marvin_entities::__private::put(p, "domainid", domainid);
                }
            }
        }
    }
    /**Disassociates an IP address from the account.

CloudStack API `disassociateIpAddress` (async: waits for the job).

Acts on `IpAddress` (verb `disassociate`). Answers [`Success`](marvin_entities::Success).*/
    #[derive(Debug, Clone)]
    pub struct DisassociateIpAddress {
        ///the ID of the public IP address to disassociate (`id`)
        pub id: String,
    }
    impl DisassociateIpAddress {
        ///A request with its required parameters, in alphabetical order of their CloudStack names.
        pub fn new(id: impl Into<String>) -> Self {
            Self { id: id.into() }
        }
        /// The parameters as they are sent.
        pub fn params(&self) -> ::marvin_entities::__private::Params {
            let mut p = ::marvin_entities::__private::Params::new();
            ::marvin_entities::__private::put(&mut p, "id", &self.id);
            p
        }
        /// Sends the request and decodes the answer.
        pub fn send(
            &self,
            client: &::marvin_entities::__private::Client,
        ) -> ::marvin_entities::Call<::marvin_entities::Success> {
            ::marvin_entities::__private::call(
                client,
                "disassociateIpAddress",
                self.params(),
                true,
            )
        }
    }
    impl ::marvin_entities::Command for DisassociateIpAddress {
        const API: &'static str = "disassociateIpAddress";
        const IS_ASYNC: bool = true;
        type Answer = ::marvin_entities::Success;
        fn to_params(&self) -> ::marvin_entities::__private::Params {
            self.params()
        }
    }
    /**Returns an encrypted password for the VM.

CloudStack API `getVMPassword` (sync).

Acts on `VirtualMachine` (verb `getPassword`). Answers [`GetVMPasswordResponse`](super::responses::GetVMPasswordResponse).*/
    #[derive(Debug, Clone)]
    pub struct GetVMPassword {
        ///The ID of the virtual machine (`id`)
        pub id: String,
    }
    impl GetVMPassword {
        ///A request with its required parameters, in alphabetical order of their CloudStack names.
        pub fn new(id: impl Into<String>) -> Self {
            Self { id: id.into() }
        }
        /// The parameters as they are sent.
        pub fn params(&self) -> ::marvin_entities::__private::Params {
            let mut p = ::marvin_entities::__private::Params::new();
            ::marvin_entities::__private::put(&mut p, "id", &self.id);
            p
        }
        /// Sends the request and decodes the answer.
        pub fn send(
            &self,
            client: &::marvin_entities::__private::Client,
        ) -> ::marvin_entities::Call<super::responses::GetVMPasswordResponse> {
            ::marvin_entities::__private::call(
                client,
                "getVMPassword",
                self.params(),
                false,
            )
        }
    }
    impl ::marvin_entities::Command for GetVMPassword {
        const API: &'static str = "getVMPassword";
        const IS_ASYNC: bool = false;
        type Answer = super::responses::GetVMPasswordResponse;
        fn to_params(&self) -> ::marvin_entities::__private::Params {
            self.params()
        }
    }
    /**Lists accounts and provides detailed account information for listed accounts.

CloudStack API `listAccounts` (sync).

Acts on `Account` (verb `list`). Answers a list of [`Account`](super::Account).*/
    #[derive(Debug, Clone, Default)]
    pub struct ListAccounts {
        ///The optional parameters.
        pub options: ListAccountsOptions,
    }
    impl ListAccounts {
        ///A request with no parameter set.
        pub fn new() -> Self {
            Self {
                options: Default::default(),
            }
        }
        /// Replaces the optional parameters.
        #[must_use]
        pub fn with_options(mut self, options: ListAccountsOptions) -> Self {
            self.options = options;
            self
        }
        /// The parameters as they are sent.
        pub fn params(&self) -> ::marvin_entities::__private::Params {
            let mut p = ::marvin_entities::__private::Params::new();
            ::marvin_entities::__private::Encode::encode(&self.options, &mut p);
            p
        }
        /// Sends the request and decodes the answer.
        pub fn send(
            &self,
            client: &::marvin_entities::__private::Client,
        ) -> ::marvin_entities::Call<Vec<super::Account>> {
            ::marvin_entities::__private::list(client, "listAccounts", self.params())
        }
        /// Streams the items page by page.
        pub fn stream(
            &self,
            client: &::marvin_entities::__private::Client,
        ) -> ::marvin_entities::ListStream<super::Account> {
            ::marvin_entities::__private::stream(client, "listAccounts", self.params())
        }
    }
    impl ::marvin_entities::Command for ListAccounts {
        const API: &'static str = "listAccounts";
        const IS_ASYNC: bool = false;
        type Answer = Vec<super::Account>;
        fn to_params(&self) -> ::marvin_entities::__private::Params {
            self.params()
        }
    }
    ///The optional parameters of [`ListAccounts`]; unset ones are not sent. Build with `Default` and the setters.
    #[derive(Debug, Clone, Default)]
    pub struct ListAccountsOptions {
        ///list only resources belonging to the domain specified (`domainid`)
        pub domainid: Option<String>,
        ///list account by account ID (`id`)
        pub id: Option<String>,
        ///If set to false, list only resources belonging to the command's caller; if set to true - list resources that the caller is authorized to see. Default value is false. Resources dedicated to a project are listed only if using the projectid parameter. (`listall`)
        pub listall: Option<bool>,
        ///list account by account name (`name`)
        pub name: Option<String>,
        ///`page`
        pub page: Option<i64>,
        ///`pagesize`
        pub pagesize: Option<i64>,
    }
    impl ListAccountsOptions {
        ///Sets `domainid`.
        #[must_use]
        pub fn domainid(mut self, domainid: impl Into<String>) -> Self {
            self.domainid = Some(domainid.into());
            self
        }
        ///Sets `id`.
        #[must_use]
        pub fn id(mut self, id: impl Into<String>) -> Self {
            self.id = Some(id.into());
            self
        }
        ///Sets `listall`.
        #[must_use]
        pub fn listall(mut self, listall: bool) -> Self {
            self.listall = Some(listall);
            self
        }
        ///Sets `name`.
        #[must_use]
        pub fn name(mut self, name: impl Into<String>) -> Self {
            self.name = Some(name.into());
            self
        }
        ///Sets `page`.
        #[must_use]
        pub fn page(mut self, page: i64) -> Self {
            self.page = Some(page);
            self
        }
        ///Sets `pagesize`.
        #[must_use]
        pub fn pagesize(mut self, pagesize: i64) -> Self {
            self.pagesize = Some(pagesize);
            self
        }
    }
    impl ::marvin_entities::__private::Encode for ListAccountsOptions {
        fn encode(&self, p: &mut ::marvin_entities::__private::Params) {
            ::marvin_entities::__private::put(p, "domainid", &self.domainid);
            ::marvin_entities::__private::put(p, "id", &self.id);
            ::marvin_entities::__private::put(p, "listall", &self.listall);
            ::marvin_entities::__private::put(p, "name", &self.name);
            ::marvin_entities::__private::put(p, "page", &self.page);
            ::marvin_entities::__private::put(p, "pagesize", &self.pagesize);
        }
    }
    /**Lists capabilities.

CloudStack API `listCapabilities` (sync).

Acts on `Capability` (verb `list`). Answers a list of [`Capability`](super::Capability).*/
    #[derive(Debug, Clone, Default)]
    pub struct ListCapabilities {}
    impl ListCapabilities {
        ///A request with no parameter set.
        pub fn new() -> Self {
            Self {}
        }
        /// The parameters as they are sent.
        pub fn params(&self) -> ::marvin_entities::__private::Params {
            let mut p = ::marvin_entities::__private::Params::new();
            p
        }
        /// Sends the request and decodes the answer.
        pub fn send(
            &self,
            client: &::marvin_entities::__private::Client,
        ) -> ::marvin_entities::Call<Vec<super::Capability>> {
            ::marvin_entities::__private::call(
                client,
                "listCapabilities",
                self.params(),
                false,
            )
        }
    }
    impl ::marvin_entities::Command for ListCapabilities {
        const API: &'static str = "listCapabilities";
        const IS_ASYNC: bool = false;
        type Answer = Vec<super::Capability>;
        fn to_params(&self) -> ::marvin_entities::__private::Params {
            self.params()
        }
    }
    /**Lists all public ip addresses.

CloudStack API `listPublicIpAddresses` (sync).

Acts on `IpAddress` (verb `list`). Answers a list of [`IpAddress`](super::IpAddress).*/
    #[derive(Debug, Clone, Default)]
    pub struct ListPublicIpAddresses {
        ///The optional parameters.
        pub options: ListPublicIpAddressesOptions,
    }
    impl ListPublicIpAddresses {
        ///A request with no parameter set.
        pub fn new() -> Self {
            Self {
                options: Default::default(),
            }
        }
        /// Replaces the optional parameters.
        #[must_use]
        pub fn with_options(mut self, options: ListPublicIpAddressesOptions) -> Self {
            self.options = options;
            self
        }
        /// The parameters as they are sent.
        pub fn params(&self) -> ::marvin_entities::__private::Params {
            let mut p = ::marvin_entities::__private::Params::new();
            ::marvin_entities::__private::Encode::encode(&self.options, &mut p);
            p
        }
        /// Sends the request and decodes the answer.
        pub fn send(
            &self,
            client: &::marvin_entities::__private::Client,
        ) -> ::marvin_entities::Call<Vec<super::IpAddress>> {
            ::marvin_entities::__private::list(
                client,
                "listPublicIpAddresses",
                self.params(),
            )
        }
        /// Streams the items page by page.
        pub fn stream(
            &self,
            client: &::marvin_entities::__private::Client,
        ) -> ::marvin_entities::ListStream<super::IpAddress> {
            ::marvin_entities::__private::stream(
                client,
                "listPublicIpAddresses",
                self.params(),
            )
        }
    }
    impl ::marvin_entities::Command for ListPublicIpAddresses {
        const API: &'static str = "listPublicIpAddresses";
        const IS_ASYNC: bool = false;
        type Answer = Vec<super::IpAddress>;
        fn to_params(&self) -> ::marvin_entities::__private::Params {
            self.params()
        }
    }
    ///The optional parameters of [`ListPublicIpAddresses`]; unset ones are not sent. Build with `Default` and the setters.
    #[derive(Debug, Clone, Default)]
    pub struct ListPublicIpAddressesOptions {
        ///limits search results to allocated public IP addresses (`allocatedonly`)
        pub allocatedonly: Option<bool>,
        ///lists IP address by ID (`id`)
        pub id: Option<String>,
        ///lists the specified IP address (`ipaddress`)
        pub ipaddress: Option<String>,
        ///If set to false, list only resources belonging to the command's caller; if set to true - list resources that the caller is authorized to see. Default value is false. Resources dedicated to a project are listed only if using the projectid parameter. (`listall`)
        pub listall: Option<bool>,
        ///`page`
        pub page: Option<i64>,
        ///`pagesize`
        pub pagesize: Option<i64>,
    }
    impl ListPublicIpAddressesOptions {
        ///Sets `allocatedonly`.
        #[must_use]
        pub fn allocatedonly(mut self, allocatedonly: bool) -> Self {
            self.allocatedonly = Some(allocatedonly);
            self
        }
        ///Sets `id`.
        #[must_use]
        pub fn id(mut self, id: impl Into<String>) -> Self {
            self.id = Some(id.into());
            self
        }
        ///Sets `ipaddress`.
        #[must_use]
        pub fn ipaddress(mut self, ipaddress: impl Into<String>) -> Self {
            self.ipaddress = Some(ipaddress.into());
            self
        }
        ///Sets `listall`.
        #[must_use]
        pub fn listall(mut self, listall: bool) -> Self {
            self.listall = Some(listall);
            self
        }
        ///Sets `page`.
        #[must_use]
        pub fn page(mut self, page: i64) -> Self {
            self.page = Some(page);
            self
        }
        ///Sets `pagesize`.
        #[must_use]
        pub fn pagesize(mut self, pagesize: i64) -> Self {
            self.pagesize = Some(pagesize);
            self
        }
    }
    impl ::marvin_entities::__private::Encode for ListPublicIpAddressesOptions {
        fn encode(&self, p: &mut ::marvin_entities::__private::Params) {
            ::marvin_entities::__private::put(p, "allocatedonly", &self.allocatedonly);
            ::marvin_entities::__private::put(p, "id", &self.id);
            ::marvin_entities::__private::put(p, "ipaddress", &self.ipaddress);
            ::marvin_entities::__private::put(p, "listall", &self.listall);
            ::marvin_entities::__private::put(p, "page", &self.page);
            ::marvin_entities::__private::put(p, "pagesize", &self.pagesize);
        }
    }
    /**List the virtual machines owned by the account.

CloudStack API `listVirtualMachines` (sync).

Acts on `VirtualMachine` (verb `list`). Answers a list of [`VirtualMachine`](super::VirtualMachine).*/
    #[derive(Debug, Clone, Default)]
    pub struct ListVirtualMachines {
        ///The optional parameters.
        pub options: ListVirtualMachinesOptions,
    }
    impl ListVirtualMachines {
        ///A request with no parameter set.
        pub fn new() -> Self {
            Self {
                options: Default::default(),
            }
        }
        /// Replaces the optional parameters.
        #[must_use]
        pub fn with_options(mut self, options: ListVirtualMachinesOptions) -> Self {
            self.options = options;
            self
        }
        /// The parameters as they are sent.
        pub fn params(&self) -> ::marvin_entities::__private::Params {
            let mut p = ::marvin_entities::__private::Params::new();
            ::marvin_entities::__private::Encode::encode(&self.options, &mut p);
            p
        }
        /// Sends the request and decodes the answer.
        pub fn send(
            &self,
            client: &::marvin_entities::__private::Client,
        ) -> ::marvin_entities::Call<Vec<super::VirtualMachine>> {
            ::marvin_entities::__private::list(
                client,
                "listVirtualMachines",
                self.params(),
            )
        }
        /// Streams the items page by page.
        pub fn stream(
            &self,
            client: &::marvin_entities::__private::Client,
        ) -> ::marvin_entities::ListStream<super::VirtualMachine> {
            ::marvin_entities::__private::stream(
                client,
                "listVirtualMachines",
                self.params(),
            )
        }
    }
    impl ::marvin_entities::Command for ListVirtualMachines {
        const API: &'static str = "listVirtualMachines";
        const IS_ASYNC: bool = false;
        type Answer = Vec<super::VirtualMachine>;
        fn to_params(&self) -> ::marvin_entities::__private::Params {
            self.params()
        }
    }
    ///The optional parameters of [`ListVirtualMachines`]; unset ones are not sent. Build with `Default` and the setters.
    #[derive(Debug, Clone, Default)]
    pub struct ListVirtualMachinesOptions {
        ///the ID of the virtual machine (`id`)
        pub id: Option<String>,
        ///List by keyword (`keyword`)
        pub keyword: Option<String>,
        ///If set to false, list only resources belonging to the command's caller; if set to true - list resources that the caller is authorized to see. Default value is false. Resources dedicated to a project are listed only if using the projectid parameter. (`listall`)
        pub listall: Option<bool>,
        ///name of the virtual machine (a substring match is made against the parameter value, data for all matching VMs will be returned) (`name`)
        pub name: Option<String>,
        ///`page`
        pub page: Option<i64>,
        ///`pagesize`
        pub pagesize: Option<i64>,
        ///state of the virtual machine. Possible values are: Running, Stopped, Present, Destroyed, Expunged. Present is used for the state equal not destroyed. (`state`)
        pub state: Option<String>,
        ///List resources by tags (key/value pairs) (`tags`)
        pub tags: Option<Vec<::std::collections::BTreeMap<String, String>>>,
        ///the availability zone ID (`zoneid`)
        pub zoneid: Option<String>,
    }
    impl ListVirtualMachinesOptions {
        ///Sets `id`.
        #[must_use]
        pub fn id(mut self, id: impl Into<String>) -> Self {
            self.id = Some(id.into());
            self
        }
        ///Sets `keyword`.
        #[must_use]
        pub fn keyword(mut self, keyword: impl Into<String>) -> Self {
            self.keyword = Some(keyword.into());
            self
        }
        ///Sets `listall`.
        #[must_use]
        pub fn listall(mut self, listall: bool) -> Self {
            self.listall = Some(listall);
            self
        }
        ///Sets `name`.
        #[must_use]
        pub fn name(mut self, name: impl Into<String>) -> Self {
            self.name = Some(name.into());
            self
        }
        ///Sets `page`.
        #[must_use]
        pub fn page(mut self, page: i64) -> Self {
            self.page = Some(page);
            self
        }
        ///Sets `pagesize`.
        #[must_use]
        pub fn pagesize(mut self, pagesize: i64) -> Self {
            self.pagesize = Some(pagesize);
            self
        }
        ///Sets `state`.
        #[must_use]
        pub fn state(mut self, state: impl Into<String>) -> Self {
            self.state = Some(state.into());
            self
        }
        ///Sets `tags`.
        #[must_use]
        pub fn tags(
            mut self,
            tags: impl IntoIterator<
                Item = impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>,
            >,
        ) -> Self {
            self.tags = Some(::marvin_entities::__private::maps(tags));
            self
        }
        ///Sets `zoneid`.
        #[must_use]
        pub fn zoneid(mut self, zoneid: impl Into<String>) -> Self {
            self.zoneid = Some(zoneid.into());
            self
        }
    }
    impl ::marvin_entities::__private::Encode for ListVirtualMachinesOptions {
        fn encode(&self, p: &mut ::marvin_entities::__private::Params) {
            ::marvin_entities::__private::put(p, "id", &self.id);
            ::marvin_entities::__private::put(p, "keyword", &self.keyword);
            ::marvin_entities::__private::put(p, "listall", &self.listall);
            ::marvin_entities::__private::put(p, "name", &self.name);
            ::marvin_entities::__private::put(p, "page", &self.page);
            ::marvin_entities::__private::put(p, "pagesize", &self.pagesize);
            ::marvin_entities::__private::put(p, "state", &self.state);
            ::marvin_entities::__private::put(p, "tags", &self.tags);
            ::marvin_entities::__private::put(p, "zoneid", &self.zoneid);
        }
    }
    /**Logs a user into the CloudStack. A successful login attempt will generate a JSESSIONID cookie value that can be passed in subsequent Query command calls until the "logout" command has been issued or the session has expired.

CloudStack API `login` (sync).

Acts on `Session` (verb `login`). Answers [`LoginResponse`](super::responses::LoginResponse).*/
    #[derive(Debug, Clone)]
    pub struct Login {
        ///Hashed password (Default is MD5). If you wish to use any other hashing algorithm, you would need to write a custom authentication adapter See Docs section. (`password`)
        pub password: ::marvin_entities::Secret,
        ///Username (`username`)
        pub username: String,
        ///The optional parameters.
        pub options: LoginOptions,
    }
    impl Login {
        ///A request with its required parameters, in alphabetical order of their CloudStack names.
        pub fn new(password: impl Into<String>, username: impl Into<String>) -> Self {
            Self {
                password: ::marvin_entities::Secret::new(password),
                username: username.into(),
                options: Default::default(),
            }
        }
        /// Replaces the optional parameters.
        #[must_use]
        pub fn with_options(mut self, options: LoginOptions) -> Self {
            self.options = options;
            self
        }
        /// The parameters as they are sent.
        pub fn params(&self) -> ::marvin_entities::__private::Params {
            let mut p = ::marvin_entities::__private::Params::new();
            ::marvin_entities::__private::put(&mut p, "password", &self.password);
            ::marvin_entities::__private::put(&mut p, "username", &self.username);
            ::marvin_entities::__private::Encode::encode(&self.options, &mut p);
            p
        }
        /// Sends the request and decodes the answer.
        pub fn send(
            &self,
            client: &::marvin_entities::__private::Client,
        ) -> ::marvin_entities::Call<super::responses::LoginResponse> {
            ::marvin_entities::__private::call(client, "login", self.params(), false)
        }
    }
    impl ::marvin_entities::Command for Login {
        const API: &'static str = "login";
        const IS_ASYNC: bool = false;
        type Answer = super::responses::LoginResponse;
        fn to_params(&self) -> ::marvin_entities::__private::Params {
            self.params()
        }
    }
    ///The optional parameters of [`Login`]; unset ones are not sent. Build with `Default` and the setters.
    #[derive(Debug, Clone, Default)]
    pub struct LoginOptions {
        ///Path of the domain that the user belongs to. Example: domain=/com/cloud/internal. If no domain is passed in, the ROOT (/) domain is assumed. (`domain`)
        pub domain: Option<String>,
        ///The id of the domain that the user belongs to. If both domain and domainId are passed in, "domainId" parameter takes precendence (`domainId`)
        pub domainid: Option<i64>,
    }
    impl LoginOptions {
        ///Sets `domain`.
        #[must_use]
        pub fn domain(mut self, domain: impl Into<String>) -> Self {
            self.domain = Some(domain.into());
            self
        }
        ///Sets `domainId`.
        #[must_use]
        pub fn domainid(mut self, domainid: i64) -> Self {
            self.domainid = Some(domainid);
            self
        }
    }
    impl ::marvin_entities::__private::Encode for LoginOptions {
        fn encode(&self, p: &mut ::marvin_entities::__private::Params) {
            ::marvin_entities::__private::put(p, "domain", &self.domain);
            ::marvin_entities::__private::put(p, "domainId", &self.domainid);
        }
    }
    /**Resets the password for virtual machine. The virtual machine must be in a "Stopped" state and the template must already support this feature for this command to take effect. \[async\].

CloudStack API `resetPasswordForVirtualMachine` (async: waits for the job).

Acts on `VirtualMachine` (verb `resetPassword`). Answers [`VirtualMachine`](super::VirtualMachine).*/
    #[derive(Debug, Clone)]
    pub struct ResetPasswordForVirtualMachine {
        ///The ID of the virtual machine (`id`)
        pub id: String,
    }
    impl ResetPasswordForVirtualMachine {
        ///A request with its required parameters, in alphabetical order of their CloudStack names.
        pub fn new(id: impl Into<String>) -> Self {
            Self { id: id.into() }
        }
        /// The parameters as they are sent.
        pub fn params(&self) -> ::marvin_entities::__private::Params {
            let mut p = ::marvin_entities::__private::Params::new();
            ::marvin_entities::__private::put(&mut p, "id", &self.id);
            p
        }
        /// Sends the request and decodes the answer.
        pub fn send(
            &self,
            client: &::marvin_entities::__private::Client,
        ) -> ::marvin_entities::Call<super::VirtualMachine> {
            ::marvin_entities::__private::call(
                client,
                "resetPasswordForVirtualMachine",
                self.params(),
                true,
            )
        }
    }
    impl ::marvin_entities::Command for ResetPasswordForVirtualMachine {
        const API: &'static str = "resetPasswordForVirtualMachine";
        const IS_ASYNC: bool = true;
        type Answer = super::VirtualMachine;
        fn to_params(&self) -> ::marvin_entities::__private::Params {
            self.params()
        }
    }
    /**Stops a virtual machine.

CloudStack API `stopVirtualMachine` (async: waits for the job).

Acts on `VirtualMachine` (verb `stop`). Answers [`VirtualMachine`](super::VirtualMachine).*/
    #[derive(Debug, Clone)]
    pub struct StopVirtualMachine {
        ///The ID of the virtual machine (`id`)
        pub id: String,
        ///The optional parameters.
        pub options: StopVirtualMachineOptions,
    }
    impl StopVirtualMachine {
        ///A request with its required parameters, in alphabetical order of their CloudStack names.
        pub fn new(id: impl Into<String>) -> Self {
            Self {
                id: id.into(),
                options: Default::default(),
            }
        }
        /// Replaces the optional parameters.
        #[must_use]
        pub fn with_options(mut self, options: StopVirtualMachineOptions) -> Self {
            self.options = options;
            self
        }
        /// The parameters as they are sent.
        pub fn params(&self) -> ::marvin_entities::__private::Params {
            let mut p = ::marvin_entities::__private::Params::new();
            ::marvin_entities::__private::put(&mut p, "id", &self.id);
            ::marvin_entities::__private::Encode::encode(&self.options, &mut p);
            p
        }
        /// Sends the request and decodes the answer.
        pub fn send(
            &self,
            client: &::marvin_entities::__private::Client,
        ) -> ::marvin_entities::Call<super::VirtualMachine> {
            ::marvin_entities::__private::call(
                client,
                "stopVirtualMachine",
                self.params(),
                true,
            )
        }
    }
    impl ::marvin_entities::Command for StopVirtualMachine {
        const API: &'static str = "stopVirtualMachine";
        const IS_ASYNC: bool = true;
        type Answer = super::VirtualMachine;
        fn to_params(&self) -> ::marvin_entities::__private::Params {
            self.params()
        }
    }
    ///The optional parameters of [`StopVirtualMachine`]; unset ones are not sent. Build with `Default` and the setters.
    #[derive(Debug, Clone, Default)]
    pub struct StopVirtualMachineOptions {
        ///Force stop the VM (vm is marked as Stopped even when command fails to be send to the backend, otherwise a force poweroff is attempted).  The caller knows the VM is stopped. (`forced`)
        pub forced: Option<bool>,
    }
    impl StopVirtualMachineOptions {
        ///Sets `forced`.
        #[must_use]
        pub fn forced(mut self, forced: bool) -> Self {
            self.forced = Some(forced);
            self
        }
    }
    impl ::marvin_entities::__private::Encode for StopVirtualMachineOptions {
        fn encode(&self, p: &mut ::marvin_entities::__private::Params) {
            ::marvin_entities::__private::put(p, "forced", &self.forced);
        }
    }
}
///Answer types that are not entities, and nested answer objects.
pub mod responses {
    ///The answer of `getVMPassword`.
    #[derive(Debug, Clone)]
    pub struct GetVMPasswordResponse {
        ///The base64 encoded encrypted password of the VM (`encryptedpassword`)
        pub encryptedpassword: Option<::marvin_entities::Secret>,
        ///the UUID of the latest async job acting on this object (`jobid`)
        pub jobid: Option<String>,
        ///the current status of the latest async job acting on this object (`jobstatus`)
        pub jobstatus: Option<i64>,
        /// Fields the schema does not list, as sent.
        pub extra: ::marvin_entities::Object,
    }
    impl ::marvin_entities::Decode for GetVMPasswordResponse {
        fn decode(o: &mut ::marvin_entities::Object) -> Self {
            Self {
                encryptedpassword: ::marvin_entities::__private::take(
                    o,
                    "encryptedpassword",
                ),
                jobid: ::marvin_entities::__private::take(o, "jobid"),
                jobstatus: ::marvin_entities::__private::take(o, "jobstatus"),
                extra: ::core::mem::take(o),
            }
        }
        fn extra(&self) -> &::marvin_entities::Object {
            &self.extra
        }
    }
    ///The `tags` objects of `IpAddress`.
    #[derive(Debug, Clone)]
    pub struct IpAddressTag {
        ///tag key name (`key`)
        pub key: Option<String>,
        ///resource type (`resourcetype`)
        pub resourcetype: Option<String>,
        ///tag value (`value`)
        pub value: Option<String>,
        /// Fields the schema does not list, as sent.
        pub extra: ::marvin_entities::Object,
    }
    impl ::marvin_entities::Decode for IpAddressTag {
        fn decode(o: &mut ::marvin_entities::Object) -> Self {
            Self {
                key: ::marvin_entities::__private::take(o, "key"),
                resourcetype: ::marvin_entities::__private::take(o, "resourcetype"),
                value: ::marvin_entities::__private::take(o, "value"),
                extra: ::core::mem::take(o),
            }
        }
        fn extra(&self) -> &::marvin_entities::Object {
            &self.extra
        }
    }
    ///The answer of `login`.
    #[derive(Debug, Clone)]
    pub struct LoginResponse {
        ///the account name the user belongs to (`account`)
        pub account: Option<String>,
        ///Session key that can be passed in subsequent Query command calls (`sessionkey`)
        pub sessionkey: Option<::marvin_entities::Secret>,
        ///the time period before the session has expired (`timeout`)
        pub timeout: Option<i64>,
        ///User ID (`userid`)
        pub userid: Option<String>,
        ///Username (`username`)
        pub username: Option<String>,
        /// Fields the schema does not list, as sent.
        pub extra: ::marvin_entities::Object,
    }
    impl ::marvin_entities::Decode for LoginResponse {
        fn decode(o: &mut ::marvin_entities::Object) -> Self {
            Self {
                account: ::marvin_entities::__private::take(o, "account"),
                sessionkey: ::marvin_entities::__private::take(o, "sessionkey"),
                timeout: ::marvin_entities::__private::take(o, "timeout"),
                userid: ::marvin_entities::__private::take(o, "userid"),
                username: ::marvin_entities::__private::take(o, "username"),
                extra: ::core::mem::take(o),
            }
        }
        fn extra(&self) -> &::marvin_entities::Object {
            &self.extra
        }
    }
    ///The `nic` objects of `VirtualMachine`.
    #[derive(Debug, Clone)]
    pub struct Nic {
        ///the ID of the nic (`id`)
        pub id: Option<String>,
        ///the ip address of the nic (`ipaddress`)
        pub ipaddress: Option<String>,
        ///true if nic is default, false otherwise (`isdefault`)
        pub isdefault: Option<bool>,
        ///the ID of the corresponding network (`networkid`)
        pub networkid: Option<String>,
        ///the Secondary ipv4 addr of nic (`secondaryip`)
        pub secondaryip: Vec<::marvin_entities::__private::Value>,
        /// Fields the schema does not list, as sent.
        pub extra: ::marvin_entities::Object,
    }
    impl ::marvin_entities::Decode for Nic {
        fn decode(o: &mut ::marvin_entities::Object) -> Self {
            Self {
                id: ::marvin_entities::__private::take(o, "id"),
                ipaddress: ::marvin_entities::__private::take(o, "ipaddress"),
                isdefault: ::marvin_entities::__private::take(o, "isdefault"),
                networkid: ::marvin_entities::__private::take(o, "networkid"),
                secondaryip: ::marvin_entities::__private::take(o, "secondaryip"),
                extra: ::core::mem::take(o),
            }
        }
        fn extra(&self) -> &::marvin_entities::Object {
            &self.extra
        }
    }
    ///The `user` objects of `Account`.
    #[derive(Debug, Clone)]
    pub struct User {
        ///the user email address (`email`)
        pub email: Option<String>,
        ///the user firstname (`firstname`)
        pub firstname: Option<String>,
        ///the user ID (`id`)
        pub id: Option<String>,
        ///the user state (`state`)
        pub state: Option<String>,
        ///the user name (`username`)
        pub username: Option<String>,
        /// Fields the schema does not list, as sent.
        pub extra: ::marvin_entities::Object,
    }
    impl ::marvin_entities::Decode for User {
        fn decode(o: &mut ::marvin_entities::Object) -> Self {
            Self {
                email: ::marvin_entities::__private::take(o, "email"),
                firstname: ::marvin_entities::__private::take(o, "firstname"),
                id: ::marvin_entities::__private::take(o, "id"),
                state: ::marvin_entities::__private::take(o, "state"),
                username: ::marvin_entities::__private::take(o, "username"),
                extra: ::core::mem::take(o),
            }
        }
        fn extra(&self) -> &::marvin_entities::Object {
            &self.extra
        }
    }
}
