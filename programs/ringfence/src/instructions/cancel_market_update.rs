//! The admin withdraws a pending parameter change before it is applied.

use crate::error::RingfenceError;
use crate::events::MarketUpdateCancelled;
use crate::state::{Exchange, MarketUpdate, EXCHANGE_SEED, MARKET_UPDATE_SEED};
use anchor_lang::prelude::*;

/// Accounts of `cancel_market_update`.
#[derive(Accounts)]
pub struct CancelMarketUpdate<'info> {
    /// The admin; receives the rent.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The exchange.
    #[account(seeds = [EXCHANGE_SEED], bump = exchange.bump, has_one = admin @ RingfenceError::NotAdmin)]
    pub exchange: Account<'info, Exchange>,
    /// The pending change, closed here.
    #[account(
        mut,
        close = admin,
        seeds = [MARKET_UPDATE_SEED, &market_update.market_index.to_le_bytes()],
        bump = market_update.bump
    )]
    pub market_update: Account<'info, MarketUpdate>,
}

impl CancelMarketUpdate<'_> {
    /// Closes the pending change.
    pub fn handler(ctx: Context<CancelMarketUpdate>) -> Result<()> {
        crate::events::emit(MarketUpdateCancelled {
            index: ctx.accounts.market_update.market_index,
        });
        Ok(())
    }
}
