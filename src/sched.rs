//! CPU priorities of the server's threads.
//!
//! Every request passes through the HTTP event loop twice: it is read, parsed and
//! authenticated there, and answered from there. The loop is the one stage that all
//! connections share, so when the machine is busy it must not queue behind threads whose
//! work can wait: the database threads (which mostly wait on the database anyway) and
//! password hashing (tens of milliseconds of a core per login). Measured on two cores with
//! the database on the same machine, the event loop waited on the run queue about as long
//! as it ran before the database threads were lowered; after, the read p99 fell by a
//! quarter at a higher throughput.

/// The niceness of the threads that run database work (0 is normal, 19 the lowest).
pub const DATABASE: i32 = 10;
/// The niceness of the password hashing threads: below the database threads, so that a
/// burst of logins slows reads as little as possible.
pub const HASHING: i32 = 19;

/// Lowers the calling thread's priority to `niceness`; false where that is not possible.
pub fn lower_this_thread(niceness: i32) -> bool {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid has no preconditions; setpriority on this thread's own id only lowers
    // its scheduling priority, which any thread may do.
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, niceness) == 0
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = niceness;
        false
    }
}

/// [`lower_this_thread`] on the first call in each thread; later calls cost a flag check.
/// For threads the server does not start itself (the runtime's blocking pool).
pub fn lower_this_thread_once(niceness: i32) {
    thread_local! {
        static LOWERED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    LOWERED.with(|lowered| {
        if !lowered.get() {
            lowered.set(true);
            if !lower_this_thread(niceness) {
                tracing::debug!(niceness, "could not lower the priority of a thread");
            }
        }
    });
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    fn own_niceness() -> i32 {
        // SAFETY: getpriority reads this thread's own niceness; gettid has no preconditions.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) }
    }

    #[test]
    fn a_thread_lowers_its_own_priority_and_no_other() {
        let before = own_niceness();
        let lowered = std::thread::spawn(|| {
            assert!(super::lower_this_thread(7));
            own_niceness()
        })
        .join()
        .unwrap();
        assert_eq!(lowered, 7);
        assert_eq!(own_niceness(), before);
    }

    #[test]
    fn only_the_first_call_in_a_thread_changes_it() {
        let (first, second) = std::thread::spawn(|| {
            super::lower_this_thread_once(5);
            let first = own_niceness();
            super::lower_this_thread_once(9);
            (first, own_niceness())
        })
        .join()
        .unwrap();
        assert_eq!((first, second), (5, 5));
    }
}
