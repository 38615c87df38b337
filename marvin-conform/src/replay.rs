//! The replay: every recorded interaction of the selected cassettes, in the
//! run's order, sent to the target and compared with its recording.

use std::collections::HashMap;
use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

use marvin_core::client::cassette::{
    self, Caller, Cassette, CassetteFile, CassetteSettings, RecordMode, RecordedResponse, scrub,
};
use marvin_core::{Api, Client, Params, envelope};
use rand::Rng as _;
use serde_json::Value;

use crate::mapping::{self, IdMap, Secrets};
use crate::report::{Example, Kind, Note, Report, Tally};
use crate::shape::{self, Shape};
use crate::{ConformError, Settings, Target};

const QUERY_JOB: &str = "queryAsyncJobResult";

/// The first wait between live polls of a job recorded as finished; each
/// next wait doubles, up to [`POLL_DELAY_MAX`]. Most jobs of a simulator
/// end within milliseconds: a long first wait would be most of a replay's
/// time.
const POLL_DELAY_MIN: Duration = Duration::from_millis(2);
/// The longest wait between two live polls of one job.
const POLL_DELAY_MAX: Duration = Duration::from_millis(250);

/// Replays the cassettes `settings` selects against `target` and reports
/// the differences. Fails when the cassettes cannot be read (or none is
/// selected) or the endpoint cannot be reached; differences are the
/// report's.
pub async fn run(settings: &Settings, target: &Target) -> Result<Report, ConformError> {
    let cassettes = load(settings)?;
    let order = timeline(cassettes.iter().map(|(_, cassette)| cassette));
    let mut replay = Replay {
        target,
        capture: Capture::new()?,
        job_timeout: settings.job_timeout,
        ids: IdMap::new(),
        states: cassettes.iter().map(|_| CassetteState::default()).collect(),
        key_clients: HashMap::new(),
        tally: Tally::default(),
        notes: Vec::new(),
        replayed: 0,
        skipped_polls: 0,
    };
    for (file, position) in order {
        let (name, cassette) = &cassettes[file];
        let at = Example {
            cassette: name.clone(),
            interaction: position,
        };
        replay
            .interaction(file, &cassette.interactions[position], at)
            .await?;
    }
    Ok(Report {
        target: target.description().to_owned(),
        cassettes: cassettes.len(),
        recorded: cassettes.iter().map(|(_, c)| c.interactions.len()).sum(),
        replayed: replay.replayed,
        skipped_polls: replay.skipped_polls,
        notes: replay.notes,
        commands: replay.tally.finish(),
    })
}

/// The order to replay the interactions of `cassettes` in, as (cassette,
/// interaction) indexes: the run's timeline, by when each answer came
/// (`answered`); interactions without `seq` (format 1) after those, by
/// cassette and position.
///
/// Any point of each interaction's [`Span`] keeps the causal order (an
/// answer that came before a request was sent is replayed before it); the
/// answer's is taken because a request is acted on just before its answer
/// leaves, while how long it waited before (a queue, a lock) is unknown.
/// Without `answered` (older cassettes) a span is its `seq` alone, which
/// makes this the order requests were sent.
///
/// A request that started a job is moved to where the recorded cloud did
/// the job's work ([`Job::at`]), as closely as the recording tells: after
/// the answer of the last poll that found the job pending, before the
/// answer of the first that found it done, and on the side of other tests'
/// answers that their showing the job's object tells. The test that
/// started the job only polled it in between. A job never seen done keeps
/// the request's place.
fn timeline<'a>(cassettes: impl Iterator<Item = &'a CassetteFile> + Clone) -> Vec<(usize, usize)> {
    let mut keys: Vec<Vec<Option<Key>>> = cassettes
        .clone()
        .map(|cassette| {
            let spans = cassette.interactions.iter().map(Span::of);
            spans
                .map(|span| span.map(|span| (span.answered, 0)))
                .collect()
        })
        .collect();
    let mut jobs = Vec::new();
    for (file, cassette) in cassettes.clone().enumerate() {
        let polls = job_polls(cassette);
        for (position, interaction) in cassette.interactions.iter().enumerate() {
            let (Some(span), Some((job, object))) =
                (Span::of(interaction), started_job(interaction))
            else {
                continue;
            };
            let Some(&JobPolls {
                pending,
                done: Some(done),
            }) = polls.get(job)
            else {
                continue;
            };
            let named = object.is_some_and(|object| {
                let mut values = interaction.request.params.values();
                values.any(|value| value == object)
            });
            jobs.push(Job {
                at: (file, position),
                span,
                object,
                named,
                pending: pending.max(span.answered),
                done,
            });
        }
    }
    let shown = shown(cassettes, jobs.iter().filter_map(|job| job.object));
    let mut before_jobs: Vec<(Index, u64)> = Vec::new();
    for job in &jobs {
        let showing = job.object.and_then(|object| shown.get(object));
        let (at, moved) = job.at(showing.map_or(&[][..], Vec::as_slice));
        keys[job.at.0][job.at.1] = Some((at, 2));
        before_jobs.extend(moved.into_iter().map(|index| (index, at)));
    }
    for ((file, position), at) in before_jobs {
        if let Some(key) = &mut keys[file][position] {
            // Not a job moved itself; the earliest of the jobs it precedes.
            if key.1 != 2 {
                *key = (*key).min((at, 1));
            }
        }
    }
    let mut order: Vec<(bool, Option<Key>, usize, usize)> = keys
        .into_iter()
        .enumerate()
        .flat_map(|(file, keys)| {
            keys.into_iter()
                .enumerate()
                .map(move |(position, key)| (key.is_none(), key, file, position))
        })
        .collect();
    order.sort_unstable();
    order
        .into_iter()
        .map(|(_, _, file, position)| (file, position))
        .collect()
}

