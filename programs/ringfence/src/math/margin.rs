//! The margin engine: equity, initial and maintenance requirements of a sub-account.
//!
//! Maintenance uses *marginal* brackets (like income-tax brackets): each slice of a position's
//! notional pays its own bracket's ratio, so the requirement is continuous and never jumps
//! when a position crosses a tier boundary. Formulas and worked examples: docs/MARGIN.md.

use super::fixed_point::{
    checked, div, from_i64, mul_div, to_i64_ceil, to_i64_floor, FixedExt, MathResult, Round,
};
use super::units::{base_value, notional, BPS};
use fixed::types::I80F48;

/// A non-negative integer amount below `i64::MAX` as I80F48.
fn from_u128(value: u128) -> MathResult<I80F48> {
    Ok(from_i64(checked(i64::try_from(value).ok())?))
}

/// The most maintenance brackets a market may have.
pub const MAX_MARGIN_TIERS: usize = 4;

/// One maintenance bracket: the slice of notional below `up_to_notional` and above the
/// previous bracket's bound is charged `ratio`. The last bracket has no upper bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MaintenanceBracket {
    /// Upper bound of the bracket, quote native units (ignored for the last bracket).
    pub up_to_notional: I80F48,
    /// Maintenance ratio charged on the slice, basis points (50 = 0.5%).
    pub ratio_bps: u32,
}

/// A market's maintenance schedule: 1 ..= MAX_MARGIN_TIERS brackets, bounds increasing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MaintenanceSchedule {
    brackets: [MaintenanceBracket; MAX_MARGIN_TIERS],
    len: usize,
}

impl MaintenanceSchedule {
    /// A schedule from its brackets (the caller validated count and ordering).
    pub fn new(brackets: &[MaintenanceBracket]) -> Self {
        let mut all = [MaintenanceBracket {
            up_to_notional: I80F48::ZERO,
            ratio_bps: 0,
        }; MAX_MARGIN_TIERS];
        let len = brackets.len().min(MAX_MARGIN_TIERS);
        all[..len].copy_from_slice(&brackets[..len]);
        Self { brackets: all, len }
    }

    /// The brackets in use.
    pub fn brackets(&self) -> &[MaintenanceBracket] {
        &self.brackets[..self.len]
    }

    /// Maintenance requirement (quote native) of a position of this notional, each slice
    /// rounded up.
    pub fn requirement(&self, position_notional: I80F48) -> MathResult<I80F48> {
        let mut requirement = I80F48::ZERO;
        let mut lower = I80F48::ZERO;
        for (i, bracket) in self.brackets[..self.len].iter().enumerate() {
            let is_last = i + 1 == self.len;
            let upper = if is_last {
                position_notional
            } else {
                position_notional.min(bracket.up_to_notional)
            };
            if upper <= lower {
                break;
            }
            let slice = upper.try_sub(lower)?;
            let charge = mul_div(
                slice,
                i128::from(bracket.ratio_bps),
                i128::from(BPS),
                Round::Up,
            )?;
            requirement = requirement.try_add(charge)?;
            lower = upper;
        }
        Ok(requirement)
    }
}

/// What the engine needs to know of a market: its mark price and risk parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarketRisk {
    /// Checked oracle price, quote per whole base unit.
    pub mark: I80F48,
    /// Maintenance brackets.
    pub maintenance: MaintenanceSchedule,
    /// Weight at which unrealized profit counts toward opening risk, basis points (≤ 10,000).
    pub upnl_initial_weight_bps: u32,
    /// Notional at which the size term of the initial ratio reaches 100%, quote native
    /// (zero: no size term).
    pub im_size_scale: u64,
}

impl MarketRisk {
    /// Initial requirement of a position of this notional at this leverage: the larger of
    /// notional / leverage and notional × min(notional / size scale, 1), each rounded up, so
    /// the initial ratio rises linearly with size once notional / scale passes 1 / leverage.
    /// The size term is integer arithmetic on the notional rounded up (exact in u128 for every
    /// notional an i64 holds).
    pub fn initial_requirement(
        &self,
        position_notional: I80F48,
        leverage: u16,
    ) -> MathResult<I80F48> {
        let by_leverage = mul_div(position_notional, 1, i128::from(leverage.max(1)), Round::Up)?;
        if self.im_size_scale == 0 {
            return Ok(by_leverage);
        }
        let whole = u128::try_from(to_i64_ceil(position_notional)?).unwrap_or(0);
        let scale = u128::from(self.im_size_scale);
        let by_size = if whole >= scale {
            position_notional
        } else {
            from_u128((whole * whole).div_ceil(scale))?
        };
        Ok(by_leverage.max(by_size))
    }
}

