//! A liquidity provider redeems shares, after its cooldown, at the pool's lower valuation
//! (`pool_equity::LpFlow::Withdrawal`), unless what remains would break the pool's caps.
//! Read from the pool alone: no market accounts.

use crate::error::RingfenceError;
use crate::events::PoolWithdrawn;
use crate::pool_equity::{check_fresh, check_pool_caps, pool_equity, LpFlow};
use crate::state::{Exchange, LpAccount, Pool, EXCHANGE_SEED, LP_SEED, POOL_SEED};
use crate::utils::pay_out_of_vault;
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

/// Accounts of `pool_withdraw`.
#[derive(Accounts)]
pub struct PoolWithdraw<'info> {
    /// The liquidity provider.
    pub owner: Signer<'info>,
    /// The exchange (vault authority, insurance fund).
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

impl PoolWithdraw<'_> {
    /// Redeems `shares` for shares × equity / total shares, rounded down.
    pub fn handler(ctx: Context<PoolWithdraw>, shares: u64) -> Result<()> {
        let accounts = ctx.accounts;
        require!(
            shares > 0 && shares <= accounts.lp.shares,
            RingfenceError::InvalidShares
        );
        let now = Clock::get()?.unix_timestamp;
        let pool = &accounts.pool;
        require!(
            now >= accounts
                .lp
                .last_deposit_ts
                .saturating_add(i64::from(pool.lp_cooldown_s)),
            RingfenceError::LpCooldown
        );
        check_fresh(pool, now)?;
        let amount = redemption(pool, shares)?;
        require_gte!(pool.balance, amount, RingfenceError::PoolCannotPay);
        check_pool_caps(pool, accounts.exchange.insurance_fund, amount, now)?;

        accounts.lp.shares -= shares;
        let pool = &mut accounts.pool;
        pool.balance -= amount;
        pool.total_shares -= shares;
        pay_out_of_vault(
            &accounts.token_program.to_account_info(),
            &accounts.vault.to_account_info(),
            &accounts.destination.to_account_info(),
            &accounts.exchange.to_account_info(),
            accounts.exchange.bump,
            amount,
        )?;
        crate::events::emit(PoolWithdrawn {
            owner: accounts.owner.key(),
            amount,
            shares,
            pool_balance: accounts.pool.balance,
            total_shares: accounts.pool.total_shares,
        });
        Ok(())
    }
}

/// What `shares` redeem for at the withdrawal valuation, rounded down (zero when the pool's
/// lower equity is not positive).
pub fn redemption(pool: &Pool, shares: u64) -> Result<u64> {
    let equity = pool_equity(pool, LpFlow::Withdrawal).max(0);
    let amount = i128::from(shares)
        .checked_mul(equity)
        .ok_or(RingfenceError::MathOverflow)?
        / i128::from(pool.total_shares);
    u64::try_from(amount).map_err(|_| RingfenceError::MathOverflow.into())
}
