//! The pool's valuation in O(1) accounts. Each market with open interest keeps its *terms*:
//! the traders' PnL in that market at its last used mark, valued two ways, its net exposure and
//! the equity its open interest needs under the pool cap. The pool keeps their sums. `revalue`
//! is the one place terms change, and every instruction that prices a market (fills, funding,
//! liquidation, `refresh_pool_valuation`) calls it, so LP flows read only the `Pool`. Time is
//! cut into windows of half `max_valuation_age_s`; LP flows need every market with open
//! interest valued in the current or the previous window.
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
    let oi_required = oi_required(market, market.open_interest_long, mark)?.max(oi_required(
        market,
        market.open_interest_short,
        mark,
    )?);
    Ok(MarketTerms {
        pnl: to_i64_floor(long_low.try_add(short_low)?)?,
        profit,
        exposure: ceil_u64(notional(market.net_base()?, mark)?)?,
        oi_required,
    })
}

/// The pool equity plus insurance that one side of `market` holding `side` base atoms needs
/// under `max_side_oi_pool_bps`, at `mark`, rounded up.
pub fn oi_required(market: &Market, side: u64, mark: I80F48) -> Result<u64> {
    let required = mul_div(
        notional(signed(side)?, mark)?,
        i128::from(BPS),
        i128::from(market.params.max_side_oi_pool_bps.max(1)),
        Round::Up,
    )?;
    ceil_u64(required)
}

/// Values `market` at `mark` into the pool's sums (the one place terms change) and records
/// that it was valued in the current window.
pub fn revalue(market: &mut Market, pool: &mut Pool, mark: I80F48, now: i64) -> Result<()> {
    let terms = market_terms(market, mark)?;
    pool.traders_pnl = replace_i64(pool.traders_pnl, market.valued_pnl, terms.pnl)?;
    pool.traders_profit = replace_u64(pool.traders_profit, market.valued_profit, terms.profit)?;
    pool.total_exposure = replace_u64(pool.total_exposure, market.valued_exposure, terms.exposure)?;
    market.valued_pnl = terms.pnl;
    market.valued_profit = terms.profit;
    market.valued_exposure = terms.exposure;
    market.valued_mark.set(mark);

    roll_window(pool, now);
    let was_active = market.valued_active == 1;
    let active = market.open_interest_long > 0 || market.open_interest_short > 0;
    if was_active {
        uncount(market, pool)?;
    }
    if active {
        pool.window_markets = step(pool.window_markets, 1)?;
        pool.window_oi_required = pool.window_oi_required.max(terms.oi_required);
    }
    pool.active_markets = match (was_active, active) {
        (false, true) => step(pool.active_markets, 1)?,
        (true, false) => step(pool.active_markets, -1)?,
        _ => pool.active_markets,
    };
    market.valued_active = u8::from(active);
    market.valued_window = pool.valuation_window;
    Ok(())
}

/// The window `now` falls in.
fn window_of(pool: &Pool, now: i64) -> i64 {
    now.div_euclid(pool.window_s())
}

/// Moves the pool's counts to `now`'s window: the current window becomes the previous one
/// after one window, and both are forgotten after two.
fn roll_window(pool: &mut Pool, now: i64) {
    let window = window_of(pool, now);
    if window == pool.valuation_window {
        return;
    }
    if window == pool.valuation_window + 1 {
        pool.previous_window_markets = pool.window_markets;
        pool.previous_window_oi_required = pool.window_oi_required;
    } else {
        pool.previous_window_markets = 0;
        pool.previous_window_oi_required = 0;
    }
    pool.window_markets = 0;
    pool.window_oi_required = 0;
    pool.valuation_window = window;
}

/// Takes an active market's last valuation out of the window that counts it.
fn uncount(market: &Market, pool: &mut Pool) -> Result<()> {
    if market.valued_window == pool.valuation_window {
        pool.window_markets = step(pool.window_markets, -1)?;
    } else if market.valued_window == pool.valuation_window - 1 {
        pool.previous_window_markets = step(pool.previous_window_markets, -1)?;
    }
    Ok(())
}

