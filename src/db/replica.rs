//! A streaming replica of the PostgreSQL database, for the reads that may be a moment old:
//! lists, reports and exports. A monitor thread measures how far the replica is behind;
//! [`route`] decides per read whether it goes there or to the primary.
//!
//! The replica is never trusted blindly: one further behind than the allowed lag, one that
//! cannot be reached, or a server that is not a standby at all is not read from, and every
//! change between "in use" and "not in use" is logged once. A user who has just written
//! reads from the primary for a while (`REPLICA_READ_AFTER_WRITE_SECS`), so that the lists
//! it reads back hold what it wrote.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::{Bool, Double, Nullable};

use super::{now_ms, Pool};

/// What the monitor last found, and when.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Health {
    /// Not checked yet (the first second after start).
    Starting,
    /// No connection could be made, or the check failed.
    Unreachable,
    /// The server answers but is not in recovery: not a replica of anything.
    NotStandby,
    /// A standby this far behind the primary when checked (zero when it has replayed all
    /// it received).
    Behind(Duration),
}

/// Where one read goes, and why not to the replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Replica,
    Primary(Why),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The caller wrote within the read-after-write window.
    OwnWrite,
    /// The replica is further behind than the allowed lag.
    Lagging,
    /// The replica cannot be reached, is not a standby, or has not been checked yet.
    Unusable,
}

/// The rule, pure: a read goes to the replica unless the caller has just written, or the
/// replica may be staler than `max_lag`. Staleness is the lag last measured plus the time
/// since it was measured, so that a monitor that has stopped checking counts as lagging.
pub fn route(
    health: Health,
    since_check: Duration,
    max_lag: Duration,
    wrote_recently: bool,
) -> Route {
    if wrote_recently {
        return Route::Primary(Why::OwnWrite);
    }
    match health {
        Health::Behind(lag) if lag + since_check <= max_lag => Route::Replica,
        Health::Behind(_) => Route::Primary(Why::Lagging),
        Health::Starting | Health::Unreachable | Health::NotStandby => {
            Route::Primary(Why::Unusable)
        }
    }
}

/// How often the monitor measures the lag.
pub const CHECK_EVERY: Duration = Duration::from_millis(500);

const STARTING: i64 = -1;
const UNREACHABLE: i64 = -2;
const NOT_STANDBY: i64 = -3;

/// The replica's pool and what its monitor last measured. Cheap to clone.
#[derive(Clone)]
pub struct Replica {
    pub pool: Pool,
    max_lag: Duration,
    state: Arc<Measured>,
}

#[derive(Default)]
struct Measured {
    /// Milliseconds behind, or one of the negative codes above.
    lag_ms: AtomicI64,
    /// When `lag_ms` was measured (ms since the Unix epoch).
    at_ms: AtomicI64,
}

impl Measured {
    fn store(&self, health: Health) {
        let code = match health {
            Health::Starting => STARTING,
            Health::Unreachable => UNREACHABLE,
            Health::NotStandby => NOT_STANDBY,
            Health::Behind(lag) => i64::try_from(lag.as_millis()).unwrap_or(i64::MAX),
        };
        self.lag_ms.store(code, Ordering::Relaxed);
        self.at_ms.store(now_ms(), Ordering::Relaxed);
    }

    fn load(&self) -> (Health, Duration) {
        let since = Duration::from_millis(
            u64::try_from(now_ms() - self.at_ms.load(Ordering::Relaxed)).unwrap_or(0),
        );
        let health = match self.lag_ms.load(Ordering::Relaxed) {
            STARTING => Health::Starting,
            UNREACHABLE => Health::Unreachable,
            NOT_STANDBY => Health::NotStandby,
            ms => Health::Behind(Duration::from_millis(u64::try_from(ms).unwrap_or(0))),
        };
        (health, since)
    }
}

impl Replica {
    /// Starts the monitor over `pool` (which may not reach its server yet); the monitor
    /// stops when the last clone of the returned value is dropped.
    pub fn start(pool: Pool, max_lag: Duration) -> Replica {
        let state = Arc::new(Measured::default());
        state.store(Health::Starting);
        let replica = Replica {
            pool,
            max_lag,
            state,
        };
        let weak = Arc::downgrade(&replica.state);
        let pool = replica.pool.clone();
        let spawned = std::thread::Builder::new()
            .name("replica-monitor".into())
            .spawn(move || monitor(pool, weak, max_lag));
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start the replica monitor: reads stay on the primary");
        }
        replica
    }

    /// Where a read goes now.
    pub fn route(&self, wrote_recently: bool) -> Route {
        let (health, since) = self.state.load();
        route(health, since, self.max_lag, wrote_recently)
    }

    /// What the monitor last measured, with how long ago.
    pub fn health(&self) -> (Health, Duration) {
        self.state.load()
    }

    /// The replica failed a read: not used again until the monitor finds it back.
    pub fn failed(&self) {
        self.state.store(Health::Unreachable);
    }
}

