//! Deciding what to do from decoded accounts, with the program's own margin, liquidation and
//! trigger code: which sub-accounts are liquidatable (worst first), which position of each to
//! liquidate, and which stop-loss / take-profit orders have been crossed.

use ringfence::health::health_with;
use ringfence::instructions::prune_order::dead;
use ringfence::instructions::{crossed, triggered};
use ringfence::math::liquidation::may_liquidate;
use ringfence::math::margin::PositionRisk;
use ringfence::math::I80F48;
use ringfence::state::Market;
use ringfence_sdk::accounts::SubAccountView;
use ringfence_sdk::client::PricedMarket;
use solana_sdk::pubkey::Pubkey;

/// A sub-account a liquidator may act on now.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Its address.
    pub key: Pubkey,
    /// Equity / maintenance requirement (below 1 means under maintenance; lower is worse).
    pub health_ratio: I80F48,
    /// Maintenance requirement minus equity, quote native (positive when under maintenance).
    pub shortfall: I80F48,
    /// The position to liquidate first.
    pub market_index: u16,
}

/// A sub-account whose health could not be computed (a market without a usable price).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpriced {
    /// Its address.
    pub key: Pubkey,
    /// Why.
    pub reason: String,
}

fn priced(markets: &[PricedMarket], index: u16) -> Option<(&Market, I80F48)> {
    let found = markets.iter().find(|m| m.market.index == index)?;
    Some((&found.market, found.mark.clone().ok()?))
}

/// The open position with the largest maintenance requirement (closing it restores the most).
pub fn position_to_liquidate(view: &SubAccountView, markets: &[PricedMarket]) -> Option<u16> {
    view.open_positions()
        .filter_map(|p| {
            let (market, mark) = priced(markets, p.market_index)?;
            let input = market.position_input(p);
            let risk = PositionRisk::new(&input, &market.risk(mark), I80F48::ZERO).ok()?;
            Some((risk.maintenance_requirement, p.market_index))
        })
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, index)| index)
}

/// Whether the program would let a liquidator act on `view` now, and its health ratio.
pub fn assess(
    key: Pubkey,
    view: &SubAccountView,
    markets: &[PricedMarket],
    now: i64,
) -> Result<Option<Candidate>, Unpriced> {
    let unpriced = |reason: String| Unpriced { key, reason };
    let health = health_with(&view.header, &view.positions, now, |i| priced(markets, i))
        .map_err(|e| unpriced(e.to_string()))?;
    let liquidatable = may_liquidate(view.header.being_liquidated == 1, &health)
        .map_err(|e| unpriced(format!("{e:?}")))?;
    if !liquidatable {
        return Ok(None);
    }
    let market_index = position_to_liquidate(view, markets)
        .ok_or_else(|| unpriced("no priced open position".into()))?;
    let maintenance = health.maintenance_requirement;
    let health_ratio = if maintenance > I80F48::ZERO {
        health.equity / maintenance
    } else {
        I80F48::ZERO
    };
    Ok(Some(Candidate {
        key,
        health_ratio,
        shortfall: maintenance - health.equity,
        market_index,
    }))
}

/// The liquidatable sub-accounts among `accounts`, worst (lowest equity / maintenance) first,
/// and those that could not be priced.
pub fn rank(
    accounts: &[(Pubkey, SubAccountView)],
    markets: &[PricedMarket],
    now: i64,
) -> (Vec<Candidate>, Vec<Unpriced>) {
    let mut candidates = Vec::new();
    let mut unpriced = Vec::new();
    for (key, view) in accounts {
        match assess(*key, view, markets, now) {
            Ok(Some(candidate)) => candidates.push(candidate),
            Ok(None) => {}
            Err(u) => unpriced.push(u),
        }
    }
    worst_first(&mut candidates);
    (candidates, unpriced)
}

/// Orders candidates worst (lowest equity / maintenance) first, ties by address.
pub fn worst_first(candidates: &mut [Candidate]) {
    candidates.sort_by(|a, b| a.health_ratio.cmp(&b.health_ratio).then(a.key.cmp(&b.key)));
}

/// `(sub-account, market)` of every position whose stop-loss or take-profit has been crossed.
pub fn crossed_triggers(
    accounts: &[(Pubkey, SubAccountView)],
    markets: &[PricedMarket],
) -> Vec<(Pubkey, u16)> {
    let mut crossed = Vec::new();
    for (key, view) in accounts {
        for position in view.open_positions() {
            if position.stop_loss == 0 && position.take_profit == 0 {
                continue;
            }
            let Some((_, mark)) = priced(markets, position.market_index) else {
                continue;
            };
            if triggered(position, mark).unwrap_or(false) {
                crossed.push((*key, position.market_index));
            }
        }
    }
    crossed
}

/// `(sub-account, market, order slot)` of every resting order whose limit the mark has
/// crossed and that has not expired at `now` (the program's own `crossed`).
pub fn crossed_orders(
    accounts: &[(Pubkey, SubAccountView)],
    markets: &[PricedMarket],
    now: i64,
) -> Vec<(Pubkey, u16, u8)> {
    let mut found = Vec::new();
    for (key, view) in accounts {
        for (slot, order) in view.orders.iter().enumerate() {
            if !order.is_open() || now >= order.expiry {
                continue;
            }
            let Some((_, mark)) = priced(markets, order.market_index) else {
                continue;
            };
            if crossed(order, mark).unwrap_or(false) {
                found.push((*key, order.market_index, slot as u8));
            }
        }
    }
    found
}

/// `(sub-account, order slot)` of every resting order that can never fill at `now`: expired,
/// or reduce-only with nothing to reduce (the program's own `prune_order::dead`).
pub fn dead_orders(accounts: &[(Pubkey, SubAccountView)], now: i64) -> Vec<(Pubkey, u8)> {
    let mut found = Vec::new();
    for (key, view) in accounts {
        for (slot, order) in view.orders.iter().enumerate() {
            if order.is_open() && dead(order, &view.positions, now) {
                found.push((*key, slot as u8));
            }
        }
    }
    found
}
