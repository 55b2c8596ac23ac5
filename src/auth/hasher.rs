//! Password hashing on threads of its own, at a low CPU priority: an argon2 verification
//! takes tens of milliseconds of a core, and a burst of logins must not slow every other
//! request. Reads outrank hashing; a login waits a little longer when the server is busy.
//!
//! A priority alone did not bound it: the read path leaves the cores idle for moments
//! between its hand-offs, a hashing thread fills every such moment, and the scheduler lets
//! it finish its time slice before a request that became ready runs. In a storm of logins
//! a hashing thread took a whole core and the reads' p99 tripled. So each hashing thread
//! also rests after a hash for as long as the hash took of the CPU: hashing uses at most
//! half a core per thread, and logins queue (up to [`QUEUE`], then 503) rather than slow
//! the rest of the service.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use crate::error::{AppError, AppResult};

type Job = Box<dyn FnOnce() + Send>;

/// Logins waiting for a hashing thread beyond this many are answered 503 at once.
const QUEUE: usize = 256;

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
                    detail: crate::msg!("too-many-logins"),
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
    if !crate::sched::lower_this_thread(crate::sched::HASHING) {
        tracing::debug!("could not lower the priority of a password hashing thread");
    }
    loop {
        let next = match queue.lock() {
            Ok(q) => q.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        match next {
            // a panic in one hash must not end the thread
            Ok(job) => {
                let started = thread_cpu_time();
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                if let (Some(start), Some(end)) = (started, thread_cpu_time()) {
                    std::thread::sleep(end.saturating_sub(start).min(MAX_REST));
                }
            }
            Err(_) => return,
        }
    }
}

/// The longest rest after one hash (a hash takes tens of milliseconds at the default cost).
const MAX_REST: std::time::Duration = std::time::Duration::from_secs(1);

/// CPU time this thread has used; `None` where the platform cannot tell.
fn thread_cpu_time() -> Option<std::time::Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes only into `ts`, a valid timespec owned by this frame.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0;
    ok.then(|| {
        std::time::Duration::new(
            ts.tv_sec.max(0) as u64,
            ts.tv_nsec.clamp(0, 999_999_999) as u32,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_cpu_time_counts_only_work_done() {
        let start = thread_cpu_time().expect("a thread CPU clock");
        std::thread::sleep(std::time::Duration::from_millis(50));
        let slept = thread_cpu_time().expect("a thread CPU clock");
        let mut x = 0u64;
        while thread_cpu_time().is_some_and(|t| t < slept + std::time::Duration::from_millis(20)) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        let worked = thread_cpu_time().expect("a thread CPU clock");
        assert!(
            slept - start < std::time::Duration::from_millis(25),
            "sleeping is not work"
        );
        assert!(worked - slept >= std::time::Duration::from_millis(20));
    }

    #[actix_web::test]
    async fn a_job_answers_and_the_thread_takes_the_next_after_resting() {
        let hasher = Hasher::new(1).expect("hashing thread");
        let busy = |ms: u64| {
            move || {
                let until =
                    thread_cpu_time().unwrap_or_default() + std::time::Duration::from_millis(ms);
                while thread_cpu_time().is_some_and(|t| t < until) {}
                ms
            }
        };
        let started = std::time::Instant::now();
        assert_eq!(hasher.run(busy(40)).await.unwrap(), 40);
        assert_eq!(hasher.run(busy(1)).await.unwrap(), 1);
        // the second job waited for the thread's rest after the first (about 40 ms)
        assert!(started.elapsed() >= std::time::Duration::from_millis(75));
    }
}
