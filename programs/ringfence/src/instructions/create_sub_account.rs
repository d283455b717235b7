//! Opens a cross or isolated sub-account under the next id. The mode is fixed for its life.

use crate::error::RingfenceError;
use crate::events::SubAccountCreated;
use crate::state::{
    Exchange, SubAccount, SubAccountMode, UserAccount, EXCHANGE_SEED, SUB_ACCOUNT_SEED, USER_SEED,
};
use crate::utils::{create_pda_account, init_zero_copy};
use anchor_lang::prelude::*;

/// Accounts of `create_sub_account`.
#[derive(Accounts)]
#[instruction(id: u16)]
pub struct CreateSubAccount<'info> {
    /// The wallet; pays rent.
    #[account(mut)]
    pub owner: Signer<'info>,
    /// The exchange (knows which markets exist).
    #[account(seeds = [EXCHANGE_SEED], bump = exchange.bump)]
    pub exchange: Account<'info, Exchange>,
    /// The wallet's user account.
    #[account(mut, seeds = [USER_SEED, owner.key().as_ref()], bump = user.bump, has_one = owner @ RingfenceError::NotOwner)]
    pub user: Account<'info, UserAccount>,
    /// CHECK: created here at `["sub_account", owner, id LE]` (pre-funded-safe).
    #[account(mut, seeds = [SUB_ACCOUNT_SEED, owner.key().as_ref(), &id.to_le_bytes()], bump)]
    pub sub_account: UncheckedAccount<'info>,
    /// System program.
    pub system_program: Program<'info, System>,
}

impl CreateSubAccount<'_> {
    /// Creates sub-account `id` (which must be the user's next id) in `mode`.
    pub fn handler(ctx: Context<CreateSubAccount>, id: u16, mode: SubAccountMode) -> Result<()> {
        let accounts = &ctx.accounts;
        let next = accounts.user.next_sub_account_id;
        require_gte!(id, next, RingfenceError::SubAccountIdUsed);
        require_eq!(id, next, RingfenceError::SubAccountIdNotNext);
        if let SubAccountMode::Isolated { market_index } = mode {
            require_gt!(
                accounts.exchange.market_count,
                market_index,
                RingfenceError::MarketNotFound
            );
        }
        let owner = accounts.owner.key();
        create_pda_account(
            &accounts.owner.to_account_info(),
            &accounts.sub_account,
            &accounts.system_program.to_account_info(),
            &crate::ID,
            mode.space(),
            &[
                SUB_ACCOUNT_SEED,
                owner.as_ref(),
                &id.to_le_bytes(),
                &[ctx.bumps.sub_account],
            ],
        )?;
        let mut sub_account = init_zero_copy::<SubAccount>(&accounts.sub_account)?;
        sub_account.owner = owner;
        sub_account.id = id;
        sub_account.bump = ctx.bumps.sub_account;
        if let SubAccountMode::Isolated { market_index } = mode {
            sub_account.mode = 1;
            sub_account.isolated_market = market_index;
        }
        drop(sub_account);

        let user = &mut ctx.accounts.user;
        user.next_sub_account_id = next.checked_add(1).ok_or(RingfenceError::MathOverflow)?;
        user.open_sub_accounts = user
            .open_sub_accounts
            .checked_add(1)
            .ok_or(RingfenceError::MathOverflow)?;
        crate::events::emit(SubAccountCreated {
            owner,
            id,
            sub_account: ctx.accounts.sub_account.key(),
            mode,
        });
        Ok(())
    }
}
