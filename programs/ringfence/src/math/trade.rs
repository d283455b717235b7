//! Fills against the pool: skew premium, fill price, the quote that changes hands, fees, and
//! the share of a position's entry quote released when it is reduced.

use super::fixed_point::{
    checked, div, from_i64, mul_div, to_i64_ceil, to_i64_floor, FixedExt, MathResult, Round,
};
use super::units::{base_value, BPS};
use fixed::types::I80F48;

/// Premium on fills: clamp(average of the skew before and after the fill / skew_scale,
/// ±max_premium). `skew_*` are the market's net long notional (quote native, signed).
pub fn skew_premium(
    skew_before: I80F48,
    skew_after: I80F48,
    skew_scale: u64,
    max_premium_bps: u16,
) -> MathResult<I80F48> {
    let average = mul_div(skew_before.try_add(skew_after)?, 1, 2, Round::Down)?;
    let premium = div(average, I80F48::from_num(skew_scale))?;
    let cap = mul_div(
        I80F48::ONE,
        i128::from(max_premium_bps),
        i128::from(BPS),
        Round::Down,
    )?;
    Ok(premium.clamp(-cap, cap))
}

/// Fill price = oracle × (1 + premium).
pub fn fill_price(oracle: I80F48, premium: I80F48) -> MathResult<I80F48> {
    checked(oracle.checked_mul(I80F48::ONE.try_add(premium)?))
}

/// Quote native units the trader's entry quote changes by when its size changes by
/// `base_delta` at `fill`: −base_delta × fill / 1000, rounded down (a buyer pays the extra
/// unit, a seller receives one less).
pub fn fill_quote(base_delta: i64, fill: I80F48) -> MathResult<i64> {
    let value = base_value(base_delta, fill, Round::Up)?;
    to_i64_floor(-value)
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
/// rounded down, so the trader's realized PnL is never rounded up.
pub fn released_quote_entry(quote_entry: i64, base: i64, closed: i64) -> MathResult<i64> {
    let (closed, base) = (i128::from(closed).abs(), i128::from(base).abs());
    let portion = mul_div(from_i64(quote_entry), closed, base, Round::Down)?;
    to_i64_floor(portion)
}

#[cfg(test)]
mod tests {
    use super::*;

    const USD: i64 = 1_000_000;

    fn fx(s: &str) -> I80F48 {
        s.parse().unwrap()
    }

    #[test]
    fn premium_is_the_average_skew_over_the_scale_clamped() {
        // Skew $0 → $2,000 on a $10M scale: average $1,000, premium 0.01%.
        let premium = skew_premium(
            I80F48::ZERO,
            from_i64(2_000 * USD),
            10_000_000 * USD as u64,
            10,
        )
        .unwrap();
        assert!((premium - fx("0.0001")).abs() <= I80F48::DELTA * 2);
        // A huge short skew is clamped at −0.1%.
        let premium = skew_premium(
            from_i64(-5_000_000 * USD),
            from_i64(-5_000_000 * USD),
            10_000_000 * USD as u64,
            10,
        )
        .unwrap();
        assert_eq!(
            premium,
            -mul_div(I80F48::ONE, 10, 10_000, Round::Down).unwrap()
        );
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
