//! Funding between instructions and math: accrual into a market's index (the pool takes the
//! traders' net side at once) and lazy settlement of each position into its collateral.

use crate::error::RingfenceError;
use crate::events::{FundingAccrued, FundingSettled};
use crate::math::fixed_point::Round;
use crate::math::funding::{
    accrual_seconds, funding_rate, index_delta, pool_funding, position_funding, skew_pressure,
};
use crate::math::units::base_value;
use crate::math::{FixedExt, I80F48};
use crate::state::{Market, Pool, Position, SubAccount};
use anchor_lang::prelude::*;

/// What accrual from the last update to `now` would do.
struct Pending {
    /// Fraction of the maximum rate that applies (skew / scale, clamped to ±1).
    pressure: I80F48,
    /// Index change.
    delta: I80F48,
    /// Seconds accrued (capped).
    seconds: i64,
}

fn pending(market: &Market, mark: I80F48, now: i64) -> Result<Pending> {
    let params = &market.params;
    let seconds = accrual_seconds(now, market.last_funding_ts);
    let skew = base_value(market.net_base()?, mark, Round::Down)?;
    let pressure = skew_pressure(skew, params.skew_scale)?;
    let delta = index_delta(pressure, params.max_funding_rate_ppm, mark, seconds)?;
    Ok(Pending {
        pressure,
        delta,
        seconds,
    })
}

/// The funding index as it would be after accruing to `now` (margin checks count funding up
/// to now without writing the market).
pub fn index_at(market: &Market, mark: I80F48, now: i64) -> Result<I80F48> {
    let delta = pending(market, mark, now)?.delta;
    Ok(market.cumulative_funding.get().try_add(delta)?)
}

/// What `position` owes (positive) or is owed at funding index `index`, quote native, exactly
/// as settlement will charge it.
pub fn funding_owed(position: &Position, index: I80F48) -> Result<i64> {
    let moved = index.try_sub(position.funding_snapshot.get())?;
    Ok(position_funding(position.base, moved)?)
}

/// Accrues funding from the last update to `now`: the index moves by rate × mark × seconds /
/// 3600 and the pool receives or pays the traders' net side, which the market's ledger records
/// until positions settle. Every second since the last accrual is charged, at the skew and mark
/// before the instruction's own trade: none is forgiven, and none is left for a later accrual
/// that a newly opened position could collect.
pub fn accrue(market: &mut Market, pool: &mut Pool, mark: I80F48, now: i64) -> Result<()> {
    let Pending {
        pressure,
        delta,
        seconds,
    } = pending(market, mark, now)?;
    let rate = funding_rate(pressure, market.params.max_funding_rate_ppm)?;
    // The rate follows the net skew and the pool holds the other side of it, so the pool
    // only ever receives funding (net × index move ≥ 0).
    let to_pool = pool_funding(market.net_base()?, delta)?;
    pool.credit(u64::try_from(to_pool).map_err(|_| RingfenceError::MathOverflow)?)?;
    market.funding_ledger = market
        .funding_ledger
        .checked_sub(to_pool)
        .ok_or(RingfenceError::MathOverflow)?;
    market
        .cumulative_funding
        .set(market.cumulative_funding.get().try_add(delta)?);
    market.funding_rate.set(rate);
    market.last_funding_ts = market
        .last_funding_ts
        .checked_add(seconds)
        .ok_or(RingfenceError::MathOverflow)?;
    crate::events::emit(FundingAccrued {
        market_index: market.index,
        rate_bits: rate.to_bits(),
        index_bits: market.cumulative_funding.get().to_bits(),
        seconds,
        pool_funding: to_pool,
    });
    Ok(())
}

/// Settles `position`'s funding to the market's index into `sub_account`'s collateral.
pub fn settle(
    sub_account: &mut SubAccount,
    position: &mut Position,
    market: &mut Market,
    key: Pubkey,
) -> Result<()> {
    let index = market.cumulative_funding.get();
    let owed = funding_owed(position, index)?;
    sub_account.collateral = sub_account
        .collateral
        .checked_sub(owed)
        .ok_or(RingfenceError::MathOverflow)?;
    market.funding_ledger = market
        .funding_ledger
        .checked_add(owed)
        .ok_or(RingfenceError::MathOverflow)?;
    position.funding_snapshot.set(index);
    crate::events::emit(FundingSettled {
        sub_account: key,
        market_index: market.index,
        paid: owed,
        collateral: sub_account.collateral,
    });
    Ok(())
}
