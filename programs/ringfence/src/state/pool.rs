//! The pool: the liquidity that takes the other side of every trade.

use anchor_lang::prelude::*;

/// Seed of the `Pool` PDA.
pub const POOL_SEED: &[u8] = b"pool";

/// Liquidity providers' pool, PDA `["pool"]`: the counterparty of every trade.
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

/// Seed of an `LpAccount` PDA: `["lp", owner]`.
pub const LP_SEED: &[u8] = b"lp";

/// A liquidity provider's shares of the pool, PDA `["lp", owner]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct LpAccount {
    /// The wallet.
    pub owner: Pubkey,
    /// Pool shares held.
    pub shares: u64,
    /// Bump of this PDA.
    pub bump: u8,
}

impl LpAccount {
    /// Account size including the discriminator.
    pub const SPACE: usize = 8 + Self::INIT_SPACE;
}
