//! Price bands: for a sub-account that is healthy at the current marks, per market it holds a
//! price range within which it provably stays at or above maintenance for `horizon_s` seconds,
//! while each of its other markets stays inside its own range. The liquidation index re-scores
//! an account only when a mark leaves one of its bands. Derivation: docs/keeper.md.

use ringfence::health::health_with;
use ringfence::math::fixed_point::{checked, div, mul_div, Round};
use ringfence::math::funding::accrual_seconds;
use ringfence::math::margin::MaintenanceSchedule;
use ringfence::math::units::{notional, BASE_ATOMS_PER_QUOTE_NATIVE_AT_UNIT_PRICE, BPS, PPM};
use ringfence::math::{FixedExt, MathResult, I80F48};
use ringfence::state::{Market, Position};
use ringfence_sdk::accounts::SubAccountView;
use ringfence_sdk::client::PricedMarket;

/// A band never reaches beyond this multiple of the mark on the favourable side, so the funding
/// a position can owe over the horizon is bounded by its notional at this multiple.
pub const FAVOURABLE_CAP: i128 = 2;
/// Share of the proven slack the bands use, basis points: the rest is a margin for what the
/// model does not see (a parameter change by the admin, an oracle price the keeper missed).
pub const SLACK_USED_BPS: i128 = 9_900;
/// Quote native units set aside per position for the rounding of the program's arithmetic
/// (each evaluation rounds PnL, notional and every bracket's charge by at most a few 2^-48).
pub const ROUNDING_ALLOWANCE: i64 = 2;
/// Seconds per hour, as funding rates are quoted.
const SECONDS_PER_HOUR: i128 = 3_600;

/// The price range of one market within which the sub-account cannot become liquidatable.
/// `None` on a side means unbounded there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band {
    /// The market.
    pub market_index: u16,
    /// Lowest safe price, quote per whole base unit (a long's liquidation side).
    pub low: Option<I80F48>,
    /// Highest safe price, quote per whole base unit (a short's liquidation side, and the
    /// favourable cap of a long).
    pub high: Option<I80F48>,
    /// The mark the band was drawn around.
    pub mark: I80F48,
    /// The share of the account's usable slack this market's band may consume (its share of
    /// the account's notional; 1 for a single position).
    pub share: I80F48,
}

impl Band {
    /// How much of the account's usable slack a move of this market alone to `mark` consumes
    /// (1: all of it), estimated as the share of the band's own width passed, times its share.
    /// Orders the accounts a move crossed, most likely liquidatable first; never a decision.
    pub fn consumed(&self, mark: I80F48) -> f64 {
        let (to, edge) = if mark < self.mark {
            (self.mark - mark, self.low)
        } else {
            (mark - self.mark, self.high)
        };
        let Some(edge) = edge else { return 0.0 };
        let width = (edge - self.mark).abs().to_num::<f64>();
        if width == 0.0 {
            return f64::INFINITY;
        }
        to.to_num::<f64>() / width * self.share.to_num::<f64>()
    }
}

/// One open position with its market and mark, as the band arithmetic reads it.
struct Held<'m> {
    position: &'m Position,
    market: &'m Market,
    mark: I80F48,
}

fn held<'m>(view: &'m SubAccountView, markets: &'m [PricedMarket]) -> Option<Vec<Held<'m>>> {
    view.open_positions()
        .map(|position| {
            let found = markets
                .iter()
                .find(|m| m.market.index == position.market_index)?;
            let mark = found.mark.clone().ok()?;
            Some(Held {
                position,
                market: &found.market,
                mark,
            })
        })
        .collect()
}

/// The bands of `view` at `markets`' marks and time `now`, valid until `now + horizon_s`; `None`
/// when the account must instead be re-scored on every pass: a market without a price, a
/// liquidation in progress (its threshold is the target, not maintenance), a slack too small to
/// share, or arithmetic out of range. Call it only for an account `assess` found healthy.
pub fn bands(
    view: &SubAccountView,
    markets: &[PricedMarket],
    now: i64,
    horizon_s: i64,
) -> Option<Vec<Band>> {
    if view.header.being_liquidated == 1 {
        return None;
    }
    let held = held(view, markets)?;
    let health = health_with(&view.header, &view.positions, now, |i| {
        let h = held.iter().find(|h| h.position.market_index == i)?;
        Some((h.market, h.mark))
    })
    .ok()?;
    let margin = health.equity.checked_sub(health.maintenance_requirement)?;
    let slack = usable_slack(margin, &held, now, horizon_s).ok()?;
    if slack <= I80F48::ZERO {
        return None;
    }
    let notionals: Vec<I80F48> = held
        .iter()
        .map(|h| notional(h.position.base, h.mark))
        .collect::<MathResult<_>>()
        .ok()?;
    let total = notionals
        .iter()
        .try_fold(I80F48::ZERO, |sum, n| sum.try_add(*n))
        .ok()?;
    held.iter()
        .zip(&notionals)
        .map(|(h, n)| {
            let share = div(*n, total).ok()?;
            let budget = checked(slack.checked_mul(share)).ok()?;
            band(h, budget, share).ok()
        })
        .collect()
}

