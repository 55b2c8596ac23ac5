//! volunteer-hours: a REST service for recording volunteer service hours.
//!
//! `build_app` is the one app factory, used by `main` and by the integration tests alike.

pub mod attendance;
pub mod audit;
pub mod auth;
pub mod branches;
pub mod certificates;
pub mod cli;
pub mod commendations;
pub mod config;
pub mod console;
pub mod db;
pub mod error;
pub mod error_reports;
pub mod evaluations;
pub mod events;
pub mod health;
pub mod hours;
pub mod http;
pub mod i18n;
pub mod idempotency;
pub mod ids;
pub mod imports;
pub mod memory;
pub mod openapi;
pub mod plans;
pub mod record;
pub mod reports;
pub mod sched;
pub mod seed;
pub mod sessions;
pub mod signups;
pub mod telemetry;
pub mod users;
pub mod validate;
pub mod volunteers;

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::{from_fn, Compress, DefaultHeaders, ErrorHandlers};
use actix_web::{web, App, HttpServer};
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::config::Config;
use crate::db::Pool;

/// What every handler can reach.
pub struct AppState {
    pub pool: Pool,
    /// The streaming replica lists, reports and exports read from, if one is configured.
    pub replica: Option<db::replica::Replica>,
    /// Who wrote lately: their reads stay on the primary for a while.
    pub recent_writers: db::replica::RecentWriters,
    pub config: Arc<Config>,
    pub keys: auth::tokens::KeySet,
    pub login_limiter: auth::ratelimit::LoginLimiter,
    /// Public certificate verifications per client address.
    pub verify_limiter: auth::ratelimit::ClientLimiter,
    /// The key check-in codes and passes are computed from.
    pub attendance_key: attendance::codes::AttendanceKey,
    /// Wrong check-in codes per volunteer.
    pub wrong_codes: attendance::limiter::WrongCodes,
    /// Verified against when a username is unknown, so that timing reveals nothing.
    pub dummy_hash: String,
    hasher: auth::hasher::Hasher,
    /// Accounts as last read, for the bearer check; forget one after changing it.
    pub principals: auth::principal::PrincipalCache,
    /// Every route's path pattern with its methods, to tell 405 from 404.
    pub routes: Vec<(actix_web::dev::ResourceDef, Vec<String>)>,
    /// The spec served at `/openapi.json`, as JSON: made once and shared by the workers,
    /// since the document itself takes ten times the memory of its text.
    pub spec_json: web::Bytes,
}

/// The attendance key, from the token signing secret (so every instance computes the same
/// codes); random for a development server with generated keys.
fn attendance_key(keys: &config::JwtKeys) -> attendance::codes::AttendanceKey {
    use attendance::codes::AttendanceKey;
    match keys {
        config::JwtKeys::Generated => AttendanceKey::random(),
        config::JwtKeys::Hs256 { secret, .. } => AttendanceKey::derive(secret.expose().as_bytes()),
        config::JwtKeys::Asymmetric { private_pem, .. } => {
            AttendanceKey::derive(private_pem.expose().as_bytes())
        }
    }
}

/// Reads that may be a moment old, routed by [`AppState::reads`].
pub struct Reads<'a> {
    state: &'a AppState,
    replica: Option<&'a db::replica::Replica>,
}

impl Reads<'_> {
    /// The pool to read from, for work that holds its connection itself (a streamed export).
    pub fn pool(&self) -> &Pool {
        self.replica.map_or(&self.state.pool, |r| &r.pool)
    }

    /// Runs the read ([`db::run`]) where it was routed; a replica that fails it (gone, or
    /// its statement cancelled) is set aside and the read runs again on the primary. Never
    /// for writes, nor for a single object whose `ETag` a client may send back in `If-Match`.
    pub async fn db<T, F>(self, f: F) -> error::AppResult<T>
    where
        F: FnOnce(&mut db::DbConn) -> error::AppResult<T> + Clone + Send + 'static,
        T: Send + 'static,
    {
        if let Some(replica) = self.replica {
            match db::run(&replica.pool, f.clone()).await {
                Err(error::AppError::Unavailable { .. }) => {
                    tracing::warn!("a read failed on the replica: it runs on the primary");
                    replica.failed();
                }
                done => return done,
            }
        }
        self.state.db(f).await
    }
}

