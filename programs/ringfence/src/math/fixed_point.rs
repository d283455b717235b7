//! Checked I80F48 arithmetic with explicit rounding. Ratios stay integers (basis points,
//! leverage, 10^k) and are applied as exact multiply-then-divide on the raw bits, so every
//! result is rounded once, in the direction the caller names.

use core::panic::Location;
use fixed::types::I80F48;

/// An arithmetic failure, carrying the call site that overflowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathError {
    /// A result did not fit its type (or a division by zero).
    Overflow(&'static Location<'static>),
}

/// Result of a checked math operation.
pub type MathResult<T> = Result<T, MathError>;

/// Which way an inexact result goes. Requirements and what a user owes round `Up`;
/// what a user receives or is credited rounds `Down` (toward −∞ in both cases' favour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Round {
    /// Toward −∞.
    Down,
    /// Toward +∞.
    Up,
}

/// `Some(v)` as `Ok(v)`, `None` as an overflow at the caller's call site.
#[track_caller]
pub fn checked<T>(value: Option<T>) -> MathResult<T> {
    match value {
        Some(v) => Ok(v),
        None => Err(MathError::Overflow(Location::caller())),
    }
}

/// Checked arithmetic on I80F48 that reports overflow as `MathError` instead of panicking.
pub trait FixedExt: Sized {
    /// `self + rhs`.
    fn try_add(self, rhs: Self) -> MathResult<Self>;
    /// `self − rhs`.
    fn try_sub(self, rhs: Self) -> MathResult<Self>;
    /// `|self|`.
    fn try_abs(self) -> MathResult<Self>;
}

impl FixedExt for I80F48 {
    #[track_caller]
    fn try_add(self, rhs: Self) -> MathResult<Self> {
        checked(self.checked_add(rhs))
    }
    #[track_caller]
    fn try_sub(self, rhs: Self) -> MathResult<Self> {
        checked(self.checked_sub(rhs))
    }
    #[track_caller]
    fn try_abs(self) -> MathResult<Self> {
        checked(self.checked_abs())
    }
}

/// `value × numerator ÷ denominator`, exact but for one rounding in direction `round`.
/// `denominator` must be positive.
#[track_caller]
pub fn mul_div(
    value: I80F48,
    numerator: i128,
    denominator: i128,
    round: Round,
) -> MathResult<I80F48> {
    checked((denominator > 0).then_some(()))?;
    let product = checked(value.to_bits().checked_mul(numerator))?;
    let quotient = checked(product.checked_div_euclid(denominator))?;
    let exact = checked(quotient.checked_mul(denominator))? == product;
    let bits = match round {
        Round::Up if !exact => checked(quotient.checked_add(1))?,
        _ => quotient,
    };
    Ok(I80F48::from_bits(bits))
}

/// `a ÷ b` for display values (margin ratio), rounded toward zero; division by zero is an error.
#[track_caller]
pub fn div(a: I80F48, b: I80F48) -> MathResult<I80F48> {
    checked(a.checked_div(b))
}

/// An integer amount as I80F48 (every i64 fits exactly).
pub fn from_i64(value: i64) -> I80F48 {
    I80F48::from_num(value)
}

/// A u64 amount as I80F48 (every u64 fits exactly).
pub fn from_u64(value: u64) -> I80F48 {
    I80F48::from_num(value)
}

/// Rounds down to an integer amount: what a user *receives*.
#[track_caller]
pub fn to_i64_floor(value: I80F48) -> MathResult<i64> {
    checked(value.floor().checked_to_num::<i64>())
}

/// Rounds up to an integer amount: what a user *owes* or is *required* to hold.
#[track_caller]
pub fn to_i64_ceil(value: I80F48) -> MathResult<i64> {
    checked(value.checked_ceil().and_then(|c| c.checked_to_num::<i64>()))
}

