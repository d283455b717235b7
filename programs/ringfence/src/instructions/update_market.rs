//! Replaces a market's risk, fee and funding parameters within the protocol's hard limits.
//! The oracle source cannot change: positions were opened against it.

use crate::error::RingfenceError;
use crate::events::MarketUpdated;
use crate::state::{Exchange, Market, MarketParams, EXCHANGE_SEED};
use anchor_lang::prelude::*;

/// Accounts of `update_market`.
#[derive(Accounts)]
pub struct UpdateMarket<'info> {
    /// The admin.
    pub admin: Signer<'info>,
    /// The exchange.
    #[account(seeds = [EXCHANGE_SEED], bump = exchange.bump, has_one = admin @ RingfenceError::NotAdmin)]
    pub exchange: Account<'info, Exchange>,
    /// The market to update.
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
}

impl UpdateMarket<'_> {
    /// Validates and stores `params`.
    pub fn handler(ctx: Context<UpdateMarket>, params: MarketParams) -> Result<()> {
        params.validate()?;
        let mut market = ctx.accounts.market.load_mut()?;
        let previous = market.params;
        market.params = params;
        emit!(MarketUpdated {
            index: market.index,
            previous,
            params,
        });
        Ok(())
    }
}
