//! Keeping the resident set small: glibc's allocator, left to its defaults, keeps freed
//! memory in up to 8 arenas per core and raises its mmap threshold after the first large
//! free, so each thread that once verified a password (19 MiB for argon2) could keep that
//! much resident for good.

/// Fixes glibc's thresholds: blocks of 256 KiB and more are mapped and given back on free,
/// and threads share at most four arenas. glibc's own variables (`MALLOC_ARENA_MAX`,
/// `MALLOC_MMAP_THRESHOLD_`, `MALLOC_TRIM_THRESHOLD_`) still win. A no-op elsewhere.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let set = |env: &str, param: libc::c_int, value: libc::c_int| {
            if std::env::var_os(env).is_none() {
                // SAFETY: mallopt only sets an allocator parameter; this runs once at
                // start-up, before any other thread exists, with documented values.
                unsafe { libc::mallopt(param, value) };
            }
        };
        set("MALLOC_MMAP_THRESHOLD_", libc::M_MMAP_THRESHOLD, 256 * 1024);
        set(
            "MALLOC_TRIM_THRESHOLD_",
            libc::M_TRIM_THRESHOLD,
            1024 * 1024,
        );
        set("MALLOC_ARENA_MAX", libc::M_ARENA_MAX, 4);
    }
}

/// The resident set of this process in KiB, where the platform tells.
pub fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// Gives the allocator's free memory back to the system. Building the app leaves megabytes
/// freed but resident in each worker's arena (the OpenAPI document is assembled there and
/// mostly dropped); called once each has been built.
pub fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: malloc_trim only returns free pages of the allocator's arenas to the
        // system; it takes the arenas' locks like any allocation does.
        unsafe { libc::malloc_trim(0) };
    }
}
