//! The owner (or its delegate) removes one of its resting orders.

use crate::authority::{permits, Right};
use crate::error::RingfenceError;
use crate::events::OrderRemoved;
use crate::state::{load_sub_account_with_orders_mut, RestingOrder, SubAccount};
use anchor_lang::prelude::*;

/// Accounts of `cancel_order`.
#[derive(Accounts)]
pub struct CancelOrder<'info> {
    /// The sub-account's owner or its delegate.
    pub trader: Signer<'info>,
    /// The sub-account.
    #[account(mut, constraint = permits(&sub_account, trader.key, Right::Trade)? @ RingfenceError::NotOwnerOrDelegate)]
    pub sub_account: AccountLoader<'info, SubAccount>,
}

impl CancelOrder<'_> {
    /// Frees order slot `slot`.
    pub fn handler(ctx: Context<CancelOrder>, slot: u8) -> Result<()> {
        let info = ctx.accounts.sub_account.to_account_info();
        let (_, _, mut orders) = load_sub_account_with_orders_mut(&info)?;
        let order = orders
            .get_mut(usize::from(slot))
            .filter(|o| o.is_open())
            .ok_or(RingfenceError::NoOrder)?;
        let market_index = order.market_index;
        *order = RestingOrder::default();
        crate::events::emit(OrderRemoved {
            sub_account: info.key(),
            slot,
            market_index,
            by: ctx.accounts.trader.key(),
            pruned: false,
            keeper_fee: 0,
        });
        Ok(())
    }
}
