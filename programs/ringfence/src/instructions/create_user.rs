//! A wallet creates its root account.

use crate::error::RingfenceError;
use crate::events::UserCreated;
use crate::state::{Exchange, UserAccount, EXCHANGE_SEED, USER_SEED};
use crate::utils::{create_pda_account, write_account};
use anchor_lang::prelude::*;

/// Accounts of `create_user`.
#[derive(Accounts)]
pub struct CreateUser<'info> {
    /// The wallet; pays rent.
    #[account(mut)]
    pub owner: Signer<'info>,
    /// The exchange (counts users).
    #[account(mut, seeds = [EXCHANGE_SEED], bump = exchange.bump)]
    pub exchange: Account<'info, Exchange>,
    /// CHECK: created here at `["user", owner]` (pre-funded-safe).
    #[account(mut, seeds = [USER_SEED, owner.key().as_ref()], bump)]
    pub user: UncheckedAccount<'info>,
    /// System program.
    pub system_program: Program<'info, System>,
}

impl CreateUser<'_> {
    /// Creates the user account.
    pub fn handler(ctx: Context<CreateUser>) -> Result<()> {
        let accounts = &ctx.accounts;
        let owner = accounts.owner.key();
        create_pda_account(
            &accounts.owner.to_account_info(),
            &accounts.user,
            &accounts.system_program.to_account_info(),
            &crate::ID,
            UserAccount::SPACE,
            &[USER_SEED, owner.as_ref(), &[ctx.bumps.user]],
        )?;
        let user = UserAccount {
            owner,
            next_sub_account_id: 0,
            open_sub_accounts: 0,
            bump: ctx.bumps.user,
        };
        write_account(&accounts.user, &user)?;
        let exchange = &mut ctx.accounts.exchange;
        exchange.user_count = exchange
            .user_count
            .checked_add(1)
            .ok_or(RingfenceError::MathOverflow)?;
        crate::events::emit(UserCreated { owner });
        Ok(())
    }
}
