//! Fills against the pool: skew premium, fill price, the quote that changes hands, fees, and
//! the share of a position's entry quote released when it is reduced.

use super::fixed_point::{
    checked, div, mul_div, to_i64_ceil, to_i64_floor, FixedExt, MathResult, Round,
};
use super::units::{base_value, BPS};
use fixed::types::I80F48;

/// Premium on fills: the exact average of clamp(skew / skew_scale, ±max_premium) over the
/// skew path the trade walks, from `skew_before` to `skew_after` (the market's net long
/// notional, quote native, signed). The clamped function is linear between the knees at
/// ±max_premium × skew_scale and flat beyond them, so its integral is exact piece by piece;
/// splitting a trade never changes its total price, and a round trip over the same path pays
/// nothing but its fees. Rounded against the trader: up for a buy (skew rising), down for a
/// sell. Formula and a worked example: docs/TRADING.md.
pub fn skew_premium(
    skew_before: I80F48,
    skew_after: I80F48,
    skew_scale: u64,
    max_premium_bps: u16,
) -> MathResult<I80F48> {
    let cap = premium_cap(max_premium_bps)?;
    let scale = I80F48::from_num(skew_scale);
    let buying = skew_after > skew_before;
    let (low, high) = if buying {
        (skew_before, skew_after)
    } else {
        (skew_after, skew_before)
    };
    let average = if low == high {
        div(low, scale)?.clamp(-cap, cap)
    } else {
        div(
            premium_integral(low, high, scale, max_premium_bps, cap)?,
            high.try_sub(low)?,
        )?
    };
    // One unit in the last place against the trader covers the rounding of the divisions.
    let rounded = if buying {
        average.try_add(I80F48::DELTA)?
    } else {
        average.try_sub(I80F48::DELTA)?
    };
    Ok(rounded.clamp(-cap, cap))
}

/// The largest premium as a ratio (basis points / 10,000).
fn premium_cap(max_premium_bps: u16) -> MathResult<I80F48> {
    mul_div(
        I80F48::ONE,
        i128::from(max_premium_bps),
        i128::from(BPS),
        Round::Down,
    )
}

/// ∫ clamp(s / scale, ±cap) ds from `low` to `high` (low < high): −cap per unit of skew below
/// the lower knee, +cap above the upper knee, and the linear middle's length × its midpoint.
fn premium_integral(
    low: I80F48,
    high: I80F48,
    scale: I80F48,
    max_premium_bps: u16,
    cap: I80F48,
) -> MathResult<I80F48> {
    let knee = mul_div(
        scale,
        i128::from(max_premium_bps),
        i128::from(BPS),
        Round::Down,
    )?;
    let below = high.min(-knee).try_sub(low)?.max(I80F48::ZERO);
    let above = high.try_sub(low.max(knee))?.max(I80F48::ZERO);
    let clamped = checked(cap.checked_mul(above.try_sub(below)?))?;
    let (a, b) = (low.max(-knee), high.min(knee));
    if b <= a {
        return Ok(clamped);
    }
    let midpoint = div(mul_div(a.try_add(b)?, 1, 2, Round::Down)?, scale)?;
    let linear = checked(b.try_sub(a)?.checked_mul(midpoint))?;
    clamped.try_add(linear)
}

/// Fill price = oracle × (1 + premium), rounded against the trader (up for a buy, down for a
/// sell) unless it is exact (no premium).
pub fn fill_price(oracle: I80F48, premium: I80F48, buying: bool) -> MathResult<I80F48> {
    if premium == I80F48::ZERO {
        return Ok(oracle);
    }
    let product = checked(oracle.checked_mul(I80F48::ONE.try_add(premium)?))?;
    if buying {
        product.try_add(I80F48::DELTA)
    } else {
        product.try_sub(I80F48::DELTA)
    }
}

/// Quote native units the trader's entry quote changes by when its size changes by
/// `base_delta` at `fill`: −base_delta × fill / 1000, rounded down (a buyer pays the extra
/// unit, a seller receives one less).
pub fn fill_quote(base_delta: i64, fill: I80F48) -> MathResult<i64> {
    let value = base_value(base_delta, fill, Round::Up)?;
    to_i64_floor(checked(value.checked_neg())?)
}

/// A fee on the notional of `base_delta` atoms at `price` (taker fees, liquidation penalties),
/// quote native units: |base_delta| × price / 1000 × fee_bps / 10,000, rounded up.
pub fn fee_on_notional(base_delta: i64, price: I80F48, fee_bps: u16) -> MathResult<u64> {
    let notional = super::units::notional(base_delta, price)?;
    let fee = mul_div(notional, i128::from(fee_bps), i128::from(BPS), Round::Up)?;
    Ok(to_i64_ceil(fee)?.unsigned_abs())
}

/// Splits `amount` into (share, rest) with share = amount × share_bps / 10,000 rounded down.
pub fn split(amount: u64, share_bps: u16) -> MathResult<(u64, u64)> {
    let share = checked(u128::from(amount).checked_mul(u128::from(share_bps)))? / u128::from(BPS);
    let share = checked(u64::try_from(share).ok())?;
    Ok((share, amount - share))
}

