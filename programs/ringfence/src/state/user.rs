//! A wallet's root account.

use anchor_lang::prelude::*;

/// Seed of the `UserAccount` PDA.
pub const USER_SEED: &[u8] = b"user";

/// A wallet's root: PDA `["user", owner]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct UserAccount {
    /// The wallet.
    pub owner: Pubkey,
    /// Id the next sub-account must take; ids are never reused, even after closing.
    pub next_sub_account_id: u16,
    /// Sub-accounts created and not yet closed.
    pub open_sub_accounts: u16,
    /// Bump of this PDA.
    pub bump: u8,
}

impl UserAccount {
    /// Account size including the discriminator.
    pub const SPACE: usize = 8 + Self::INIT_SPACE;
}
