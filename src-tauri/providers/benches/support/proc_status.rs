//! Memory figures of this process from Linux's `/proc/self/status`, shared by the benchmarks.

/// The value of `field` (`VmRSS`: resident now; `VmHWM`: the peak so far) in MiB, or NaN
/// where `/proc` does not give it.
pub fn status_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| {
                    l.strip_prefix(field)
                        .is_some_and(|rest| rest.starts_with(':'))
                })
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}
