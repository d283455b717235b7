//! The admin applies a pending parameter change once its timelock has passed and before it
//! expires. Funding is first accrued to now at the old parameters, so elapsed time is never
//! re-priced at the new ones; a change of the premium curve waits until the open skew sits
//! inside both curves' linear part, so no open skew is re-priced at the new curve.

use crate::error::RingfenceError;
use crate::events::MarketUpdated;
use crate::funding::accrue;
use crate::math::fixed_point::{mul_div, Round};
use crate::math::units::{notional, BPS};
use crate::math::I80F48;
use crate::oracle::mark_price;
use crate::pool_equity::revalue;
use crate::state::{
    Exchange, Market, MarketParams, MarketUpdate, Pool, EXCHANGE_SEED, MARKET_UPDATE_SEED,
    POOL_SEED,
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

/// How long after its timelock a pending change may still be applied, seconds (7 days): a
/// change cannot be parked and sprung on traders at a moment of the admin's choosing.
pub const UPDATE_APPLY_WINDOW_S: i64 = 7 * 86_400;

/// Whether replacing `market`'s premium curve by `new`'s leaves every open position's price
/// path alone: either the curve is unchanged, or the net skew at `mark` lies within both
/// curves' knees, where a cap change alters nothing and a scale change at most
/// knee² / 2 × |1/scale_old − 1/scale_new| (about $5 on the BTC preset). Beyond a knee a change
/// would let a round trip open at one curve and close at the other: $10M long at a 10 bps cap,
/// the cap raised to 100 bps, then closed, nets the trader ≈ $79k from the pool.
fn premium_change_is_neutral(market: &Market, new: &MarketParams, mark: I80F48) -> Result<bool> {
    let old = &market.params;
    if old.skew_scale == new.skew_scale && old.max_premium_bps == new.max_premium_bps {
        return Ok(true);
    }
    let skew = notional(market.net_base()?, mark)?;
    let knee = |params: &MarketParams| {
        mul_div(
            I80F48::from_num(params.skew_scale),
            i128::from(params.max_premium_bps),
            i128::from(BPS),
            Round::Down,
        )
    };
    Ok(skew <= knee(old)?.min(knee(new)?))
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
        require!(
            clock.unix_timestamp <= update.apply_after.saturating_add(UPDATE_APPLY_WINDOW_S),
            RingfenceError::UpdateExpired
        );
        let mark = mark_price(&market, &accounts.oracle, &clock)?;
        require!(
            premium_change_is_neutral(&market, &update.params, mark)?,
            RingfenceError::PremiumChangeWithOpenSkew
        );
        accrue(&mut market, &mut accounts.pool, mark, clock.unix_timestamp)?;
        let previous = market.params;
        market.params = update.params;
        revalue(&mut market, &mut accounts.pool, mark, clock.unix_timestamp)?;
        crate::events::emit(MarketUpdated {
            index: market.index,
            previous,
            params: update.params,
        });
        Ok(())
    }
}
