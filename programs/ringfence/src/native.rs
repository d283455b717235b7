//! The program's entrypoint for host builds (the local network and the test suites run the
//! program natively inside `solana-program-test`'s bank). Not compiled for SBF.

use anchor_lang::prelude::*;
use anchor_lang::solana_program::entrypoint::ProgramResult;

/// Runs the Anchor entrypoint with the plain signature `solana-program-test` expects.
///
/// `processor!` wants `fn(&Pubkey, &[AccountInfo], &[u8])`, while Anchor's `entry` ties the
/// slice and the accounts' data to one lifetime `'info`. The runtime keeps every account alive
/// for the whole call, so re-borrowing the slice with a single lifetime is sound.
pub fn process_instruction(
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    data: &[u8],
) -> ProgramResult {
    // SAFETY: see above; only the lifetime parameters change.
    let accounts: &[AccountInfo] = unsafe { std::mem::transmute(accounts) };
    crate::entry(program_id, accounts, data)
}
