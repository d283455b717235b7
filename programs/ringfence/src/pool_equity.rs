//! The pool's equity: its balance less what traders are owed in aggregate plus the funding the
//! pool will be credited for time not yet accrued, valued with every market's checked mark
//! price (all markets passed as `[market, oracle]`, in index order).

use crate::error::RingfenceError;
use crate::funding::index_at;
use crate::health::load_market;
use crate::math::fixed_point::{from_u64, Round};
use crate::math::funding::pool_funding;
use crate::math::units::{base_value, notional};
use crate::math::{FixedExt, I80F48};
use crate::oracle::mark_price;
use anchor_lang::prelude::*;

/// What the pool is worth and how exposed it is.
pub struct PoolValuation {
    /// Balance − Σ traders' unrealized PnL, quote native.
    pub equity: I80F48,
    /// The largest net exposure (|long − short| × mark) of any one market, quote native.
    pub largest_exposure: I80F48,
}

/// Values the pool. Traders' PnL rounds `traders_pnl_round` (down when the pool issues shares,
/// up when it pays them out, so that existing LPs never lose to rounding).
pub fn value_pool<'info>(
    balance: u64,
    market_count: u16,
    remaining: &'info [AccountInfo<'info>],
    clock: &Clock,
    traders_pnl_round: Round,
) -> Result<PoolValuation> {
    require_eq!(
        remaining.len(),
        2 * usize::from(market_count),
        RingfenceError::PoolMarketsMismatch
    );
    let mut traders_pnl = I80F48::ZERO;
    let mut largest_exposure = I80F48::ZERO;
    for (index, pair) in remaining.chunks_exact(2).enumerate() {
        let loader = load_market(&pair[0])?;
        let market = loader.load()?;
        require_eq!(
            usize::from(market.index),
            index,
            RingfenceError::PoolMarketsMismatch
        );
        let mark = mark_price(&market, &pair[1], clock)?;
        let net = market.net_base()?;
        let pnl = base_value(net, mark, traders_pnl_round)?
            .try_add(I80F48::from_num(market.quote_entry_sum))?;
        // Funding owed to the pool for time since the market's last accrual counts now, so no LP
        // can deposit just before an accrual and take a share of funding earned before it.
        let unaccrued = index_at(&market, mark, clock.unix_timestamp)?
            .try_sub(market.cumulative_funding.get())?;
        let pending_funding = pool_funding(net, unaccrued)?;
        traders_pnl = traders_pnl
            .try_add(pnl)?
            .try_sub(I80F48::from_num(pending_funding))?;
        largest_exposure = largest_exposure.max(notional(net, mark)?);
    }
    Ok(PoolValuation {
        equity: from_u64(balance).try_sub(traders_pnl)?,
        largest_exposure,
    })
}
