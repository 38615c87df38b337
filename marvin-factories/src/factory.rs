//! The factory contract: [`Factory`] (a named declaration with a default
//! builder), [`Build`] (a builder with overrides that builds a request or
//! creates the resource), and the sub-factory plumbing ([`Sub`], [`Made`],
//! [`IntoSub`], and [`Part`] for composites).

use std::fmt;
use std::sync::Arc;

use futures_util::future::{LocalBoxFuture, join_all};
use marvin_core::cleanup::Managed;
use marvin_core::testing::TestContext;
use marvin_core::{Api, Resource, Result};
use marvin_entities::__private::Answer;
use marvin_entities::{Command, Decode};

/// A factory: a name for a way to make one kind of resource, with its
/// defaults.
///
/// `UserAccount::create(&ctx)` creates with the defaults,
/// `UserAccount::new().username("x").create(&ctx)` with overrides,
/// `UserAccount::build()` gives the request without calling the cloud, and
/// `UserAccount::create_batch(&ctx, 5)` creates five at once.
///
/// Declarations made with [`factory!`](crate::factory!) also have these as
/// inherent functions, so they work without importing this trait.
pub trait Factory {
    /// The builder that carries the overrides.
    type Builder: Build;

    /// The factory's name (`UserAccount`), for reports.
    const NAME: &'static str;

    /// A builder with this factory's defaults (a variant such as
    /// `AdminAccount` presets some of them).
    #[allow(clippy::new_ret_no_self)]
    fn new() -> Self::Builder;

    /// The request with every default filled in, without calling the
    /// cloud (see [`Build::build`]; a composite gives [`NoRequest`]).
    fn build() -> Request<Self> {
        Self::new().build()
    }

    /// Creates one resource with the defaults.
    fn create(ctx: &TestContext) -> LocalBoxFuture<'_, Result<Output<Self>>> {
        Self::new().create(ctx)
    }

    /// Creates `n` resources with the defaults, concurrently.
    fn create_batch(ctx: &TestContext, n: usize) -> LocalBoxFuture<'_, Result<Vec<Output<Self>>>> {
        Self::new().create_batch(ctx, n)
    }
}

/// What a factory's `create` gives: for most factories `Managed<Entity>`.
pub type Output<F> = <<F as Factory>::Builder as Build>::Output;
/// The entity a factory makes (`Account`).
pub type Entity<F> = <<F as Factory>::Builder as Build>::Entity;
/// The request a factory's `build` gives (`commands::CreateAccount`).
pub type Request<F> = <<F as Factory>::Builder as Build>::Request;

/// A factory's builder: the defaults plus the overrides given at the call
/// site.
pub trait Build: Clone + Sized + 'static {
    /// The entity made (`Account`).
    type Entity: Resource + Clone + 'static;
    /// What `create` returns: `Managed<Entity>`, the entity itself for
    /// lookups of shared resources (held in an `Arc`), or a richer value for
    /// composite factories (a VM and its public IP).
    type Output: AsRef<Self::Entity> + 'static;
    /// What `build` returns: the typed request (`commands::CreateAccount`),
    /// or [`NoRequest`] for a composite factory, which sends none of its
    /// own.
    type Request;

    /// The request with every attribute resolved (overrides, then defaults,
    /// sequences, fake data and lazy attributes in declaration order),
    /// without calling the cloud. Ids that only the cloud can supply (a
    /// sub-factory's resource, a looked-up zone) are empty unless they were
    /// given as overrides.
    fn build(self) -> Self::Request;

    /// Creates the resource: resolves sub-factories (creating their
    /// resources first), builds the request, sends it, registers the result
    /// for cleanup (`TestContext::manage`), tags it where the cloud supports
    /// tags, then runs the post-generation hooks and related factories. A
    /// composite runs its `make` step after the sub-factories instead.
    fn create(self, ctx: &TestContext) -> LocalBoxFuture<'_, Result<Self::Output>>;

    /// Creates `n` resources with these overrides, concurrently. Every
    /// creation runs to its end (none is cancelled half-way, which could
    /// leave a resource made but never registered); when one fails, the
    /// first error is returned and the ones made are cleaned up with the
    /// test.
    fn create_batch(
        self,
        ctx: &TestContext,
        n: usize,
    ) -> LocalBoxFuture<'_, Result<Vec<Self::Output>>> {
        let creations: Vec<_> = (0..n).map(move |_| self.clone().create(ctx)).collect();
        Box::pin(async move { join_all(creations).await.into_iter().collect() })
    }
}

/// `create_batch` of a builder whose owner was taken out of it: the
/// owner's context is made once and the creations share it (concurrent
/// ones would each fetch, and may each register, the user's keys).
pub fn create_batch_for<B: Build>(
    builder: B,
    owner: Option<crate::Owner>,
    ctx: &TestContext,
    n: usize,
) -> LocalBoxFuture<'_, Result<Vec<B::Output>>> {
    Box::pin(async move {
        let acting;
        let ctx = match &owner {
            Some(owner) => {
                acting = owner.context(ctx).await?;
                &acting
            }
            None => ctx,
        };
        let creations = (0..n).map(|_| builder.clone().create(ctx));
        join_all(creations).await.into_iter().collect()
    })
}

