//! Permissionless: accrues funding and revalues the pool terms of the markets passed, so LP
//! flows (which read only the pool) find a recent valuation even when markets are idle. The
//! keeper calls it on its funding schedule, as many markets per transaction as fit.

use crate::error::RingfenceError;
use crate::events::PoolValuationRefreshed;
use crate::funding::accrue;
use crate::health::load_market;
use crate::oracle::fill_mark;
use crate::pool_equity::revalue;
use crate::state::{Pool, POOL_SEED};
use anchor_lang::prelude::*;

/// Accounts of `refresh_pool_valuation`. Remaining accounts: `[market (writable), oracle]` for
/// each market to refresh, at least one.
#[derive(Accounts)]
pub struct RefreshPoolValuation<'info> {
    /// The pool.
    #[account(mut, seeds = [POOL_SEED], bump = pool.bump)]
    pub pool: Account<'info, Pool>,
}

impl<'info> RefreshPoolValuation<'info> {
    /// Accrues and revalues each market passed at a price as fresh as a fill needs
    /// (`max_fill_age_s`), so a refresher cannot pick an older price.
    pub fn handler(ctx: Context<'info, RefreshPoolValuation<'info>>) -> Result<()> {
        let remaining = ctx.remaining_accounts;
        require!(
            !remaining.is_empty() && remaining.len().is_multiple_of(2),
            RingfenceError::InvalidRefreshAccounts
        );
        let clock = Clock::get()?;
        let pool = &mut ctx.accounts.pool;
        for pair in remaining.chunks_exact(2) {
            require!(pair[0].is_writable, RingfenceError::InvalidRefreshAccounts);
            let loader = load_market(&pair[0])?;
            let mut market = loader.load_mut()?;
            let mark = fill_mark(&mut market, &pair[1], &clock)?.price();
            accrue(&mut market, pool, mark, clock.unix_timestamp)?;
            revalue(&mut market, pool, mark, clock.unix_timestamp)?;
        }
        crate::events::emit(PoolValuationRefreshed {
            markets: (remaining.len() / 2) as u16,
            active_markets: pool.active_markets,
            traders_pnl: pool.traders_pnl,
            traders_profit: pool.traders_profit,
            total_exposure: pool.total_exposure,
        });
        Ok(())
    }
}
