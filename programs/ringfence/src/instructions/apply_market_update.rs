//! The admin applies a pending parameter change once its timelock has passed. Funding is first
//! accrued to now at the old parameters, so elapsed time is never re-priced at the new ones.

use crate::error::RingfenceError;
use crate::events::MarketUpdated;
use crate::funding::accrue;
use crate::oracle::mark_price;
use crate::state::{
    Exchange, Market, MarketUpdate, Pool, EXCHANGE_SEED, MARKET_UPDATE_SEED, POOL_SEED,
};
use anchor_lang::prelude::*;

/// Accounts of `apply_market_update`.
#[derive(Accounts)]
pub struct ApplyMarketUpdate<'info> {
    /// The admin; receives the pending change's rent.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The exchange.
    #[account(seeds = [EXCHANGE_SEED], bump = exchange.bump, has_one = admin @ RingfenceError::NotAdmin)]
    pub exchange: Account<'info, Exchange>,
    /// The market changed.
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    /// CHECK: the market's oracle, checked by `oracle::mark_price` (funding accrues first).
    pub oracle: UncheckedAccount<'info>,
    /// The pool, which takes the traders' net funding.
    #[account(mut, seeds = [POOL_SEED], bump = pool.bump)]
    pub pool: Account<'info, Pool>,
    /// The pending change, closed here.
    #[account(
        mut,
        close = admin,
        seeds = [MARKET_UPDATE_SEED, &market_update.market_index.to_le_bytes()],
        bump = market_update.bump
    )]
    pub market_update: Account<'info, MarketUpdate>,
}

impl ApplyMarketUpdate<'_> {
    /// Accrues funding at the old parameters, then stores the new ones.
    pub fn handler(ctx: Context<ApplyMarketUpdate>) -> Result<()> {
        let accounts = ctx.accounts;
        let clock = Clock::get()?;
        let update = &accounts.market_update;
        let mut market = accounts.market.load_mut()?;
        require_eq!(
            update.market_index,
            market.index,
            RingfenceError::UpdateMarketMismatch
        );
        require_gte!(
            clock.unix_timestamp,
            update.apply_after,
            RingfenceError::UpdateTimelocked
        );
        let mark = mark_price(&market, &accounts.oracle, &clock)?;
        accrue(&mut market, &mut accounts.pool, mark, clock.unix_timestamp)?;
        let previous = market.params;
        market.params = update.params;
        emit!(MarketUpdated {
            index: market.index,
            previous,
            params: update.params,
        });
        Ok(())
    }
}
