//! Reading and writing the exchange over standard Solana JSON-RPC (any cluster, or the local
//! network): decoded accounts, marks by the program's own oracle checks, and sending.

use crate::accounts::{self, SubAccountView};
use crate::builders;
use crate::statuses::StatusBoard;
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
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSendTransactionConfig,
};
use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};
use solana_sdk::clock::Clock;
use solana_sdk::hash::Hash;
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
    /// The underlying Solana RPC client; its commitment is the one reads and preflight
    /// simulations use.
    pub rpc: RpcClient,
    /// The commitment `send` waits for.
    landing: CommitmentConfig,
    /// The transactions `send` is waiting on, asked about together.
    statuses: StatusBoard,
}

/// Where the markets' accounts live: each market's address and its oracle's, in index order,
/// as last read. `Client::snapshot` reads them all in one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarketDirectory {
    /// Market addresses, by index.
    pub markets: Vec<Pubkey>,
    /// Each market's oracle, same order.
    pub oracles: Vec<Pubkey>,
}

/// Every market priced, the cluster's clock and some other accounts, read together.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Every market of the directory, with its mark at `now`.
    pub markets: Vec<PricedMarket>,
    /// The cluster's unix time (its `Clock` sysvar).
    pub now: i64,
    /// The data of each extra account asked for (`None`: it does not exist), same order.
    pub extra: Vec<Option<Vec<u8>>>,
}

/// Most accounts one `getMultipleAccounts` request may name.
const MULTIPLE_ACCOUNTS_LIMIT: usize = 100;
/// How often `send` asks for a sent transaction's status.
const STATUS_POLL: std::time::Duration = std::time::Duration::from_millis(100);
/// Status polls between checks that the transaction's blockhash can still land.
const POLLS_PER_BLOCKHASH_CHECK: u32 = 20;

fn custom(message: impl Into<String>) -> ClientError {
    ClientError::from(ErrorKind::Custom(message.into()))
}

impl Client {
    /// Connects to `url` with `confirmed` commitment.
    pub fn new(url: &str) -> Self {
        Self {
            rpc: RpcClient::new_with_commitment(url.to_string(), CommitmentConfig::confirmed()),
            landing: CommitmentConfig::confirmed(),
            statuses: StatusBoard::default(),
        }
    }

    /// Connects to `url` with `confirmed` commitment; each request gives up after `timeout`.
    pub fn with_timeout(url: &str, timeout: std::time::Duration) -> Self {
        Self::with_commitments(url, timeout, CommitmentConfig::confirmed())
    }

