//! Closes an empty sub-account and returns its rent. Its id is never reused.

use crate::authority::{permits, Right};
use crate::error::RingfenceError;
use crate::events::SubAccountClosed;
use crate::state::{load_sub_account_with_orders_mut, SubAccount, UserAccount, USER_SEED};
use anchor_lang::prelude::*;

/// Accounts of `close_sub_account`.
#[derive(Accounts)]
pub struct CloseSubAccount<'info> {
    /// The owner; receives the rent.
    #[account(mut)]
    pub owner: Signer<'info>,
    /// The owner's user account.
    #[account(mut, seeds = [USER_SEED, owner.key().as_ref()], bump = user.bump, has_one = owner @ RingfenceError::NotOwner)]
    pub user: Account<'info, UserAccount>,
    /// The sub-account to close: no positions, zero collateral.
    #[account(
        mut,
        close = owner,
        constraint = permits(&sub_account, owner.key, Right::Owner)? @ RingfenceError::NotOwner
    )]
    pub sub_account: AccountLoader<'info, SubAccount>,
}

impl CloseSubAccount<'_> {
    /// Checks the sub-account is empty; Anchor's `close` then returns the rent.
    pub fn handler(ctx: Context<CloseSubAccount>) -> Result<()> {
        let info = ctx.accounts.sub_account.to_account_info();
        let (sub_account, positions, orders) = load_sub_account_with_orders_mut(&info)?;
        require!(
            sub_account.collateral == 0
                && sub_account.claim == 0
                && sub_account.pool_debt == 0
                && positions.iter().all(|p| !p.is_open()),
            RingfenceError::SubAccountNotEmpty
        );
        require!(
            orders.iter().all(|o| !o.is_open()),
            RingfenceError::SubAccountHasOrders
        );
        let id = sub_account.id;
        drop((sub_account, positions, orders));
        let user = &mut ctx.accounts.user;
        user.open_sub_accounts = user
            .open_sub_accounts
            .checked_sub(1)
            .ok_or(RingfenceError::MathOverflow)?;
        crate::events::emit(SubAccountClosed {
            owner: ctx.accounts.owner.key(),
            id,
            rent_returned: info.lamports(),
        });
        Ok(())
    }
}