/// Where an interaction goes in the replay: a point on the run's count,
/// then a rank among those at the same point (an answer 0, an answer moved
/// just before a job 1, the job 2).
type Key = (u64, u8);

/// An interaction: (cassette, its position).
type Index = (usize, usize);

/// A request that started a job polled to its end.
#[derive(Debug)]
struct Job<'a> {
    /// The request.
    at: Index,
    span: Span,
    /// The object it works on.
    object: Option<&'a str>,
    /// Whether the request names the object: it existed before (a test
    /// learns an id from an answer).
    named: bool,
    /// The answer of the last poll that found it pending (else the
    /// request's): the work was not done before that poll was sent.
    pending: u64,
    /// The answer of the first poll that found it done: the work was done
    /// before.
    done: u64,
}

impl Job<'_> {
    /// Where the job's work goes (just after this key) and the answers to
    /// move just before it, from the answers of other requests that show
    /// the job's object (`showing`, by when answered).
    ///
    /// An object the request names, or shown before the request was sent,
    /// existed already (a job deleting or changing it): an answer at the
    /// cloud between the two polls that still shows it came before the
    /// work. Otherwise the job
    /// made it (a create): any answer showing it came after the request,
    /// and goes after the work, which the cloud may have done before its
    /// last pending poll (CloudStack makes the object as the job starts and
    /// works on it after).
    fn at(&self, showing: &[(Span, Index)]) -> (u64, Vec<Index>) {
        let others = showing.iter().filter(|(_, index)| *index != self.at);
        let existed = self.named
            || showing
                .iter()
                .any(|(span, _)| span.answered < self.span.sent);
        let mut at = self.pending;
        let mut moved = Vec::new();
        if existed {
            for &(span, index) in others {
                if span.answered <= self.pending || span.sent >= self.done {
                    continue;
                }
                if span.answered < self.done {
                    at = at.max(span.answered);
                } else {
                    // At the cloud when the done poll was answered: it goes
                    // before the work, at the latest when it was sent.
                    at = at.max(span.sent);
                    moved.push(index);
                }
            }
        } else if let Some((first, _)) = others.min_by_key(|(span, _)| span.answered) {
            // Before the first answer showing what it made, yet after the
            // request was sent.
            at = at.min(first.answered.saturating_sub(1)).max(self.span.sent);
        }
        // Before the done poll, whatever the recording says.
        (at.min(self.done.saturating_sub(1)), moved)
    }
}

