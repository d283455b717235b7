//! How much a liquidation closes: just enough of one position for the sub-account's equity to
//! reach the liquidation-end target, half-way from maintenance to initial margin.

use super::fixed_point::{div, from_i64, mul_div, to_i64_ceil, FixedExt, MathResult, Round};
use super::margin::{Health, PositionRisk};
use super::units::{notional, BPS};
use fixed::types::I80F48;

/// A position left with less notional than this (quote native, $10) is closed whole.
pub const DUST_NOTIONAL: i64 = 10_000_000;
/// Extra equity (quote native) a partial liquidation aims for, covering the rounding of the
/// penalty and the fill.
const TARGET_SLACK: i64 = 2;

/// The liquidation-end target: MM + (IM − MM) / 2, rounded up. It is above MM whenever IM is,
/// which `Market::position_input` (leverage capped at the market's maximum) and the parameter
/// bounds guarantee for every position.
pub fn liquidation_target(health: &Health) -> MathResult<I80F48> {
    let sum = health
        .initial_requirement
        .try_add(health.maintenance_requirement)?;
    mul_div(sum, 1, 2, Round::Up)
}

/// The penalty a liquidation may take: the nominal `penalty` (quote native) but never more than
/// the equity above zero that remains after the fill, so a penalty never enlarges bad debt.
pub fn penalty_within_equity(penalty: u64, equity: I80F48) -> MathResult<u64> {
    if equity <= I80F48::ZERO {
        return Ok(0);
    }
    let floor = super::fixed_point::to_i64_floor(equity)?.unsigned_abs();
    Ok(penalty.min(floor))
}

/// What closing the last `closed` atoms of a bankrupt account's position at `mark` earns its
/// liquidator from the insurance fund: the liquidation fee on the closed notional rounded down,
/// at most `cap` (the market's keeper fee). It is paid only by the call that closes a position
/// completely, so chunking a close never earns more than closing it whole (at most `cap` per
/// position), and an owner's own loss, at least its initial margin, always exceeds it.
pub fn bankruptcy_bounty(
    closed: i64,
    mark: I80F48,
    liquidation_fee_bps: u16,
    cap: u64,
) -> MathResult<u64> {
    let fee = mul_div(
        notional(closed, mark)?,
        i128::from(liquidation_fee_bps),
        i128::from(BPS),
        Round::Down,
    )?;
    Ok(super::fixed_point::to_i64_floor(fee)?
        .unsigned_abs()
        .min(cap))
}

/// Whether a liquidator may act on a sub-account with `health`: below maintenance, or a
/// liquidation already in progress (`being_liquidated`) that has not reached the target.
pub fn may_liquidate(being_liquidated: bool, health: &Health) -> MathResult<bool> {
    Ok(health.below_maintenance()
        || (being_liquidated && health.equity < liquidation_target(health)?))
}

/// Atoms of the position (`base`, whose risk is `position`) to close at `mark` so the
/// sub-account's equity reaches the target, before any cap the caller sets; the whole position
/// when less would leave dust.
///
/// Closing a fraction f of a position removes f × (IM_i + MM_i) / 2 from the target (at least:
/// maintenance brackets are convex, so MM falls at least in proportion) and costs the penalty
/// f × fee × notional_i, so f = (target − equity) / ((IM_i + MM_i) / 2 − fee × notional_i).
pub fn liquidation_size(
    health: &Health,
    position: &PositionRisk,
    base: i64,
    mark: I80F48,
    liquidation_fee_bps: u16,
) -> MathResult<u64> {
    let held = base.unsigned_abs();
    let gap = liquidation_target(health)?
        .try_sub(health.equity)?
        .try_add(from_i64(TARGET_SLACK))?;
    if gap <= I80F48::ZERO {
        return Ok(0);
    }
    let penalty = mul_div(
        position.notional,
        i128::from(liquidation_fee_bps),
        i128::from(BPS),
        Round::Up,
    )?;
    let relief = mul_div(
        position
            .initial_requirement
            .try_add(position.maintenance_requirement)?,
        1,
        2,
        Round::Down,
    )?
    .try_sub(penalty)?;
    if relief <= I80F48::ZERO || gap >= relief {
        return Ok(held);
    }
    let fraction = div(gap, relief)?;
    let atoms = to_i64_ceil(mul_div(fraction, i128::from(held), 1, Round::Up)?)?.unsigned_abs();
    let closing = atoms.min(held);
    if below_dust(held - closing, mark)? {
        return Ok(held);
    }
    Ok(closing)
}