/// Sends a creating request with the test's admin client and registers the
/// entity it makes for cleanup (see `TestContext::create_managed`): an
/// async create is registered from its submission's answer (the new `id`),
/// before its job is waited for, so an object whose job fails (a VM left in
/// the Error state) is still deleted with the test. Before the request goes
/// out, an intent record names the unique name it carries (see
/// `TestContext::create_managed_with`), so an object made while the process
/// is killed, its answer never back, is found by that name and deleted by
/// `marvin cleanup`. The factories' `create` goes through here.
pub async fn send_managed<R>(ctx: &TestContext, request: &R) -> Result<Managed<R::Answer>>
where
    R: Command,
    R::Answer: Resource + Decode,
{
    ctx.create_managed_with(
        ctx.client().call(Api::described(R::API, R::IS_ASYNC)),
        request.to_params(),
        |id| Some(R::Answer::from_value(serde_json::json!({ "id": id }))),
        |answer| <R::Answer as Answer>::from_answer(R::API, answer),
    )
    .await
}

/// How a sub-factory's resource is obtained: made with the sub-factory's
/// defaults, made with a customised builder, or an existing resource.
pub enum Sub<F: Factory> {
    /// Made by the sub-factory with its defaults.
    Default,
    /// Made by this builder.
    With(F::Builder),
    /// An existing resource, by id (its entity is unknown).
    Id(String),
    /// An existing resource.
    Existing(Box<Entity<F>>),
}

impl<F: Factory> Sub<F> {
    /// An existing resource: `UserFactory::new().account(Sub::of(&account))`, with
    /// the entity itself, a `Managed` one, or an `Arc` of one.
    pub fn of(entity: &impl EntityOf<Entity<F>>) -> Self {
        Self::Existing(Box::new(entity.entity().clone()))
    }
}

/// A value that holds an entity: the entity itself, a `Managed` one, an
/// `Arc` of one (for [`Sub::of`]).
pub trait EntityOf<E> {
    /// The entity.
    fn entity(&self) -> &E;
}

impl<E: Resource> EntityOf<E> for E {
    fn entity(&self) -> &E {
        self
    }
}

impl<E: Resource> EntityOf<E> for marvin_core::cleanup::Managed<E> {
    fn entity(&self) -> &E {
        self
    }
}

impl<E: Resource> EntityOf<E> for Arc<E> {
    fn entity(&self) -> &E {
        self
    }
}

impl<F: Factory> Clone for Sub<F> {
    fn clone(&self) -> Self {
        match self {
            Self::Default => Self::Default,
            Self::With(builder) => Self::With(builder.clone()),
            Self::Id(id) => Self::Id(id.clone()),
            Self::Existing(entity) => Self::Existing(entity.clone()),
        }
    }
}

impl<F: Factory> fmt::Debug for Sub<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Default => write!(f, "Sub::Default({})", F::NAME),
            Self::With(_) => write!(f, "Sub::With({})", F::NAME),
            Self::Id(id) => f.debug_tuple("Sub::Id").field(id).finish(),
            Self::Existing(entity) => f.debug_tuple("Sub::Existing").field(&entity.id()).finish(),
        }
    }
}

/// What can stand for a sub-factory's resource in a setter: a builder of
/// that factory (`UserAccount::new().username("bob")`, `AdminAccount::new()`),
/// an id (`"9b1c..."`, `account.id.clone()`), or a [`Sub`]
/// (`Sub::of(&account)`).
pub trait IntoSub<F: Factory> {
    /// The conversion.
    fn into_sub(self) -> Sub<F>;
}

impl<F: Factory> IntoSub<F> for Sub<F> {
    fn into_sub(self) -> Sub<F> {
        self
    }
}

impl<F: Factory> IntoSub<F> for String {
    fn into_sub(self) -> Sub<F> {
        Sub::Id(self)
    }
}

impl<F: Factory> IntoSub<F> for &String {
    fn into_sub(self) -> Sub<F> {
        Sub::Id(self.clone())
    }
}

impl<F: Factory> IntoSub<F> for &str {
    fn into_sub(self) -> Sub<F> {
        Sub::Id(self.to_string())
    }
}

/// A resolved sub-factory: the id that flows into the parent's request, and
/// the resource itself when it was made here or given as an entity.
pub struct Made<F: Factory> {
    id: String,
    value: MadeValue<F>,
}

enum MadeValue<F: Factory> {
    Nothing,
    Given(Box<Entity<F>>),
    Created(Output<F>),
}

impl<F: Factory> fmt::Debug for Made<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let how = match self.value {
            MadeValue::Nothing => "unresolved or by id",
            MadeValue::Given(_) => "given",
            MadeValue::Created(_) => "created",
        };
        f.debug_struct("Made")
            .field("factory", &F::NAME)
            .field("id", &self.id)
            .field("how", &how)
            .finish()
    }
}

