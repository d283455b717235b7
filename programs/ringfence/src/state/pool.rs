//! The pool: the liquidity that takes the other side of every trade.

use anchor_lang::prelude::*;

/// Seed of the `Pool` PDA.
pub const POOL_SEED: &[u8] = b"pool";

/// Liquidity providers' pool, PDA `["pool"]`. Trading against it arrives with the trading issue.
#[account]
#[derive(InitSpace, Debug)]
pub struct Pool {
    /// Tokens the pool owns, quote native units (held in the vault).
    pub balance: u64,
    /// LP shares outstanding.
    pub total_shares: u64,
    /// Bump of this PDA.
    pub bump: u8,
}

impl Pool {
    /// Account size including the discriminator.
    pub const SPACE: usize = 8 + Self::INIT_SPACE;
}
