//! Account creation that survives pre-funded addresses, and vault token movements.

use crate::error::RingfenceError;
use crate::state::EXCHANGE_SEED;
use anchor_lang::prelude::*;
use anchor_lang::system_program::{self, Allocate, Assign, CreateAccount, Transfer};
use anchor_lang::{Discriminator, ZeroCopy};
use anchor_spl::token;
use core::cell::RefMut;

/// Creates the PDA `target` (signed by `seeds`) with `space` bytes owned by `owner`.
///
/// Anyone can send lamports to a PDA before it exists, and `create_account` then fails, so a
/// pre-funded address is completed instead: top up to rent exemption, allocate, assign.
pub fn create_pda_account<'info>(
    payer: &AccountInfo<'info>,
    target: &AccountInfo<'info>,
    system: &AccountInfo<'info>,
    owner: &Pubkey,
    space: usize,
    seeds: &[&[u8]],
) -> Result<()> {
    require_keys_eq!(
        *target.owner,
        system_program::ID,
        RingfenceError::AccountAlreadyExists
    );
    require!(target.data_is_empty(), RingfenceError::AccountAlreadyExists);
    let rent = Rent::get()?.minimum_balance(space);
    let signer: &[&[&[u8]]] = &[seeds];
    let current = target.lamports();
    if current == 0 {
        let accounts = CreateAccount {
            from: payer.clone(),
            to: target.clone(),
        };
        let ctx = CpiContext::new_with_signer(system.key(), accounts, signer);
        return system_program::create_account(ctx, rent, space as u64, owner);
    }
    if rent > current {
        let accounts = Transfer {
            from: payer.clone(),
            to: target.clone(),
        };
        system_program::transfer(CpiContext::new(system.key(), accounts), rent - current)?;
    }
    let allocate = Allocate {
        account_to_allocate: target.clone(),
    };
    system_program::allocate(
        CpiContext::new_with_signer(system.key(), allocate, signer),
        space as u64,
    )?;
    let assign = Assign {
        account_to_assign: target.clone(),
    };
    system_program::assign(
        CpiContext::new_with_signer(system.key(), assign, signer),
        owner,
    )
}

/// Writes a fresh Borsh account (discriminator and data) into a just-created account.
pub fn write_account<T: AccountSerialize>(target: &AccountInfo, value: &T) -> Result<()> {
    let mut data = target.try_borrow_mut_data()?;
    value.try_serialize(&mut &mut data[..])
}

/// Stamps the discriminator of a just-created zero-copy account and returns its body.
pub fn init_zero_copy<'a, T: ZeroCopy + Discriminator>(
    target: &'a AccountInfo,
) -> Result<RefMut<'a, T>> {
    let mut data = target.try_borrow_mut_data()?;
    data[..8].copy_from_slice(T::DISCRIMINATOR);
    Ok(RefMut::map(data, |d| {
        bytemuck::from_bytes_mut(&mut d[8..8 + core::mem::size_of::<T>()])
    }))
}

/// Moves `amount` from the vault to `destination`, signed by the exchange PDA.
pub fn pay_out_of_vault<'info>(
    token_program: &AccountInfo<'info>,
    vault: &AccountInfo<'info>,
    destination: &AccountInfo<'info>,
    exchange: &AccountInfo<'info>,
    exchange_bump: u8,
    amount: u64,
) -> Result<()> {
    let seeds: &[&[u8]] = &[EXCHANGE_SEED, &[exchange_bump]];
    let accounts = token::Transfer {
        from: vault.clone(),
        to: destination.clone(),
        authority: exchange.clone(),
    };
    token::transfer(
        CpiContext::new_with_signer(token_program.key(), accounts, &[seeds]),
        amount,
    )
}

/// Moves `amount` from a wallet's token account into the vault, signed by the wallet.
pub fn pay_into_vault<'info>(
    token_program: &AccountInfo<'info>,
    source: &AccountInfo<'info>,
    vault: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    amount: u64,
) -> Result<()> {
    let accounts = token::Transfer {
        from: source.clone(),
        to: vault.clone(),
        authority: authority.clone(),
    };
    token::transfer(CpiContext::new(token_program.key(), accounts), amount)
}