/// The part of `quote_entry` released when `closed` of `base` atoms is closed (same sign),
/// rounded down, so the trader's realized PnL is never rounded up. Integer math in i128:
/// |quote_entry| × |closed| < 2^126 for every i64 pair, so no size overflows.
pub fn released_quote_entry(quote_entry: i64, base: i64, closed: i64) -> MathResult<i64> {
    checked((base != 0).then_some(()))?;
    let product = checked(i128::from(quote_entry).checked_mul(i128::from(closed.unsigned_abs())))?;
    let portion = checked(product.checked_div_euclid(i128::from(base.unsigned_abs())))?;
    checked(i64::try_from(portion).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::fixed_point::from_i64;

    const USD: i64 = 1_000_000;

    fn fx(s: &str) -> I80F48 {
        s.parse().unwrap()
    }

    const SCALE: u64 = 10_000_000 * USD as u64;

    fn premium(before: i64, after: i64) -> I80F48 {
        skew_premium(from_i64(before * USD), from_i64(after * USD), SCALE, 10).unwrap()
    }

    fn close_to(actual: I80F48, expected: I80F48) -> bool {
        (actual - expected).abs() <= I80F48::DELTA * 4
    }

    #[test]
    fn inside_the_knees_the_premium_is_the_midpoint_skew_over_the_scale() {
        // Skew $0 → $2,000 on a $10M scale: average $1,000, premium 0.01%.
        assert!(close_to(premium(0, 2_000), fx("0.0001")));
        // Far beyond the knee ($10k at 10 bps) the premium is the cap, −0.1% when short.
        assert_eq!(premium(-5_000_000, -6_000_000), -premium_cap(10).unwrap());
        assert!(close_to(premium_cap(10).unwrap(), fx("0.001")));
    }

    #[test]
    fn a_trade_crossing_a_knee_pays_the_exact_mix() {
        // $0 → $20,000: the first $10,000 averages 5 bps, the next $10,000 pays the 10 bps cap:
        // ($10,000 × 0.0005 + $10,000 × 0.001) / $20,000 = 0.00075.
        assert!(close_to(premium(0, 20_000), fx("0.00075")));
    }

    #[test]
    fn a_swing_across_zero_earns_only_the_skew_it_leaves_behind() {
        // The reviewed attack: skew +$1,000,000 → −$960,000 (a $1.96M sell). Averaging the
        // endpoints (+$20,000) clamps to the 10 bps cap on the whole $1.96M ($1,960 to the
        // seller). Exactly: −10 bps over the $950,000 below −$10k, +10 bps over the $990,000
        // above +$10k, zero net over the middle: $40 / $1,960,000 = 0.2041 bps.
        let expected = fx("40") / fx("1960000");
        assert!(close_to(premium(1_000_000, -960_000), expected));
    }

    #[test]
    fn the_same_path_costs_the_buyer_at_least_what_it_pays_the_seller() {
        assert!(premium(-300_000, 250_000) > premium(250_000, -300_000));
        assert!(premium(0, 0) > premium(1, 1) - fx("0.0000002"));
    }

    proptest::proptest! {
        #[test]
        fn splitting_a_trade_never_changes_its_total_premium(
            s0 in -3_000_000i64..3_000_000,
            s1 in -3_000_000i64..3_000_000,
            s2 in -3_000_000i64..3_000_000,
        ) {
            // premium × Δskew is the integral, so the parts add up to the whole (to rounding).
            let cost = |a: i64, b: i64| premium(a, b) * from_i64((b - a) * USD);
            let whole = cost(s0, s2);
            let parts = cost(s0, s1) + cost(s1, s2);
            let moved = (s1 - s0).abs() + (s2 - s1).abs() + (s2 - s0).abs();
            let tolerance = from_i64(moved * USD) * fx("0.0000000001") + fx("0.000001");
            proptest::prop_assert!((whole - parts).abs() <= tolerance, "{} vs {}", whole, parts);
            let cap = premium_cap(10).unwrap();
            proptest::prop_assert!(premium(s0, s2).abs() <= cap);
        }
    }

    #[test]
    fn buying_pays_the_extra_native_unit_and_selling_receives_one_less() {
        // 1 atom at $1.5: value 0.0015 native units.
        assert_eq!(fill_quote(1, fx("1.5")).unwrap(), -1);
        assert_eq!(fill_quote(-1, fx("1.5")).unwrap(), 0);
        // 0.2 BTC at 50,000 is exact both ways.
        assert_eq!(
            fill_quote(200_000_000, from_i64(50_000)).unwrap(),
            -10_000 * USD
        );
        assert_eq!(
            fill_quote(-200_000_000, from_i64(50_000)).unwrap(),
            10_000 * USD
        );
    }

    #[test]
    fn fees_on_notional_round_up() {
        // 5 bps of $10,000 = $5 exactly; of $0.01 it is 0.005 units, charged as 1.
        assert_eq!(
            fee_on_notional(200_000_000, from_i64(50_000), 5).unwrap(),
            5 * USD as u64
        );
        assert_eq!(fee_on_notional(10_000, fx("1"), 5).unwrap(), 1);
        assert_eq!(fee_on_notional(10_000, fx("1"), 0).unwrap(), 0);
    }

    #[test]
    fn split_gives_the_share_rounded_down_and_the_rest_exactly() {
        assert_eq!(split(1_001, 2_000).unwrap(), (200, 801));
        assert_eq!(split(u64::MAX, 10_000).unwrap(), (u64::MAX, 0));
    }

    #[test]
    fn releasing_part_of_the_entry_quote_rounds_against_the_trader() {
        // Long 3 atoms for −10 units: closing 1 releases floor(−10/3) = −4, leaving −6.
        assert_eq!(released_quote_entry(-10, 3, 1).unwrap(), -4);
        // Short 3 atoms for +10 units: closing 1 releases floor(10/3) = 3.
        assert_eq!(released_quote_entry(10, -3, -1).unwrap(), 3);
        assert_eq!(released_quote_entry(-10, 3, 3).unwrap(), -10);
    }
}
