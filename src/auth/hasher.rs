//! Password hashing on threads of its own, at a low CPU priority: an argon2 verification
//! takes tens of milliseconds of a core, and a burst of logins must not slow every other
//! request. Reads outrank hashing; a login waits a little longer when the server is busy.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use crate::error::{AppError, AppResult};

type Job = Box<dyn FnOnce() + Send>;

/// Logins waiting for a hashing thread beyond this many are answered 503 at once.
const QUEUE: usize = 256;

/// The niceness of the hashing threads (0 is normal, 19 the lowest priority).
const NICENESS: i32 = 10;

pub struct Hasher {
    jobs: SyncSender<Job>,
}

impl Hasher {
    /// Starts `threads` hashing threads.
    pub fn new(threads: usize) -> std::io::Result<Hasher> {
        let (jobs, queue) = sync_channel::<Job>(QUEUE);
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads.max(1) {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("password-hash-{n}"))
                .spawn(move || work(&queue))?;
        }
        Ok(Hasher { jobs })
    }

    /// Runs `f` on a hashing thread and waits for its result without blocking the caller's
    /// thread.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(f());
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                return Err(AppError::Unavailable {
                    detail: "too many logins at once; retry shortly".into(),
                    retry_after_secs: 1,
                })
            }
            Err(TrySendError::Disconnected(_)) => {
                return Err(AppError::internal("the password hashing threads are gone"))
            }
        }
        result
            .await
            .map_err(|_| AppError::internal("a password hashing job was dropped"))
    }
}

fn work(queue: &Mutex<Receiver<Job>>) {
    lower_priority();
    loop {
        let next = match queue.lock() {
            Ok(q) => q.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        match next {
            // a panic in one hash must not end the thread
            Ok(job) => {
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            }
            Err(_) => return,
        }
    }
}

fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid has no preconditions; setpriority on this thread's own id only lowers
    // its scheduling priority, which any thread may do.
    unsafe {
        let tid = libc::gettid();
        if libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, NICENESS) != 0 {
            tracing::debug!("could not lower the priority of a password hashing thread");
        }
    }
}