    /// Connects to `url`, reading (and simulating before sending) at `read` while `send` still
    /// waits for `confirmed`; each request gives up after `timeout`. A keeper reads at
    /// `processed` to act on a price the slot it lands in, not a slot or two later.
    pub fn with_commitments(
        url: &str,
        timeout: std::time::Duration,
        read: CommitmentConfig,
    ) -> Self {
        Self {
            rpc: RpcClient::new_with_timeout_and_commitment(url.to_string(), timeout, read),
            landing: CommitmentConfig::confirmed(),
            statuses: StatusBoard::default(),
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
        let directory = self.directory().await?;
        Ok(self.snapshot(&directory, &[]).await?.markets)
    }

    /// The markets' and their oracles' addresses (the exchange and every market read).
    pub async fn directory(&self) -> ClientResult<MarketDirectory> {
        let Some(exchange) = self.exchange().await? else {
            return Ok(MarketDirectory::default());
        };
        let markets: Vec<Pubkey> = (0..exchange.market_count)
            .map(builders::market_pda)
            .collect();
        let mut oracles = Vec::with_capacity(markets.len());
        for (key, data) in markets.iter().zip(self.many(&markets).await?) {
            oracles.push(decode_market(key, data)?.oracle);
        }
        Ok(MarketDirectory { markets, oracles })
    }

    /// Every market of `directory` priced at the clock's time, and the `extra` accounts, in one
    /// `getMultipleAccounts` (so from one slot) while they fit in one. Fails when a market's
    /// oracle is no longer the directory's (read the directory again).
    pub async fn snapshot(
        &self,
        directory: &MarketDirectory,
        extra: &[Pubkey],
    ) -> ClientResult<Snapshot> {
        let n = directory.markets.len();
        let mut keys = vec![solana_sdk::sysvar::clock::ID];
        keys.extend_from_slice(&directory.markets);
        keys.extend_from_slice(&directory.oracles);
        keys.extend_from_slice(extra);
        let mut found = self.many_accounts(&keys).await?.into_iter();
        let clock = found.next().flatten().ok_or_else(|| custom("no clock"))?;
        let clock: Clock =
            bincode::deserialize(&clock.data).map_err(|e| custom(format!("clock: {e}")))?;
        let now = clock.unix_timestamp;
        let market_data: Vec<_> = found.by_ref().take(n).collect();
        let oracle_data: Vec<_> = found.by_ref().take(n).collect();
        let mut markets = Vec::with_capacity(n);
        for (i, (data, oracle)) in market_data.into_iter().zip(oracle_data).enumerate() {
            let key = directory.markets[i];
            let market = decode_market(&key, data.map(|a| a.data))?;
            if market.oracle != directory.oracles[i] {
                return Err(custom(format!("market {key} changed its oracle")));
            }
            let mark = match oracle {
                Some(o) => {
                    accounts::mark_price(&market, &o.owner, &o.data, now).map_err(|e| e.to_string())
                }
                None => Err("oracle account missing".to_string()),
            };
            markets.push(PricedMarket { key, market, mark });
        }
        let extra = found.map(|a| a.map(|a| a.data)).collect();
        Ok(Snapshot {
            markets,
            now,
            extra,
        })
    }

    /// The data of each of `keys` (`None`: missing), in requests of at most
    /// `MULTIPLE_ACCOUNTS_LIMIT`.
    async fn many(&self, keys: &[Pubkey]) -> ClientResult<Vec<Option<Vec<u8>>>> {
        Ok(self
            .many_accounts(keys)
            .await?
            .into_iter()
            .map(|a| a.map(|a| a.data))
            .collect())
    }

    async fn many_accounts(
        &self,
        keys: &[Pubkey],
    ) -> ClientResult<Vec<Option<solana_sdk::account::Account>>> {
        let mut found = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(MULTIPLE_ACCOUNTS_LIMIT) {
            found.extend(self.rpc.get_multiple_accounts(chunk).await?);
        }
        Ok(found)
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

    /// Signs `instructions` with `payer` (fee payer) and `signers`, sends (simulated first at
    /// the read commitment), and waits until it is `confirmed`, asking every `STATUS_POLL`. A
    /// fresh `confirmed` blockhash is fetched here, right before signing.
    pub async fn send(
        &self,
        instructions: &[Instruction],
        payer: &Keypair,
        signers: &[&Keypair],
    ) -> ClientResult<Signature> {
        let (blockhash, _) = self
            .rpc
            .get_latest_blockhash_with_commitment(self.landing)
            .await?;
        let mut all: Vec<&Keypair> = vec![payer];
        all.extend(signers.iter().filter(|s| s.pubkey() != payer.pubkey()));
        let transaction = Transaction::new_signed_with_payer(
            instructions,
            Some(&payer.pubkey()),
            &all,
            blockhash,
        );
        let config = RpcSendTransactionConfig {
            preflight_commitment: Some(self.rpc.commitment().commitment),
            ..RpcSendTransactionConfig::default()
        };
        let signature = self
            .rpc
            .send_transaction_with_config(&transaction, config)
            .await?;
        self.confirm(&signature, &blockhash).await
    }

    /// Waits until `signature` is `confirmed` (its error if it failed), or fails once its
    /// `blockhash` can no longer land. Every `send` waiting on this client shares one status
    /// request per half `STATUS_POLL`.
    async fn confirm(&self, signature: &Signature, blockhash: &Hash) -> ClientResult<Signature> {
        let _waiting = self.statuses.wait_for(*signature);
        let mut polls = 0u32;
        loop {
            polls += 1;
            self.statuses
                .ask(&self.rpc, self.landing, STATUS_POLL / 2)
                .await?;
            match self.statuses.outcome(signature) {
                Some(Ok(())) => return Ok(*signature),
                Some(Err(error)) => return Err(error.into()),
                None => {}
            }
            if polls.is_multiple_of(POLLS_PER_BLOCKHASH_CHECK)
                && !self
                    .rpc
                    .is_blockhash_valid(blockhash, CommitmentConfig::processed())
                    .await?
            {
                return Err(custom(format!("{signature} expired unconfirmed")));
            }
            tokio::time::sleep(STATUS_POLL).await;
        }
    }

    /// `getSignatureStatuses` requests `send` has made so far, over every transaction sent.
    pub fn status_requests(&self) -> u64 {
        self.statuses.requests()
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

fn decode_market(key: &Pubkey, data: Option<Vec<u8>>) -> ClientResult<Market> {
    let data = data.ok_or_else(|| custom(format!("market {key} missing")))?;
    accounts::market(&data).ok_or_else(|| custom(format!("market {key} does not decode")))
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