/// A position as the engine sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PositionInput {
    /// Signed size, base atoms (positive = long).
    pub base: i64,
    /// Signed quote paid on entry, quote native units (a long's is negative).
    pub quote_entry: i64,
    /// Leverage chosen at opening (1 ..= market max), kept for the position's life.
    pub leverage: u16,
}

/// One position's contribution to its sub-account's health, quote native units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PositionRisk {
    /// |base| × mark, rounded up.
    pub notional: I80F48,
    /// Unrealized PnL net of unsettled funding owed, base × mark + quote_entry − funding_owed,
    /// with base × mark rounded down.
    pub pnl: I80F48,
    /// The larger of notional / leverage and the size term (`MarketRisk::initial_requirement`).
    pub initial_requirement: I80F48,
    /// Maintenance brackets applied to the notional.
    pub maintenance_requirement: I80F48,
}

impl PositionRisk {
    /// Risk of `position` at `market`'s mark, with `funding_owed` (quote native, positive when the
    /// position owes, already rounded up by the caller) not yet settled into collateral.
    pub fn new(
        position: &PositionInput,
        market: &MarketRisk,
        funding_owed: I80F48,
    ) -> MathResult<Self> {
        let notional = notional(position.base, market.mark)?;
        let pnl = base_value(position.base, market.mark, Round::Down)?
            .try_add(from_i64(position.quote_entry))?
            .try_sub(funding_owed)?;
        Ok(Self {
            notional,
            pnl,
            initial_requirement: market.initial_requirement(notional, position.leverage)?,
            maintenance_requirement: market.maintenance.requirement(notional)?,
        })
    }
}

/// A sub-account's health: the same arithmetic for cross (many positions) and isolated (one).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Health {
    /// Deposited collateral, quote native units (negative only when bankrupt).
    pub collateral: I80F48,
    /// Equity for maintenance: collateral + Σ pnl (profit counts in full).
    pub equity: I80F48,
    /// Equity for opening risk: collateral + Σ pnl, profit weighted by the market's weight.
    pub equity_for_opening: I80F48,
    /// Equity for moving collateral out: collateral + Σ losses (profit not counted at all).
    pub equity_for_withdrawal: I80F48,
    /// Σ notional / leverage.
    pub initial_requirement: I80F48,
    /// Σ maintenance requirement.
    pub maintenance_requirement: I80F48,
    /// Σ notional.
    pub notional: I80F48,
}

impl Health {
    /// Health of a sub-account holding only collateral.
    pub fn from_collateral(collateral: i64) -> Self {
        let collateral = from_i64(collateral);
        Self {
            collateral,
            equity: collateral,
            equity_for_opening: collateral,
            equity_for_withdrawal: collateral,
            initial_requirement: I80F48::ZERO,
            maintenance_requirement: I80F48::ZERO,
            notional: I80F48::ZERO,
        }
    }

    /// Adds one position's risk, valued with `market`'s weight for unrealized profit.
    pub fn add(&mut self, risk: &PositionRisk, market: &MarketRisk) -> MathResult<()> {
        let (weighted, loss) = if risk.pnl > I80F48::ZERO {
            let weight = i128::from(market.upnl_initial_weight_bps);
            let weighted = mul_div(risk.pnl, weight, i128::from(BPS), Round::Down)?;
            (weighted, I80F48::ZERO)
        } else {
            (risk.pnl, risk.pnl)
        };
        self.equity = self.equity.try_add(risk.pnl)?;
        self.equity_for_opening = self.equity_for_opening.try_add(weighted)?;
        self.equity_for_withdrawal = self.equity_for_withdrawal.try_add(loss)?;
        self.initial_requirement = self.initial_requirement.try_add(risk.initial_requirement)?;
        self.maintenance_requirement = self
            .maintenance_requirement
            .try_add(risk.maintenance_requirement)?;
        self.notional = self.notional.try_add(risk.notional)?;
        Ok(())
    }

