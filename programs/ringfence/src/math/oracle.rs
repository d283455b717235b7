//! Pure oracle guards: a raw price reading becomes a mark price only if it is fresh, positive,
//! tight and close to its EMA. The account-level checks (owner, feed, verification) live in
//! the program's `oracle` module.

use super::fixed_point::scaled_by_power_of_ten;
use super::units::BPS;
use fixed::types::I80F48;

/// A price as oracles publish it: `price × 10^exponent`, with confidence and EMA in the same scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceReading {
    /// Price mantissa.
    pub price: i64,
    /// Confidence interval mantissa (same exponent).
    pub conf: u64,
    /// Decimal exponent of price, conf and EMA.
    pub exponent: i32,
    /// Unix time the price was published, seconds.
    pub publish_time: i64,
    /// Exponential moving average of the price mantissa (same exponent).
    pub ema_price: i64,
}

/// A market's oracle limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OracleGuards {
    /// Oldest accepted price, seconds.
    pub max_age_s: u32,
    /// Widest accepted confidence, basis points of the price.
    pub max_conf_bps: u16,
    /// Largest accepted |price − ema| / ema, basis points.
    pub max_ema_divergence_bps: u16,
}

/// Why a reading was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceRejection {
    /// Older than `max_age_s`.
    Stale,
    /// Zero or negative price.
    NonPositive,
    /// Confidence wider than `max_conf_bps` of the price.
    ConfidenceTooWide,
    /// Price too far from its EMA, or no usable EMA.
    EmaDivergence,
    /// Exponent outside ±18 or a value that does not fit I80F48.
    Unrepresentable,
}

/// The checked mark price (quote per whole base unit) of `reading` at unix time `now`.
pub fn mark_price(
    reading: &PriceReading,
    guards: &OracleGuards,
    now: i64,
) -> Result<I80F48, PriceRejection> {
    let age = now.saturating_sub(reading.publish_time);
    if age > i64::from(guards.max_age_s) {
        return Err(PriceRejection::Stale);
    }
    if reading.price <= 0 {
        return Err(PriceRejection::NonPositive);
    }
    let price = reading.price as u128;
    if (reading.conf as u128) * (BPS as u128) > price * guards.max_conf_bps as u128 {
        return Err(PriceRejection::ConfidenceTooWide);
    }
    if reading.ema_price <= 0 {
        return Err(PriceRejection::EmaDivergence);
    }
    let ema = reading.ema_price as u128;
    if price.abs_diff(ema) * (BPS as u128) > ema * guards.max_ema_divergence_bps as u128 {
        return Err(PriceRejection::EmaDivergence);
    }
    scaled_by_power_of_ten(reading.price, reading.exponent)
        .map_err(|_| PriceRejection::Unrepresentable)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;
    const GUARDS: OracleGuards = OracleGuards {
        max_age_s: 60,
        max_conf_bps: 200,
        max_ema_divergence_bps: 500,
    };

    fn btc() -> PriceReading {
        PriceReading {
            price: 5_000_000_000_000,
            conf: 2_500_000_000,
            exponent: -8,
            publish_time: NOW - 10,
            ema_price: 4_990_000_000_000,
        }
    }

    #[test]
    fn a_good_reading_is_mantissa_times_ten_to_the_exponent() {
        assert_eq!(
            mark_price(&btc(), &GUARDS, NOW),
            Ok(I80F48::from_num(50_000))
        );
    }

    #[test]
    fn age_limit_is_inclusive() {
        let at_limit = PriceReading {
            publish_time: NOW - 60,
            ..btc()
        };
        let past_limit = PriceReading {
            publish_time: NOW - 61,
            ..btc()
        };
        assert!(mark_price(&at_limit, &GUARDS, NOW).is_ok());
        assert_eq!(
            mark_price(&past_limit, &GUARDS, NOW),
            Err(PriceRejection::Stale)
        );
    }

    #[test]
    fn non_positive_prices_are_refused() {
        for price in [0, -1] {
            let reading = PriceReading { price, ..btc() };
            assert_eq!(
                mark_price(&reading, &GUARDS, NOW),
                Err(PriceRejection::NonPositive)
            );
        }
    }

    #[test]
    fn confidence_limit_is_two_percent_of_price() {
        // 2% of 5e12 is 1e11.
        let at_limit = PriceReading {
            conf: 100_000_000_000,
            ..btc()
        };
        let past_limit = PriceReading {
            conf: 100_000_000_001,
            ..btc()
        };
        assert!(mark_price(&at_limit, &GUARDS, NOW).is_ok());
        assert_eq!(
            mark_price(&past_limit, &GUARDS, NOW),
            Err(PriceRejection::ConfidenceTooWide)
        );
    }

    #[test]
    fn ema_divergence_limit_is_five_percent_of_ema() {
        // 5% of the EMA 4e12 is 2e11: price 4.2e12 is at the limit, one more is past it.
        let at_limit = PriceReading {
            price: 4_200_000_000_000,
            ema_price: 4_000_000_000_000,
            conf: 0,
            ..btc()
        };
        let past_limit = PriceReading {
            price: 4_200_000_000_001,
            ..at_limit
        };
        let below = PriceReading {
            price: 3_799_999_999_999,
            ..at_limit
        };
        assert!(mark_price(&at_limit, &GUARDS, NOW).is_ok());
        assert_eq!(
            mark_price(&past_limit, &GUARDS, NOW),
            Err(PriceRejection::EmaDivergence)
        );
        assert_eq!(
            mark_price(&below, &GUARDS, NOW),
            Err(PriceRejection::EmaDivergence)
        );
        let no_ema = PriceReading {
            ema_price: 0,
            ..btc()
        };
        assert_eq!(
            mark_price(&no_ema, &GUARDS, NOW),
            Err(PriceRejection::EmaDivergence)
        );
    }

    #[test]
    fn absurd_exponents_are_unrepresentable() {
        let reading = PriceReading {
            exponent: -30,
            ..btc()
        };
        assert_eq!(
            mark_price(&reading, &GUARDS, NOW),
            Err(PriceRejection::Unrepresentable)
        );
    }
}
