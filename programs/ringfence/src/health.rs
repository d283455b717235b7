//! The margin check's edge: turns remaining accounts into verified (market, mark price) pairs,
//! exactly one per open position, and computes the sub-account's health with the pure engine.

use crate::error::RingfenceError;
use crate::math::fixed_point::Round;
use crate::math::margin::{Health, PositionInput, PositionRisk};
use crate::math::units::base_value;
use crate::math::FixedExt;
use crate::oracle::mark_price;
use crate::state::{Market, Position, SubAccount};
use anchor_lang::prelude::*;

/// Health of a sub-account. `remaining` must hold `[market, oracle]` for each open position,
/// in any order, with nothing missing, extra, duplicated or foreign.
pub fn checked_health<'info>(
    sub_account: &SubAccount,
    positions: &[Position],
    remaining: &'info [AccountInfo<'info>],
    clock: &Clock,
) -> Result<Health> {
    let open = positions.iter().filter(|p| p.is_open()).count();
    require_gte!(
        remaining.len(),
        2 * open,
        RingfenceError::MissingMarketAccount
    );
    require_eq!(
        remaining.len(),
        2 * open,
        RingfenceError::UnexpectedMarketAccount
    );
    let mut health = Health::from_collateral(sub_account.collateral);
    let mut seen = [false; crate::state::CROSS_POSITION_SLOTS];
    for pair in remaining.chunks_exact(2) {
        let loader = load_market(&pair[0])?;
        let market = loader.load()?;
        let slot = positions
            .iter()
            .position(|p| p.is_open() && p.market_index == market.index)
            .ok_or(RingfenceError::UnexpectedMarketAccount)?;
        require!(!seen[slot], RingfenceError::DuplicateMarketAccount);
        seen[slot] = true;
        let mark = mark_price(&market, &pair[1], clock)?;
        add_position(&mut health, &positions[slot], &market, mark)?;
    }
    Ok(health)
}

/// A `Market` account of this program, or `InvalidMarketAccount`.
pub fn load_market<'info>(info: &'info AccountInfo<'info>) -> Result<AccountLoader<'info, Market>> {
    AccountLoader::<Market>::try_from(info).map_err(|_| RingfenceError::InvalidMarketAccount.into())
}

fn add_position(
    health: &mut Health,
    position: &Position,
    market: &Market,
    mark: crate::math::I80F48,
) -> Result<()> {
    let risk = market.risk(mark);
    let funding_delta = market
        .cumulative_funding
        .get()
        .try_sub(position.funding_snapshot.get())?;
    let funding_owed = base_value(position.base, funding_delta, Round::Up)?;
    let input = PositionInput {
        base: position.base,
        quote_entry: position.quote_entry,
        leverage: position.leverage,
    };
    let position_risk = PositionRisk::new(&input, &risk, funding_owed)?;
    health.add(&position_risk, &risk)?;
    Ok(())
}
