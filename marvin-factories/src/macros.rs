//! The declaration macro, [`factory!`](crate::factory!).

/// Declares factories.
///
/// A factory names a way to make one resource: its sub-factories, its
/// attributes with their defaults, the request they make, and what happens
/// after the resource exists. A *composite* factory makes several resources
/// and gives them together (a VM and its public IP): instead of a request,
/// a `make` step builds its result from the sub-factories' resources and
/// the attributes. Each declaration gives two types: the factory
/// (`UserAccount`, with `create`, `create_batch`, `new`, and `build` when it
/// has a request) and its builder (`UserAccountBuilder`, one setter per
/// attribute and sub-factory, and `owner`).
///
/// ```
/// use marvin_entities::{self as entities, commands};
/// use marvin_factories::{factory, fake, sequence};
///
/// factory! {
///     /// A team account: a user account whose first user is named after the team.
///     pub TeamAccount / TeamAccountBuilder {
///         fields {
///             /// The team's name (unique per run, process and call).
///             team: String = sequence("team"),
///             /// A lazy attribute: computed from `team` unless overridden.
///             username: String = format!("{team}-lead"),
///             firstname: String = fake::first_name(),
///             lastname: String = fake::last_name(),
///             email: String = fake::email(&firstname, &lastname),
///             password: String = fake::password(),
///         }
///         build -> commands::CreateAccount as entities::Account {
///             commands::CreateAccount::builder()
///                 .email(email)
///                 .firstname(firstname)
///                 .lastname(lastname)
///                 .password(password)
///                 .username(username)
///                 .into_request()
///                 .with_options(commands::CreateAccountOptions {
///                     accounttype: Some(0),
///                     ..Default::default()
///                 })
///         }
///     }
///
///     /// Inheritance: the same factory with other defaults.
///     pub TeamAdminAccount = TeamAccount::new().team("admins");
/// }
///
/// // Without a cloud: the request, defaults filled in.
/// let request = TeamAdminAccount::build();
/// assert_eq!(request.username, "admins-lead");
/// let request = TeamAccount::new().team("core").build();
/// assert_eq!(request.username, "core-lead");
/// ```
///
/// A composite: a data volume attached to a VM, given back together.
///
/// ```
/// use marvin_core::cleanup::Managed;
/// use marvin_core::testing::TestContext;
/// use marvin_entities as entities;
/// use marvin_factories::{Part, VirtualMachineFactory, VolumeFactory, factory};
///
/// /// A VM and the data volume attached to it.
/// #[derive(Debug)]
/// pub struct VmWithDisk {
///     pub vm: Part<VirtualMachineFactory>,
///     pub disk: Managed<entities::Volume>,
/// }
///
/// impl AsRef<entities::VirtualMachine> for VmWithDisk {
///     fn as_ref(&self) -> &entities::VirtualMachine {
///         &self.vm
///     }
/// }
///
/// factory! {
///     /// A [`VirtualMachineFactory`] with a data volume attached.
///     pub VirtualMachineWithDisk / VirtualMachineWithDiskBuilder {
///         subs {
///             /// The VM.
///             vm: VirtualMachineFactory,
///             /// The data volume.
///             disk: VolumeFactory,
///         }
///         fields {
///             /// Whether to attach the volume (else it is only made).
///             attach: bool = true,
///         }
///         make(ctx) -> VmWithDisk as entities::VirtualMachine {
///             let vm = vm.into_part("VirtualMachineWithDisk")?;
///             let mut disk = disk
///                 .into_output()
///                 .ok_or_else(|| marvin_core::Error::setup("the disk is made here"))?;
///             if attach {
///                 *disk = disk.attach(ctx.client()).virtualmachineid(vm.id.clone()).await?;
///             }
///             VmWithDisk { vm, disk }
///         }
///     }
/// }
///
/// async fn a_vm_with_a_disk(ctx: &TestContext) -> marvin_core::Result<()> {
///     // Overrides as for any factory; the parts are deleted after the test.
///     let made = VirtualMachineWithDisk::new()
///         .vm(VirtualMachineFactory::new().name("db"))
///         .create(ctx)
///         .await?;
///     assert_eq!(made.disk.virtualmachineid.as_deref(), Some(made.vm.id.as_str()));
///     Ok(())
/// }
///
/// // Without a cloud: the builder names what it overrides.
/// let builder = VirtualMachineWithDisk::new().attach(false);
/// assert!(format!("{builder:?}").contains("attach"));
/// ```
///
/// # Grammar
///
/// ```text
/// factory! {
///     /// docs
///     VIS NAME / BUILDER {
///         subs {                      // optional: resources made first
///             /// docs
///             NAME: FACTORY,          // made with FACTORY's defaults
///             NAME: FACTORY = EXPR,   // made with this builder (or id); EXPR
///                                     // may use the earlier subs
///         }
///         fields {                    // required (may be empty)
///             /// docs
///             NAME: TYPE = EXPR,      // EXPR may use the subs and earlier fields
///         }
///         build -> REQUEST as ENTITY { EXPR }  // the request, from the subs and
///                                     // fields (`as ENTITY` optional: the docs
///                                     // then name the entity, not the answer type)
///         after(CTX, ENTITY) { .. }   // optional post-generation hook
///         related {                   // optional: made after, with a reference
///             /// docs
///             NAME: FACTORY = |ENTITY| EXPR,
///         }
///     }
///     /// docs
///     VIS NAME / BUILDER {            // a composite
///         subs { .. }                 // optional, as above
///         fields { .. }               // required (may be empty), as above
///         make(CTX) -> OUTPUT as ENTITY { .. }  // the result, from the subs
///                                     // and fields; OUTPUT: AsRef<ENTITY>
///     }
///     /// docs
///     VIS NAME = BASE::new().setter(..);   // a variant (inheritance, traits)
/// }
/// ```
///
/// - **Attributes** are evaluated in declaration order; an overridden one
///   keeps its given value, the others evaluate their default expression,
///   in which the earlier attributes and all sub-factories are variables
///   (lazy attributes). Use [`sequence`](crate::sequence()) for unique
///   values and the [`fake`](crate::fake) functions for realistic data.
/// - **Sub-factories** are variables of type [`Made<F>`](crate::Made):
///   `network.id()` is the id for the request, `network.entity()` the
///   resource (when made here), `network.get(|n| n.zoneid.clone())` reads
///   a field of it. `create` makes them first (in declaration order);
///   `build` leaves their ids empty unless one was given.
/// - **build** returns a request of `marvin_entities::commands`. `create`
///   sends it with the test's admin client, registers the entity for
///   cleanup with [`send_managed`](crate::send_managed) (so it is deleted
///   after the test, also when its async job fails), tags it with
///   `marvin:run`/`marvin:test` where the cloud supports tags, then runs
///   `after` and the related factories.
/// - **after** gets the context and `&mut` the new entity (replace it
///   with `*entity = entity.update(..).await?` to keep the answer); `?`
///   works inside. Variables moved into the request are no longer
///   available there (clone them in `build`).
/// - **related** factories are created after the entity, from a builder
///   computed from it; they are cleaned up with the test.
/// - **make** (a composite) runs in `create` once the sub-factories are
///   made, with `CTX` the test's context (acting as the owner, if one was
///   given); `?` works inside and the block's value is the result. Keep a
///   sub-factory's resource with [`Made::into_part`](crate::Made::into_part)
///   (made here, or an entity given with `Sub::of`) or
///   [`Made::into_output`](crate::Made::into_output); make other parts
///   with factories or [`send_managed`](crate::send_managed), so the
///   test's cleanup deletes them. A composite has no request of its own:
///   its `Build::build` only evaluates the attributes
///   ([`NoRequest`](crate::NoRequest)).
/// - Every builder of a factory with a request also has
///   `with_request(|request| ..)`, to change any request field (optional
///   parameters included) after it is built.
#[macro_export]
macro_rules! factory {
    () => {};

    // A variant: another factory's builder with presets.
    (
        $(#[$meta:meta])*
        $vis:vis $name:ident = $base:ident :: new () $(. $setter:ident ( $($arg:expr),* $(,)? ))* ;
        $($rest:tt)*
    ) => {
        $(#[$meta])*
        ///
        #[doc = concat!("A variant of [`", stringify!($base), "`], made by [`", stringify!($name), "::create`](Self::create).")]
        #[derive(Debug, Clone, Copy, Default)]
        $vis struct $name;

        impl $crate::Factory for $name {
            type Builder = <$base as $crate::Factory>::Builder;
            const NAME: &'static str = stringify!($name);
            fn new() -> Self::Builder {
                $base::new() $(. $setter ( $($arg),* ))*
            }
        }

        $crate::__factory_shortcuts!(
            $name,
            <$base as $crate::Factory>::Builder,
            $crate::Output<$base>,
            build -> $crate::Request<$base>
        );

        $crate::factory!($($rest)*);
    };

    // A factory: one request makes the resource.
    (
        $(#[$meta:meta])*
        $vis:vis $name:ident / $builder:ident {
            $(subs {
                $( $(#[$sdoc:meta])* $sub:ident : $subf:ty $(= $sdef:expr)? ),* $(,)?
            })?
            fields {
                $( $(#[$fdoc:meta])* $field:ident : $fty:ty = $fdef:expr ),* $(,)?
            }
            build -> $req:ty $(as $entity:ty)? $build:block
            $(after ($actx:ident, $aentity:ident) $after:block)?
            $(related {
                $( $(#[$rdoc:meta])* $rel:ident : $relf:ty = | $rparent:ident | $rdef:expr ),* $(,)?
            })?
        }
        $($rest:tt)*
    ) => {
        $crate::__factory_common! {
            $(#[$meta])*
            $vis $name / $builder
            output: $crate::__private::Managed<$crate::__factory_entity!($req $(, $entity)?)>,
            subs [$($( $(#[$sdoc])* $sub : $subf ),*)?]
            fields [$( $(#[$fdoc])* $field : $fty ),*]
            hooks [$req]
        }

        impl $builder {
            /// The request, without calling the cloud: every attribute
            /// resolved, sub-factories' ids empty unless given (see
            /// [`Build::build`]($crate::Build::build)).
            pub fn build(self) -> $req {
                <Self as $crate::Build>::build(self)
            }
        }

        impl $crate::Build for $builder {
            type Entity = $crate::__factory_entity!($req $(, $entity)?);
            type Output = $crate::__private::Managed<$crate::__factory_entity!($req $(, $entity)?)>;
            type Request = $req;

            #[allow(unused_variables, unused_mut, clippy::redundant_clone, clippy::needless_update)]
            fn build(self) -> $req {
                let Self { $($($sub,)*)? $($field,)* __request_hooks, __owner: _ } = self;
                $crate::__factory_attributes!(
                    unresolved;
                    [$($( $sub : $subf $(= $sdef)? ),*)?]
                    [$( $field : $fty = $fdef ),*]
                );
                let mut request: $req = $build;
                for hook in &__request_hooks {
                    hook(&mut request);
                }
                request
            }

            #[allow(unused_variables, unused_mut, clippy::redundant_clone, clippy::needless_update)]
            fn create(
                self,
                ctx: &$crate::__private::TestContext,
            ) -> $crate::__private::LocalBoxFuture<
                '_,
                $crate::__private::Result<
                    $crate::__private::Managed<$crate::__factory_entity!($req $(, $entity)?)>,
                >,
            > {
                ::std::boxed::Box::pin(async move {
                    let Self { $($($sub,)*)? $($field,)* __request_hooks, __owner } = self;
                    // For an owner, everything below acts as its user.
                    let acting;
                    let ctx: &$crate::__private::TestContext = match &__owner {
                        Some(owner) => {
                            acting = owner.context(ctx).await?;
                            &acting
                        }
                        None => ctx,
                    };
                    $crate::__factory_attributes!(
                        (ctx);
                        [$($( $sub : $subf $(= $sdef)? ),*)?]
                        [$( $field : $fty = $fdef ),*]
                    );
                    let mut request: $req = $build;
                    for hook in &__request_hooks {
                        hook(&mut request);
                    }
                    let mut managed = $crate::send_managed(ctx, &request).await?;
                    $crate::tags::tag(ctx, &*managed).await;
                    $(
                        {
                            let $actx: &$crate::__private::TestContext = ctx;
                            let $aentity: &mut Self::Entity = &mut managed;
                            $after
                        }
                    )?
                    $($(
                        {
                            let $rparent: &Self::Entity = &managed;
                            let related: <$relf as $crate::Factory>::Builder = $rdef;
                            let $rel = $crate::Build::create(related, ctx).await?;
                            drop($rel);
                        }
                    )*)?
                    Ok(managed)
                })
            }

            fn create_batch(
                mut self,
                ctx: &$crate::__private::TestContext,
                n: usize,
            ) -> $crate::__private::LocalBoxFuture<'_, $crate::__private::Result<Vec<Self::Output>>> {
                let owner = self.__owner.take();
                $crate::__private::create_batch_for(self, owner, ctx, n)
            }
        }

        $crate::factory!($($rest)*);
    };

    // A composite factory: a step makes the result from the sub-factories'
    // resources and the attributes.
    (
        $(#[$meta:meta])*
        $vis:vis $name:ident / $builder:ident {
            $(subs {
                $( $(#[$sdoc:meta])* $sub:ident : $subf:ty $(= $sdef:expr)? ),* $(,)?
            })?
            fields {
                $( $(#[$fdoc:meta])* $field:ident : $fty:ty = $fdef:expr ),* $(,)?
            }
            make ($mctx:ident) -> $output:ty as $entity:ty $make:block
        }
        $($rest:tt)*
    ) => {
        $crate::__factory_common! {
            $(#[$meta])*
            $vis $name / $builder
            output: $output,
            subs [$($( $(#[$sdoc])* $sub : $subf ),*)?]
            fields [$( $(#[$fdoc])* $field : $fty ),*]
            hooks []
        }

        impl $crate::Build for $builder {
            type Entity = $entity;
            type Output = $output;
            type Request = $crate::NoRequest;

            /// Evaluates the attributes' defaults (a composite sends no
            /// request of its own).
            #[allow(unused_variables, clippy::redundant_clone)]
            fn build(self) -> $crate::NoRequest {
                let Self { $($($sub,)*)? $($field,)* __owner: _ } = self;
                $crate::__factory_attributes!(
                    unresolved;
                    [$($( $sub : $subf $(= $sdef)? ),*)?]
                    [$( $field : $fty = $fdef ),*]
                );
                $crate::NoRequest
            }

            #[allow(unused_variables, unused_mut, clippy::redundant_clone)]
            fn create(
                self,
                ctx: &$crate::__private::TestContext,
            ) -> $crate::__private::LocalBoxFuture<'_, $crate::__private::Result<$output>> {
                ::std::boxed::Box::pin(async move {
                    let Self { $($($sub,)*)? $($field,)* __owner } = self;
                    // For an owner, everything below acts as its user.
                    let acting;
                    let ctx: &$crate::__private::TestContext = match &__owner {
                        Some(owner) => {
                            acting = owner.context(ctx).await?;
                            &acting
                        }
                        None => ctx,
                    };
                    $crate::__factory_attributes!(
                        (ctx);
                        [$($( $sub : $subf $(= $sdef)? ),*)?]
                        [$( $field : $fty = $fdef ),*]
                    );
                    let $mctx: &$crate::__private::TestContext = ctx;
                    let output: $output = $make;
                    Ok(output)
                })
            }

            fn create_batch(
                mut self,
                ctx: &$crate::__private::TestContext,
                n: usize,
            ) -> $crate::__private::LocalBoxFuture<'_, $crate::__private::Result<Vec<Self::Output>>> {
                let owner = self.__owner.take();
                $crate::__private::create_batch_for(self, owner, ctx, n)
            }
        }

        $crate::factory!($($rest)*);
    };
}

/// What both forms of a declaration share: the factory, its `Factory`
/// impl and shortcuts, the builder with its setters, `owner`, `create`
/// and `create_batch` (and `with_request` when `hooks` names a request).
#[doc(hidden)]
#[macro_export]
macro_rules! __factory_common {
    (
        $(#[$meta:meta])*
        $vis:vis $name:ident / $builder:ident
        output: $output:ty,
        subs [$( $(#[$sdoc:meta])* $sub:ident : $subf:ty ),*]
        fields [$( $(#[$fdoc:meta])* $field:ident : $fty:ty ),*]
        hooks [$($req:ty)?]
    ) => {
        $(#[$meta])*
        ///
        #[doc = concat!("Made by [`", stringify!($name), "::create`](Self::create); overrides go through [`", stringify!($builder), "`].")]
        #[derive(Debug, Clone, Copy, Default)]
        $vis struct $name;

        impl $crate::Factory for $name {
            type Builder = $builder;
            const NAME: &'static str = stringify!($name);
            fn new() -> $builder {
                $builder::default()
            }
        }

        $crate::__factory_shortcuts!($name, $builder, $output $(, build -> $req)?);

        #[doc = concat!("The overrides of [`", stringify!($name), "`]: one setter per attribute; unset ones take their defaults.")]
        #[derive(Clone, Default)]
        #[must_use = "a builder does nothing until `create` is called"]
        $vis struct $builder {
            $( $sub: Option<$crate::Sub<$subf>>, )*
            $( $field: Option<$fty>, )*
            $( __request_hooks: Vec<$crate::RequestHook<$req>>, )?
            __owner: Option<$crate::Owner>,
        }

        impl ::std::fmt::Debug for $builder {
            /// Names the overridden attributes only (values may be secrets).
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let mut overridden: Vec<&str> = Vec::new();
                $( if self.$sub.is_some() { overridden.push(stringify!($sub)); } )*
                $( if self.$field.is_some() { overridden.push(stringify!($field)); } )*
                let mut debug = f.debug_struct(stringify!($builder));
                debug.field("overridden", &overridden);
                $(
                    let hooks: &[$crate::RequestHook<$req>] = &self.__request_hooks;
                    debug.field("request_hooks", &hooks.len());
                )?
                debug.field("owner", &self.__owner).finish()
            }
        }

        impl<F: $crate::Factory<Builder = $builder>> $crate::IntoSub<F> for $builder {
            fn into_sub(self) -> $crate::Sub<F> {
                $crate::Sub::With(self)
            }
        }

        impl $builder {
            $(
                $(#[$sdoc])*
                #[doc = ""]
                #[doc = concat!("Sub-factory [`", stringify!($subf), "`]: a builder of it, an id, or `Sub::of(&entity)`.")]
                pub fn $sub(mut self, value: impl $crate::IntoSub<$subf>) -> Self {
                    self.$sub = Some($crate::IntoSub::into_sub(value));
                    self
                }
            )*
            $(
                $(#[$fdoc])*
                pub fn $field(mut self, value: impl Into<$fty>) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )*
            $(
                /// Changes the request after it is built (any field, optional
                /// parameters included); hooks run in the order they were added.
                pub fn with_request(mut self, hook: impl Fn(&mut $req) + Send + Sync + 'static) -> Self {
                    self.__request_hooks.push(::std::sync::Arc::new(hook));
                    self
                }
            )?

            /// Makes the resource for `account`, acting as its first user:
            /// the resource and every sub-factory's belong to the account
            /// (see [`Owner`]($crate::Owner)).
            pub fn owner(mut self, account: &$crate::__private::Account) -> Self {
                self.__owner = Some($crate::Owner::of(account));
                self
            }

            /// Creates the resource; it is deleted after the test (see
            /// [`Build::create`]($crate::Build::create)).
            pub fn create(
                self,
                ctx: &$crate::__private::TestContext,
            ) -> $crate::__private::LocalBoxFuture<'_, $crate::__private::Result<$output>> {
                <Self as $crate::Build>::create(self, ctx)
            }

            /// Creates `n` resources with these overrides, concurrently.
            pub fn create_batch(
                self,
                ctx: &$crate::__private::TestContext,
                n: usize,
            ) -> $crate::__private::LocalBoxFuture<'_, $crate::__private::Result<Vec<$output>>> {
                <Self as $crate::Build>::create_batch(self, ctx, n)
            }
        }
    };
}

/// The sub-factories (made with the context in parentheses, or left
/// `unresolved` for `build`) and the attributes, bound in declaration
/// order as variables of the caller.
#[doc(hidden)]
#[macro_export]
macro_rules! __factory_attributes {
    (
        $how:tt;
        [$( $sub:ident : $subf:ty $(= $sdef:expr)? ),*]
        [$( $field:ident : $fty:ty = $fdef:expr ),*]
    ) => {
        $(
            let $sub: $crate::Made<$subf> = $crate::__factory_made!(
                $how,
                $sub.unwrap_or_else(|| $crate::__factory_sub_default!($subf $(, $sdef)?))
            );
        )*
        $(
            let $field: $fty = match $field {
                Some(value) => value,
                None => $fdef,
            };
        )*
    };
}

/// One sub-factory's [`Made`](crate::Made): made in `create`, not in `build`.
#[doc(hidden)]
#[macro_export]
macro_rules! __factory_made {
    (unresolved, $sub:expr) => {
        $crate::Made::unresolved($sub)
    };
    (($ctx:ident), $sub:expr) => {
        $crate::Made::resolve($sub, $ctx).await?
    };
}

/// The entity a factory makes: the one declared (`build -> REQUEST as
/// ENTITY`), else the answer of the request.
#[doc(hidden)]
#[macro_export]
macro_rules! __factory_entity {
    ($req:ty) => {
        <$req as $crate::__private::Command>::Answer
    };
    ($req:ty, $entity:ty) => {
        $entity
    };
}

/// The inherent `new`, `create`, `create_batch` (and `build`, for a factory
/// with a request) of a factory, so they work without importing
/// [`Factory`](crate::Factory); their types are spelled out so the docs
/// show them.
#[doc(hidden)]
#[macro_export]
macro_rules! __factory_shortcuts {
    ($name:ident, $builder:ty, $output:ty $(, build -> $req:ty)?) => {
        #[allow(clippy::new_ret_no_self, dead_code)]
        impl $name {
            /// A builder with this factory's defaults, for overrides.
            pub fn new() -> $builder {
                <$name as $crate::Factory>::new()
            }

            $(
                /// The request with every default filled in, without calling the cloud.
                pub fn build() -> $req {
                    <$name as $crate::Factory>::build()
                }
            )?

            /// Creates one with the defaults; it is deleted after the test.
            pub fn create(
                ctx: &$crate::__private::TestContext,
            ) -> $crate::__private::LocalBoxFuture<'_, $crate::__private::Result<$output>> {
                <$name as $crate::Factory>::create(ctx)
            }

            /// Creates `n` with the defaults, concurrently.
            pub fn create_batch(
                ctx: &$crate::__private::TestContext,
                n: usize,
            ) -> $crate::__private::LocalBoxFuture<'_, $crate::__private::Result<Vec<$output>>> {
                <$name as $crate::Factory>::create_batch(ctx, n)
            }
        }
    };
}

/// The default of a sub-factory: its declared builder, or its own defaults.
#[doc(hidden)]
#[macro_export]
macro_rules! __factory_sub_default {
    ($subf:ty) => {
        $crate::Sub::<$subf>::Default
    };
    ($subf:ty, $sdef:expr) => {
        $crate::IntoSub::<$subf>::into_sub($sdef)
    };
}
