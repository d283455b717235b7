//! Ringfence's stand-in for crates.io's `solana-msg` (see README.md): the same `msg!` and
//! `sol_log`, plus [`set_host_logger`] so a host process can route program logs into the
//! runtime's log collector instead of stdout.
#![no_std]
#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

/// `format!`, re-exported for `msg!`.
#[cfg(feature = "alloc")]
#[doc(hidden)]
pub use alloc::format;

/// Logs a message: one `&str` expression as is, anything else through `format!`.
#[cfg(feature = "alloc")]
#[macro_export]
macro_rules! msg {
    ($msg:expr) => {
        $crate::sol_log($msg)
    };
    ($($arg:tt)*) => ($crate::sol_log(&$crate::format!($($arg)*)));
}

/// The SBF syscalls behind the log functions.
#[cfg(target_os = "solana")]
pub mod syscalls {
    pub use solana_define_syscall::definitions::{
        sol_log_, sol_log_64_, sol_log_compute_units_, sol_log_data,
    };
}

#[cfg(all(not(target_os = "solana"), feature = "std"))]
static HOST_LOGGER: std::sync::OnceLock<fn(&str)> = std::sync::OnceLock::new();

/// Installs the process's host logger (once; later calls are ignored and return `false`).
/// Every `sol_log` on the host then goes to `logger` instead of stdout.
#[cfg(all(not(target_os = "solana"), feature = "std"))]
pub fn set_host_logger(logger: fn(&str)) -> bool {
    HOST_LOGGER.set(logger).is_ok()
}

/// Logs one line: the `sol_log_` syscall on SBF; on the host, the installed logger, or stdout.
#[inline]
pub fn sol_log(message: &str) {
    #[cfg(target_os = "solana")]
    unsafe {
        syscalls::sol_log_(message.as_ptr(), message.len() as u64);
    }

    #[cfg(all(not(target_os = "solana"), feature = "std"))]
    match HOST_LOGGER.get() {
        Some(logger) => logger(message),
        None => std::println!("{message}"),
    }

    #[cfg(all(not(target_os = "solana"), not(feature = "std")))]
    core::hint::black_box(message);
}

#[cfg(all(test, not(target_os = "solana"), feature = "std"))]
mod tests {
    use std::string::{String, ToString};
    use std::sync::Mutex;
    use std::vec::Vec;

    static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

    fn capture(line: &str) {
        LINES.lock().unwrap().push(line.to_string());
    }

    #[test]
    fn an_installed_logger_gets_every_line_and_only_the_first_install_counts() {
        assert!(super::set_host_logger(capture));
        assert!(!super::set_host_logger(|_| {}));
        crate::msg!("plain");
        crate::msg!("formatted {} {}", 1, "two");
        assert_eq!(*LINES.lock().unwrap(), ["plain", "formatted 1 two"]);
    }
}
