//! The pool's valuation in O(1) accounts. Each market with open interest keeps its *terms*:
//! the traders' PnL in that market at its last used mark, valued two ways, its net exposure and
//! the equity its open interest needs under the pool cap. The pool keeps their sums. `revalue`
//! is the one place terms change, and every instruction that prices a market (fills, funding,
//! liquidation, `refresh_pool_valuation`) calls it, so LP flows read only the `Pool`.
//!
//! Depositors buy shares at the higher valuation (traders' losses count as collected), and
//! withdrawers redeem at the lower one (no loss counts, only profits per market side and the
//! funding credited to the pool that positions have not paid yet). See docs/POOL.md.

use crate::error::RingfenceError;
use crate::math::fixed_point::{from_i64, mul_div, to_i64_ceil, to_i64_floor, Round};
use crate::math::units::{base_value, notional, BPS};
use crate::math::{FixedExt, I80F48};
use crate::state::{Market, Pool};
use anchor_lang::prelude::*;

/// One market's contribution to the pool's valuation at a mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarketTerms {
    /// Traders' net unrealized PnL (losses counted), rounded down.
    pub pnl: i64,
    /// Traders' unrealized profit of each side that is in profit, plus the funding the pool was
    /// credited that positions have not paid yet, rounded up.
    pub profit: u64,
    /// |long − short| × mark, rounded up.
    pub exposure: u64,
    /// The pool equity plus insurance the larger side's open interest needs under
    /// `max_side_oi_pool_bps`, rounded up.
    pub oi_required: u64,
}

/// The terms of `market` at `mark`, from its open interest and entry quotes per side.
pub fn market_terms(market: &Market, mark: I80F48) -> Result<MarketTerms> {
    let long = signed(market.open_interest_long)?;
    let short = signed(market.open_interest_short)?
        .checked_neg()
        .ok_or(RingfenceError::MathOverflow)?;
    let side_pnl = |base: i64, quote: i64, round: Round| -> Result<I80F48> {
        Ok(base_value(base, mark, round)?.try_add(from_i64(quote))?)
    };
    let long_low = side_pnl(long, market.quote_entry_long, Round::Down)?;
    let short_low = side_pnl(short, market.quote_entry_short, Round::Down)?;
    let long_high = side_pnl(long, market.quote_entry_long, Round::Up)?;
    let short_high = side_pnl(short, market.quote_entry_short, Round::Up)?;
    let unpaid_funding = market.funding_ledger.min(0).unsigned_abs();
    let profit = ceil_u64(long_high.max(I80F48::ZERO))?
        .checked_add(ceil_u64(short_high.max(I80F48::ZERO))?)
        .and_then(|p| p.checked_add(unpaid_funding))
        .ok_or(RingfenceError::MathOverflow)?;
    let side_notional = notional(long, mark)?.max(notional(short, mark)?);
    let oi_required = mul_div(
        side_notional,
        i128::from(BPS),
        i128::from(market.params.max_side_oi_pool_bps.max(1)),
        Round::Up,
    )?;
    Ok(MarketTerms {
        pnl: to_i64_floor(long_low.try_add(short_low)?)?,
        profit,
        exposure: ceil_u64(notional(market.net_base()?, mark)?)?,
        oi_required: ceil_u64(oi_required)?,
    })
}

/// Values `market` at `mark` into the pool's sums (the one place terms change) and counts it
/// in the valuation epoch being built; completes the epoch once every market with open
/// interest has been counted.
pub fn revalue(market: &mut Market, pool: &mut Pool, mark: I80F48, now: i64) -> Result<()> {
    let terms = market_terms(market, mark)?;
    pool.traders_pnl = replace_i64(pool.traders_pnl, market.valued_pnl, terms.pnl)?;
    pool.traders_profit = replace_u64(pool.traders_profit, market.valued_profit, terms.profit)?;
    pool.total_exposure =
        replace_u64(pool.total_exposure, market.valued_exposure, terms.exposure)?;
    pool.oi_required = pool.oi_required.max(terms.oi_required);
    pool.epoch_oi_required = pool.epoch_oi_required.max(terms.oi_required);
    market.valued_pnl = terms.pnl;
    market.valued_profit = terms.profit;
    market.valued_exposure = terms.exposure;
    market.valued_mark.set(mark);

    let active = market.open_interest_long > 0 || market.open_interest_short > 0;
    let counted = market.valued_epoch == pool.valuation_epoch;
    match (market.valued_active == 1, active) {
        (false, true) => pool.active_markets = step(pool.active_markets, 1)?,
        (true, false) => {
            pool.active_markets = step(pool.active_markets, -1)?;
            if counted {
                pool.epoch_markets = step(pool.epoch_markets, -1)?;
            }
            market.valued_epoch = 0;
        }
        _ => {}
    }
    market.valued_active = u8::from(active);
    if active && !counted {
        if pool.epoch_markets == 0 {
            pool.epoch_started_ts = now;
        }
        pool.epoch_markets = step(pool.epoch_markets, 1)?;
        market.valued_epoch = pool.valuation_epoch;
    }
    complete_epoch_if_done(pool, now);
    Ok(())
}

