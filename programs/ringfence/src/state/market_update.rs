//! A proposed change of a market's parameters, waiting out the exchange's timelock.

use crate::state::MarketParams;
use anchor_lang::prelude::*;

/// Seed of a `MarketUpdate` PDA: `["market_update", market index LE]`.
pub const MARKET_UPDATE_SEED: &[u8] = b"market_update";

/// The pending parameters of one market, PDA `["market_update", index LE]`: at most one per
/// market, readable by anyone, applied by the admin once `apply_after` has passed (or cancelled).
#[account]
#[derive(Debug)]
pub struct MarketUpdate {
    /// The market it changes.
    pub market_index: u16,
    /// The parameters it will set.
    pub params: MarketParams,
    /// Unix time it was proposed, seconds.
    pub proposed_at: i64,
    /// Unix time from which it may be applied, seconds (`proposed_at` + the exchange's timelock).
    pub apply_after: i64,
    /// Bump of this PDA.
    pub bump: u8,
}

impl MarketUpdate {
    /// Account size including the discriminator.
    pub const SPACE: usize = 8 + 2 + core::mem::size_of::<MarketParams>() + 8 + 8 + 1;
}
