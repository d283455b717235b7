//! The test context: a started `ProgramTest` with the program on the native path, a collateral
//! mint, an initialized exchange, and helpers that read state and check conservation.

use crate::builders;
use anchor_lang::{AccountDeserialize, Discriminator};
use anchor_spl::token::spl_token;
use ringfence::error::RingfenceError;
use ringfence::instructions::ExchangeConfig;
use ringfence::state::{Exchange, Market, Pool, Position, SubAccount, MAX_VALUATION_AGE_S};
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_program_test::{BanksClientError, ProgramTest, ProgramTestContext};
use solana_sdk::account::{Account, AccountSharedData};
use solana_sdk::clock::Clock;
use solana_sdk::instruction::{Instruction, InstructionError};
use solana_sdk::program_pack::Pack;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::{Transaction, TransactionError};
use solana_system_interface::instruction as system_instruction;

/// A wallet with SOL and a token account of the collateral mint.
pub struct Wallet {
    /// The wallet's keypair.
    pub keypair: Keypair,
    /// Its token account of the collateral mint.
    pub token: Pubkey,
}

impl Wallet {
    /// The wallet's address.
    pub fn key(&self) -> Pubkey {
        self.keypair.pubkey()
    }
}

/// A running exchange under test.
pub struct Harness {
    /// The program-test context.
    pub ctx: ProgramTestContext,
    /// The exchange admin.
    pub admin: Keypair,
    /// The collateral mint (6 decimals).
    pub mint: Pubkey,
    mint_authority: Keypair,
    /// Every sub-account created through the harness (their collateral is in the ledger sum).
    pub sub_accounts: Vec<Pubkey>,
    /// The settings `initialize_exchange` uses (stub oracles allowed, a 1 s timelock, unless a
    /// test changes them first).
    pub config: ExchangeConfig,
    /// The treasury token account (owned by the admin), created with the exchange.
    pub treasury: Pubkey,
    nonce: u32,
    initialized: bool,
}

/// A Ringfence error as the runtime reports it.
pub fn program_error(error: RingfenceError) -> TransactionError {
    TransactionError::InstructionError(0, InstructionError::Custom(u32::from(error)))
}

/// An Anchor framework error as the runtime reports it.
pub fn anchor_error(error: anchor_lang::error::ErrorCode) -> TransactionError {
    TransactionError::InstructionError(0, InstructionError::Custom(u32::from(error)))
}

/// Asserts that `result` failed with exactly `error` in the transaction's program instruction.
#[track_caller]
pub fn assert_error(result: Result<(), TransactionError>, error: RingfenceError) {
    assert_eq!(result, Err(program_error(error)), "expected {error:?}");
}

impl Harness {
    /// A started runtime with a collateral mint, before `initialize_exchange`.
    pub async fn uninitialized() -> Self {
        Self::with_mint_decimals(6).await
    }

    /// A started runtime whose collateral mint has `decimals`.
    pub async fn with_mint_decimals(decimals: u8) -> Self {
        let mut test = ProgramTest::new(
            "ringfence",
            ringfence::ID,
            ringfence_host::builtin!(ringfence::native::process_instruction),
        );
        test.prefer_bpf(false);
        let ctx = test.start_with_context().await;
        ringfence_host::install();
        let mut harness = Self {
            ctx,
            admin: Keypair::new(),
            mint: Pubkey::default(),
            mint_authority: Keypair::new(),
            sub_accounts: Vec::new(),
            config: ExchangeConfig {
                timelock_s: 1,
                allow_stub_oracles: true,
                lp_cooldown_s: 0,
                max_valuation_age_s: MAX_VALUATION_AGE_S,
            },
            treasury: Pubkey::default(),
            nonce: 0,
            initialized: false,
        };
        harness
            .airdrop(&harness.admin.pubkey(), 100_000_000_000)
            .await;
        harness.mint = harness.create_mint(decimals).await;
        harness
    }

    /// A started runtime with the exchange initialized.
    pub async fn new() -> Self {
        let mut harness = Self::uninitialized().await;
        harness
            .initialize_exchange()
            .await
            .expect("initialize_exchange");
        harness
    }

    /// Sends `initialize_exchange` signed by the harness admin, with a new treasury token
    /// account of the admin and `self.config`.
    pub async fn initialize_exchange(&mut self) -> Result<(), TransactionError> {
        if self.treasury == Pubkey::default() {
            self.treasury = self
                .token_account(&self.admin.pubkey(), &self.mint.clone())
                .await;
        }
        let ix = builders::initialize_exchange(
            &self.admin.pubkey(),
            &self.mint,
            &self.treasury,
            self.config,
        );
        let admin = self.admin.insecure_clone();
        let result = self.process(&[ix], &[&admin]).await;
        self.initialized = self.account(&builders::exchange_pda()).await.is_some();
        result
    }

