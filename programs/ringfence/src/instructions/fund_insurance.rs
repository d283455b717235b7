//! Anyone adds collateral to the insurance fund.

use crate::error::RingfenceError;
use crate::events::InsuranceMoved;
use crate::state::{Exchange, EXCHANGE_SEED};
use crate::utils::pay_into_vault;
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

/// Accounts of `fund_insurance`.
#[derive(Accounts)]
pub struct FundInsurance<'info> {
    /// Whoever funds it.
    pub funder: Signer<'info>,
    /// The funder's token account of the collateral mint.
    #[account(
        mut,
        constraint = funder_token.mint == exchange.collateral_mint @ RingfenceError::WrongMint,
        constraint = funder_token.owner == funder.key() @ RingfenceError::TokenAccountNotOwned
    )]
    pub funder_token: Account<'info, TokenAccount>,
    /// The exchange.
    #[account(mut, seeds = [EXCHANGE_SEED], bump = exchange.bump)]
    pub exchange: Account<'info, Exchange>,
    /// The exchange's vault.
    #[account(mut, address = exchange.vault @ RingfenceError::InvalidVault)]
    pub vault: Account<'info, TokenAccount>,
    /// SPL Token.
    pub token_program: Program<'info, Token>,
}

impl FundInsurance<'_> {
    /// Moves `amount` (quote native) into the insurance fund.
    pub fn handler(ctx: Context<FundInsurance>, amount: u64) -> Result<()> {
        require_gt!(amount, 0, RingfenceError::ZeroAmount);
        let accounts = ctx.accounts;
        accounts.exchange.insurance_fund = accounts
            .exchange
            .insurance_fund
            .checked_add(amount)
            .ok_or(RingfenceError::MathOverflow)?;
        pay_into_vault(
            &accounts.token_program.to_account_info(),
            &accounts.funder_token.to_account_info(),
            &accounts.vault.to_account_info(),
            &accounts.funder.to_account_info(),
            amount,
        )?;
        crate::events::emit(InsuranceMoved {
            account: accounts.funder.key(),
            amount: i64::try_from(amount).map_err(|_| RingfenceError::MathOverflow)?,
            insurance_fund: accounts.exchange.insurance_fund,
        });
        Ok(())
    }
}