/// `margin` (equity − maintenance at the current marks) less each position's funding and
/// rounding allowances, times `SLACK_USED_BPS`: what price moves may consume.
fn usable_slack(margin: I80F48, held: &[Held], now: i64, horizon_s: i64) -> MathResult<I80F48> {
    let mut slack = margin;
    for h in held {
        slack = slack
            .try_sub(funding_allowance(h, now, horizon_s)?)?
            .try_sub(I80F48::from_num(ROUNDING_ALLOWANCE))?;
    }
    mul_div(slack, SLACK_USED_BPS, i128::from(BPS), Round::Down)
}

/// The most the position's unsettled funding can grow over the horizon, whatever the market's
/// skew and accruals do, while its mark stays below `FAVOURABLE_CAP` × mark: the index moves at
/// most max rate × price per hour, over the unaccrued seconds (counted twice: once as already
/// pending, once as re-accrued at another price) plus the horizon. Plus one for the program's
/// rounding of what is owed up to a whole quote unit.
fn funding_allowance(h: &Held, now: i64, horizon_s: i64) -> MathResult<I80F48> {
    let pending = accrual_seconds(now, h.market.last_funding_ts);
    let seconds = i128::from(pending)
        .checked_mul(2)
        .and_then(|s| s.checked_add(i128::from(horizon_s.max(0))));
    let seconds = checked(seconds)?;
    let cap = checked(h.mark.checked_mul_int(FAVOURABLE_CAP))?;
    let exposure = notional(h.position.base, cap)?;
    let rate_time = checked(i128::from(h.market.params.max_funding_rate_ppm).checked_mul(seconds))?;
    let moved = mul_div(
        exposure,
        rate_time,
        i128::from(PPM) * SECONDS_PER_HOUR,
        Round::Up,
    )?;
    moved.try_add(I80F48::ONE)
}

/// The band of one position given the slack its market may consume (`share` of the whole).
fn band(h: &Held, budget: I80F48, share: I80F48) -> MathResult<Band> {
    let schedule = h.market.params.maintenance_schedule();
    let start = notional(h.position.base, h.mark)?;
    let size = i128::from(h.position.base.unsigned_abs());
    let cap = checked(h.mark.checked_mul_int(FAVOURABLE_CAP))?;
    let to_price = |edge: I80F48, round: Round| {
        mul_div(edge, BASE_ATOMS_PER_QUOTE_NATIVE_AT_UNIT_PRICE, size, round)
    };
    let market_index = h.position.market_index;
    if h.position.base > 0 {
        let low = match falling_edge(&schedule, start, budget)? {
            Some(edge) => Some(to_price(edge, Round::Up)?),
            None => None,
        };
        Ok(Band {
            market_index,
            low,
            high: Some(cap),
            mark: h.mark,
            share,
        })
    } else {
        let edge = to_price(rising_edge(&schedule, start, budget)?, Round::Down)?;
        Ok(Band {
            market_index,
            low: None,
            high: Some(edge.min(cap)),
            mark: h.mark,
            share,
        })
    }
}

/// `(lower, upper, ratio_bps)` of each maintenance bracket; the last has no upper bound.
fn brackets(schedule: &MaintenanceSchedule) -> Vec<(I80F48, Option<I80F48>, i128)> {
    let all = schedule.brackets();
    let mut lower = I80F48::ZERO;
    all.iter()
        .enumerate()
        .map(|(i, b)| {
            let upper = (i + 1 < all.len()).then_some(b.up_to_notional);
            let bracket = (lower, upper, i128::from(b.ratio_bps));
            lower = b.up_to_notional;
            bracket
        })
        .collect()
}

/// A long's notional at which equity − maintenance has fallen by `budget` from notional
/// `start`: each unit of notional lost costs 1 − the bracket's ratio (its requirement falls
/// too). Rounded toward `start`. `None` when even a fall to zero costs less than `budget`.
fn falling_edge(
    schedule: &MaintenanceSchedule,
    start: I80F48,
    mut budget: I80F48,
) -> MathResult<Option<I80F48>> {
    let mut at = start;
    for (lower, _, ratio) in brackets(schedule).into_iter().rev() {
        if at <= lower {
            continue;
        }
        let per_unit = BPS as i128 - ratio;
        let cost = mul_div(at.try_sub(lower)?, per_unit, BPS as i128, Round::Up)?;
        if cost >= budget {
            let span = mul_div(budget, BPS as i128, per_unit, Round::Down)?;
            return Ok(Some(at.try_sub(span)?));
        }
        budget = budget.try_sub(cost)?;
        at = lower;
    }
    Ok(None)
}

/// A short's notional at which equity − maintenance has fallen by `budget` from notional
/// `start`: each unit of notional gained costs 1 + the bracket's ratio. Rounded toward `start`.
fn rising_edge(
    schedule: &MaintenanceSchedule,
    start: I80F48,
    mut budget: I80F48,
) -> MathResult<I80F48> {
    let mut at = start;
    for (_, upper, ratio) in brackets(schedule) {
        let per_unit = BPS as i128 + ratio;
        match upper {
            Some(upper) if at >= upper => continue,
            Some(upper) => {
                let cost = mul_div(upper.try_sub(at)?, per_unit, BPS as i128, Round::Up)?;
                if cost < budget {
                    budget = budget.try_sub(cost)?;
                    at = upper;
                    continue;
                }
            }
            None => {}
        }
        let span = mul_div(budget, BPS as i128, per_unit, Round::Down)?;
        return at.try_add(span);
    }
    Ok(at)
}