impl<F: Factory> Made<F> {
    /// Without the cloud (for `build`): the id if one was given, else empty.
    pub fn unresolved(sub: Sub<F>) -> Self {
        match sub {
            Sub::Id(id) => Self {
                id,
                value: MadeValue::Nothing,
            },
            Sub::Existing(entity) => Self {
                id: entity.id().to_string(),
                value: MadeValue::Given(entity),
            },
            Sub::Default | Sub::With(_) => Self {
                id: String::new(),
                value: MadeValue::Nothing,
            },
        }
    }

    /// With the cloud (for `create`): makes the resource unless one was
    /// given.
    pub async fn resolve(sub: Sub<F>, ctx: &TestContext) -> Result<Self> {
        let builder = match sub {
            Sub::Default => F::new(),
            Sub::With(builder) => builder,
            given => return Ok(Self::unresolved(given)),
        };
        let output = builder.create(ctx).await?;
        Ok(Self {
            id: output.as_ref().id().to_string(),
            value: MadeValue::Created(output),
        })
    }

    /// The resource's id (empty in `build` when the cloud would supply it).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The id as an owned string (for request fields).
    pub fn id_string(&self) -> String {
        self.id.clone()
    }

    /// The entity, when it was made here or given as an entity (not for
    /// ids, nor in `build`).
    pub fn entity(&self) -> Option<&Entity<F>> {
        match &self.value {
            MadeValue::Nothing => None,
            MadeValue::Given(entity) => Some(entity),
            MadeValue::Created(output) => Some(output.as_ref()),
        }
    }

    /// A value read from the entity, or the type's default when the entity
    /// is unknown: `account.get(|a| a.name.clone())`.
    pub fn get<T: Default>(&self, read: impl FnOnce(&Entity<F>) -> Option<T>) -> T {
        self.entity().and_then(read).unwrap_or_default()
    }

    /// What the sub-factory's `create` returned, when it ran.
    pub fn output(&self) -> Option<&Output<F>> {
        match &self.value {
            MadeValue::Created(output) => Some(output),
            _ => None,
        }
    }

    /// Takes what the sub-factory's `create` returned, to keep it in the
    /// parent's output.
    pub fn into_output(self) -> Option<Output<F>> {
        match self.value {
            MadeValue::Created(output) => Some(output),
            _ => None,
        }
    }
}

impl<F: Factory> Made<F> {
    /// The part a composite keeps: what the sub-factory made (deleted with
    /// the test), or the entity given with `Sub::of`. A resource given by
    /// id alone has no entity to keep, which is a setup error naming
    /// `composite`.
    pub fn into_part(self, composite: &str) -> Result<Part<F>> {
        match self.value {
            MadeValue::Created(output) => Ok(Part::Made(output)),
            MadeValue::Given(entity) => Ok(Part::Given(entity)),
            MadeValue::Nothing => Err(marvin_core::Error::setup(format!(
                "{composite} keeps its {} in its result, so it needs the entity: \
                 pass a builder or Sub::of(&entity), not the id {:?}",
                F::NAME,
                self.id
            ))),
        }
    }
}

/// A sub-factory's resource kept in a composite factory's result: made by
/// the sub-factory (and deleted with the test), or an existing one that
/// was given (`Sub::of(&entity)`, never deleted). Derefs to the entity.
pub enum Part<F: Factory> {
    /// Made by the sub-factory.
    Made(Output<F>),
    /// Given to the composite.
    Given(Box<Entity<F>>),
}

impl<F: Factory> Part<F> {
    /// Whether the composite made it (so the test's cleanup deletes it).
    pub fn is_made(&self) -> bool {
        matches!(self, Self::Made(_))
    }

    /// What the sub-factory's `create` returned, when it made the part.
    pub fn output(&self) -> Option<&Output<F>> {
        match self {
            Self::Made(output) => Some(output),
            Self::Given(_) => None,
        }
    }
}

impl<F: Factory> std::ops::Deref for Part<F> {
    type Target = Entity<F>;

    fn deref(&self) -> &Entity<F> {
        match self {
            Self::Made(output) => output.as_ref(),
            Self::Given(entity) => entity,
        }
    }
}

impl<F: Factory> AsRef<Entity<F>> for Part<F> {
    fn as_ref(&self) -> &Entity<F> {
        self
    }
}

impl<F: Factory> fmt::Debug for Part<F>
where
    Entity<F>: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let how = if self.is_made() {
            "Part::Made"
        } else {
            "Part::Given"
        };
        f.debug_tuple(how).field(&**self).finish()
    }
}

/// The `Request` of a composite factory (`factory!`'s `make` form): it
/// sends no request of its own, its parts' factories do. Its `build`
/// evaluates the attributes' defaults and gives this.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoRequest;

/// A change to a request applied after it is built (`with_request`).
pub type RequestHook<R> = Arc<dyn Fn(&mut R) + Send + Sync>;