/// The replica's pool (the same settings as the primary's, connecting when it can) and
/// its monitor, when `DATABASE_REPLICA_URL` is set.
fn replica_of(config: &Config) -> Option<db::replica::Replica> {
    let url = config.replica.url.as_ref()?;
    let opts = db::PoolOptions {
        statement_timeout: Some(config.statement_timeout),
        ..cli::pool_options(config)
    };
    tracing::info!(replica = %url, "lists, reports and exports read from the replica when it is caught up");
    Some(db::replica::Replica::start(
        db::connect_lazy(url, &opts),
        config.replica.max_lag,
    ))
}

impl AppState {
    pub fn new(config: Arc<Config>, pool: Pool) -> anyhow::Result<AppState> {
        let auth = &config.auth;
        let spec = openapi::spec();
        Ok(AppState {
            keys: auth::tokens::KeySet::from_config(auth)?,
            login_limiter: auth::ratelimit::LoginLimiter::new(
                auth.login_rate_per_minute,
                auth.login_rate_burst,
                auth.trusted_proxies.clone(),
            ),
            verify_limiter: auth::ratelimit::ClientLimiter::for_purpose(
                "certificate verification",
                config.certificates.verify_rate_per_minute,
                config.certificates.verify_rate_burst,
                auth.trusted_proxies.clone(),
            ),
            attendance_key: attendance_key(&auth.jwt_keys),
            wrong_codes: attendance::limiter::WrongCodes::new(config.attendance.max_wrong_codes),
            dummy_hash: auth::password::hash(
                config.password_hash,
                "no such user: a dummy password",
            )?,
            hasher: auth::hasher::Hasher::new(auth.hash_concurrency)?,
            principals: auth::principal::PrincipalCache::new(auth.principal_cache_ttl),
            routes: openapi::route_methods(&spec),
            spec_json: serde_json::to_vec(&spec)?.into(),
            replica: replica_of(&config),
            recent_writers: db::replica::RecentWriters::new(config.replica.read_after_write),
            pool,
            config,
        })
    }

    /// Verifies a password on the hashing threads (a bounded number at a time, at a low
    /// priority), so that a burst of logins cannot starve other requests.
    pub async fn verify_password(&self, hash: String, password: String) -> error::AppResult<bool> {
        self.hasher
            .run(move || auth::password::verify(&hash, &password))
            .await
    }

    /// Runs a request's database work ([`db::run`]) with the request's id at hand, so
    /// that every audit row it writes names the request that caused it.
    pub async fn db<T, F>(&self, f: F) -> error::AppResult<T>
    where
        F: FnOnce(&mut db::DbConn) -> error::AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let request_id = http::REQUEST_ID.try_with(Clone::clone).ok();
        db::run(&self.pool, move |conn| {
            audit::with_request_id(request_id, || f(conn))
        })
        .await
    }

    /// Where `caller`'s lists, reports and exports read now: the replica unless the caller
    /// has just written or the replica may be stale (see [`db::replica::route`]). Borrows
    /// only `self`, so the caller can move into the work: `state.reads(&caller).db(…)`.
    pub fn reads(&self, caller: &auth::Principal) -> Reads<'_> {
        let replica = self.replica.as_ref().filter(|replica| {
            let wrote = self.recent_writers.wrote_recently(caller.user_id);
            match replica.route(wrote) {
                db::replica::Route::Replica => true,
                db::replica::Route::Primary(why) => {
                    tracing::debug!(?why, "read on the primary");
                    false
                }
            }
        });
        Reads {
            state: self,
            replica,
        }
    }

    /// A page of one part of a volunteer's record (its commendations, its evaluations):
    /// 404 when the caller's scope does not hold the volunteer, else `load`'s page.
    pub async fn volunteer_page<T, F>(
        &self,
        caller: auth::Principal,
        volunteer: i64,
        paging: http::Paging,
        load: F,
    ) -> error::AppResult<actix_web::HttpResponse>
    where
        F: FnOnce(&mut db::DbConn) -> error::AppResult<(Vec<T>, i64)> + Clone + Send + 'static,
        T: serde::Serialize + Send + 'static,
    {
        let (items, total) = self
            .reads(&caller)
            .db(move |conn| {
                caller.scope(conn)?.volunteer_branch(conn, volunteer)?;
                load(conn)
            })
            .await?;
        Ok(paging.respond(items, total))
    }

    pub async fn hash_password(&self, password: String) -> error::AppResult<String> {
        let params = self.config.password_hash;
        Ok(self
            .hasher
            .run(move || auth::password::hash(params, &password))
            .await??)
    }
}