/// Whether `remaining` atoms at `mark` are less than `DUST_NOTIONAL` but more than nothing: a
/// liquidation closes the whole position rather than leave that behind.
pub fn below_dust(remaining: u64, mark: I80F48) -> MathResult<bool> {
    let remaining = i64::try_from(remaining).unwrap_or(i64::MAX);
    Ok(remaining > 0 && notional(remaining, mark)? < from_i64(DUST_NOTIONAL))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::margin::{MaintenanceBracket, MaintenanceSchedule, MarketRisk, PositionInput};

    const USD: i64 = 1_000_000;
    const BTC: i64 = 1_000_000_000;

    fn long_at(mark: i64, collateral: i64) -> (Health, PositionRisk) {
        let market = MarketRisk {
            mark: from_i64(mark),
            maintenance: MaintenanceSchedule::new(&[MaintenanceBracket {
                up_to_notional: I80F48::ZERO,
                ratio_bps: 50,
            }]),
            upnl_initial_weight_bps: 5_000,
            im_size_scale: 0,
        };
        let position = PositionInput {
            base: BTC / 5,
            quote_entry: -10_000 * USD,
            leverage: 10,
        };
        let risk = PositionRisk::new(&position, &market, I80F48::ZERO).unwrap();
        let mut health = Health::from_collateral(collateral);
        health.add(&risk, &market).unwrap();
        (health, risk)
    }

    #[test]
    fn the_target_is_half_way_from_maintenance_to_initial() {
        // At 45,200: IM 904, MM 45.2, target 474.6.
        let (health, _) = long_at(45_200, 1_000 * USD);
        assert_eq!(liquidation_target(&health).unwrap(), from_i64(474_600_000));
    }

    #[test]
    fn a_partial_liquidation_closes_just_enough() {
        // Equity $40 at 45,200; relief per whole position 474.6 − 22.6 = $452; the gap
        // 434.6 (+ slack) is 96.15% of it: close 0.19230... BTC, leaving ~$348 (no dust).
        let (health, risk) = long_at(45_200, 1_000 * USD);
        let closing = liquidation_size(&health, &risk, BTC / 5, from_i64(45_200), 25).unwrap();
        let expected = ((434_600_002i128 * (BTC / 5) as i128 + 451_999_999) / 452_000_000) as u64;
        assert!(
            closing >= expected && closing <= expected + 1,
            "{closing} vs {expected}"
        );
    }

    #[test]
    fn when_the_penalty_eats_the_equity_the_whole_position_goes() {
        // Equity $20 at 45,100 against a $22.55 penalty: no partial close can reach the target.
        let (health, risk) = long_at(45_100, 1_000 * USD);
        assert_eq!(
            liquidation_size(&health, &risk, BTC / 5, from_i64(45_100), 25).unwrap(),
            (BTC / 5) as u64
        );
    }

    #[test]
    fn nothing_is_closed_above_the_target() {
        let (health, risk) = long_at(50_000, 1_000 * USD);
        assert_eq!(
            liquidation_size(&health, &risk, BTC / 5, from_i64(50_000), 25).unwrap(),
            0
        );
    }

    #[test]
    fn a_penalty_never_comes_out_of_negative_equity() {
        assert_eq!(penalty_within_equity(11_300_000, from_i64(-5)).unwrap(), 0);
        assert_eq!(penalty_within_equity(11_300_000, I80F48::ZERO).unwrap(), 0);
        // $5.50 of equity left: the $11.30 penalty is cut to $5.50 (rounded down).
        assert_eq!(
            penalty_within_equity(11_300_000, "5500000.9".parse().unwrap()).unwrap(),
            5_500_000
        );
        assert_eq!(
            penalty_within_equity(11_300_000, from_i64(20 * USD)).unwrap(),
            11_300_000
        );
    }

    #[test]
    fn a_bankruptcy_bounty_is_the_fee_capped_at_the_keeper_fee() {
        // 120 BTC at 47,000: the fee (0.25% of $5.64M = $14,100) is far above the $1 cap.
        let whole = bankruptcy_bounty(120 * BTC, from_i64(47_000), 25, USD as u64);
        assert_eq!(whole.unwrap(), USD as u64);
        // 0.001 BTC at 47,000 = $47: 0.25% = $0.1175, under the cap.
        let small = bankruptcy_bounty(BTC / 1_000, from_i64(47_000), 25, USD as u64);
        assert_eq!(small.unwrap(), 117_500);
    }

    #[test]
    fn dust_is_not_left_behind() {
        // The same 96.15% fraction applied to 0.005 BTC ($226) would leave 3.85%, about $8.70,
        // under the $10 dust line: the whole position is closed instead.
        let (health, risk) = long_at(45_200, 1_000 * USD);
        let closing = liquidation_size(&health, &risk, 5_000_000, from_i64(45_200), 25).unwrap();
        assert_eq!(closing, 5_000_000);
    }
}
