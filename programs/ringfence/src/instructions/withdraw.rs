//! Moves free collateral out of a sub-account. Unrealized profit never counts here, and what
//! stays must cover the initial requirement of every open position.

use crate::authority::{permits, Right};
use crate::error::RingfenceError;
use crate::events::Withdrawn;
use crate::health::debit_free_collateral;
use crate::state::{load_sub_account_mut, Exchange, SubAccount, EXCHANGE_SEED};
use crate::utils::pay_out_of_vault;
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

/// Accounts of `withdraw`. Remaining accounts: `[market, oracle]` for each open position.
#[derive(Accounts)]
pub struct Withdraw<'info> {
    /// The sub-account's owner.
    pub owner: Signer<'info>,
    /// The exchange (vault authority).
    #[account(seeds = [EXCHANGE_SEED], bump = exchange.bump)]
    pub exchange: Account<'info, Exchange>,
    /// The sub-account debited.
    #[account(
        mut,
        constraint = permits(&sub_account, owner.key, Right::Owner)? @ RingfenceError::NotOwner
    )]
    pub sub_account: AccountLoader<'info, SubAccount>,
    /// The exchange's vault.
    #[account(mut, address = exchange.vault @ RingfenceError::InvalidVault)]
    pub vault: Account<'info, TokenAccount>,
    /// Any token account of the collateral mint.
    #[account(mut, constraint = destination.mint == exchange.collateral_mint @ RingfenceError::WrongMint)]
    pub destination: Account<'info, TokenAccount>,
    /// SPL Token.
    pub token_program: Program<'info, Token>,
}

impl<'info> Withdraw<'info> {
    /// Pays `amount` (quote native units) to `destination` if it is free collateral.
    pub fn handler(ctx: Context<'info, Withdraw<'info>>, amount: u64) -> Result<()> {
        require_gt!(amount, 0, RingfenceError::ZeroAmount);
        let accounts = &ctx.accounts;
        let sub_account_info = accounts.sub_account.to_account_info();
        let (mut sub_account, positions) = load_sub_account_mut(&sub_account_info)?;
        debit_free_collateral(&mut sub_account, &positions, ctx.remaining_accounts, amount)?;
        let collateral = sub_account.collateral;
        drop((sub_account, positions));

        pay_out_of_vault(
            &accounts.token_program.to_account_info(),
            &accounts.vault.to_account_info(),
            &accounts.destination.to_account_info(),
            &accounts.exchange.to_account_info(),
            accounts.exchange.bump,
            amount,
        )?;
        crate::events::emit(Withdrawn {
            sub_account: sub_account_info.key(),
            destination: accounts.destination.key(),
            amount,
            collateral,
        });
        Ok(())
    }
}
