//! The margin check's edge: turns remaining accounts into verified (market, mark price) pairs,
//! exactly one per open position, and computes the sub-account's health with the pure engine.

use crate::error::RingfenceError;
use crate::funding::{funding_owed, index_at};
use crate::math::liquidation::liquidation_target;
use crate::math::margin::{Health, PositionRisk};
use crate::math::I80F48;
use crate::oracle::mark_price;
use crate::state::{Market, Position, SubAccount, CROSS_POSITION_SLOTS};
use anchor_lang::prelude::*;

/// A market already loaded and priced by the instruction (the one it trades), so its pair is
/// not expected among the remaining accounts.
pub struct PricedMarket<'a> {
    /// The market's address.
    pub key: Pubkey,
    /// The market.
    pub market: &'a Market,
    /// Its checked mark price.
    pub mark: I80F48,
}

/// Health of a sub-account. `remaining` must hold `[market, oracle]` for each open position
/// outside `named`, in any order, with nothing missing, extra, duplicated or foreign.
pub fn checked_health<'info>(
    sub_account: &SubAccount,
    positions: &[Position],
    remaining: &'info [AccountInfo<'info>],
    clock: &Clock,
    named: Option<&PricedMarket>,
) -> Result<Health> {
    Ok(checked_health_detail(sub_account, positions, remaining, clock, named)?.health)
}

/// A sub-account's health with each position slot's maintenance requirement beside it.
pub struct HealthDetail {
    /// The sub-account's health.
    pub health: Health,
    /// Maintenance requirement of the position in each slot (zero for an empty slot).
    pub maintenance: [I80F48; CROSS_POSITION_SLOTS],
}

/// `checked_health`, also reporting each position's maintenance requirement (liquidation
/// closes the largest first).
pub fn checked_health_detail<'info>(
    sub_account: &SubAccount,
    positions: &[Position],
    remaining: &'info [AccountInfo<'info>],
    clock: &Clock,
    named: Option<&PricedMarket>,
) -> Result<HealthDetail> {
    let named_index = named.map(|n| n.market.index);
    let named_key = named.map(|n| n.key);
    let expected = positions
        .iter()
        .filter(|p| p.is_open() && Some(p.market_index) != named_index)
        .count();
    require_gte!(
        remaining.len(),
        2 * expected,
        RingfenceError::MissingMarketAccount
    );
    require_eq!(
        remaining.len(),
        2 * expected,
        RingfenceError::UnexpectedMarketAccount
    );

    let mut health = Health::from_collateral(sub_account.collateral);
    let mut maintenance = [I80F48::ZERO; CROSS_POSITION_SLOTS];
    if let Some(named) = named {
        if let Some(slot) = positions
            .iter()
            .position(|p| p.is_open() && p.market_index == named.market.index)
        {
            maintenance[slot] = add_position(
                &mut health,
                &positions[slot],
                named.market,
                named.mark,
                clock.unix_timestamp,
            )?;
        }
    }
    let mut seen = [false; CROSS_POSITION_SLOTS];
    for pair in remaining.chunks_exact(2) {
        require!(
            Some(pair[0].key()) != named_key,
            RingfenceError::DuplicateMarketAccount
        );
        let loader = load_market(&pair[0])?;
        let market = loader.load()?;
        let slot = positions
            .iter()
            .position(|p| {
                p.is_open() && p.market_index == market.index && Some(market.index) != named_index
            })
            .ok_or(RingfenceError::UnexpectedMarketAccount)?;
        require!(!seen[slot], RingfenceError::DuplicateMarketAccount);
        seen[slot] = true;
        let mark = mark_price(&market, &pair[1], clock)?;
        maintenance[slot] = add_position(
            &mut health,
            &positions[slot],
            &market,
            mark,
            clock.unix_timestamp,
        )?;
    }
    Ok(HealthDetail {
        health,
        maintenance,
    })
}

