//! One set of host syscall stubs for both `solana-sysvar` versions in the build.
//!
//! The program (anchor-lang 1.2.2) reaches its syscalls through `solana-sysvar` 3.1, while
//! `solana-program-test` 4.2 installs the runtime's stubs (CPI, sysvars, return data) in
//! `solana-sysvar` 4.1. [`bridge_runtime_stubs`] takes the runtime's stubs out of 4.1 and
//! installs one [`Bridge`] in both versions, so every caller reaches them. The bridge forwards
//! every call unchanged except two: `sol_log_data` writes Anchor's `Program data: …` line into
//! the running transaction's logs, and `sol_invoke_signed` drops the CPI stub's duplicate log
//! lines ([`crate::logs::remove_cpi_duplicates`]).

use solana_account_info::AccountInfo;
use solana_instruction::Instruction;
use solana_program_error::ProgramResult;
use solana_pubkey::Pubkey;
use solana_sysvar_v3::program_stubs as v3;
use solana_sysvar_v4::program_stubs as v4;
use std::sync::Arc;

/// The runtime's stubs, shared by both installed copies of the bridge.
pub struct Bridge {
    runtime: Box<dyn v4::SyscallStubs>,
}

struct Unset;
impl v4::SyscallStubs for Unset {}

/// Installs [`Bridge`] in both `solana-sysvar` versions around the stubs currently in 4.1.
pub fn bridge_runtime_stubs() {
    let runtime = v4::set_syscall_stubs(Box::new(Unset));
    let bridge = Arc::new(Bridge { runtime });
    v4::set_syscall_stubs(Box::new(V4(bridge.clone())));
    v3::set_syscall_stubs(Box::new(V3(bridge)));
}

impl Bridge {
    fn log_data(&self, fields: &[&[u8]]) {
        match crate::logs::current() {
            Some(collector) => {
                solana_program_runtime::stable_log::program_data(&Some(collector), fields)
            }
            None if crate::logs::in_builtin() => {}
            None => self.runtime.sol_log_data(fields),
        }
    }

    fn invoke_signed(
        &self,
        instruction: &Instruction,
        account_infos: &[AccountInfo],
        signers_seeds: &[&[&[u8]]],
    ) -> ProgramResult {
        let start = crate::logs::current_line_count();
        let result = self
            .runtime
            .sol_invoke_signed(instruction, account_infos, signers_seeds);
        crate::logs::remove_cpi_duplicates(start);
        result
    }
}

/// The bridge as `solana-sysvar` 3.1's stubs.
struct V3(Arc<Bridge>);
/// The bridge as `solana-sysvar` 4.1's stubs.
struct V4(Arc<Bridge>);

/// Implements one version's `SyscallStubs` for a bridge wrapper, forwarding to the runtime's.
macro_rules! forward_stubs {
    ($stubs:path, $wrapper:ident) => {
        impl $stubs for $wrapper {
            fn sol_log(&self, message: &str) {
                self.0.runtime.sol_log(message)
            }
            fn sol_log_compute_units(&self) {
                self.0.runtime.sol_log_compute_units()
            }
            fn sol_remaining_compute_units(&self) -> u64 {
                self.0.runtime.sol_remaining_compute_units()
            }
            fn sol_invoke_signed(
                &self,
                instruction: &Instruction,
                account_infos: &[AccountInfo],
                signers_seeds: &[&[&[u8]]],
            ) -> ProgramResult {
                self.0
                    .invoke_signed(instruction, account_infos, signers_seeds)
            }
            fn sol_get_sysvar(
                &self,
                sysvar_id_addr: *const u8,
                var_addr: *mut u8,
                offset: u64,
                length: u64,
            ) -> u64 {
                self.0
                    .runtime
                    .sol_get_sysvar(sysvar_id_addr, var_addr, offset, length)
            }
            fn sol_get_clock_sysvar(&self, var_addr: *mut u8) -> u64 {
                self.0.runtime.sol_get_clock_sysvar(var_addr)
            }
            fn sol_get_epoch_schedule_sysvar(&self, var_addr: *mut u8) -> u64 {
                self.0.runtime.sol_get_epoch_schedule_sysvar(var_addr)
            }
            fn sol_get_fees_sysvar(&self, var_addr: *mut u8) -> u64 {
                self.0.runtime.sol_get_fees_sysvar(var_addr)
            }
            fn sol_get_rent_sysvar(&self, var_addr: *mut u8) -> u64 {
                self.0.runtime.sol_get_rent_sysvar(var_addr)
            }
            fn sol_get_epoch_rewards_sysvar(&self, var_addr: *mut u8) -> u64 {
                self.0.runtime.sol_get_epoch_rewards_sysvar(var_addr)
            }
            fn sol_get_last_restart_slot(&self, var_addr: *mut u8) -> u64 {
                self.0.runtime.sol_get_last_restart_slot(var_addr)
            }
            fn sol_get_epoch_stake(&self, vote_address: *const u8) -> u64 {
                self.0.runtime.sol_get_epoch_stake(vote_address)
            }
            unsafe fn sol_memcpy(&self, dst: *mut u8, src: *const u8, n: usize) {
                // SAFETY: the caller's contract, passed on unchanged.
                unsafe { self.0.runtime.sol_memcpy(dst, src, n) }
            }
            unsafe fn sol_memmove(&self, dst: *mut u8, src: *const u8, n: usize) {
                // SAFETY: the caller's contract, passed on unchanged.
                unsafe { self.0.runtime.sol_memmove(dst, src, n) }
            }
            unsafe fn sol_memcmp(&self, s1: *const u8, s2: *const u8, n: usize, result: *mut i32) {
                // SAFETY: the caller's contract, passed on unchanged.
                unsafe { self.0.runtime.sol_memcmp(s1, s2, n, result) }
            }
            unsafe fn sol_memset(&self, s: *mut u8, c: u8, n: usize) {
                // SAFETY: the caller's contract, passed on unchanged.
                unsafe { self.0.runtime.sol_memset(s, c, n) }
            }
            fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
                self.0.runtime.sol_get_return_data()
            }
            fn sol_set_return_data(&self, data: &[u8]) {
                self.0.runtime.sol_set_return_data(data)
            }
            fn sol_log_data(&self, fields: &[&[u8]]) {
                self.0.log_data(fields)
            }
            fn sol_get_processed_sibling_instruction(&self, index: usize) -> Option<Instruction> {
                self.0.runtime.sol_get_processed_sibling_instruction(index)
            }
            fn sol_get_stack_height(&self) -> u64 {
                self.0.runtime.sol_get_stack_height()
            }
        }
    };
}

forward_stubs!(v3::SyscallStubs, V3);
forward_stubs!(v4::SyscallStubs, V4);