/// Where each of `objects` shows in a recorded answer other than a poll's
/// (a poll names its job's object whatever became of it): the answers, by
/// when answered.
fn shown<'a, 'o>(
    cassettes: impl Iterator<Item = &'a CassetteFile>,
    objects: impl Iterator<Item = &'o str>,
) -> HashMap<&'o str, Vec<(Span, Index)>> {
    let mut shown: HashMap<&str, Vec<(Span, Index)>> =
        objects.map(|object| (object, Vec::new())).collect();
    for (file, cassette) in cassettes.enumerate() {
        for (position, interaction) in cassette.interactions.iter().enumerate() {
            let (Some(span), Some(body)) = (Span::of(interaction), &interaction.response.body)
            else {
                continue;
            };
            if interaction.request.command.eq_ignore_ascii_case(QUERY_JOB) {
                continue;
            }
            let mut found = Vec::new();
            strings(body, &mut |text| {
                if let Some((&object, _)) = shown.get_key_value(text) {
                    found.push(object);
                }
            });
            found.sort_unstable();
            found.dedup();
            for object in found {
                if let Some(at) = shown.get_mut(object) {
                    at.push((span, (file, position)));
                }
            }
        }
    }
    for at in shown.values_mut() {
        at.sort_unstable_by_key(|&(span, index)| (span.answered, index));
    }
    shown
}

/// Calls `found` with every string value in `value`.
fn strings(value: &Value, found: &mut impl FnMut(&str)) {
    match value {
        Value::String(text) => found(text),
        Value::Array(items) => items.iter().for_each(|item| strings(item, found)),
        Value::Object(map) => map.values().for_each(|item| strings(item, found)),
        _ => {}
    }
}

/// When an interaction was at the cloud, on the run's count: from when its
/// request was sent (`seq`) to when its answer came (`answered`; the same
/// as sent in cassettes that do not keep it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    sent: u64,
    answered: u64,
}

impl Span {
    fn of(interaction: &marvin_core::client::cassette::Interaction) -> Option<Self> {
        let sent = interaction.seq?;
        Some(Self {
            sent,
            answered: interaction.answered.unwrap_or(sent).max(sent),
        })
    }
}

/// The selected cassettes, by file name.
fn load(settings: &Settings) -> Result<Vec<(String, CassetteFile)>, ConformError> {
    let dir = &settings.cassettes;
    let paths =
        cassette::cassette_files(dir).map_err(|e| ConformError::Cassettes(e.to_string()))?;
    let mut cassettes = Vec::new();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let cassette =
            CassetteFile::load(&path).map_err(|e| ConformError::Cassettes(e.to_string()))?;
        let selected = settings
            .filter
            .as_deref()
            .is_none_or(|filter| name.contains(filter) || cassette.test.contains(filter));
        if selected {
            cassettes.push((name, cassette));
        }
    }
    if cassettes.is_empty() {
        return Err(ConformError::Cassettes(format!(
            "no cassette{} in {}",
            settings
                .filter
                .as_deref()
                .map(|f| format!(" matching {f:?}"))
                .unwrap_or_default(),
            dir.display()
        )));
    }
    Ok(cassettes)
}

/// What one cassette's placeholders stand for live.
#[derive(Debug, Default)]
struct CassetteState {
    secrets: Secrets,
    /// Session-key placeholder → the session client logged in for it.
    sessions: HashMap<u32, Client>,
}

struct Replay<'a> {
    target: &'a Target,
    capture: Capture,
    job_timeout: Duration,
    /// One map for the whole run: tests share what others created.
    ids: IdMap,
    states: Vec<CassetteState>,
    /// Clients by live API key.
    key_clients: HashMap<String, Client>,
    tally: Tally,
    notes: Vec<Note>,
    replayed: usize,
    skipped_polls: usize,
}

