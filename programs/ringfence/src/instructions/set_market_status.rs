//! Sets a market to Active, ReduceOnly or Paused.

use crate::error::RingfenceError;
use crate::events::MarketStatusSet;
use crate::state::{Exchange, Market, MarketStatus, EXCHANGE_SEED};
use anchor_lang::prelude::*;

/// Accounts of `set_market_status`.
#[derive(Accounts)]
pub struct SetMarketStatus<'info> {
    /// The admin.
    pub admin: Signer<'info>,
    /// The exchange.
    #[account(seeds = [EXCHANGE_SEED], bump = exchange.bump, has_one = admin @ RingfenceError::NotAdmin)]
    pub exchange: Account<'info, Exchange>,
    /// The market.
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
}

impl SetMarketStatus<'_> {
    /// Stores `status`.
    pub fn handler(ctx: Context<SetMarketStatus>, status: MarketStatus) -> Result<()> {
        let mut market = ctx.accounts.market.load_mut()?;
        market.status = status as u8;
        crate::events::emit(MarketStatusSet {
            index: market.index,
            status,
        });
        Ok(())
    }
}
