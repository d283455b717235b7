//! Anyone removes a resting order that can no longer fill (expired, or reduce-only with no
//! opposite position to reduce), so keepers and the page stop watching it. It pays nothing:
//! a fee here would let a delegate, which may place orders, pay itself the owner's
//! collateral by placing orders that die at once. `place_order` reuses a dead order's slot.

use crate::error::RingfenceError;
use crate::events::OrderRemoved;
use crate::state::{
    load_sub_account_with_orders_mut, position_slot, Position, RestingOrder, SubAccount,
};
use anchor_lang::prelude::*;

/// Accounts of `prune_order`.
#[derive(Accounts)]
pub struct PruneOrder<'info> {
    /// Anyone.
    pub keeper: Signer<'info>,
    /// The sub-account holding the order.
    #[account(mut)]
    pub sub_account: AccountLoader<'info, SubAccount>,
}

/// Whether `order` can never fill as things stand: expired at `now`, or reduce-only with no
/// opposite position in its market.
pub fn dead(order: &RestingOrder, positions: &[Position], now: i64) -> bool {
    if now >= order.expiry {
        return true;
    }
    let opposite = position_slot(positions, order.market_index).is_some_and(|at| {
        let held = positions[at].base;
        (held > 0) == (order.side == 1)
    });
    order.reduce_only == 1 && !opposite
}

impl PruneOrder<'_> {
    /// Frees order slot `slot` if the order is dead.
    pub fn handler(ctx: Context<PruneOrder>, slot: u8) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let info = ctx.accounts.sub_account.to_account_info();
        let (_, positions, mut orders) = load_sub_account_with_orders_mut(&info)?;
        let order = *orders
            .get(usize::from(slot))
            .filter(|o| o.is_open())
            .ok_or(RingfenceError::NoOrder)?;
        require!(
            dead(&order, &positions, now),
            RingfenceError::OrderStillValid
        );
        orders[usize::from(slot)] = RestingOrder::default();
        crate::events::emit(OrderRemoved {
            sub_account: info.key(),
            slot,
            market_index: order.market_index,
            by: ctx.accounts.keeper.key(),
            pruned: true,
            keeper_fee: 0,
        });
        Ok(())
    }
}