impl Replay<'_> {
    async fn interaction(
        &mut self,
        file: usize,
        interaction: &marvin_core::client::cassette::Interaction,
        at: Example,
    ) -> Result<(), ConformError> {
        let request = &interaction.request;
        let command = request.command.as_str();
        let recorded = &interaction.response;
        self.tally.seen(command);
        let is_poll = command.eq_ignore_ascii_case(QUERY_JOB);
        if is_poll && job_status(command, recorded.body.as_ref()) == Some(0) {
            self.skipped_polls += 1;
            return Ok(());
        }
        let client = match self.client_for(file, request.caller.as_ref()) {
            Ok(client) => client,
            Err(reason) => {
                self.note(command, &at, reason);
                return Ok(());
            }
        };
        self.ids.enter(file);
        let state = &mut self.states[file];
        let params = mapping::live_params(&request.params, &self.ids, &mut state.secrets, invent);
        let post = request.method.eq_ignore_ascii_case("POST");
        let live = if command.eq_ignore_ascii_case("login") {
            self.login(file, &params, recorded).await?
        } else if command.eq_ignore_ascii_case("logout") {
            self.capture
                .run(&client, command, |c| async move {
                    c.logout().await.map(|()| None)
                })
                .await?
        } else if is_poll {
            self.poll(&client, command, &params, post, command, &at)
                .await?
        } else {
            let (command, params) = (command.to_owned(), params.clone());
            self.capture
                .run(&client, &command, |c| {
                    send(c, command.clone(), params, post)
                })
                .await?
        };
        let Some(live) = live else {
            self.note(
                command,
                &at,
                "no request left the client (no session to end)".into(),
            );
            return Ok(());
        };
        self.replayed += 1;
        self.tally.replayed(command);
        if let (Some(recorded), Some(real)) = (&recorded.body, &live.real) {
            let state = &mut self.states[file];
            mapping::learn(recorded, real, &mut self.ids, &mut state.secrets);
        }
        compare(command, recorded, &live, &at, &mut self.tally);
        Ok(())
    }

    fn note(&mut self, command: &str, at: &Example, reason: String) {
        self.notes.push(Note {
            command: command.to_owned(),
            at: at.clone(),
            reason,
        });
    }

    /// The client that signs a request recorded as signed by `caller`:
    /// the keys or the session its placeholders are bound to; the admin
    /// when they were never bound (the recording's own admin).
    fn client_for(&mut self, file: usize, caller: Option<&Caller>) -> Result<Client, String> {
        let admin = self.target.admin().clone();
        let Some(caller) = caller else {
            return Ok(admin);
        };
        let state = &self.states[file];
        if let Some(session) = &caller.sessionkey {
            let number = scrub::placeholder_number(session);
            if let Some(client) = number.and_then(|n| state.sessions.get(&n)) {
                return Ok(client.clone());
            }
            if number.is_some_and(|n| state.secrets.contains_key(&n)) {
                return Err("signed with a session this replay did not open".into());
            }
            return Ok(admin);
        }
        let bound = |placeholder: &Option<String>| {
            placeholder
                .as_deref()
                .and_then(scrub::placeholder_number)
                .and_then(|n| state.secrets.get(&n))
        };
        match (bound(&caller.apikey), bound(&caller.secretkey)) {
            (Some(api_key), Some(secret_key)) => {
                if let Some(client) = self.key_clients.get(api_key) {
                    return Ok(client.clone());
                }
                let client = self
                    .target
                    .keys_client(api_key, secret_key)
                    .map_err(|e| e.to_string())?;
                self.key_clients.insert(api_key.clone(), client.clone());
                Ok(client)
            }
            _ => Ok(admin),
        }
    }

    /// Logs in as the recorded `login` did, with a session client kept for
    /// the requests recorded as signed with its session key.
    async fn login(
        &mut self,
        file: usize,
        params: &[(String, String)],
        recorded: &RecordedResponse,
    ) -> Result<Option<Live>, ConformError> {
        let param = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let client = self.target.session_client(
            param("username").unwrap_or_default(),
            param("password").unwrap_or_default(),
            param("domain").unwrap_or("/"),
        )?;
        let live = self
            .capture
            .run(
                &client,
                "login",
                |c| async move { c.login().await.map(Some) },
            )
            .await?;
        let session = recorded
            .body
            .as_ref()
            .and_then(|body| envelope::find_response("login", body))
            .and_then(|(_, inner)| inner.get("sessionkey"))
            .and_then(Value::as_str)
            .and_then(scrub::placeholder_number);
        if let (Some(n), Some(live)) = (session, &live) {
            if (200..300).contains(&live.status) {
                self.states[file].sessions.insert(n, client);
            }
        }
        Ok(live)
    }

    /// A poll recorded with a final status: polled live until the job ends
    /// too (or the timeout).
    async fn poll(
        &mut self,
        client: &Client,
        command: &str,
        params: &[(String, String)],
        post: bool,
        name: &str,
        at: &Example,
    ) -> Result<Option<Live>, ConformError> {
        let deadline = Instant::now() + self.job_timeout;
        let mut delay = POLL_DELAY_MIN;
        loop {
            let (command, params) = (command.to_owned(), params.to_vec());
            let live = self
                .capture
                .run(client, &command, |c| send(c, command.clone(), params, post))
                .await?;
            let pending = live
                .as_ref()
                .is_some_and(|live| job_status(name, live.body.as_ref()) == Some(0));
            if !pending {
                return Ok(live);
            }
            if Instant::now() >= deadline {
                self.note(
                    name,
                    at,
                    format!(
                        "the job was still pending after {}s (recorded as finished)",
                        self.job_timeout.as_secs()
                    ),
                );
                return Ok(live);
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(POLL_DELAY_MAX);
        }
    }
}