    /// Whether opening risk is covered: equity for opening ≥ IM.
    pub fn meets_initial(&self) -> bool {
        self.equity_for_opening >= self.initial_requirement
    }

    /// Whether the sub-account may be liquidated: equity < MM.
    pub fn below_maintenance(&self) -> bool {
        self.equity < self.maintenance_requirement
    }

    /// Collateral that may leave the sub-account, quote native units, rounded down:
    /// equity without unrealized profit, less IM, never negative.
    pub fn withdrawable(&self) -> MathResult<u64> {
        let free = self
            .equity_for_withdrawal
            .try_sub(self.initial_requirement)?;
        if free <= I80F48::ZERO {
            return Ok(0);
        }
        Ok(to_i64_floor(free)?.unsigned_abs())
    }

    /// Equity / Σ notional, the ratio shown to traders (display only); `None` without positions.
    pub fn margin_ratio(&self) -> MathResult<Option<I80F48>> {
        if self.notional == I80F48::ZERO {
            return Ok(None);
        }
        Ok(Some(div(self.equity, self.notional)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sized(scale_usd: u64) -> MarketRisk {
        MarketRisk {
            im_size_scale: scale_usd * 1_000_000,
            ..flat(50, "50000")
        }
    }

    #[test]
    fn the_initial_ratio_rises_with_size_past_one_over_leverage() {
        let usd = |d: i64| from_i64(d * 1_000_000);
        let market = sized(50_000_000);
        // $5M at 40x: 1/40 asks $125,000, the size term 5M × 5M / 50M = $500,000 (10%).
        assert_eq!(
            market.initial_requirement(usd(5_000_000), 40).unwrap(),
            usd(500_000)
        );
        // $10,000 at 10x: $1,000; the size term ($2) does not bind.
        assert_eq!(
            market.initial_requirement(usd(10_000), 10).unwrap(),
            usd(1_000)
        );
        // At or beyond the scale the whole notional is required (1x), never more.
        assert_eq!(
            market.initial_requirement(usd(60_000_000), 40).unwrap(),
            usd(60_000_000)
        );
        // No size scale: exactly notional / leverage.
        assert_eq!(
            flat(50, "1")
                .initial_requirement(usd(5_000_000), 40)
                .unwrap(),
            usd(125_000)
        );
    }

    #[test]
    fn the_size_term_rounds_up() {
        // 3 native units of notional against a scale of 4: 3 × 3 / 4 = 2.25 → 3.
        let tiny = MarketRisk {
            im_size_scale: 4,
            ..flat(50, "1")
        };
        assert_eq!(
            tiny.initial_requirement(from_i64(3), 100).unwrap(),
            from_i64(3)
        );
        // 2 against 7: 4 / 7 = 0.57… → 1 (and 2 / 100 at 100x is less).
        let tiny = MarketRisk {
            im_size_scale: 7,
            ..flat(50, "1")
        };
        assert_eq!(
            tiny.initial_requirement(from_i64(2), 100).unwrap(),
            from_i64(1)
        );
    }
    use proptest::prelude::*;

    const USD: i64 = 1_000_000;
    const BTC: i64 = 1_000_000_000;

    fn fx(s: &str) -> I80F48 {
        s.parse().unwrap()
    }

    fn flat(ratio_bps: u32, mark: &str) -> MarketRisk {
        MarketRisk {
            mark: fx(mark),
            maintenance: MaintenanceSchedule::new(&[MaintenanceBracket {
                up_to_notional: I80F48::MAX,
                ratio_bps,
            }]),
            upnl_initial_weight_bps: 5_000,
            im_size_scale: 0,
        }
    }

    fn long(base: i64, entry_price: i64, leverage: u16) -> PositionInput {
        PositionInput {
            base,
            quote_entry: -(base / 1000) * entry_price,
            leverage,
        }
    }

    fn health_of(collateral: i64, positions: &[(PositionInput, MarketRisk)]) -> Health {
        let mut health = Health::from_collateral(collateral);
        for (position, market) in positions {
            let risk = PositionRisk::new(position, market, I80F48::ZERO).unwrap();
            health.add(&risk, market).unwrap();
        }
        health
    }

    #[test]
    fn ten_x_on_a_hundred_dollars_controls_a_thousand() {
        // $100 at 10x: 0.02 BTC at $50,000 = $1,000 notional, IM = $100.
        let position = long(BTC / 50, 50_000, 10);
        let health = health_of(100 * USD, &[(position, flat(50, "50000"))]);
        assert_eq!(health.notional, fx("1000000000"));
        assert_eq!(health.initial_requirement, from_i64(100 * USD));
        assert!(health.meets_initial());
        // A 1% adverse move ($49,500) costs $10, 10% of the margin.
        let health = health_of(100 * USD, &[(position, flat(50, "49500"))]);
        assert_eq!(health.equity, from_i64(90 * USD));
    }

    #[test]
    fn bankruptcy_move_is_one_over_leverage() {
        // At 2x, 5x, 10x, 25x, 40x equity reaches zero after 50%, 20%, 10%, 4%, 2.5%.
        for (leverage, bankrupt_mark) in [
            (2, "25000"),
            (5, "40000"),
            (10, "45000"),
            (25, "48000"),
            (40, "48750"),
        ] {
            let margin = 10_000 * USD / leverage as i64;
            let position = long(BTC / 5, 50_000, leverage);
            let at_entry = health_of(margin, &[(position, flat(50, "50000"))]);
            assert_eq!(
                at_entry.initial_requirement,
                from_i64(margin),
                "leverage {leverage}"
            );
            let health = health_of(margin, &[(position, flat(50, bankrupt_mark))]);
            assert_eq!(health.equity, I80F48::ZERO, "leverage {leverage}");
        }
    }

    #[test]
    fn seed_liquidation_price_is_where_equity_meets_maintenance_on_mark_notional() {
        // Long 0.2 BTC at 50,000, $1,000 collateral, MM 0.5%: 1000 + 0.2(P − 50000) = 0.001 P
        // gives P = 9000 / 0.199 = 45,226.1306...; one cent either side decides.
        let position = long(BTC / 5, 50_000, 10);
        let above = health_of(1_000 * USD, &[(position, flat(50, "45226.14"))]);
        let below = health_of(1_000 * USD, &[(position, flat(50, "45226.13"))]);
        assert!(!above.below_maintenance());
        assert!(below.below_maintenance());
    }

    #[test]
    fn maintenance_brackets_are_marginal() {
        // $10k at 0.5%, the next $40k at 1%, the rest at 2.5%: $100k → 50 + 400 + 1,250 = $1,700.
        let schedule = MaintenanceSchedule::new(&[
            MaintenanceBracket {
                up_to_notional: from_i64(10_000 * USD),
                ratio_bps: 50,
            },
            MaintenanceBracket {
                up_to_notional: from_i64(50_000 * USD),
                ratio_bps: 100,
            },
            MaintenanceBracket {
                up_to_notional: I80F48::ZERO,
                ratio_bps: 250,
            },
        ]);
        let mm = |usd: i64| schedule.requirement(from_i64(usd * USD)).unwrap();
        assert_eq!(mm(100_000), from_i64(1_700 * USD));
        assert_eq!(mm(10_000), from_i64(50 * USD));
        assert_eq!(mm(30_000), from_i64(250 * USD));
        assert_eq!(mm(0), I80F48::ZERO);
    }

    #[test]
    fn cross_health_sums_positions_and_weights_profit_for_opening_only() {
        // BTC long 0.2 from 50,000 now 51,000 (+$200), ETH short 1 from 3,000 now 3,100 (−$100).
        let btc = long(BTC / 5, 50_000, 10);
        let eth = PositionInput {
            base: -BTC,
            quote_entry: 3_000 * USD,
            leverage: 5,
        };
        let health = health_of(
            500 * USD,
            &[(btc, flat(50, "51000")), (eth, flat(100, "3100"))],
        );
        assert_eq!(health.equity, from_i64(600 * USD));
        assert_eq!(health.equity_for_opening, from_i64(500 * USD)); // +200 × 0.5 − 100
        assert_eq!(health.equity_for_withdrawal, from_i64(400 * USD)); // profit not counted
        assert_eq!(health.notional, from_i64(13_300 * USD));
        assert_eq!(health.initial_requirement, from_i64((1_020 + 620) * USD));
        assert_eq!(
            health.maintenance_requirement,
            from_i64(51 * USD + 31 * USD)
        );
        assert_eq!(health.withdrawable().unwrap(), 0);
        assert!(!health.meets_initial());
        assert!(!health.below_maintenance());
    }

    #[test]
    fn funding_owed_counts_against_equity() {
        let position = long(BTC / 5, 50_000, 10);
        let market = flat(50, "50000");
        let risk = PositionRisk::new(&position, &market, from_i64(7 * USD)).unwrap();
        assert_eq!(risk.pnl, from_i64(-7 * USD));
    }

    #[test]
    fn withdrawable_rounds_down_and_ignores_profit() {
        let mut health = Health::from_collateral(1_000 * USD);
        health.initial_requirement = fx("0.5");
        assert_eq!(health.withdrawable().unwrap(), 1_000 * USD as u64 - 1);
        let bankrupt = Health::from_collateral(-5);
        assert_eq!(bankrupt.withdrawable().unwrap(), 0);
    }

    #[test]
    fn margin_ratio_is_equity_over_notional() {
        let position = long(BTC / 5, 50_000, 10);
        let health = health_of(1_000 * USD, &[(position, flat(50, "50000"))]);
        let ratio = health.margin_ratio().unwrap().unwrap();
        assert!((ratio - fx("0.1")).abs() <= I80F48::DELTA, "{ratio}");
        assert_eq!(Health::from_collateral(5).margin_ratio().unwrap(), None);
    }

    fn schedule_strategy() -> impl Strategy<Value = (MaintenanceSchedule, u32)> {
        (1usize..=4, 1u64..=50).prop_map(|(len, first_bps)| {
            let brackets: Vec<_> = (0..len)
                .map(|i| MaintenanceBracket {
                    up_to_notional: from_i64((i as i64 + 1) * 25_000 * USD),
                    ratio_bps: (first_bps * (i as u64 + 1)) as u32,
                })
                .collect();
            let max_ratio_bps = brackets[len - 1].ratio_bps;
            (MaintenanceSchedule::new(&brackets), max_ratio_bps)
        })
    }

    proptest! {
        #[test]
        fn maintenance_is_monotone_and_continuous(
            (schedule, max_ratio) in schedule_strategy(),
            a in 0i64..1_000_000 * USD,
            step in 0i64..10_000 * USD,
        ) {
            let low = schedule.requirement(from_i64(a)).unwrap();
            let high = schedule.requirement(from_i64(a + step)).unwrap();
            prop_assert!(high >= low);
            // Continuous: a step in notional moves the requirement by at most step × max ratio
            // (plus one rounding unit per bracket).
            let bound = from_i64(step) * I80F48::from_num(max_ratio) / 10_000 + I80F48::DELTA * 8;
            prop_assert!(high - low <= bound);
        }

        #[test]
        fn maintenance_stays_below_initial_when_ratios_are_under_one_over_leverage(
            (schedule, max_ratio) in schedule_strategy(),
            base in -1_000 * BTC..1_000 * BTC,
            mark in 1i64..200_000,
        ) {
            // The largest leverage whose initial ratio 1/leverage stays above every bracket.
            let leverage = ((10_000 - 1) / max_ratio).clamp(1, u16::MAX as u32) as u16;
            let market = MarketRisk { mark: from_i64(mark), maintenance: schedule, upnl_initial_weight_bps: 10_000, im_size_scale: 0 };
            let position = PositionInput { base, quote_entry: 0, leverage };
            let risk = PositionRisk::new(&position, &market, I80F48::ZERO).unwrap();
            prop_assert!(risk.maintenance_requirement <= risk.initial_requirement);
        }

        #[test]
        fn withdrawable_never_exceeds_collateral_or_counts_profit(
            collateral in -1_000_000 * USD..1_000_000 * USD,
            base in -10 * BTC..10 * BTC,
            entry in 1i64..100_000,
            mark in 1i64..100_000,
        ) {
            let position = PositionInput { base, quote_entry: -(base / 1000) * entry, leverage: 10 };
            let health = health_of(collateral, &[(position, flat(50, &mark.to_string()))]);
            let withdrawable = health.withdrawable().unwrap();
            prop_assert!(withdrawable as i128 <= collateral.max(0) as i128);
            prop_assert!(health.equity_for_withdrawal <= health.equity_for_opening);
            prop_assert!(health.equity_for_opening <= health.equity);
        }
    }
}
