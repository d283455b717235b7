//! Scenario builders: markets, users and funded sub-accounts in one call each.

use crate::builders;
use crate::harness::{Harness, Wallet};
use crate::pyth::{receiver_program, PythPrice};
use ringfence::instructions::{CreateMarketArgs, OracleSource};
use ringfence::state::{MarketParams, Position, SubAccountMode};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;
use solana_sdk::transaction::TransactionError;

impl Harness {
    /// Market index the next `create_market` will take.
    pub async fn next_market_index(&mut self) -> u16 {
        self.exchange().await.market_count
    }

    /// Sends `create_market` as the admin.
    pub async fn try_create_market(
        &mut self,
        name: &str,
        oracle_account: Pubkey,
        oracle: OracleSource,
        params: MarketParams,
    ) -> Result<(), TransactionError> {
        let index = self.next_market_index().await;
        let args = CreateMarketArgs {
            name: name.to_string(),
            oracle,
            params,
        };
        let admin = self.admin.insecure_clone();
        let ix = builders::create_market(&admin.pubkey(), index, &oracle_account, args);
        self.process(&[ix], &[&admin]).await
    }

    /// Creates a stub-oracle market priced at `dollars`; returns its index.
    pub async fn stub_market(&mut self, name: &str, params: MarketParams, dollars: i64) -> u16 {
        let index = self.next_market_index().await;
        let oracle = OracleSource::Stub {
            price: dollars * 1_000_000,
            conf: 0,
            exponent: -6,
        };
        self.try_create_market(name, builders::stub_oracle_pda(index), oracle, params)
            .await
            .expect("create stub market");
        index
    }

    /// Writes a Pyth price update at `address` owned by the receiver program.
    pub fn write_pyth(&mut self, address: &Pubkey, price: &PythPrice) {
        self.set_account(address, price.to_account(receiver_program()));
    }

    /// Creates a Pyth market whose price update lives at `address`; returns its index.
    pub async fn pyth_market(
        &mut self,
        name: &str,
        params: MarketParams,
        address: Pubkey,
        price: PythPrice,
    ) -> u16 {
        let index = self.next_market_index().await;
        self.write_pyth(&address, &price);
        let oracle = OracleSource::Pyth {
            feed_id: price.feed_id,
        };
        self.try_create_market(name, address, oracle, params)
            .await
            .expect("create pyth market");
        index
    }

    /// Creates `wallet`'s user account.
    pub async fn create_user(&mut self, wallet: &Wallet) {
        let ix = builders::create_user(&wallet.key());
        self.process(&[ix], &[&wallet.keypair])
            .await
            .expect("create_user");
    }

    /// Sends `create_sub_account(id, mode)` and tracks the account for conservation.
    pub async fn try_create_sub_account(
        &mut self,
        wallet: &Wallet,
        id: u16,
        mode: SubAccountMode,
    ) -> Result<Pubkey, TransactionError> {
        let key = builders::sub_account_pda(&wallet.key(), id);
        let ix = builders::create_sub_account(&wallet.key(), id, mode);
        self.process(&[ix], &[&wallet.keypair]).await?;
        self.sub_accounts.push(key);
        Ok(key)
    }

    /// Creates `wallet`'s next sub-account in `mode`.
    pub async fn create_sub_account(&mut self, wallet: &Wallet, mode: SubAccountMode) -> Pubkey {
        let user: ringfence::state::UserAccount =
            self.decode(&builders::user_pda(&wallet.key())).await;
        self.try_create_sub_account(wallet, user.next_sub_account_id, mode)
            .await
            .expect("create_sub_account")
    }

    /// Deposits `amount` native units from `wallet`'s token account into `sub_account`.
    pub async fn deposit(
        &mut self,
        wallet: &Wallet,
        sub_account: &Pubkey,
        amount: u64,
    ) -> Result<(), TransactionError> {
        let ix = builders::deposit(&wallet.key(), sub_account, &wallet.token, amount);
        self.process(&[ix], &[&wallet.keypair]).await
    }

    /// Withdraws `amount` native units from `sub_account` to `wallet`'s token account.
    pub async fn withdraw(
        &mut self,
        wallet: &Wallet,
        sub_account: &Pubkey,
        amount: u64,
    ) -> Result<(), TransactionError> {
        let ix = builders::withdraw(&wallet.key(), sub_account, &wallet.token, amount, &[]);
        self.process(&[ix], &[&wallet.keypair]).await
    }

    /// A wallet with `usd` dollars, a user account and one cross sub-account.
    pub async fn trader(&mut self, usd: u64) -> (Wallet, Pubkey) {
        let wallet = self.wallet(usd).await;
        self.create_user(&wallet).await;
        let sub_account = self
            .create_sub_account(&wallet, SubAccountMode::Cross)
            .await;
        (wallet, sub_account)
    }

    /// Writes `position` into `slot` of `sub_account`'s bytes, as a fixture for margin checks
    /// before trading exists; collateral and the vault are untouched, so conservation holds.
    pub async fn inject_position(&mut self, sub_account: &Pubkey, slot: usize, position: Position) {
        let mut account = self.account(sub_account).await.expect("sub-account");
        let header_end = 8 + std::mem::size_of::<ringfence::state::SubAccount>();
        let start = header_end + slot * std::mem::size_of::<Position>();
        account.data[start..start + std::mem::size_of::<Position>()]
            .copy_from_slice(bytemuck::bytes_of(&position));
        account.data[ringfence::state::SUB_ACCOUNT_HAS_POSITIONS_OFFSET] = 1;
        self.set_account(sub_account, account);
    }
}
