//! Reading and writing the exchange over standard Solana JSON-RPC (any cluster, or the local
//! network): decoded accounts, marks by the program's own oracle checks, and sending.

use crate::accounts::{self, SubAccountView};
use crate::builders;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::Discriminator;
use ringfence::math::I80F48;
use ringfence::state::{Exchange, Market, Pool, SubAccount, SUB_ACCOUNT_OWNER_OFFSET};
use solana_account_decoder_client_types::UiAccountEncoding;
use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
pub use solana_rpc_client_api::client_error::Error as ClientError;
use solana_rpc_client_api::client_error::ErrorKind;
use solana_rpc_client_api::config::{RpcAccountInfoConfig, RpcProgramAccountsConfig};
use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};
use solana_sdk::clock::Clock;
use solana_sdk::signature::{Keypair, Signature, Signer};
use solana_sdk::transaction::Transaction;

/// Result of a client call.
pub type ClientResult<T> = Result<T, ClientError>;

/// A market with its checked mark, or why the oracle refused.
#[derive(Debug, Clone)]
pub struct PricedMarket {
    /// The market's address.
    pub key: Pubkey,
    /// The market.
    pub market: Market,
    /// The mark the program would use now, or the oracle's refusal.
    pub mark: Result<I80F48, String>,
}

/// An RPC connection to a cluster running Ringfence.
pub struct Client {
    /// The underlying Solana RPC client.
    pub rpc: RpcClient,
}

fn custom(message: impl Into<String>) -> ClientError {
    ClientError::from(ErrorKind::Custom(message.into()))
}

impl Client {
    /// Connects to `url` with `confirmed` commitment.
    pub fn new(url: &str) -> Self {
        Self {
            rpc: RpcClient::new_with_commitment(url.to_string(), CommitmentConfig::confirmed()),
        }
    }

    /// Connects to `url` with `confirmed` commitment; each request gives up after `timeout`.
    pub fn with_timeout(url: &str, timeout: std::time::Duration) -> Self {
        Self {
            rpc: RpcClient::new_with_timeout_and_commitment(
                url.to_string(),
                timeout,
                CommitmentConfig::confirmed(),
            ),
        }
    }

    /// The cluster's unix time (its `Clock` sysvar), which the program checks oracles against.
    pub async fn now(&self) -> ClientResult<i64> {
        let account = self.rpc.get_account(&solana_sdk::sysvar::clock::ID).await?;
        let clock: Clock =
            bincode::deserialize(&account.data).map_err(|e| custom(format!("clock: {e}")))?;
        Ok(clock.unix_timestamp)
    }

    /// Raw data of `key`, or `None` when the account does not exist.
    pub async fn data(&self, key: &Pubkey) -> ClientResult<Option<Vec<u8>>> {
        let response = self
            .rpc
            .get_account_with_commitment(key, self.rpc.commitment())
            .await?;
        Ok(response.value.map(|account| account.data))
    }

    /// The exchange, or `None` before `initialize_exchange`.
    pub async fn exchange(&self) -> ClientResult<Option<Exchange>> {
        let data = self.data(&builders::exchange_pda()).await?;
        Ok(data.and_then(|d| accounts::borsh(&d)))
    }

    /// Every market, in index order, each with its mark now.
    pub async fn markets(&self) -> ClientResult<Vec<PricedMarket>> {
        let Some(exchange) = self.exchange().await? else {
            return Ok(Vec::new());
        };
        let keys: Vec<Pubkey> = (0..exchange.market_count)
            .map(builders::market_pda)
            .collect();
        let mut markets = Vec::with_capacity(keys.len());
        for (key, account) in keys
            .iter()
            .zip(self.rpc.get_multiple_accounts(&keys).await?)
        {
            let data = account.ok_or_else(|| custom(format!("market {key} missing")))?;
            let market = accounts::market(&data.data)
                .ok_or_else(|| custom(format!("market {key} does not decode")))?;
            markets.push((*key, market));
        }
        let oracles: Vec<Pubkey> = markets.iter().map(|(_, m)| m.oracle).collect();
        let oracle_accounts = self.rpc.get_multiple_accounts(&oracles).await?;
        let now = self.now().await?;
        Ok(markets
            .into_iter()
            .zip(oracle_accounts)
            .map(|((key, market), oracle)| {
                let mark = match oracle {
                    Some(o) => accounts::mark_price(&market, &o.owner, &o.data, now)
                        .map_err(|e| e.to_string()),
                    None => Err("oracle account missing".to_string()),
                };
                PricedMarket { key, market, mark }
            })
            .collect())
    }

    /// A sub-account, or `None` when it does not exist.
    pub async fn sub_account(&self, key: &Pubkey) -> ClientResult<Option<SubAccountView>> {
        let data = self.data(key).await?;
        Ok(data.and_then(|d| accounts::sub_account(&d)))
    }