/// Sends one recorded request as it was: its command (whatever the
/// precache says of it, no job waited for), its parameters, POST when it
/// was.
async fn send(
    client: Client,
    command: String,
    params: Vec<(String, String)>,
    post: bool,
) -> marvin_core::Result<Option<Value>> {
    let params: Params = params.into_iter().collect();
    let mut call = client.call(Api::unknown(command)).params(params);
    if post {
        call = call.post();
    }
    call.await.map(Some)
}

/// A new value for a secret the recorded test chose, fit for the
/// parameter it is sent in: user data is base64 (the cloud refuses
/// anything else), a password strong enough for password rules; never the
/// recorded value.
fn invent(name: &str, number: u32) -> String {
    let random: String = rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(16)
        .map(char::from)
        .collect();
    if name.to_ascii_lowercase().contains("userdata") {
        use base64::Engine as _;
        let text = format!("#cloud-config\n# conform {number} {random}\n");
        return base64::engine::general_purpose::STANDARD.encode(text);
    }
    format!("Conform-{number}-{random}-7aZ")
}

/// The job a recorded request started (the `jobid` of its answer, not of a
/// poll's) and the object it works on: the answer's `id`, else the
/// request's.
fn started_job(
    interaction: &marvin_core::client::cassette::Interaction,
) -> Option<(&str, Option<&str>)> {
    let request = &interaction.request;
    let command = request.command.as_str();
    if command.eq_ignore_ascii_case(QUERY_JOB) {
        return None;
    }
    let body = interaction.response.body.as_ref()?;
    let (_, inner) = envelope::find_response(command, body)?;
    let job = inner.get("jobid")?.as_str()?;
    let object = inner
        .get("id")
        .and_then(Value::as_str)
        .or_else(|| request.params.get("id").map(String::as_str))
        .filter(|id| !id.is_empty());
    Some((job, object))
}

/// When a job was polled: the last answer that found it pending (0 when
/// none) and the first that found it done (see [`Span`]).
#[derive(Debug, Default)]
struct JobPolls {
    pending: u64,
    done: Option<u64>,
}

/// The polls of each job of a cassette, by job id.
fn job_polls(cassette: &CassetteFile) -> HashMap<&str, JobPolls> {
    let mut jobs: HashMap<&str, JobPolls> = HashMap::new();
    for interaction in &cassette.interactions {
        let request = &interaction.request;
        if !request.command.eq_ignore_ascii_case(QUERY_JOB) {
            continue;
        }
        let status = job_status(&request.command, interaction.response.body.as_ref());
        let (Some(job), Some(span), Some(status)) =
            (request.params.get("jobid"), Span::of(interaction), status)
        else {
            continue;
        };
        let polls = jobs.entry(job.as_str()).or_default();
        if status == 0 {
            polls.pending = polls.pending.max(span.answered);
        } else {
            let done = polls
                .done
                .map_or(span.answered, |done| done.min(span.answered));
            polls.done = Some(done);
        }
    }
    jobs
}

/// The `jobstatus` of a `queryAsyncJobResult` answer.
fn job_status(command: &str, body: Option<&Value>) -> Option<u64> {
    let (_, inner) = envelope::find_response(command, body?)?;
    let status = inner.get("jobstatus")?;
    status
        .as_u64()
        .or_else(|| status.as_str().and_then(|s| s.parse().ok()))
}

/// An answer's `errorcode` or `cserrorcode`: in the answer's object, else in
/// its `jobresult` (a failed job).
fn error_code(command: &str, body: Option<&Value>, field: &str) -> String {
    let Some((_, inner)) = body.and_then(|body| envelope::find_response(command, body)) else {
        return String::new();
    };
    let value = inner
        .get(field)
        .or_else(|| inner.get("jobresult").and_then(|result| result.get(field)));
    match value {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    }
}