/// Closes the epoch being built once it has counted every market with open interest: from
/// then on every term is at least as recent as the epoch's first refresh.
fn complete_epoch_if_done(pool: &mut Pool, now: i64) {
    if pool.epoch_markets < pool.active_markets {
        return;
    }
    pool.valued_since_ts = if pool.epoch_markets == 0 {
        now
    } else {
        pool.epoch_started_ts
    };
    pool.valuation_epoch += 1;
    pool.epoch_markets = 0;
    pool.oi_required = pool.epoch_oi_required;
    pool.epoch_oi_required = 0;
}

/// Which LP flow a valuation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LpFlow {
    /// Buying shares: the higher valuation (traders' losses count as collectable).
    Deposit,
    /// Redeeming shares: the lower valuation (no trader loss counts).
    Withdrawal,
}

/// The pool's equity for `flow`, quote native: balance − traders' terms − unfunded claims.
pub fn pool_equity(pool: &Pool, flow: LpFlow) -> i128 {
    let traders = match flow {
        LpFlow::Deposit => i128::from(pool.traders_pnl),
        LpFlow::Withdrawal => i128::from(pool.traders_profit),
    };
    i128::from(pool.balance) - traders - i128::from(pool.unfunded_claims())
}

/// Refuses LP flows on a valuation older than the pool's bound (some market with open interest
/// has not been refreshed since).
pub fn check_fresh(pool: &Pool, now: i64) -> Result<()> {
    let age = now.saturating_sub(pool.valued_since_ts);
    require!(
        pool.active_markets == 0 || age <= i64::from(pool.max_valuation_age_s),
        RingfenceError::PoolValuationStale
    );
    Ok(())
}

/// Refuses a pool state, after removing `removed` tokens, in which the summed net exposure
/// exceeds the pool's lower equity, or some market's open interest exceeds its share of
/// that equity plus `insurance`.
pub fn check_pool_caps(pool: &Pool, insurance: u64, removed: u64) -> Result<()> {
    let equity = pool_equity(pool, LpFlow::Withdrawal) - i128::from(removed);
    require!(
        i128::from(pool.total_exposure) <= equity,
        RingfenceError::PoolExposureExceeded
    );
    require!(
        i128::from(pool.oi_required) <= equity + i128::from(insurance),
        RingfenceError::PoolOpenInterestCapExceeded
    );
    Ok(())
}

fn step(count: u16, by: i16) -> Result<u16> {
    count
        .checked_add_signed(by)
        .ok_or_else(|| RingfenceError::MathOverflow.into())
}

fn signed(value: u64) -> Result<i64> {
    i64::try_from(value).map_err(|_| RingfenceError::MathOverflow.into())
}

fn ceil_u64(value: I80F48) -> Result<u64> {
    u64::try_from(to_i64_ceil(value)?).map_err(|_| RingfenceError::MathOverflow.into())
}

fn replace_i64(sum: i64, old: i64, new: i64) -> Result<i64> {
    sum.checked_sub(old)
        .and_then(|s| s.checked_add(new))
        .ok_or_else(|| RingfenceError::MathOverflow.into())
}

fn replace_u64(sum: u64, old: u64, new: u64) -> Result<u64> {
    sum.checked_sub(old)
        .and_then(|s| s.checked_add(new))
        .ok_or_else(|| RingfenceError::MathOverflow.into())
}