    /// Sub-accounts matching `filters` (beyond the sub-account discriminator), by
    /// `getProgramAccounts`.
    pub async fn find_sub_accounts(
        &self,
        mut filters: Vec<RpcFilterType>,
    ) -> ClientResult<Vec<(Pubkey, SubAccountView)>> {
        filters.push(RpcFilterType::Memcmp(Memcmp::new_raw_bytes(
            0,
            SubAccount::DISCRIMINATOR.to_vec(),
        )));
        let config = RpcProgramAccountsConfig {
            filters: Some(filters),
            account_config: RpcAccountInfoConfig {
                encoding: Some(UiAccountEncoding::Base64),
                commitment: Some(self.rpc.commitment()),
                ..RpcAccountInfoConfig::default()
            },
            ..RpcProgramAccountsConfig::default()
        };
        let found = self
            .rpc
            .get_program_ui_accounts_with_config(&ringfence::ID, config)
            .await?;
        Ok(found
            .into_iter()
            .filter_map(|(key, account)| {
                Some((key, accounts::sub_account(&account.data.decode()?)?))
            })
            .collect())
    }

    /// The pool account, if the exchange exists.
    pub async fn pool(&self) -> ClientResult<Option<Pool>> {
        Ok(self
            .data(&builders::pool_pda())
            .await?
            .and_then(|d| accounts::borsh(&d)))
    }

    /// Every sub-account of `owner`, ordered by id.
    pub async fn sub_accounts_of(
        &self,
        owner: &Pubkey,
    ) -> ClientResult<Vec<(Pubkey, SubAccountView)>> {
        let filter = RpcFilterType::Memcmp(Memcmp::new_raw_bytes(
            SUB_ACCOUNT_OWNER_OFFSET,
            owner.to_bytes().to_vec(),
        ));
        let mut found = self.find_sub_accounts(vec![filter]).await?;
        found.sort_by_key(|(_, view)| view.header.id);
        Ok(found)
    }

    /// The vault's token balance and the sum of every ledger that claims it (every
    /// sub-account's collateral, the pool's balance, claim pot and receivable, the insurance fund,
    /// protocol fees and each market's funding ledger). Equal at every moment; any difference is
    /// lost or created money.
    pub async fn vault_and_ledgers(&self) -> ClientResult<(u64, i128)> {
        let exchange = self
            .exchange()
            .await?
            .ok_or_else(|| custom("no exchange"))?;
        let vault = self.rpc.get_token_account_balance(&exchange.vault).await?;
        let vault: u64 = vault
            .amount
            .parse()
            .map_err(|_| custom("vault balance is not a number"))?;
        let pool: Pool = self
            .data(&builders::pool_pda())
            .await?
            .and_then(|d| accounts::borsh(&d))
            .ok_or_else(|| custom("no pool"))?;
        let mut ledgers = i128::from(pool.balance)
            + i128::from(pool.claim_pot)
            + i128::from(pool.receivable)
            + i128::from(exchange.insurance_fund)
            + i128::from(exchange.protocol_fees);
        for market in self.markets().await? {
            ledgers += i128::from(market.market.funding_ledger);
        }
        for (_, view) in self.find_sub_accounts(Vec::new()).await? {
            ledgers += i128::from(view.header.collateral);
        }
        Ok((vault, ledgers))
    }

    /// Signs `instructions` with `payer` (fee payer) and `signers`, sends, and waits for
    /// confirmation. A fresh blockhash is fetched here, right before signing.
    pub async fn send(
        &self,
        instructions: &[Instruction],
        payer: &Keypair,
        signers: &[&Keypair],
    ) -> ClientResult<Signature> {
        let blockhash = self.rpc.get_latest_blockhash().await?;
        let mut all: Vec<&Keypair> = vec![payer];
        all.extend(signers.iter().filter(|s| s.pubkey() != payer.pubkey()));
        let transaction = Transaction::new_signed_with_payer(
            instructions,
            Some(&payer.pubkey()),
            &all,
            blockhash,
        );
        self.rpc.send_and_confirm_transaction(&transaction).await
    }

    /// Requests `lamports` for `to` from the cluster's faucet and waits until the transfer is
    /// confirmed (at most 30 s).
    pub async fn airdrop(&self, to: &Pubkey, lamports: u64) -> ClientResult<Signature> {
        let signature = self.rpc.request_airdrop(to, lamports).await?;
        for _ in 0..150 {
            if self.rpc.confirm_transaction(&signature).await? {
                return Ok(signature);
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        Err(custom(format!("airdrop {signature} not confirmed in 30 s")))
    }
}

/// `[market, oracle]` of each open position of `view` except in `except`: the remaining
/// accounts a margin check of the sub-account needs.
pub fn position_pairs(view: &SubAccountView, markets: &[PricedMarket], except: u16) -> Vec<Pubkey> {
    view.open_positions()
        .filter(|p| p.market_index != except)
        .filter_map(|p| markets.iter().find(|m| m.market.index == p.market_index))
        .flat_map(|m| [m.key, m.market.oracle])
        .collect()
}