/// Every route of the service. Registered through utoipa so that none is undocumented.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(health::health)
        .service(health::ready)
        .configure(certificates::public_routes)
        .service(
            utoipa_actix_web::scope::scope("/api/v1")
                .configure(sessions::routes)
                .configure(users::routes)
                .configure(branches::routes)
                .configure(volunteers::routes)
                .configure(events::routes)
                .configure(plans::routes)
                .configure(hours::routes)
                .configure(attendance::routes)
                .configure(imports::routes)
                .configure(signups::routes)
                .configure(commendations::routes)
                .configure(evaluations::routes)
                .configure(record::routes)
                .configure(error_reports::routes)
                .configure(certificates::routes)
                .configure(audit::routes)
                .configure(reports::routes),
        );
}

pub fn build_app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let config = state.config.clone();
    let spec_json = state.spec_json.clone();
    let default_language = config.default_language;
    // this worker's copy of the spec, made as its routes are, is dropped here
    let (app, _) = App::new()
        .into_utoipa_app()
        .openapi(openapi::ApiDoc::openapi())
        .app_data(web::Data::new(pipelined_reads(&state)))
        .app_data(state)
        .app_data(http::query_config())
        .app_data(http::path_config())
        .app_data(web::PayloadConfig::new(config.max_body_bytes))
        .configure(routes)
        .split_for_parts();
    let app = if config.api_docs {
        app.service(SwaggerUi::new("/docs/{_:.*}").config(SwaggerConfig::from("/openapi.json")))
            .route(
                "/openapi.json",
                web::get().to(move || health::json_bytes(spec_json.clone())),
            )
            .route("/docs", web::get().to(|| health::redirect("/docs/")))
    } else {
        app
    };
    let app = match (config.console, config.api_docs) {
        (true, _) => app.configure(console::routes),
        (false, true) => app.route("/", web::get().to(|| health::redirect("/docs/"))),
        (false, false) => app.route("/", web::get().to(health::index)),
    };
    let app = app.default_service(web::to(http::not_found));
    memory::trim();
    app.wrap(from_fn(auth::principal::remember_writers))
        .wrap(ErrorHandlers::new().default_handler(http::problemize))
        .wrap(from_fn(http::request_id_header))
        .wrap(from_fn(move |req, next| {
            i18n::respond_in_language(default_language, req, next)
        }))
        .wrap(Compress::default())
        .wrap(cors(&config))
        .wrap(
            DefaultHeaders::new()
                .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .add((header::CACHE_CONTROL, "no-store")),
        )
        .wrap(TracingLogger::default())
        // outside the logger: no log line carries a certificate's verification code
        .wrap(from_fn(certificates::verify::take_code))
}

/// This worker's pipelined connection for the hottest reads, when configured and possible.
fn pipelined_reads(state: &AppState) -> db::pipelined::Pipelined {
    match state.config.pipelined_reads {
        true => db::pipelined::Pipelined::new(state.pool.pipelined_settings()),
        false => db::pipelined::Pipelined::off(),
    }
}

fn cors(config: &Config) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
        ])
        .max_age(3600);
    for origin in &config.cors_allowed_origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// Binds the HTTP server on `listener` with an already migrated pool.
pub fn build_server(
    config: Arc<Config>,
    pool: Pool,
    listener: TcpListener,
) -> std::io::Result<Server> {
    // One worker per two cores unless configured. A request's work is mostly on the
    // blocking threads (its database calls) and in the database; one event loop serves about
    // 90,000 plain requests a second per core. Each worker has a blocking pool of its own, so
    // fewer workers share one queue for the database: measured on two cores with the
    // database on the same machine, one worker instead of two cut the read p99 by a quarter.
    let workers = config.workers.unwrap_or_else(config::half_the_cores);
    // Database work runs on blocking threads, each holding a pooled connection: more threads
    // than connections would only queue on the pool, switching between threads to do it.
    let blocking = (config.pool_size as usize).div_ceil(workers).max(2);
    let state = web::Data::new(
        AppState::new(config.clone(), pool).map_err(|e| std::io::Error::other(format!("{e:#}")))?,
    );
    let server = HttpServer::new(move || build_app(state.clone()))
        .workers(workers)
        .worker_max_blocking_threads(blocking)
        .listen(listener)?
        .shutdown_timeout(10);
    Ok(server.run())
}
