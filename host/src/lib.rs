//! Runs the host-built Ringfence program inside agave's runtime (the test suites'
//! `solana-program-test` bank and the local validator alike) with the logs a cluster would
//! record:
//!
//! - [`builtin!`] registers the program's entrypoint as a builtin, like `solana-program-test`'s
//!   `processor!`, without its second copy of each `invoke` and `success`/`failed` line;
//! - `msg!` lines become `Program log: …` lines of the running transaction (through the
//!   workspace's `solana-msg` stand-in, `patches/solana-msg`), not stdout;
//! - Anchor events (`sol_log_data`) become `Program data: …` lines;
//! - the program's syscalls (CPI, sysvars, return data), which go through `solana-sysvar` 3.1,
//!   reach the runtime's stubs in `solana-sysvar` 4.1 ([`stubs`]).
//!
//! Call [`install`] once a `ProgramTest` has started in the process (it installs the runtime's
//! stubs); [`prepare_process`] does both for a process that has no `ProgramTest` of its own.

pub mod logs;
pub mod stubs;

pub use solana_program_test as program_test;

use solana_program_entrypoint::ProcessInstruction;
use solana_program_test::InvokeContext;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

static INSTALLED: AtomicBool = AtomicBool::new(false);

/// Installs the log routing and the syscall bridge (once per process; later calls do nothing).
/// Must run after a `ProgramTest` has started, which installs the runtime's stubs.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        solana_msg::set_host_logger(logs::program_log);
        stubs::bridge_runtime_stubs();
        INSTALLED.store(true, Ordering::SeqCst);
    });
}

/// For a process without a `ProgramTest` of its own (the local validator): starts a throwaway
/// one so the runtime's stubs exist, then [`install`]s.
pub async fn prepare_process() {
    if !INSTALLED.load(Ordering::SeqCst) {
        let _throwaway = solana_program_test::ProgramTest::default().start().await;
        install();
    }
}

/// Runs `entry` for the instruction `invoke_context` is executing: what `processor!` does,
/// with this crate's log frame around it and its duplicate log lines removed.
pub fn run(
    entry: ProcessInstruction,
    invoke_context: &mut InvokeContext,
) -> Result<u64, Box<dyn std::error::Error>> {
    if !INSTALLED.load(Ordering::SeqCst) {
        return Err("ringfence-host: install() was not called after ProgramTest started".into());
    }
    let collector = invoke_context.get_log_collector();
    let frame = logs::Frame::enter(collector);
    let result = solana_program_test::invoke_builtin_function(entry, invoke_context);
    frame.leave_builtin();
    result
}

/// The builtin function for a `fn(&Pubkey, &[AccountInfo], &[u8]) -> ProgramResult`
/// entrypoint, as `ProgramTest::add_program` and `Bank::add_builtin` take it; the counterpart
/// of `solana_program_test::processor!` that goes through [`run`].
#[macro_export]
macro_rules! builtin {
    ($entry:expr) => {{
        struct Converter;
        impl
            $crate::program_test::BuiltinFunctionDefinition<
                $crate::program_test::InvokeContext<'_, '_>,
            > for Converter
        {
            type Error = Box<dyn std::error::Error>;
            fn rust(
                _: &mut $crate::program_test::InvokeContext<'_, '_>,
                _: u64,
                _: u64,
                _: u64,
                _: u64,
                _: u64,
            ) -> Result<u64, Box<dyn std::error::Error>> {
                unreachable!("builtins are entered through `vm`")
            }
            fn vm(
                mut vm: $crate::program_test::EncryptedHostAddressToEbpfVm<
                    $crate::program_test::InvokeContext,
                >,
                _: u64,
                _: u64,
                _: u64,
                _: u64,
                _: u64,
            ) {
                // SAFETY: the runtime hands a builtin its own live VM for the whole call, as
                // in `solana_program_test::processor!`.
                unsafe {
                    vm.with_vm(|vm| {
                        vm.program_result = $crate::run($entry, vm.context())
                            .map_err($crate::program_test::EbpfError::SyscallError)
                            .into();
                    });
                }
            }
        }
        Some(<Converter as $crate::program_test::BuiltinFunctionDefinition<_>>::register)
    }};
}
