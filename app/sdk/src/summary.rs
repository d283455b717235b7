//! What a trader sees of a sub-account: each position's entry, mark, PnL, unsettled funding,
//! leverage and liquidation price, and the account's equity, requirements and margin ratio,
//! all from the program's own margin code.

use crate::accounts::{market_name, SubAccountView};
use crate::client::PricedMarket;
use anchor_lang::prelude::Pubkey;
use ringfence::funding::{funding_owed, index_at};
use ringfence::health::health_with;
use ringfence::math::liquidation::may_liquidate;
use ringfence::math::margin::{Health, PositionRisk};
use ringfence::math::prices::{liquidation_price, Surroundings};
use ringfence::math::I80F48;
use ringfence::state::{Market, SubAccountMode};

/// One open position.
#[derive(Debug, Clone)]
pub struct PositionSummary {
    /// Market index.
    pub market_index: u16,
    /// Market name.
    pub market: String,
    /// Signed size, base atoms.
    pub base: i64,
    /// Entry price, dollars per whole base unit: −quote_entry × 1000 / base.
    pub entry_price: I80F48,
    /// Mark now.
    pub mark: I80F48,
    /// Unrealized PnL net of unsettled funding, quote native.
    pub pnl: I80F48,
    /// Funding owed and not yet settled (positive: owed), quote native.
    pub funding_owed: i64,
    /// Leverage chosen at opening.
    pub leverage: u16,
    /// Notional at the mark, quote native.
    pub notional: I80F48,
    /// Mark at which the sub-account reaches maintenance, the others held at their marks.
    pub liquidation_price: Option<I80F48>,
}

/// A sub-account with its health.
#[derive(Debug, Clone)]
pub struct AccountSummary {
    /// Address.
    pub key: Pubkey,
    /// Id under the owner.
    pub id: u16,
    /// Cross or isolated.
    pub mode: SubAccountMode,
    /// Deposited collateral, quote native.
    pub collateral: i64,
    /// Equity, requirements and notional.
    pub health: Health,
    /// Equity / notional (None without positions).
    pub margin_ratio: Option<I80F48>,
    /// Whether a liquidator may act now (the program's own `may_liquidate`).
    pub liquidatable: bool,
    /// Open positions.
    pub positions: Vec<PositionSummary>,
}

fn priced(markets: &[PricedMarket], index: u16) -> Option<(&Market, I80F48)> {
    let found = markets.iter().find(|m| m.market.index == index)?;
    Some((&found.market, found.mark.clone().ok()?))
}

/// Summarises `view` at unix time `now` with `markets` priced; an error names the market whose
/// price is unavailable or the computation that overflowed.
pub fn summarize(
    key: Pubkey,
    view: &SubAccountView,
    markets: &[PricedMarket],
    now: i64,
) -> Result<AccountSummary, String> {
    let health = health_with(&view.header, &view.positions, now, |i| priced(markets, i))
        .map_err(|e| e.to_string())?;
    let mut positions = Vec::new();
    for position in view.open_positions() {
        let (market, mark) = priced(markets, position.market_index)
            .ok_or_else(|| format!("market {} has no price", position.market_index))?;
        let risk = market.risk(mark);
        let index = index_at(market, mark, now).map_err(|e| e.to_string())?;
        let owed = funding_owed(position, index).map_err(|e| e.to_string())?;
        let input = market.position_input(position);
        let position_risk = PositionRisk::new(&input, &risk, I80F48::from_num(owed))
            .map_err(|e| format!("{e:?}"))?;
        let around = Surroundings::within(&health, &position_risk, I80F48::from_num(owed))
            .map_err(|e| format!("{e:?}"))?;
        let liquidation = liquidation_price(position.base, position.quote_entry, &risk, &around)
            .map_err(|e| format!("{e:?}"))?;
        positions.push(PositionSummary {
            market_index: position.market_index,
            market: market_name(market),
            base: position.base,
            entry_price: I80F48::from_num(-position.quote_entry) * I80F48::from_num(1_000)
                / I80F48::from_num(position.base),
            mark,
            pnl: position_risk.pnl,
            funding_owed: owed,
            leverage: position.leverage,
            notional: position_risk.notional,
            liquidation_price: liquidation,
        });
    }
    Ok(AccountSummary {
        key,
        id: view.header.id,
        mode: view.header.mode(),
        collateral: view.header.collateral,
        margin_ratio: health.margin_ratio().map_err(|e| format!("{e:?}"))?,
        liquidatable: may_liquidate(view.header.being_liquidated == 1, &health)
            .map_err(|e| format!("{e:?}"))?,
        health,
        positions,
    })
}