/// Takes `amount` of free collateral out of a sub-account: refused when what stays would not
/// cover its initial requirement without unrealized profit (withdrawals and margin moves).
/// `remaining` carries every open position's pair.
pub fn debit_free_collateral<'info>(
    sub_account: &mut SubAccount,
    positions: &[Position],
    remaining: &'info [AccountInfo<'info>],
    amount: u64,
) -> Result<()> {
    let health = checked_health(sub_account, positions, remaining, &Clock::get()?, None)?;
    require_gte!(
        health.withdrawable()?,
        amount,
        RingfenceError::InsufficientFreeCollateral
    );
    let debit = i64::try_from(amount).map_err(|_| RingfenceError::MathOverflow)?;
    sub_account.collateral = sub_account
        .collateral
        .checked_sub(debit)
        .ok_or(RingfenceError::MathOverflow)?;
    // What stays covers IM, which is above the liquidation-end target.
    sub_account.being_liquidated = 0;
    Ok(())
}

/// Clears a stale liquidation flag after collateral came in (deposits, margin moves): when
/// `remaining` carries `[market, oracle]` for every open position and the sub-account's equity
/// is back at or above the liquidation-end target, it is no longer being liquidated. With no
/// pairs passed nothing is read (a deposit needs no price) and the flag stays.
pub fn unflag_if_recovered<'info>(
    sub_account: &mut SubAccount,
    positions: &[Position],
    remaining: &'info [AccountInfo<'info>],
) -> Result<()> {
    if remaining.is_empty() {
        return Ok(());
    }
    let health = checked_health(sub_account, positions, remaining, &Clock::get()?, None)?;
    if health.equity >= liquidation_target(&health)? {
        sub_account.being_liquidated = 0;
    }
    Ok(())
}

/// Health of a sub-account whose markets are already priced (off chain: keeper, SDK, web
/// preview, benchmarks); `priced` gives each position's market and checked mark.
pub fn health_with<'m>(
    sub_account: &SubAccount,
    positions: &[Position],
    now: i64,
    priced: impl FnMut(u16) -> Option<(&'m Market, I80F48)>,
) -> Result<Health> {
    Ok(health_detail_with(sub_account, positions, now, priced)?.health)
}

/// `health_with`, also reporting each position slot's maintenance requirement (what
/// `checked_health_detail` gives on chain; the SDK's stress test liquidates with it).
pub fn health_detail_with<'m>(
    sub_account: &SubAccount,
    positions: &[Position],
    now: i64,
    mut priced: impl FnMut(u16) -> Option<(&'m Market, I80F48)>,
) -> Result<HealthDetail> {
    let mut health = Health::from_collateral(sub_account.collateral);
    let mut maintenance = [I80F48::ZERO; CROSS_POSITION_SLOTS];
    for (slot, position) in positions.iter().enumerate().filter(|(_, p)| p.is_open()) {
        let (market, mark) =
            priced(position.market_index).ok_or(RingfenceError::MissingMarketAccount)?;
        maintenance[slot] = add_position(&mut health, position, market, mark, now)?;
    }
    Ok(HealthDetail {
        health,
        maintenance,
    })
}

/// A `Market` account of this program, or `InvalidMarketAccount`.
pub fn load_market<'info>(info: &'info AccountInfo<'info>) -> Result<AccountLoader<'info, Market>> {
    AccountLoader::<Market>::try_from(info).map_err(|_| RingfenceError::InvalidMarketAccount.into())
}

/// Adds one position to `health`; returns its maintenance requirement.
fn add_position(
    health: &mut Health,
    position: &Position,
    market: &Market,
    mark: I80F48,
    now: i64,
) -> Result<I80F48> {
    let risk = market.risk(mark);
    let owed = funding_owed(position, index_at(market, mark, now)?)?;
    let position_risk = PositionRisk::new(
        &market.position_input(position),
        &risk,
        I80F48::from_num(owed),
    )?;
    health.add(&position_risk, &risk)?;
    Ok(position_risk.maintenance_requirement)
}