    /// Sends `instructions` in one transaction (fee paid by the context payer), then checks
    /// conservation whether it succeeded or not.
    pub async fn process(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<(), TransactionError> {
        let result = self.send(instructions, signers).await;
        if self.initialized {
            self.assert_conservation().await;
        }
        result
    }

    async fn send(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<(), TransactionError> {
        // A distinct compute limit makes every transaction unique within one blockhash.
        self.nonce += 1;
        let unique = ComputeBudgetInstruction::set_compute_unit_limit(1_400_000 - self.nonce);
        let mut all = vec![unique];
        all.extend_from_slice(instructions);
        let payer = self.ctx.payer.insecure_clone();
        let mut keys: Vec<&Keypair> = vec![&payer];
        keys.extend_from_slice(signers);
        let blockhash = self.ctx.banks_client.get_latest_blockhash().await.unwrap();
        let tx = Transaction::new_signed_with_payer(&all, Some(&payer.pubkey()), &keys, blockhash);
        self.ctx
            .banks_client
            .process_transaction(tx)
            .await
            .map_err(|e: BanksClientError| shift_instruction_index(e.unwrap()))
    }

    /// Vault balance = Σ sub-account collateral + pool + insurance + protocol fees + Σ market
    /// funding ledgers, exactly.
    pub async fn assert_conservation(&mut self) {
        let exchange = self.exchange().await;
        let vault = self.token_balance(&exchange.vault).await;
        let pool = self.pool().await;
        let mut ledgers = i128::from(pool.balance)
            + i128::from(pool.claim_pot)
            + i128::from(pool.receivable)
            + i128::from(exchange.insurance_fund)
            + i128::from(exchange.protocol_fees);
        for index in 0..exchange.market_count {
            ledgers += i128::from(self.market(index).await.funding_ledger);
        }
        for key in self.sub_accounts.clone() {
            if let Some((header, _)) = self.try_sub_account(&key).await {
                ledgers += i128::from(header.collateral);
            }
        }
        assert_eq!(
            i128::from(vault),
            ledgers,
            "vault balance must equal the ledgers"
        );
    }

    /// A new wallet with 10 SOL and `usd` dollars of collateral tokens.
    pub async fn wallet(&mut self, usd: u64) -> Wallet {
        let keypair = Keypair::new();
        self.airdrop(&keypair.pubkey(), 10_000_000_000).await;
        let token = self
            .token_account(&keypair.pubkey(), &self.mint.clone())
            .await;
        if usd > 0 {
            self.mint_to(&token, usd * crate::params::USD).await;
        }
        Wallet { keypair, token }
    }

    /// Sends lamports from the context payer.
    pub async fn airdrop(&mut self, to: &Pubkey, lamports: u64) {
        let ix = system_instruction::transfer(&self.ctx.payer.pubkey(), to, lamports);
        self.send(&[ix], &[]).await.expect("airdrop");
    }

    /// Creates a mint with `decimals`, authority held by the harness.
    pub async fn create_mint(&mut self, decimals: u8) -> Pubkey {
        let mint = Keypair::new();
        let rent = self.ctx.banks_client.get_rent().await.unwrap();
        let payer = self.ctx.payer.pubkey();
        let ixs = [
            system_instruction::create_account(
                &payer,
                &mint.pubkey(),
                rent.minimum_balance(spl_token::state::Mint::LEN),
                spl_token::state::Mint::LEN as u64,
                &spl_token::ID,
            ),
            spl_token::instruction::initialize_mint2(
                &spl_token::ID,
                &mint.pubkey(),
                &self.mint_authority.pubkey(),
                None,
                decimals,
            )
            .unwrap(),
        ];
        self.send(&ixs, &[&mint]).await.expect("create mint");
        mint.pubkey()
    }

    /// Creates a token account of `mint` owned by `owner`.
    pub async fn token_account(&mut self, owner: &Pubkey, mint: &Pubkey) -> Pubkey {
        let account = Keypair::new();
        let rent = self.ctx.banks_client.get_rent().await.unwrap();
        let payer = self.ctx.payer.pubkey();
        let ixs = [
            system_instruction::create_account(
                &payer,
                &account.pubkey(),
                rent.minimum_balance(spl_token::state::Account::LEN),
                spl_token::state::Account::LEN as u64,
                &spl_token::ID,
            ),
            spl_token::instruction::initialize_account3(
                &spl_token::ID,
                &account.pubkey(),
                mint,
                owner,
            )
            .unwrap(),
        ];
        self.send(&ixs, &[&account])
            .await
            .expect("create token account");
        account.pubkey()
    }

    /// Mints collateral tokens (native units) to `token` (the collateral mint only).
    pub async fn mint_to(&mut self, token: &Pubkey, amount: u64) {
        let ix = spl_token::instruction::mint_to(
            &spl_token::ID,
            &self.mint,
            token,
            &self.mint_authority.pubkey(),
            &[],
            amount,
        )
        .unwrap();
        let authority = self.mint_authority.insecure_clone();
        self.send(&[ix], &[&authority]).await.expect("mint_to");
    }

    /// Raw account, if it exists.
    pub async fn account(&mut self, key: &Pubkey) -> Option<Account> {
        self.ctx.banks_client.get_account(*key).await.unwrap()
    }

    /// Writes an account directly (oracle fixtures, pre-funded addresses).
    pub fn set_account(&mut self, key: &Pubkey, account: Account) {
        self.ctx.set_account(key, &AccountSharedData::from(account));
    }

    /// Owner, lamports and data of each account (None when absent): compare two snapshots to
    /// prove that a failed instruction changed nothing.
    pub async fn snapshot(&mut self, keys: &[Pubkey]) -> Vec<Option<Account>> {
        let mut accounts = Vec::with_capacity(keys.len());
        for key in keys {
            accounts.push(self.account(key).await);
        }
        accounts
    }

    /// Token balance of a token account.
    pub async fn token_balance(&mut self, key: &Pubkey) -> u64 {
        let account = self.account(key).await.expect("token account");
        spl_token::state::Account::unpack(&account.data)
            .unwrap()
            .amount
    }

    /// Decodes a Borsh account of the program.
    pub async fn decode<T: AccountDeserialize>(&mut self, key: &Pubkey) -> T {
        let account = self.account(key).await.expect("account exists");
        T::try_deserialize(&mut &account.data[..]).expect("decodes")
    }

    /// The exchange account.
    pub async fn exchange(&mut self) -> Exchange {
        self.decode(&builders::exchange_pda()).await
    }

    /// The pool account.
    pub async fn pool(&mut self) -> Pool {
        self.decode(&builders::pool_pda()).await
    }

    /// Market number `index`.
    pub async fn market(&mut self, index: u16) -> Market {
        let account = self
            .account(&builders::market_pda(index))
            .await
            .expect("market");
        assert_eq!(&account.data[..8], Market::DISCRIMINATOR);
        *bytemuck::from_bytes(&account.data[8..8 + std::mem::size_of::<Market>()])
    }

    /// A sub-account's header and position slots, if it exists.
    pub async fn try_sub_account(&mut self, key: &Pubkey) -> Option<(SubAccount, Vec<Position>)> {
        let account = self.account(key).await?;
        if account.owner != ringfence::ID || account.data.len() < 8 {
            return None;
        }
        let view = ringfence_sdk::accounts::sub_account(&account.data)?;
        Some((view.header, view.positions))
    }

    /// A sub-account's header.
    pub async fn sub_account(&mut self, key: &Pubkey) -> SubAccount {
        self.try_sub_account(key)
            .await
            .expect("sub-account exists")
            .0
    }

    /// The bank's clock.
    pub async fn clock(&mut self) -> Clock {
        self.ctx.banks_client.get_sysvar::<Clock>().await.unwrap()
    }

    /// Moves the clock's unix time to `unix_timestamp`.
    pub async fn set_time(&mut self, unix_timestamp: i64) {
        let mut clock = self.clock().await;
        clock.unix_timestamp = unix_timestamp;
        self.ctx.set_sysvar(&clock);
    }

    /// Moves the clock's slot on by one (orders execute only in a slot after their own).
    pub async fn next_slot(&mut self) {
        let mut clock = self.clock().await;
        clock.slot += 1;
        self.ctx.set_sysvar(&clock);
    }
}

/// The harness prepends one compute-budget instruction; report errors by the caller's index.
fn shift_instruction_index(error: TransactionError) -> TransactionError {
    match error {
        TransactionError::InstructionError(index, inner) => {
            TransactionError::InstructionError(index.saturating_sub(1), inner)
        }
        other => other,
    }
}
