//! Funding: a skew-based hourly rate accrued continuously into a cumulative index (quote per
//! whole base unit, the unit of a price). A position owes base × (index now − its snapshot).

use super::fixed_point::{checked, div, mul_div, to_i64_ceil, to_i64_floor, MathResult, Round};
use super::units::{base_value, PPM};
use fixed::types::I80F48;

/// Seconds per hour: rates are quoted per hour.
pub const SECONDS_PER_HOUR: i128 = 3_600;

/// Skew pressure = clamp(skew notional / skew_scale, ±1): the fraction of the maximum rate that
/// applies. Positive when longs crowd.
pub fn skew_pressure(skew_notional: I80F48, skew_scale: u64) -> MathResult<I80F48> {
    Ok(div(skew_notional, I80F48::from_num(skew_scale))?.clamp(-I80F48::ONE, I80F48::ONE))
}

/// Rate per hour = pressure × max rate (display and events; accrual uses `index_delta`).
pub fn funding_rate(pressure: I80F48, max_rate_ppm: u32) -> MathResult<I80F48> {
    mul_div(
        pressure,
        i128::from(max_rate_ppm),
        i128::from(PPM),
        Round::Down,
    )
}

/// Seconds of funding one update accrues: all the time since the last update (never negative).
pub fn accrual_seconds(now: i64, last_update: i64) -> i64 {
    now.saturating_sub(last_update).max(0)
}

/// Index change = pressure × max rate × mark × seconds / 3600, computed as one
/// multiply-then-divide so that it is exact whenever it can be.
pub fn index_delta(
    pressure: I80F48,
    max_rate_ppm: u32,
    mark: I80F48,
    seconds: i64,
) -> MathResult<I80F48> {
    let pressure_value = checked(pressure.checked_mul(mark))?;
    let numerator = checked(i128::from(max_rate_ppm).checked_mul(i128::from(seconds)))?;
    mul_div(
        pressure_value,
        numerator,
        i128::from(PPM) * SECONDS_PER_HOUR,
        Round::Down,
    )
}

/// What a position of `base` owes (positive) or receives (negative) for an index move of
/// `index_move`, quote native, rounded up: the trader pays the extra unit or receives one less.
pub fn position_funding(base: i64, index_move: I80F48) -> MathResult<i64> {
    to_i64_ceil(base_value(base, index_move, Round::Up)?)
}

/// What the pool receives (positive) or pays (negative) when the index moves by `index_move`
/// with traders net long `net_base`: the traders' net payment, rounded down, so traders'
/// rounded-up payments always cover it and the remainder stays in the market's ledger.
pub fn pool_funding(net_base: i64, index_move: I80F48) -> MathResult<i64> {
    to_i64_floor(base_value(net_base, index_move, Round::Down)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::fixed_point::from_i64;
    use proptest::prelude::*;

    const USD: i64 = 1_000_000;
    const BTC: i64 = 1_000_000_000;

    fn fx(s: &str) -> I80F48 {
        s.parse().unwrap()
    }

    #[test]
    fn pressure_scales_with_skew_and_clamps_at_one() {
        let scale = 10_000 * USD as u64;
        assert_eq!(
            skew_pressure(from_i64(5_000 * USD), scale).unwrap(),
            fx("0.5")
        );
        assert_eq!(
            skew_pressure(from_i64(20_000 * USD), scale).unwrap(),
            I80F48::ONE
        );
        assert_eq!(
            skew_pressure(from_i64(-20_000 * USD), scale).unwrap(),
            -I80F48::ONE
        );
        assert_eq!(skew_pressure(I80F48::ZERO, scale).unwrap(), I80F48::ZERO);
        let rate = funding_rate(fx("0.5"), 100).unwrap();
        assert!((rate - fx("0.00005")).abs() <= I80F48::DELTA);
    }

    #[test]
    fn the_index_moves_by_rate_times_mark_per_hour_exactly() {
        // Full pressure at 100 ppm/h of $50,000: $5 per BTC an hour, $2.50 per half hour;
        // half pressure for an hour: $2.50. All exact.
        assert_eq!(
            index_delta(I80F48::ONE, 100, from_i64(50_000), 3_600).unwrap(),
            fx("5")
        );
        assert_eq!(
            index_delta(I80F48::ONE, 100, from_i64(50_000), 1_800).unwrap(),
            fx("2.5")
        );
        assert_eq!(
            index_delta(fx("0.5"), 100, from_i64(50_000), 3_600).unwrap(),
            fx("2.5")
        );
        assert_eq!(
            index_delta(-I80F48::ONE, 100, from_i64(50_000), 3_600).unwrap(),
            fx("-5")
        );
        assert_eq!(
            index_delta(I80F48::ONE, 100, from_i64(50_000), 0).unwrap(),
            I80F48::ZERO
        );
    }

    #[test]
    fn longs_pay_and_shorts_receive_when_the_index_rises() {
        // Index +$5 per BTC: a 0.2 BTC long owes $1, a 0.1 BTC short receives $0.50.
        assert_eq!(position_funding(BTC / 5, fx("5")).unwrap(), USD);
        assert_eq!(position_funding(-BTC / 10, fx("5")).unwrap(), -USD / 2);
        // Net long 0.1 BTC: the pool receives $0.50.
        assert_eq!(pool_funding(BTC / 10, fx("5")).unwrap(), USD / 2);
    }

    #[test]
    fn accrual_covers_all_elapsed_time_and_is_never_negative() {
        // All elapsed time, however long: nothing is forgiven or left for later.
        assert_eq!(accrual_seconds(10_000, 1_000), 9_000);
        assert_eq!(accrual_seconds(1_500, 1_000), 500);
        assert_eq!(accrual_seconds(900, 1_000), 0);
    }

    proptest! {
        #[test]
        fn traders_rounded_payments_always_cover_the_pool(
            longs in prop::collection::vec(1i64..10 * BTC, 1..6),
            shorts in prop::collection::vec(1i64..10 * BTC, 1..6),
            index_move_micro in -50_000_000i64..50_000_000,
        ) {
            let index_move = from_i64(index_move_micro) / 1_000_000;
            let paid: i64 = longs.iter().map(|&b| position_funding(b, index_move).unwrap())
                .chain(shorts.iter().map(|&b| position_funding(-b, index_move).unwrap()))
                .sum();
            let net: i64 = longs.iter().sum::<i64>() - shorts.iter().sum::<i64>();
            let pool = pool_funding(net, index_move).unwrap();
            let remainder = paid - pool;
            // Zero-sum up to rounding, and the remainder is the protocol's, never negative.
            prop_assert!(remainder >= 0);
            prop_assert!(remainder <= (longs.len() + shorts.len()) as i64 + 1);
        }
    }
}