/// Measures the lag every [`CHECK_EVERY`] and logs each change between usable and not.
fn monitor(pool: Pool, state: Weak<Measured>, max_lag: Duration) {
    let mut was: Option<bool> = None;
    loop {
        let health = measure(&pool);
        let Some(state) = state.upgrade() else {
            return;
        };
        state.store(health);
        drop(state);
        let usable = route(health, Duration::ZERO, max_lag, false) == Route::Replica;
        if was != Some(usable) {
            match (usable, health) {
                (true, _) => tracing::info!("the replica is in use for lists, reports and exports"),
                (false, Health::Behind(lag)) => tracing::warn!(
                    lag_secs = lag.as_secs_f64(),
                    max_lag_secs = max_lag.as_secs(),
                    "the replica is behind by more than REPLICA_MAX_LAG_SECS: reads go to the primary"
                ),
                (false, Health::NotStandby) => tracing::warn!(
                    "DATABASE_REPLICA_URL is not a standby (not in recovery): reads go to the primary"
                ),
                (false, _) => tracing::warn!("the replica cannot be reached: reads go to the primary"),
            }
            was = Some(usable);
        }
        std::thread::sleep(CHECK_EVERY);
    }
}

#[derive(QueryableByName)]
struct LagRow {
    #[diesel(sql_type = Bool)]
    standby: bool,
    #[diesel(sql_type = Nullable<Double>)]
    lag_secs: Option<f64>,
}

/// How far behind the standby is: nothing when it has replayed everything it received;
/// else the age of the last transaction it replayed (the primary's commit time, so the two
/// clocks must agree, as NTP keeps them).
const LAG_SQL: &str = "SELECT pg_is_in_recovery() AS standby, \
     CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0 \
     ELSE EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8 END \
     AS lag_secs";

fn measure(pool: &Pool) -> Health {
    let Ok(mut conn) = pool.get_timeout(Duration::from_secs(2)) else {
        return Health::Unreachable;
    };
    match diesel::sql_query(LAG_SQL).get_result::<LagRow>(&mut conn) {
        Ok(LagRow { standby: false, .. }) => Health::NotStandby,
        // behind, with nothing replayed since start: as unknown as unreachable
        Ok(LagRow { lag_secs: None, .. }) => Health::Unreachable,
        Ok(LagRow {
            lag_secs: Some(secs),
            ..
        }) => Health::Behind(Duration::from_secs_f64(secs.max(0.0))),
        Err(e) => {
            tracing::debug!(error = %e, "replica lag check failed");
            Health::Unreachable
        }
    }
}

/// The users who wrote lately, by id, each with when its last write was answered. Kept per
/// instance: a load balancer that sends a user's requests to one instance keeps its reads
/// after writes on the primary everywhere (README, "Running more than one instance").
pub struct RecentWriters {
    window: Duration,
    seen: Mutex<HashMap<i64, Instant>>,
}

impl RecentWriters {
    /// Beyond this many, writers older than the window are forgotten.
    const CAPACITY: usize = 10_000;

    pub fn new(window: Duration) -> Self {
        RecentWriters {
            window,
            seen: Mutex::default(),
        }
    }

    pub fn wrote(&self, user: i64) {
        if self.window.is_zero() {
            return;
        }
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= Self::CAPACITY {
            let window = self.window;
            seen.retain(|_, at| at.elapsed() < window);
        }
        seen.insert(user, Instant::now());
    }

    pub fn wrote_recently(&self, user: i64) -> bool {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.get(&user).is_some_and(|at| at.elapsed() < self.window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: Duration = Duration::from_secs(5);

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn a_caught_up_replica_serves_reads() {
        assert_eq!(
            route(Health::Behind(secs(0.0)), secs(0.4), MAX, false),
            Route::Replica
        );
        assert_eq!(
            route(Health::Behind(secs(4.0)), secs(1.0), MAX, false),
            Route::Replica
        );
    }

    #[test]
    fn a_writer_reads_its_write_from_the_primary() {
        assert_eq!(
            route(Health::Behind(secs(0.0)), secs(0.0), MAX, true),
            Route::Primary(Why::OwnWrite)
        );
    }

    #[test]
    fn too_far_behind_or_not_checked_lately_is_lagging() {
        assert_eq!(
            route(Health::Behind(secs(5.1)), secs(0.0), MAX, false),
            Route::Primary(Why::Lagging)
        );
        // the monitor stopped measuring: what it last saw ages
        assert_eq!(
            route(Health::Behind(secs(0.0)), secs(6.0), MAX, false),
            Route::Primary(Why::Lagging)
        );
    }

    #[test]
    fn an_unknown_unreachable_or_non_standby_server_is_not_read() {
        for health in [Health::Starting, Health::Unreachable, Health::NotStandby] {
            assert_eq!(
                route(health, secs(0.0), MAX, false),
                Route::Primary(Why::Unusable),
                "{health:?}"
            );
        }
    }

    #[test]
    fn measurements_round_trip() {
        let m = Measured::default();
        for health in [
            Health::Starting,
            Health::Unreachable,
            Health::NotStandby,
            Health::Behind(Duration::from_millis(1500)),
        ] {
            m.store(health);
            let (read, since) = m.load();
            assert_eq!(read, health);
            assert!(since < secs(1.0));
        }
    }

    #[test]
    fn writers_are_remembered_for_the_window_only() {
        let w = RecentWriters::new(Duration::from_millis(50));
        assert!(!w.wrote_recently(7));
        w.wrote(7);
        assert!(w.wrote_recently(7));
        assert!(!w.wrote_recently(8));
        std::thread::sleep(Duration::from_millis(60));
        assert!(!w.wrote_recently(7));
        // a zero window remembers nobody
        let none = RecentWriters::new(Duration::ZERO);
        none.wrote(7);
        assert!(!none.wrote_recently(7));
    }
}
