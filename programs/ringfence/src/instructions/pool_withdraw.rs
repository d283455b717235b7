//! A liquidity provider redeems shares for collateral at the pool's equity, unless what
//! remains could not cover the traders' net exposure.

use crate::error::RingfenceError;
use crate::events::PoolWithdrawn;
use crate::math::fixed_point::{from_u64, to_i64_floor, Round};
use crate::pool_equity::value_pool;
use crate::state::{Exchange, LpAccount, Pool, EXCHANGE_SEED, LP_SEED, POOL_SEED};
use crate::utils::pay_out_of_vault;
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

/// Accounts of `pool_withdraw`. Remaining accounts: `[market, oracle]` for every market, in
/// index order.
#[derive(Accounts)]
pub struct PoolWithdraw<'info> {
    /// The liquidity provider.
    pub owner: Signer<'info>,
    /// The exchange (vault authority).
    #[account(seeds = [EXCHANGE_SEED], bump = exchange.bump)]
    pub exchange: Account<'info, Exchange>,
    /// The pool.
    #[account(mut, seeds = [POOL_SEED], bump = pool.bump)]
    pub pool: Account<'info, Pool>,
    /// The owner's LP account.
    #[account(mut, seeds = [LP_SEED, owner.key().as_ref()], bump = lp.bump, has_one = owner @ RingfenceError::NotOwner)]
    pub lp: Account<'info, LpAccount>,
    /// The exchange's vault.
    #[account(mut, address = exchange.vault @ RingfenceError::InvalidVault)]
    pub vault: Account<'info, TokenAccount>,
    /// Any token account of the collateral mint.
    #[account(mut, constraint = destination.mint == exchange.collateral_mint @ RingfenceError::WrongMint)]
    pub destination: Account<'info, TokenAccount>,
    /// SPL Token.
    pub token_program: Program<'info, Token>,
}

impl<'info> PoolWithdraw<'info> {
    /// Redeems `shares` for shares × equity / total shares, rounded down.
    pub fn handler(ctx: Context<'info, PoolWithdraw<'info>>, shares: u64) -> Result<()> {
        let accounts = ctx.accounts;
        require!(
            shares > 0 && shares <= accounts.lp.shares,
            RingfenceError::InvalidShares
        );
        let valuation = value_pool(
            accounts.pool.balance,
            accounts.exchange.market_count,
            ctx.remaining_accounts,
            &Clock::get()?,
            Round::Up,
        )?;
        let equity = u128::try_from(to_i64_floor(valuation.equity)?).unwrap_or(0);
        let amount = u128::from(shares) * equity / u128::from(accounts.pool.total_shares);
        let amount = u64::try_from(amount).map_err(|_| RingfenceError::MathOverflow)?;
        require_gte!(accounts.pool.balance, amount, RingfenceError::PoolCannotPay);
        let balance_after = accounts.pool.balance - amount;
        require!(
            valuation.largest_exposure <= from_u64(balance_after),
            RingfenceError::PoolExposureExceeded
        );

        accounts.lp.shares -= shares;
        let pool = &mut accounts.pool;
        pool.balance = balance_after;
        pool.total_shares -= shares;
        pay_out_of_vault(
            &accounts.token_program.to_account_info(),
            &accounts.vault.to_account_info(),
            &accounts.destination.to_account_info(),
            &accounts.exchange.to_account_info(),
            accounts.exchange.bump,
            amount,
        )?;
        emit!(PoolWithdrawn {
            owner: accounts.owner.key(),
            amount,
            shares,
            pool_balance: accounts.pool.balance,
            total_shares: accounts.pool.total_shares,
        });
        Ok(())
    }
}
