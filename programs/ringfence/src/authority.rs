//! Who may act on a sub-account: the one check every instruction that acts on a sub-account
//! uses. The owner may do everything; the delegate it names may only trade (open, close, set
//! triggers): never deposit, withdraw, move margin, close the sub-account or change the
//! delegate. See docs/SECURITY.md.

use crate::state::SubAccount;
use anchor_lang::prelude::*;

/// What a signer wants to do to a sub-account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    /// Move collateral, close the sub-account, name a delegate: the owner only.
    Owner,
    /// Change positions and their triggers: the owner or its delegate.
    Trade,
}

/// Whether `signer` holds `right` over `sub_account`.
pub fn may(sub_account: &SubAccount, signer: &Pubkey, right: Right) -> bool {
    *signer == sub_account.owner
        || (right == Right::Trade
            && sub_account.delegate != Pubkey::default()
            && *signer == sub_account.delegate)
}

/// `may` for an account constraint: loads the sub-account's header.
pub fn permits(
    sub_account: &AccountLoader<SubAccount>,
    signer: &Pubkey,
    right: Right,
) -> Result<bool> {
    Ok(may(&*sub_account.load()?, signer, right))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(owner: Pubkey, delegate: Pubkey) -> SubAccount {
        let mut sub: SubAccount = bytemuck::Zeroable::zeroed();
        sub.owner = owner;
        sub.delegate = delegate;
        sub
    }

    #[test]
    fn the_owner_may_do_everything_a_delegate_only_trade_anyone_else_nothing() {
        let (owner, delegate, stranger) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let with = sub(owner, delegate);
        for right in [Right::Owner, Right::Trade] {
            assert!(may(&with, &owner, right));
            assert!(!may(&with, &stranger, right));
        }
        assert!(may(&with, &delegate, Right::Trade));
        assert!(!may(&with, &delegate, Right::Owner));
        // No delegate: the zero key (which no one can sign for) trades for nobody.
        let without = sub(owner, Pubkey::default());
        assert!(!may(&without, &Pubkey::default(), Right::Trade));
    }
}