/// Compares one live answer with its recording, into the tally. When the
/// status or an error code differs, that is the difference: the answers'
/// shapes then differ as a consequence (an error answer against a result)
/// and are not compared.
fn compare(
    command: &str,
    recorded: &RecordedResponse,
    live: &Live,
    at: &Example,
    tally: &mut Tally,
) {
    let mut answered_otherwise = false;
    if recorded.status != live.status {
        answered_otherwise = true;
        tally.difference(
            command,
            Kind::Status,
            String::new(),
            recorded.status.to_string(),
            live.status.to_string(),
            at.clone(),
        );
    }
    for field in ["errorcode", "cserrorcode"] {
        let (was, now) = (
            error_code(command, recorded.body.as_ref(), field),
            error_code(command, live.body.as_ref(), field),
        );
        if was != now {
            answered_otherwise = true;
            tally.difference(
                command,
                Kind::ErrorCode,
                field.to_owned(),
                was,
                now,
                at.clone(),
            );
        }
    }
    if answered_otherwise {
        return;
    }
    match (&recorded.body, &live.body) {
        (Some(was), Some(now)) => {
            for difference in shape::compare(&Shape::of(was), &Shape::of(now)) {
                tally.difference(
                    command,
                    difference.change.into(),
                    difference.path,
                    difference.recorded,
                    difference.live,
                    at.clone(),
                );
            }
        }
        (Some(_), None) => {
            tally.difference(
                command,
                Kind::Type,
                String::new(),
                "json".into(),
                "text".into(),
                at.clone(),
            );
        }
        (None, Some(_)) => {
            tally.difference(
                command,
                Kind::Type,
                String::new(),
                "text".into(),
                "json".into(),
                at.clone(),
            );
        }
        (None, None) => {}
    }
}

/// A live answer.
#[derive(Debug)]
struct Live {
    status: u16,
    /// The body as the client's recorder keeps it (secrets masked): what
    /// the shapes are compared on, as the recorded body was kept the same
    /// way.
    body: Option<Value>,
    /// The same with the answer's object as the client returned it (secrets
    /// in clear): what ids and placeholders are learnt from.
    real: Option<Value>,
}

/// Sends requests through the target's own client with a recording
/// cassette attached, one per request in a private directory: the
/// recorder keeps the HTTP status and the whole body (the envelope, error
/// answers included) exactly as the transport got them.
struct Capture {
    dir: tempfile::TempDir,
    count: u64,
}

impl Capture {
    fn new() -> Result<Self, ConformError> {
        let dir = tempfile::Builder::new()
            .prefix("marvin-conform-")
            .tempdir()
            .map_err(|e| {
                ConformError::Setup(format!("cannot make a directory for answers: {e}"))
            })?;
        Ok(Self { dir, count: 0 })
    }

    /// Runs `call` on `client` with a fresh recording cassette and returns
    /// the last answer it recorded (`None` when nothing was sent).
    async fn run<F, Fut>(
        &mut self,
        client: &Client,
        command: &str,
        call: F,
    ) -> Result<Option<Live>, ConformError>
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = marvin_core::Result<Option<Value>>>,
    {
        self.count += 1;
        let settings = CassetteSettings::new(self.dir.path(), RecordMode::All);
        let cassette = Cassette::open(&settings, &format!("answer-{}", self.count))
            .map_err(|e| ConformError::Setup(e.to_string()))?;
        let path = cassette.path().to_owned();
        let result = call(client.with_cassette(cassette)).await;
        if let Err(error) = &result {
            if error.is_transport() {
                return Err(ConformError::Unreachable(error.to_string()));
            }
        }
        let Some(kept) = take_last(&path)? else {
            return match result {
                Err(error) => Err(ConformError::Setup(error.to_string())),
                Ok(_) => Ok(None),
            };
        };
        let real = match (&kept.body, result) {
            (Some(body), Ok(Some(inner))) => Some(with_inner(command, body, inner)),
            (body, _) => body.clone(),
        };
        Ok(Some(Live {
            status: kept.status,
            body: kept.body,
            real,
        }))
    }
}

