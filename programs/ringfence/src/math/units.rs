//! Units: collateral in quote native units (6 decimals), sizes in base atoms (9 decimals),
//! prices in quote per whole base unit (a BTC price reads 50,000).

use super::fixed_point::{mul_div, FixedExt, MathResult, Round};
use fixed::types::I80F48;

/// Decimals of the collateral mint (quote native unit = 1e-6 USDC).
pub const QUOTE_DECIMALS: u32 = 6;
/// Decimals of every market's base size (base atom = 1e-9 base unit).
pub const BASE_DECIMALS: u32 = 9;
/// Base atoms per quote native unit at price 1: 10^(BASE_DECIMALS − QUOTE_DECIMALS).
pub const BASE_ATOMS_PER_QUOTE_NATIVE_AT_UNIT_PRICE: i128 = 1_000;
/// Basis points in one.
pub const BPS: u64 = 10_000;
/// Parts per million in one.
pub const PPM: u64 = 1_000_000;

/// Signed value in quote native units of `base` atoms at `price` (base × price / 1000),
/// rounded in direction `round`. Positive for a long, negative for a short.
pub fn base_value(base: i64, price: I80F48, round: Round) -> MathResult<I80F48> {
    mul_div(
        price,
        i128::from(base),
        BASE_ATOMS_PER_QUOTE_NATIVE_AT_UNIT_PRICE,
        round,
    )
}

/// Notional in quote native units, |base| × price / 1000, rounded up (it sizes requirements).
pub fn notional(base: i64, price: I80F48) -> MathResult<I80F48> {
    let magnitude = i128::from(base).abs();
    mul_div(
        price.try_abs()?,
        magnitude,
        BASE_ATOMS_PER_QUOTE_NATIVE_AT_UNIT_PRICE,
        Round::Up,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_price_without_an_absolute_value_is_an_overflow_not_a_panic() {
        // Found by the margin_engine fuzz target: |I80F48::MIN| does not exist.
        assert!(notional(1, I80F48::MIN).is_err());
    }

    #[test]
    fn notional_of_a_fifth_of_a_bitcoin() {
        // 0.2 BTC = 200,000,000 atoms at $50,000 = $10,000 = 10,000,000,000 quote native units.
        let price = I80F48::from_num(50_000);
        assert_eq!(
            notional(200_000_000, price).unwrap(),
            I80F48::from_num(10_000_000_000i64)
        );
        assert_eq!(
            base_value(-200_000_000, price, Round::Down).unwrap(),
            I80F48::from_num(-10_000_000_000i64)
        );
    }

    #[test]
    fn one_atom_at_one_dollar_is_a_thousandth_of_a_native_unit_rounded_as_asked() {
        assert_eq!(notional(1_000, I80F48::ONE).unwrap(), I80F48::ONE);
        let up = notional(1, I80F48::ONE).unwrap();
        let down = base_value(1, I80F48::ONE, Round::Down).unwrap();
        // down is the largest representable value ≤ 1/1000, up the smallest ≥ it.
        assert!(down * 1000 < I80F48::ONE && up * 1000 > I80F48::ONE);
        assert_eq!(up - down, I80F48::DELTA);
        // A short's value rounds down too: it is further from zero, against the trader.
        assert_eq!(base_value(-1, I80F48::ONE, Round::Down).unwrap(), -up);
    }

    #[test]
    fn extreme_sizes_overflow_as_errors() {
        assert!(notional(i64::MAX, I80F48::from_num(1_000_000)).is_err());
        assert!(notional(i64::MIN, I80F48::from_num(1_000_000)).is_err());
        assert!(base_value(i64::MIN, I80F48::from_num(1_000_000), Round::Down).is_err());
    }
}
