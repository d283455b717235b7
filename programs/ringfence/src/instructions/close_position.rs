//! Reduces or closes a position against the pool and realizes its PnL into collateral.
//! Reduce-only, so allowed under initial margin and in every market status.

use crate::authority::{permits, Right};
use crate::error::RingfenceError;
use crate::events::PositionClosed;
use crate::funding::settle;
use crate::oracle::FillMark;
use crate::state::Position;
use crate::state::{
    load_sub_account_mut, position_slot, Exchange, Market, Pool, SubAccount, EXCHANGE_SEED,
    POOL_SEED,
};
use crate::trade::{
    fill, fresh_mark_with_funding, resolve_bankruptcy, take_for_keeper, Charge, Filled, Ledgers,
    Order,
};
use anchor_lang::prelude::*;

/// Accounts of `close_position`.
#[derive(Accounts)]
pub struct ClosePosition<'info> {
    /// The sub-account's owner or its delegate.
    pub trader: Signer<'info>,
    /// The exchange (protocol fee ledger).
    #[account(mut, seeds = [EXCHANGE_SEED], bump = exchange.bump)]
    pub exchange: Account<'info, Exchange>,
    /// The pool, counterparty of the trade.
    #[account(mut, seeds = [POOL_SEED], bump = pool.bump)]
    pub pool: Account<'info, Pool>,
    /// The sub-account.
    #[account(mut, constraint = permits(&sub_account, trader.key, Right::Trade)? @ RingfenceError::NotOwnerOrDelegate)]
    pub sub_account: AccountLoader<'info, SubAccount>,
    /// The market, in any status: reducing risk is always allowed.
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    /// CHECK: the market's oracle, checked by `oracle::mark_price`.
    pub oracle: UncheckedAccount<'info>,
}

impl ClosePosition<'_> {
    /// Closes `base` atoms of the position (all of it when `None`), filling no worse than
    /// `limit_price` (quote native units per whole base unit).
    pub fn handler(ctx: Context<ClosePosition>, base: Option<u64>, limit_price: u64) -> Result<()> {
        let accounts = ctx.accounts;
        let mut market = accounts.market.load_mut()?;
        let sub_account_info = accounts.sub_account.to_account_info();
        let (mut sub_account, mut positions) = load_sub_account_mut(&sub_account_info)?;
        let slot = position_slot(&positions, market.index).ok_or(RingfenceError::NoPosition)?;
        let held = positions[slot].base;
        let closing = match base {
            Some(0) => return err!(RingfenceError::ZeroSize),
            Some(size) => {
                require_gte!(held.unsigned_abs(), size, RingfenceError::CloseSizeTooLarge);
                size
            }
            None => held.unsigned_abs(),
        };
        let closing =
            i64::try_from(closing).map_err(|_| RingfenceError::MathOverflow)? * held.signum();

        let clock = Clock::get()?;
        let mark =
            fresh_mark_with_funding(&mut market, &mut accounts.pool, &accounts.oracle, &clock)?;
        let (filled, _) = reduce(
            &mut accounts.exchange,
            &mut accounts.pool,
            sub_account_info.key(),
            (&mut sub_account, &mut positions, slot),
            &mut market,
            mark,
            Order {
                base_delta: -closing,
                limit_price,
                charge: Charge::TakerFee,
            },
            0,
        )?;

        crate::events::emit(PositionClosed {
            sub_account: sub_account_info.key(),
            market_index: market.index,
            base_delta: -closing,
            fill_price_bits: filled.price.to_bits(),
            mark_bits: filled.mark.to_bits(),
            realized_pnl: filled.realized_pnl,
            fee: filled.fee,
            protocol_fee: filled.protocol_fee,
            base: positions[slot].base,
            collateral: sub_account.collateral,
        });
        Ok(())
    }
}

/// The one way a position is reduced (`close_position`, `execute_trigger`, a reduce-only
/// `execute_order`): settles the position's funding, fills `order` (against the position in
/// `slot`) through the one fill function, takes `keeper_fee` (at most the collateral) and
/// resolves a bankruptcy the close leaves. Returns the fill and the keeper fee taken.
#[allow(clippy::too_many_arguments)]
pub fn reduce(
    exchange: &mut Exchange,
    pool: &mut Pool,
    key: Pubkey,
    (sub_account, positions, slot): (&mut SubAccount, &mut [Position], usize),
    market: &mut Market,
    mark: FillMark,
    order: Order,
    keeper_fee: u64,
) -> Result<(Filled, u64)> {
    settle(sub_account, &mut positions[slot], market, key)?;
    let filled = fill(
        sub_account,
        positions,
        slot,
        market,
        Ledgers { exchange, pool },
        mark,
        order,
    )?;
    let keeper_fee = take_for_keeper(sub_account, keeper_fee);
    resolve_bankruptcy(sub_account, positions, exchange, pool, key)?;
    Ok((filled, keeper_fee))
}
