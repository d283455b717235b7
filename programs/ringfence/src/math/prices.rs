//! Liquidation and bankruptcy prices: the mark at which a position's sub-account reaches its
//! maintenance requirement, or zero equity, with every other position held at its mark.

use super::fixed_point::{div, from_i64, mul_div, FixedExt, MathResult, Round};
use super::margin::{Health, MarketRisk, PositionRisk};
use super::units::BPS;
use fixed::types::I80F48;

/// The rest of the sub-account, seen from one position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Surroundings {
    /// Collateral + Σ other positions' PnL − this position's unsettled funding, quote native.
    pub equity_without_position: I80F48,
    /// Σ other positions' maintenance requirements, quote native.
    pub other_maintenance: I80F48,
}

impl Surroundings {
    /// The rest of a (cross) sub-account around one of its positions: its health less that
    /// position's risk, with the position's unsettled `funding_owed` (already inside its PnL)
    /// kept on the sub-account's side.
    pub fn within(
        health: &Health,
        position: &PositionRisk,
        funding_owed: I80F48,
    ) -> MathResult<Self> {
        Ok(Self {
            equity_without_position: health.equity.try_sub(position.pnl)?.try_sub(funding_owed)?,
            other_maintenance: health
                .maintenance_requirement
                .try_sub(position.maintenance_requirement)?,
        })
    }
}

/// Value per unit of price of `base` atoms, quote native: base / 1000.
fn value_per_price_unit(base: i64) -> MathResult<I80F48> {
    mul_div(from_i64(base), 1, 1_000, Round::Down)
}

/// The mark at which equity = 0 (a long's bankruptcy price is below entry, a short's above).
/// `None` when no positive price bankrupts the position.
pub fn bankruptcy_price(
    base: i64,
    quote_entry: i64,
    around: &Surroundings,
) -> MathResult<Option<I80F48>> {
    if base == 0 {
        return Ok(None);
    }
    // equity(P) = A + b·P with A = around + quote_entry.
    let a = around
        .equity_without_position
        .try_add(from_i64(quote_entry))?;
    let price = div(-a, value_per_price_unit(base)?)?;
    Ok((price > I80F48::ZERO).then_some(price))
}