/// `mantissa × 10^exponent` as I80F48 (Pyth's encoding), rounded down when inexact.
#[track_caller]
pub fn scaled_by_power_of_ten(mantissa: i64, exponent: i32) -> MathResult<I80F48> {
    let magnitude = exponent.unsigned_abs();
    checked((magnitude <= 18).then_some(()))?;
    let power = 10i128.pow(magnitude);
    let (numerator, denominator) = if exponent >= 0 {
        (power, 1)
    } else {
        (1, power)
    };
    mul_div(from_i64(mantissa), numerator, denominator, Round::Down)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fx(s: &str) -> I80F48 {
        s.parse().unwrap()
    }

    #[test]
    fn floor_rounds_toward_negative_infinity_in_protocol_favour() {
        assert_eq!(to_i64_floor(fx("2.999")).unwrap(), 2);
        assert_eq!(to_i64_floor(fx("-2.001")).unwrap(), -3);
        assert_eq!(to_i64_floor(fx("7")).unwrap(), 7);
    }

    #[test]
    fn ceil_rounds_toward_positive_infinity_in_protocol_favour() {
        assert_eq!(to_i64_ceil(fx("2.001")).unwrap(), 3);
        assert_eq!(to_i64_ceil(fx("-2.999")).unwrap(), -2);
        assert_eq!(to_i64_ceil(fx("7")).unwrap(), 7);
    }

    #[test]
    fn the_smallest_fraction_still_rounds_up_when_owed() {
        assert_eq!(to_i64_ceil(I80F48::DELTA).unwrap(), 1);
        assert_eq!(to_i64_floor(I80F48::DELTA).unwrap(), 0);
        assert_eq!(to_i64_floor(-I80F48::DELTA).unwrap(), -1);
    }

    #[test]
    fn conversion_out_of_i64_range_is_an_error_not_a_wrap() {
        let too_big = from_i64(i64::MAX).try_add(I80F48::ONE).unwrap();
        assert!(to_i64_floor(too_big).is_err());
        assert!(to_i64_ceil(from_i64(i64::MAX).try_add(fx("0.5")).unwrap()).is_err());
    }

    #[test]
    fn overflow_is_reported_with_its_call_site() {
        let MathError::Overflow(location) = I80F48::MAX.try_add(I80F48::ONE).unwrap_err();
        assert!(location.file().ends_with("fixed_point.rs"), "{location}");
        assert_eq!(location.line(), line!() - 2);
        assert!(I80F48::MIN.try_abs().is_err());
        assert!(div(I80F48::ONE, I80F48::ZERO).is_err());
        assert!(mul_div(I80F48::MAX, 2, 1, Round::Down).is_err());
        assert!(mul_div(I80F48::ONE, 1, 0, Round::Down).is_err());
    }

    #[test]
    fn mul_div_is_exact_when_it_can_be() {
        // 0.5% of $10,000 is exactly $50, in either direction.
        let notional = from_i64(10_000_000_000);
        assert_eq!(
            mul_div(notional, 50, 10_000, Round::Up).unwrap(),
            from_i64(50_000_000)
        );
        assert_eq!(
            mul_div(notional, 50, 10_000, Round::Down).unwrap(),
            from_i64(50_000_000)
        );
    }

    #[test]
    fn mul_div_rounds_each_way_by_one_bit() {
        // 1 / 3 is inexact: up and down differ by exactly one unit in the last place.
        let up = mul_div(I80F48::ONE, 1, 3, Round::Up).unwrap();
        let down = mul_div(I80F48::ONE, 1, 3, Round::Down).unwrap();
        assert_eq!(up - down, I80F48::DELTA);
        assert!(down * 3 < I80F48::ONE && up * 3 > I80F48::ONE);
        // Negative values: down goes toward −∞, up toward +∞.
        let neg_down = mul_div(-I80F48::ONE, 1, 3, Round::Down).unwrap();
        let neg_up = mul_div(-I80F48::ONE, 1, 3, Round::Up).unwrap();
        assert_eq!(neg_down, -up);
        assert_eq!(neg_up, -down);
    }

    #[test]
    fn pyth_style_mantissa_and_exponent() {
        // 5_000_012_345_678 × 10^-8 = 50,000.12345678 (rounded down to the last bit).
        let price = scaled_by_power_of_ten(5_000_012_345_678, -8).unwrap();
        assert!(price <= fx("50000.12345678") && fx("50000.12345678") - price < I80F48::DELTA * 2);
        assert_eq!(
            scaled_by_power_of_ten(5_000_000_000_000, -8).unwrap(),
            fx("50000")
        );
        assert_eq!(scaled_by_power_of_ten(42, 3).unwrap(), fx("42000"));
        assert_eq!(scaled_by_power_of_ten(7, 0).unwrap(), fx("7"));
        assert!(scaled_by_power_of_ten(1, 19).is_err());
        assert!(scaled_by_power_of_ten(1, -19).is_err());
    }
}
