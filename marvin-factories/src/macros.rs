//! The declaration macro, [`factory!`](crate::factory!).

/// Declares factories.
///
/// A factory names a way to make one resource: its sub-factories, its
/// attributes with their defaults, the request they make, and what happens
/// after the resource exists. Each declaration gives two types: the factory
/// (`UserAccount`, with `create`, `build`, `create_batch` and `new`) and its
/// builder (`UserAccountBuilder`, one setter per attribute and
/// sub-factory).
///
/// ```
/// use marvin_entities::commands;
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
///         build -> commands::CreateAccount {
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
/// # Grammar
///
/// ```text
/// factory! {
///     /// docs
///     VIS NAME / BUILDER {
///         subs {                      // optional: resources made first
///             /// docs
///             NAME: FACTORY,          // made with FACTORY's defaults
///             NAME: FACTORY = EXPR,   // made with this builder (or id)
///         }
///         fields {                    // required (may be empty)
///             /// docs
///             NAME: TYPE = EXPR,      // EXPR may use the subs and earlier fields
///         }
///         build -> REQUEST { EXPR }   // the request, from the subs and fields
///         after(CTX, ENTITY) { .. }   // optional post-generation hook
///         related {                   // optional: made after, with a reference
///             /// docs
///             NAME: FACTORY = |ENTITY| EXPR,
///         }
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
/// - Every builder also has `with_request(|request| ..)`, to change any
///   request field (optional parameters included) after it is built.
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
        #[derive(Debug, Clone, Copy, Default)]
        $vis struct $name;

        impl $crate::Factory for $name {
            type Builder = <$base as $crate::Factory>::Builder;
            const NAME: &'static str = stringify!($name);
            fn new() -> Self::Builder {
                $base::new() $(. $setter ( $($arg),* ))*
            }
        }

        $crate::__factory_shortcuts!($name);

        $crate::factory!($($rest)*);
    };

    // A factory.
    (
        $(#[$meta:meta])*
        $vis:vis $name:ident / $builder:ident {
            $(subs {
                $( $(#[$sdoc:meta])* $sub:ident : $subf:ty $(= $sdef:expr)? ),* $(,)?
            })?
            fields {
                $( $(#[$fdoc:meta])* $field:ident : $fty:ty = $fdef:expr ),* $(,)?
            }
            build -> $req:ty $build:block
            $(after ($actx:ident, $aentity:ident) $after:block)?
            $(related {
                $( $(#[$rdoc:meta])* $rel:ident : $relf:ty = | $rparent:ident | $rdef:expr ),* $(,)?
            })?
        }
        $($rest:tt)*
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

        $crate::__factory_shortcuts!($name);

        #[doc = concat!("The overrides of [`", stringify!($name), "`]: one setter per attribute; unset ones take their defaults.")]
        #[derive(Clone, Default)]
        #[must_use = "a builder does nothing until `create` or `build` is called"]
        $vis struct $builder {
            $($( $sub: Option<$crate::Sub<$subf>>, )*)?
            $( $field: Option<$fty>, )*
            __request_hooks: Vec<$crate::RequestHook<$req>>,
            __owner: Option<$crate::Owner>,
        }

        impl ::std::fmt::Debug for $builder {
            /// Names the overridden attributes only (values may be secrets).
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let mut overridden: Vec<&str> = Vec::new();
                $($( if self.$sub.is_some() { overridden.push(stringify!($sub)); } )*)?
                $( if self.$field.is_some() { overridden.push(stringify!($field)); } )*
                f.debug_struct(stringify!($builder))
                    .field("overridden", &overridden)
                    .field("request_hooks", &self.__request_hooks.len())
                    .field("owner", &self.__owner)
                    .finish()
            }
        }

        impl<F: $crate::Factory<Builder = $builder>> $crate::IntoSub<F> for $builder {
            fn into_sub(self) -> $crate::Sub<F> {
                $crate::Sub::With(self)
            }
        }

        #[allow(clippy::needless_update)]
        impl $builder {
            $($(
                $(#[$sdoc])*
                #[doc = ""]
                #[doc = concat!("Sub-factory [`", stringify!($subf), "`]: a builder of it, an id, or `Sub::of(&entity)`.")]
                pub fn $sub(mut self, value: impl $crate::IntoSub<$subf>) -> Self {
                    self.$sub = Some($crate::IntoSub::into_sub(value));
                    self
                }
            )*)?
            $(
                $(#[$fdoc])*
                pub fn $field(mut self, value: impl Into<$fty>) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )*

            /// Changes the request after it is built (any field, optional
            /// parameters included); hooks run in the order they were added.
            pub fn with_request(mut self, hook: impl Fn(&mut $req) + Send + Sync + 'static) -> Self {
                self.__request_hooks.push(::std::sync::Arc::new(hook));
                self
            }

            /// Makes the resource for `account`, acting as its first user:
            /// the resource and every sub-factory's belong to the account
            /// (see [`Owner`]($crate::Owner)).
            pub fn owner(mut self, account: &$crate::__private::Account) -> Self {
                self.__owner = Some($crate::Owner::of(account));
                self
            }

            /// The request, without calling the cloud (see [`Build::build`](crate::Build::build)).
            pub fn build(self) -> $req {
                <Self as $crate::Build>::build(self)
            }

            /// Creates the resource (see [`Build::create`](crate::Build::create)).
            pub fn create(
                self,
                ctx: &$crate::__private::TestContext,
            ) -> $crate::__private::LocalBoxFuture<'_, $crate::__private::Result<<Self as $crate::Build>::Output>> {
                <Self as $crate::Build>::create(self, ctx)
            }

            /// Creates `n` resources with these overrides, concurrently.
            pub fn create_batch(
                self,
                ctx: &$crate::__private::TestContext,
                n: usize,
            ) -> $crate::__private::LocalBoxFuture<'_, $crate::__private::Result<Vec<<Self as $crate::Build>::Output>>> {
                <Self as $crate::Build>::create_batch(self, ctx, n)
            }
        }

        impl $crate::Build for $builder {
            type Entity = <$req as $crate::__private::Command>::Answer;
            type Output = $crate::__private::Managed<Self::Entity>;
            type Request = $req;

            #[allow(unused_variables, unused_mut, clippy::redundant_clone, clippy::needless_update)]
            fn build(self) -> $req {
                let Self { $($($sub,)*)? $($field,)* __request_hooks, __owner: _ } = self;
                $($(
                    let $sub: $crate::Made<$subf> = $crate::Made::unresolved(
                        $sub.unwrap_or_else(|| $crate::__factory_sub_default!($subf $(, $sdef)?)),
                    );
                )*)?
                $(
                    let $field: $fty = match $field {
                        Some(value) => value,
                        None => $fdef,
                    };
                )*
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
            ) -> $crate::__private::LocalBoxFuture<'_, $crate::__private::Result<Self::Output>> {
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
                    $($(
                        let $sub: $crate::Made<$subf> = $crate::Made::resolve(
                            $sub.unwrap_or_else(|| $crate::__factory_sub_default!($subf $(, $sdef)?)),
                            ctx,
                        )
                        .await?;
                    )*)?
                    $(
                        let $field: $fty = match $field {
                            Some(value) => value,
                            None => $fdef,
                        };
                    )*
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
        }

        $crate::factory!($($rest)*);
    };
}

/// The inherent `new`, `create`, `build` and `create_batch` of a factory,
/// so they work without importing [`Factory`](crate::Factory).
#[doc(hidden)]
#[macro_export]
macro_rules! __factory_shortcuts {
    ($name:ident) => {
        #[allow(clippy::new_ret_no_self, dead_code)]
        impl $name {
            /// A builder with this factory's defaults, for overrides.
            pub fn new() -> <$name as $crate::Factory>::Builder {
                <$name as $crate::Factory>::new()
            }

            /// The request with every default filled in, without calling the cloud.
            pub fn build() -> $crate::Request<$name> {
                <$name as $crate::Factory>::build()
            }

            /// Creates one with the defaults; it is deleted after the test.
            pub fn create(
                ctx: &$crate::__private::TestContext,
            ) -> $crate::__private::LocalBoxFuture<
                '_,
                $crate::__private::Result<$crate::Output<$name>>,
            > {
                <$name as $crate::Factory>::create(ctx)
            }

            /// Creates `n` with the defaults, concurrently.
            pub fn create_batch(
                ctx: &$crate::__private::TestContext,
                n: usize,
            ) -> $crate::__private::LocalBoxFuture<
                '_,
                $crate::__private::Result<Vec<$crate::Output<$name>>>,
            > {
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