/// The mark at which equity = MM, with maintenance on the mark notional (marginal brackets).
/// `None` when no positive price makes the sub-account liquidatable.
///
/// On bracket k (notional in [L, U), maintenance there M + r·(notional − L)) the equation
/// A + b·P = O + M + r·(|b|·P − L) gives P = (O + M − r·L − A) / (b − r·|b|).
pub fn liquidation_price(
    base: i64,
    quote_entry: i64,
    market: &MarketRisk,
    around: &Surroundings,
) -> MathResult<Option<I80F48>> {
    if base == 0 {
        return Ok(None);
    }
    let a = around
        .equity_without_position
        .try_add(from_i64(quote_entry))?;
    let b = value_per_price_unit(base)?;
    let b_abs = b.try_abs()?;
    let mut lower = I80F48::ZERO;
    for (i, bracket) in market.maintenance.brackets().iter().enumerate() {
        let is_last = i + 1 == market.maintenance.brackets().len();
        let r_bps = i128::from(bracket.ratio_bps);
        let maintenance_at_lower = market.maintenance.requirement(lower)?;
        let numerator = around
            .other_maintenance
            .try_add(maintenance_at_lower)?
            .try_sub(mul_div(lower, r_bps, i128::from(BPS), Round::Down)?)?
            .try_sub(a)?;
        let denominator = b.try_sub(mul_div(b_abs, r_bps, i128::from(BPS), Round::Down)?)?;
        let price = div(numerator, denominator)?;
        let notional = b_abs.checked_mul(price).unwrap_or(I80F48::MAX);
        let within = notional >= lower && (is_last || notional < bracket.up_to_notional);
        if price > I80F48::ZERO && within {
            return Ok(Some(price));
        }
        lower = bracket.up_to_notional;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::margin::{MaintenanceBracket, MaintenanceSchedule};

    const USD: i64 = 1_000_000;
    const BTC: i64 = 1_000_000_000;

    fn fx(s: &str) -> I80F48 {
        s.parse().unwrap()
    }

    fn market(brackets: &[(i64, u32)]) -> MarketRisk {
        let brackets: Vec<_> = brackets
            .iter()
            .map(|&(up_to, ratio_bps)| MaintenanceBracket {
                up_to_notional: from_i64(up_to),
                ratio_bps,
            })
            .collect();
        MarketRisk {
            mark: I80F48::ZERO,
            maintenance: MaintenanceSchedule::new(&brackets),
            upnl_initial_weight_bps: 10_000,
            im_size_scale: 0,
        }
    }

    fn alone(collateral: i64) -> Surroundings {
        Surroundings {
            equity_without_position: from_i64(collateral),
            other_maintenance: I80F48::ZERO,
        }
    }

    #[test]
    fn seed_long_liquidates_at_45_226_13_with_maintenance_on_mark_notional() {
        // 9,000 / 0.199 = 45,226.130653...
        let price = liquidation_price(
            BTC / 5,
            -10_000 * USD,
            &market(&[(0, 50)]),
            &alone(1_000 * USD),
        )
        .unwrap()
        .unwrap();
        assert!(
            (price - fx("45226.1306532663")).abs() < fx("0.0000001"),
            "{price}"
        );
    }

    #[test]
    fn the_seed_figure_45_250_is_the_frozen_maintenance_simplification() {
        // Freezing MM at the entry notional ($10,000 × 0.5% = $50): 1,000 + 0.2 (P − 50,000) = 50.
        let frozen_mm = 50 * USD;
        let price = bankruptcy_price(BTC / 5, -10_000 * USD, &alone(1_000 * USD - frozen_mm))
            .unwrap()
            .unwrap();
        assert_eq!(price, from_i64(45_250));
    }

    #[test]
    fn bankruptcy_is_one_over_leverage_away() {
        for (leverage, expected) in [
            (2, 25_000),
            (5, 40_000),
            (10, 45_000),
            (25, 48_000),
            (40, 48_750),
        ] {
            let margin = 10_000 * USD / leverage;
            let price = bankruptcy_price(BTC / 5, -10_000 * USD, &alone(margin))
                .unwrap()
                .unwrap();
            assert_eq!(price, from_i64(expected), "{leverage}x");
        }
        // A short 10x from 50,000 goes bankrupt 10% above.
        let price = bankruptcy_price(-BTC / 5, 10_000 * USD, &alone(1_000 * USD))
            .unwrap()
            .unwrap();
        assert_eq!(price, from_i64(55_000));
    }

    #[test]
    fn a_short_liquidates_above_entry() {
        // Short 0.2 at 50,000, $1,000, MM 0.5%: 11,000 − 0.2 P = 0.001 P → P = 11,000 / 0.201.
        let price = liquidation_price(
            -BTC / 5,
            10_000 * USD,
            &market(&[(0, 50)]),
            &alone(1_000 * USD),
        )
        .unwrap()
        .unwrap();
        assert!(
            (price - fx("54726.3681592039")).abs() < fx("0.0000001"),
            "{price}"
        );
    }

    #[test]
    fn an_unlevered_long_has_no_liquidation_price() {
        // 1x: $10,000 of collateral for $10,000 notional never falls under maintenance at P > 0.
        let none = liquidation_price(
            BTC / 5,
            -10_000 * USD,
            &market(&[(0, 50)]),
            &alone(10_000 * USD),
        )
        .unwrap();
        assert_eq!(none, None);
    }

    #[test]
    fn liquidation_price_lands_in_the_right_bracket() {
        // Long 100 BTC at 50,000 ($5M notional), 2x ($2.5M collateral); brackets 0.5% to $1M,
        // 1% to $5M. The first bracket's root (25,125.6) has a $2.5M notional, outside it; in
        // the second, MM = 5,000 + 1% × (100 P − 1,000,000), so 100 P − 2,500,000 = P − 5,000
        // and P = 2,495,000 / 99 = 25,202.02 ($2.52M notional, inside it).
        let price = liquidation_price(
            100 * BTC,
            -5_000_000 * USD,
            &market(&[(1_000_000 * USD, 50), (5_000_000 * USD, 100), (0, 200)]),
            &alone(2_500_000 * USD),
        )
        .unwrap()
        .unwrap();
        assert!(
            (price - fx("25202.0202020202")).abs() < fx("0.0000001"),
            "{price}"
        );
    }

    #[test]
    fn a_cross_position_s_surroundings_come_from_the_whole_sub_account() {
        use crate::math::margin::PositionInput;
        // $1,000 collateral; BTC long 0.2 from 50,000 marked 50,000; ETH long 1 from 2,000
        // marked 2,500 (+$500, MM 1% of $2,500 = $25). With ETH held at 2,500, the BTC position
        // liquidates where 1,500 + 0.2 (P − 50,000) = 25 + 0.001 P, so P = 8,525 / 0.199.
        let btc = MarketRisk {
            mark: from_i64(50_000),
            ..market(&[(0, 50)])
        };
        let eth = MarketRisk {
            mark: from_i64(2_500),
            ..market(&[(0, 100)])
        };
        let btc_position = PositionInput {
            base: BTC / 5,
            quote_entry: -10_000 * USD,
            leverage: 10,
        };
        let eth_position = PositionInput {
            base: BTC,
            quote_entry: -2_000 * USD,
            leverage: 5,
        };
        let btc_risk = PositionRisk::new(&btc_position, &btc, I80F48::ZERO).unwrap();
        let eth_risk = PositionRisk::new(&eth_position, &eth, I80F48::ZERO).unwrap();
        let mut health = Health::from_collateral(1_000 * USD);
        health.add(&btc_risk, &btc).unwrap();
        health.add(&eth_risk, &eth).unwrap();

        let around = Surroundings::within(&health, &btc_risk, I80F48::ZERO).unwrap();
        assert_eq!(around.equity_without_position, from_i64(1_500 * USD));
        assert_eq!(around.other_maintenance, from_i64(25 * USD));
        let price = liquidation_price(BTC / 5, -10_000 * USD, &btc, &around)
            .unwrap()
            .unwrap();
        assert!(
            (price - fx("42839.1959798995")).abs() < fx("0.0000001"),
            "{price}"
        );
    }

    proptest::proptest! {
        #[test]
        fn at_the_liquidation_price_equity_equals_maintenance(
            tenths in 1i64..1_000,
            long in proptest::bool::ANY,
            entry in 1_000i64..100_000,
            collateral_usd in 1i64..1_000_000,
        ) {
            // Round trip: value the position at the computed price; equity and MM agree to a
            // hair (the price is rounded to I80F48, the requirement to whole brackets).
            let base = if long { tenths * BTC / 10 } else { -tenths * BTC / 10 };
            let quote_entry = -(base / 1_000) * entry;
            let brackets = market(&[(1_000_000 * USD, 50), (5_000_000 * USD, 100), (0, 200)]);
            let around = alone(collateral_usd * USD);
            if let Some(price) = liquidation_price(base, quote_entry, &brackets, &around).unwrap() {
                let at = MarketRisk { mark: price, ..brackets };
                let position = crate::math::margin::PositionInput { base, quote_entry, leverage: 1 };
                let risk = PositionRisk::new(&position, &at, I80F48::ZERO).unwrap();
                let mut health = Health::from_collateral(collateral_usd * USD);
                health.add(&risk, &at).unwrap();
                let gap = (health.equity - health.maintenance_requirement).abs();
                proptest::prop_assert!(gap <= fx("0.01"), "gap {} at {}", gap, price);
            }
        }
    }

    #[test]
    fn other_positions_shift_a_cross_position_s_liquidation_price() {
        // The seed long with $500 of other profit and $20 of other maintenance:
        // 1,500 + 0.2 (P − 50,000) = 20 + 0.001 P → P = 8,520 / 0.199.
        let around = Surroundings {
            equity_without_position: from_i64(1_500 * USD),
            other_maintenance: from_i64(20 * USD),
        };
        let price = liquidation_price(BTC / 5, -10_000 * USD, &market(&[(0, 50)]), &around)
            .unwrap()
            .unwrap();
        assert!(
            (price - fx("42814.0703517588")).abs() < fx("0.0000001"),
            "{price}"
        );
    }
}