/// Markets with open interest valued in the current or previous window as of `now`, and at
/// least the largest equity their open interest needs (the maximum over those windows'
/// valuations, so a market that shrank within them still counts at its larger size).
fn recent(pool: &Pool, now: i64) -> (u16, u64) {
    let window = window_of(pool, now);
    if pool.active_markets == 0 {
        (0, 0)
    } else if window == pool.valuation_window {
        (
            pool.window_markets + pool.previous_window_markets,
            pool.window_oi_required
                .max(pool.previous_window_oi_required),
        )
    } else if window == pool.valuation_window + 1 {
        (pool.window_markets, pool.window_oi_required)
    } else {
        (0, 0)
    }
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

/// Refuses LP flows unless every market with open interest was valued in the current or the
/// previous window (so within `max_valuation_age_s`).
pub fn check_fresh(pool: &Pool, now: i64) -> Result<()> {
    require!(
        recent(pool, now).0 >= pool.active_markets,
        RingfenceError::PoolValuationStale
    );
    Ok(())
}

/// Refuses a pool state, after removing `removed` tokens at `now`, in which the summed net
/// exposure exceeds the pool's lower equity, or some market's open interest exceeds its share
/// of that equity plus `insurance` (valuations checked fresh by `check_fresh`).
pub fn check_pool_caps(pool: &Pool, insurance: u64, removed: u64, now: i64) -> Result<()> {
    let oi_required = recent(pool, now).1;
    let equity = pool_equity(pool, LpFlow::Withdrawal) - i128::from(removed);
    require!(
        i128::from(pool.total_exposure) <= equity,
        RingfenceError::PoolExposureExceeded
    );
    require!(
        i128::from(oi_required) <= equity + i128::from(insurance),
        RingfenceError::PoolOpenInterestCapExceeded
    );
    Ok(())
}

/// Refuses an insurance withdrawal that would leave some market's open interest above its
/// share of pool equity plus what insurance remains (the open-interest cap counts on it).
pub fn check_insurance_floor(pool: &Pool, insurance_after: u64, now: i64) -> Result<()> {
    check_fresh(pool, now)?;
    let oi_required = recent(pool, now).1;
    let equity = pool_equity(pool, LpFlow::Withdrawal);
    require!(
        i128::from(oi_required) <= equity + i128::from(insurance_after),
        RingfenceError::InsuranceBelowFloor
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Pool;

    const USD: i64 = 1_000_000;
    const BTC: u64 = 1_000_000_000;

    /// Longs hold 2 BTC entered at $50,000, shorts 1 BTC entered at $50,000.
    fn market() -> Market {
        let mut market: Market = bytemuck::Zeroable::zeroed();
        market.params.max_side_oi_pool_bps = 20_000;
        market.open_interest_long = 2 * BTC;
        market.open_interest_short = BTC;
        market.quote_entry_long = -100_000 * USD;
        market.quote_entry_short = 50_000 * USD;
        market
    }

    fn pool() -> Pool {
        Pool {
            balance: 1_000_000 * USD as u64,
            total_shares: 1,
            ..Pool::new(0, 0, 60)
        }
    }

    #[test]
    fn terms_count_losses_for_depositors_and_only_profits_for_withdrawers() {
        let mut market = market();
        market.funding_ledger = -300 * USD;
        // At $55,000: longs +$10,000, shorts −$5,000, net +$5,000; the withdrawal term is the
        // longs' $10,000 plus the $300 of funding the pool was credited and not yet paid.
        let terms = market_terms(&market, I80F48::from_num(55_000)).unwrap();
        assert_eq!(terms.pnl, 5_000 * USD);
        assert_eq!(terms.profit, 10_300 * USD as u64);
        assert_eq!(terms.exposure, 55_000 * USD as u64);
        // The larger side, $110,000, at 200% of pool equity + insurance needs $55,000.
        assert_eq!(terms.oi_required, 55_000 * USD as u64);

        let mut pool = pool();
        revalue(&mut market, &mut pool, I80F48::from_num(55_000), 100).unwrap();
        assert_eq!(
            pool_equity(&pool, LpFlow::Deposit),
            995_000 * i128::from(USD)
        );
        assert_eq!(
            pool_equity(&pool, LpFlow::Withdrawal),
            989_700 * i128::from(USD)
        );
        // Back at $50,000 the sums are replaced, not added to.
        revalue(&mut market, &mut pool, I80F48::from_num(50_000), 100).unwrap();
        assert_eq!(
            (pool.traders_pnl, pool.traders_profit),
            (0, 300 * USD as u64)
        );
        assert_eq!(pool.total_exposure, 50_000 * USD as u64);
    }

    #[test]
    fn a_valuation_is_fresh_for_two_windows_and_only_with_every_active_market() {
        // Windows of 30 s (age bound 60 s). Two markets with open interest.
        let mut pool = pool();
        let (mut a, mut b) = (market(), market());
        let mark = I80F48::from_num(50_000);
        revalue(&mut a, &mut pool, mark, 0).unwrap();
        revalue(&mut b, &mut pool, mark, 10).unwrap();
        assert_eq!(pool.active_markets, 2);
        check_fresh(&pool, 59).unwrap();
        assert!(check_fresh(&pool, 60).is_err());
        // a again at 45 s (window 1): fresh until b's window 0 expires at 60 s.
        revalue(&mut a, &mut pool, mark, 45).unwrap();
        assert!(check_fresh(&pool, 60).is_err());
        revalue(&mut b, &mut pool, mark, 61).unwrap();
        check_fresh(&pool, 61).unwrap();
        check_fresh(&pool, 89).unwrap();
        assert!(check_fresh(&pool, 90).is_err()); // a's window 1 is two windows back
                                                  // Closing every position of a market takes it out of the count.
        a.open_interest_long = 0;
        a.open_interest_short = 0;
        a.quote_entry_long = 0;
        a.quote_entry_short = 0;
        revalue(&mut a, &mut pool, mark, 95).unwrap();
        assert_eq!(pool.active_markets, 1);
        check_fresh(&pool, 95).unwrap();
        // Long after, with nothing open, any valuation is exact.
        b.open_interest_long = 0;
        b.open_interest_short = 0;
        b.quote_entry_long = 0;
        b.quote_entry_short = 0;
        revalue(&mut b, &mut pool, mark, 96).unwrap();
        check_fresh(&pool, 10_000).unwrap();
        assert_eq!((pool.traders_pnl, pool.total_exposure), (0, 0));
    }
}
