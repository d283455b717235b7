//! The pre-trade preview a careful trader wants before signing: fill price, fee, margin moved,
//! margin ratio after, estimated liquidation price, maximum loss and funding per hour. Computed
//! with the program's own code (`ringfence::trade`, `health`, `math`), never a copy of it.

use anchor_lang::prelude::*;
use ringfence::error::RingfenceError;
use ringfence::funding::index_at;
use ringfence::health::health_with;
use ringfence::instructions::{slot_for, Side};
use ringfence::math::fixed_point::Round;
use ringfence::math::funding::{index_delta, position_funding, skew_pressure};
use ringfence::math::margin::PositionRisk;
use ringfence::math::prices::{liquidation_price, Surroundings};
use ringfence::math::units::base_value;
use ringfence::math::I80F48;
use ringfence::oracle::FillMark;
use ringfence::state::{Exchange, Market, Pool, Position, SubAccount};
use ringfence::trade::{fill, Charge, Ledgers, Order as FillOrder};

/// A trade to preview.
#[derive(Debug, Clone, Copy)]
pub struct Order {
    /// Market index.
    pub market_index: u16,
    /// Long or short.
    pub side: Side,
    /// Size, base atoms.
    pub base: u64,
    /// Leverage.
    pub leverage: u16,
}

/// What the trade would do, in quote native units unless said otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    /// Fill price, quote per whole base unit.
    pub fill_price: I80F48,
    /// Taker fee.
    pub fee: u64,
    /// Initial margin the order locks (its notional / leverage) plus the fee.
    pub margin_moved: I80F48,
    /// Equity / notional after the trade.
    pub margin_ratio_after: Option<I80F48>,
    /// Whether the sub-account would meet its initial requirement (else the program refuses).
    pub meets_initial: bool,
    /// Mark at which the position would reach maintenance, other positions held at their marks.
    pub liquidation_price: Option<I80F48>,
    /// The most the trader can lose, the collateral of this sub-account after the fee (never
    /// below zero): for an isolated sub-account its ring-fenced margin, for a cross one
    /// everything it holds. (A gap past bankruptcy is covered by the insurance fund and the
    /// pool, not the trader.)
    pub max_loss: i64,
    /// Funding the position would pay (positive) or receive per hour at the skew after the trade.
    pub funding_per_hour: i64,
}

/// Previews `order` on `sub_account` with every involved market priced (`markets`: market and
/// checked mark), at unix time `now`.
pub fn preview(
    sub_account: &SubAccount,
    positions: &[Position],
    markets: &[(Market, I80F48)],
    order: Order,
    now: i64,
) -> Result<Preview> {
    let (market, mark) = markets
        .iter()
        .find(|(m, _)| m.index == order.market_index)
        .ok_or(RingfenceError::MissingMarketAccount)?;
    let (mut market, mark) = (*market, *mark);
    let size = i64::try_from(order.base).map_err(|_| RingfenceError::MathOverflow)?;
    let delta = match order.side {
        Side::Long => size,
        Side::Short => -size,
    };
    let any_price = if delta > 0 { u64::MAX } else { 0 };

    // The program's own checks, in its order: leverage bounds, then the slot.
    if !(1..=market.params.max_leverage).contains(&order.leverage) {
        return Err(RingfenceError::InvalidLeverage.into());
    }
    let mut after: Vec<Position> = positions.to_vec();
    let slot = slot_for(&after, market.index, delta, order.leverage)?;
    if !after[slot].is_open() {
        after[slot] = Position {
            market_index: market.index,
            leverage: order.leverage,
            funding_snapshot: index_at(&market, mark, now)?.into(),
            ..Position::default()
        };
    }
    // The program's own fill function on copies: scratch ledgers stand in for the exchange and
    // the pool, whose balances a preview does not need.
    let mut header = *sub_account;
    let (mut exchange, mut pool) = scratch_ledgers(&market);
    let fill = fill(
        &mut header,
        &mut after,
        slot,
        &mut market,
        Ledgers {
            exchange: &mut exchange,
            pool: &mut pool,
        },
        FillMark::assume_fresh(mark, now),
        FillOrder {
            base_delta: delta,
            limit_price: any_price,
            charge: Charge::TakerFee,
        },
    )?;

    let priced = |index: u16| {
        if index == market.index {
            Some((&market, mark))
        } else {
            markets
                .iter()
                .find(|(m, _)| m.index == index)
                .map(|(m, p)| (m, *p))
        }
    };
    let health = health_with(&header, &after, now, priced)?;
    let position = &after[slot];
    let risk = PositionRisk::new(
        &market.position_input(position),
        &market.risk(mark),
        I80F48::ZERO,
    )?;
    let around = Surroundings::within(&health, &risk, I80F48::ZERO)?;
    let order_notional = ringfence::math::units::notional(delta, fill.price)?;
    let order_margin = market
        .risk(mark)
        .initial_requirement(order_notional, order.leverage)?;

    let skew = base_value(market.net_base()?, mark, Round::Down)?;
    let pressure = skew_pressure(skew, market.params.skew_scale)?;
    let hourly_move = index_delta(pressure, market.params.max_funding_rate_ppm, mark, 3_600)?;
    Ok(Preview {
        fill_price: fill.price,
        fee: fill.fee,
        margin_moved: order_margin + I80F48::from_num(fill.fee),
        margin_ratio_after: health.margin_ratio()?,
        meets_initial: health.meets_initial(),
        liquidation_price: liquidation_price(
            position.base,
            position.quote_entry,
            &market.risk(mark),
            &around,
        )?,
        max_loss: header.collateral.max(0),
        funding_per_hour: position_funding(position.base, hourly_move)?,
    })
}