/// The last answer a capture cassette holds; the file is removed.
fn take_last(path: &Path) -> Result<Option<RecordedResponse>, ConformError> {
    if !path.exists() {
        return Ok(None);
    }
    let file = CassetteFile::load(path).map_err(|e| ConformError::Setup(e.to_string()))?;
    let _ = std::fs::remove_file(path);
    Ok(file.interactions.into_iter().last().map(|i| i.response))
}

/// `body` with its answer's object (as the client finds it) replaced by
/// `inner`.
fn with_inner(command: &str, body: &Value, inner: Value) -> Value {
    let mut body = body.clone();
    let key = envelope::find_response(command, &body).map(|(key, _)| key.to_owned());
    if let (Some(key), Some(map)) = (key, body.as_object_mut()) {
        map.insert(key, inner);
    }
    body
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    fn interaction(seq: u64, command: &str, params: Value, body: Value) -> Value {
        json!({
            "request": {"method": "GET", "command": command, "params": params},
            "response": {"status": 200, "body": body},
            "seq": seq,
        })
    }

    fn cassette(interactions: Vec<Value>) -> CassetteFile {
        serde_json::from_value(json!({
            "format": 2, "test": "t", "recorded_at": "2026-01-01T00:00:00Z",
            "cloud_version": null, "precache": null, "interactions": interactions,
        }))
        .unwrap()
    }

    fn poll(seq: u64, job: &str, status: u64) -> Value {
        interaction(
            seq,
            QUERY_JOB,
            json!({"jobid": job}),
            json!({"queryasyncjobresultresponse": {"jobid": job, "jobstatus": status}}),
        )
    }

    #[test]
    fn a_job_is_started_where_the_recording_shows_its_work_done() {
        // One test deletes domain d (polled pending at 3 and 5, done at 10);
        // another listed the domains at 6, still with d, and at 8 without
        // it: the work was done between 6 and 8.
        let deleting = cassette(vec![
            interaction(
                2,
                "deleteDomain",
                json!({"id": "d"}),
                json!({"deletedomainresponse": {"id": "d", "jobid": "j"}}),
            ),
            poll(3, "j", 0),
            poll(5, "j", 0),
            poll(10, "j", 1),
            interaction(11, "listZones", json!({}), json!({"listzonesresponse": {}})),
        ]);
        let listing = cassette(vec![
            interaction(1, "listZones", json!({}), json!({"listzonesresponse": {}})),
            interaction(
                6,
                "listDomains",
                json!({}),
                json!({"listdomainsresponse": {"domain": [{"id": "root"}, {"id": "d"}]}}),
            ),
            interaction(
                8,
                "listDomains",
                json!({}),
                json!({"listdomainsresponse": {"domain": [{"id": "root"}]}}),
            ),
        ]);
        let order = timeline([&deleting, &listing].into_iter());
        assert_eq!(
            order,
            [
                (1, 0),
                (0, 1),
                (0, 2),
                (1, 1),
                (0, 0),
                (1, 2),
                (0, 3),
                (0, 4)
            ]
        );
        // Nothing showed it after its last pending poll: it goes there.
        let listing = cassette(vec![interaction(
            6,
            "listDomains",
            json!({}),
            json!({"listdomainsresponse": {"domain": [{"id": "root"}]}}),
        )]);
        let order = timeline([&deleting, &listing].into_iter());
        assert_eq!(order, [(0, 1), (0, 2), (0, 0), (1, 0), (0, 3), (0, 4)]);
    }

    /// `interaction` with when its answer came.
    fn spanned(interaction: Value, answered: u64) -> Value {
        let mut interaction = interaction;
        interaction["answered"] = answered.into();
        interaction
    }

    /// The same cassettes as kept without `answered`.
    fn unanswered(cassette: &CassetteFile) -> CassetteFile {
        let mut cassette = cassette.clone();
        for interaction in &mut cassette.interactions {
            interaction.answered = None;
        }
        cassette
    }

    fn deleting(polls: [(u64, u64, u64); 2]) -> CassetteFile {
        let mut interactions = vec![spanned(
            interaction(
                1,
                "deleteDomain",
                json!({"id": "d"}),
                json!({"deletedomainresponse": {"id": "d", "jobid": "j"}}),
            ),
            2,
        )];
        for (sent, answered, status) in polls {
            interactions.push(spanned(poll(sent, "j", status), answered));
        }
        cassette(interactions)
    }

    fn domains(sent: u64, answered: u64, ids: &[&str]) -> CassetteFile {
        let domains: Vec<Value> = ids.iter().map(|id| json!({"id": id})).collect();
        cassette(vec![spanned(
            interaction(
                sent,
                "listDomains",
                json!({}),
                json!({"listdomainsresponse": {"domain": domains}}),
            ),
            answered,
        )])
    }

    #[test]
    fn a_list_answered_after_the_work_goes_after_it_though_sent_before() {
        // Domain d deleted by a job polled pending at [4, 5] and done at
        // [6, 7]; another test's list, sent at 3 and answered at 9, shows
        // it gone: the cloud listed after the work. Sent order puts the
        // list before the poll after which the work goes.
        let deleting = deleting([(4, 5, 0), (6, 7, 1)]);
        let listing = domains(3, 9, &["root"]);
        let order = timeline([&deleting, &listing].into_iter());
        assert_eq!(order, [(0, 1), (0, 0), (0, 2), (1, 0)]);
        let (deleting, listing) = (unanswered(&deleting), unanswered(&listing));
        let sent_order = timeline([&deleting, &listing].into_iter());
        assert_eq!(sent_order, [(1, 0), (0, 1), (0, 0), (0, 2)]);
    }

    #[test]
    fn a_list_still_showing_the_object_at_the_done_poll_goes_before_the_work() {
        // Done poll at [5, 8]; a list at the cloud meanwhile ([6, 10])
        // still shows d: the work came after it was listed.
        let deleting = deleting([(3, 4, 0), (5, 8, 1)]);
        let listing = domains(6, 10, &["root", "d"]);
        let order = timeline([&deleting, &listing].into_iter());
        assert_eq!(order, [(0, 1), (1, 0), (0, 0), (0, 2)]);
        // Sent order knows only that the list was sent after the done poll.
        let (deleting, listing) = (unanswered(&deleting), unanswered(&listing));
        let sent_order = timeline([&deleting, &listing].into_iter());
        assert_eq!(sent_order, [(0, 1), (0, 0), (0, 2), (1, 0)]);
    }

    #[test]
    fn a_made_object_is_made_before_the_first_answer_showing_it() {
        // Project p made by a job polled pending until [4, 7]; another
        // test listed it at [2, 5]: the job goes before that list, not after
        // the pending poll.
        let creating = cassette(vec![
            spanned(
                interaction(
                    1,
                    "createProject",
                    json!({"name": "p"}),
                    json!({"createprojectresponse": {"id": "p-id", "jobid": "j"}}),
                ),
                3,
            ),
            spanned(poll(4, "j", 0), 7),
            spanned(poll(8, "j", 1), 9),
        ]);
        let listing = cassette(vec![spanned(
            interaction(
                2,
                "listProjects",
                json!({}),
                json!({"listprojectsresponse": {"project": [{"id": "p-id"}]}}),
            ),
            5,
        )]);
        let order = timeline([&creating, &listing].into_iter());
        assert_eq!(order, [(0, 0), (1, 0), (0, 1), (0, 2)]);
    }

    #[test]
    fn a_job_never_seen_done_keeps_its_place() {
        let file = cassette(vec![
            interaction(
                4,
                "deleteDomain",
                json!({"id": "d"}),
                json!({"deletedomainresponse": {"jobid": "j"}}),
            ),
            poll(5, "j", 0),
            interaction(3, "listZones", json!({}), json!({"listzonesresponse": {}})),
        ]);
        assert_eq!(timeline([&file].into_iter()), [(0, 2), (0, 0), (0, 1)]);
    }

    #[test]
    fn invented_user_data_is_base64_and_passwords_are_strong() {
        use base64::Engine as _;
        let data = invent("userdata", 3);
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(&data)
            .expect("base64 user data");
        assert!(
            String::from_utf8(decoded)
                .unwrap()
                .starts_with("#cloud-config")
        );
        let password = invent("password", 3);
        assert!(password.len() >= 16);
        assert!(password.chars().any(|c| c.is_ascii_uppercase()));
        assert!(password.chars().any(|c| c.is_ascii_digit()));
        assert_ne!(invent("password", 3), password);
    }
}