/// An exchange and a pool that only absorb a preview's fee and PnL; the pool's valuation sums
/// hold just `market`'s terms, so the fill's revaluation has something consistent to replace.
fn scratch_ledgers(market: &Market) -> (Exchange, Pool) {
    let exchange = Exchange {
        admin: Pubkey::default(),
        pending_admin: None,
        collateral_mint: Pubkey::default(),
        vault: Pubkey::default(),
        insurance_fund: 0,
        protocol_fees: 0,
        market_count: 0,
        user_count: 0,
        bump: 0,
        vault_bump: 0,
        treasury: Pubkey::default(),
        timelock_s: 0,
        allow_stub_oracles: false,
    };
    let active = u16::from(market.valued_active);
    let pool = Pool {
        balance: u64::MAX / 2,
        traders_pnl: market.valued_pnl,
        traders_profit: market.valued_profit,
        total_exposure: market.valued_exposure,
        valuation_window: market.valued_window,
        window_markets: active,
        active_markets: active,
        ..Pool::new(0, 0, 0)
    };
    (exchange, pool)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::{btc_params, BASE_UNIT, USD};
    use ringfence::state::MarketParams;

    fn fx(s: &str) -> I80F48 {
        s.parse().unwrap()
    }

    fn btc(params: MarketParams) -> (Market, I80F48) {
        let mut market: Market = bytemuck::Zeroable::zeroed();
        market.params = params;
        (market, I80F48::from_num(50_000))
    }

    fn account(collateral_usd: i64, isolated: bool) -> (SubAccount, Vec<Position>) {
        let mut header: SubAccount = bytemuck::Zeroable::zeroed();
        header.collateral = collateral_usd * USD as i64;
        header.mode = u8::from(isolated);
        let slots = if isolated { 1 } else { 8 };
        (header, vec![Position::default(); slots])
    }

    const SEED: Order = Order {
        market_index: 0,
        side: Side::Long,
        base: BASE_UNIT as u64 / 5,
        leverage: 10,
    };

    #[test]
    fn the_seed_trade_previews_as_worked_out_by_hand() {
        let params = MarketParams {
            taker_fee_bps: 0,
            max_premium_bps: 0,
            ..btc_params()
        };
        let (header, positions) = account(1_000, false);
        let p = preview(&header, &positions, &[btc(params)], SEED, 0).unwrap();
        assert_eq!((p.fill_price, p.fee), (I80F48::from_num(50_000), 0));
        assert_eq!(p.margin_moved, I80F48::from_num(1_000 * USD));
        assert!((p.margin_ratio_after.unwrap() - fx("0.1")).abs() <= I80F48::DELTA);
        assert!(p.meets_initial);
        // 9,000 / 0.199 = 45,226.13...
        let liquidation = p.liquidation_price.unwrap();
        assert!(
            (liquidation - fx("45226.1306532663")).abs() < fx("0.000001"),
            "{liquidation}"
        );
        assert_eq!(p.max_loss, 1_000 * USD as i64);
        // Skew $10,000 on a $10M scale at 100 ppm/h max: 0.2 × 0.001 × 0.0001 × 50,000 = $0.001.
        assert_eq!(p.funding_per_hour, 1_000);
    }

    #[test]
    fn fees_and_premium_show_before_signing_and_a_refusal_is_foreseen() {
        // Premium 5 bps: fill 50,025; fee 5 bps of $10,005 = $5.0025 (rounded up to $5.002501);
        // margin $1,000.50 + fee.
        let (header, positions) = account(1_000, true);
        let p = preview(&header, &positions, &[btc(btc_params())], SEED, 0).unwrap();
        // The premium 0.0005 is not a binary fraction: the price, rounded up against the buyer,
        // is within a hair of 50,025, and the fee on that hair more than $10,005 rounds up to
        // $5.002501.
        assert!((p.fill_price - I80F48::from_num(50_025)).abs() < fx("0.000000001"));
        assert_eq!(p.fee, 5_002_501);
        assert!((p.margin_moved - I80F48::from_num(1_005_502_501i64)).abs() < I80F48::ONE);
        // Equity $989.9975 after the fee and the premium, against $1,000 of IM: refused.
        assert!(!p.meets_initial);
        assert_eq!(
            p.max_loss,
            1_000 * USD as i64 - 5_002_501,
            "an isolated account risks its margin"
        );
    }
}
