//! The chain: a `solana-program-test` bank with the Ringfence program on the native path,
//! owned by one thread. The bank's runtime is driven only while that thread serves a request,
//! so its test blockhash ticker registers at most a hash or two per request, and blockhashes
//! live for about as many slots as on a real cluster (slots advance on the server's timer).
// solana-program-test 3.x marks its whole API deprecated ahead of moving it behind an
// "unstable API" feature in 4.0; 3.1 is the stable line we pin (docs/LOCALNET.md).
#![allow(deprecated)]

use solana_program_test::{processor, BanksClient, ProgramTest, ProgramTestContext};
use solana_sdk::account::Account;
use solana_sdk::clock::Clock;
use solana_sdk::epoch_schedule::EpochSchedule;
use solana_sdk::hash::Hash;
use solana_sdk::message::Message;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::rent::Rent;
use solana_sdk::signature::{Signature, Signer};
use solana_sdk::transaction::{Transaction, TransactionError, VersionedTransaction};
use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use tokio::runtime::Runtime;
use tokio::sync::{broadcast, mpsc, oneshot};

/// A transaction that executed in a slot (successfully or not), as `getTransaction` reports it.
#[derive(Debug, Clone)]
pub struct Landed {
    /// Slot it executed in.
    pub slot: u64,
    /// Unix time of that slot.
    pub block_time: i64,
    /// The error, if it failed (its fee was still charged).
    pub err: Option<TransactionError>,
    /// Program logs.
    pub logs: Vec<String>,
    /// Compute units consumed.
    pub units: u64,
    /// Fee charged.
    pub fee: u64,
    /// Lamports of each account key before and after.
    pub pre_balances: Vec<u64>,
    /// Lamports of each account key after.
    pub post_balances: Vec<u64>,
    /// The transaction itself.
    pub transaction: VersionedTransaction,
}

/// A simulation's outcome.
#[derive(Debug, Clone)]
pub struct Simulated {
    /// The error, if it would fail.
    pub err: Option<TransactionError>,
    /// Program logs.
    pub logs: Vec<String>,
    /// Compute units consumed.
    pub units: u64,
}

/// What subscribers hear about.
#[derive(Debug, Clone)]
pub enum Event {
    /// A new slot began.
    Slot {
        /// The new slot.
        slot: u64,
        /// The previous one.
        parent: u64,
    },
    /// A transaction executed.
    Landed {
        /// Its first signature.
        signature: Signature,
        /// Its slot.
        slot: u64,
        /// Its error, if any.
        err: Option<TransactionError>,
        /// Every account it referenced.
        keys: Vec<Pubkey>,
    },
}

/// The bank and the bookkeeping an RPC server needs beyond it.
pub struct Chain {
    runtime: Runtime,
    context: ProgramTestContext,
    /// Every address seen in a transaction (`getProgramAccounts` scans it).
    known: BTreeSet<Pubkey>,
    landed: HashMap<Signature, Landed>,
    transaction_count: u64,
    events: broadcast::Sender<Event>,
}

type Job = Box<dyn FnOnce(&mut Chain) + Send>;

/// A cheap, cloneable handle to the chain thread.
#[derive(Clone)]
pub struct ChainHandle {
    jobs: mpsc::UnboundedSender<Job>,
    events: broadcast::Sender<Event>,
    /// Genesis hash.
    pub genesis_hash: Hash,
}

/// The chain thread has stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainGone;

impl std::fmt::Display for ChainGone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the chain thread has stopped")
    }
}

impl ChainHandle {
    /// Starts the chain thread with the program loaded and the clock at `unix_time`.
    pub fn start(unix_time: i64) -> Self {
        let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
        let (events, _) = broadcast::channel(4_096);
        let (ready, started) = std::sync::mpsc::channel();
        let chain_events = events.clone();
        std::thread::Builder::new()
            .name("chain".into())
            .spawn(move || {
                let mut chain = Chain::new(chain_events, unix_time);
                ready
                    .send(chain.context.genesis_config().hash())
                    .expect("starter waits");
                while let Some(job) = queue.blocking_recv() {
                    job(&mut chain);
                }
            })
            .expect("spawn chain thread");
        let genesis_hash = started.recv().expect("chain starts");
        Self {
            jobs,
            events,
            genesis_hash,
        }
    }

    /// Runs `f` on the chain thread and returns its result.
    pub async fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Chain) -> R + Send + 'static,
    ) -> Result<R, ChainGone> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |chain| {
            let _ = reply.send(f(chain));
        });
        self.jobs.send(job).map_err(|_| ChainGone)?;
        answer.await.map_err(|_| ChainGone)
    }

    /// Subscribes to slots and landed transactions.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }
}

impl Chain {
    fn new(events: broadcast::Sender<Event>, unix_time: i64) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("chain runtime");
        let mut program = ProgramTest::new(
            "ringfence",
            ringfence::ID,
            processor!(ringfence::native::process_instruction),
        );
        program.prefer_bpf(false);
        let context = runtime.block_on(program.start_with_context());
        let mut chain = Self {
            runtime,
            context,
            known: BTreeSet::new(),
            landed: HashMap::new(),
            transaction_count: 0,
            events,
        };
        chain.set_time(unix_time);
        chain
    }

    fn banks(&self) -> &BanksClient {
        &self.context.banks_client
    }

    fn block<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The working slot.
    pub fn slot(&self) -> u64 {
        self.clock().slot
    }

    /// The bank's clock.
    pub fn clock(&self) -> Clock {
        self.block(self.banks().get_sysvar::<Clock>())
            .expect("clock")
    }

    /// The epoch schedule.
    pub fn epoch_schedule(&self) -> EpochSchedule {
        self.block(self.banks().get_sysvar::<EpochSchedule>())
            .expect("epoch schedule")
    }

    /// Block height of the working bank.
    pub fn block_height(&self) -> u64 {
        self.block(self.banks().get_root_block_height())
            .expect("block height")
    }

    /// Transactions executed since start.
    pub fn transaction_count(&self) -> u64 {
        self.transaction_count
    }

    /// Sets the clock's unix time (never backwards).
    fn set_time(&mut self, unix_time: i64) {
        let mut clock = self.clock();
        clock.unix_timestamp = clock.unix_timestamp.max(unix_time);
        self.context.set_sysvar(&clock);
    }

    /// Starts the next slot at `unix_time`.
    pub fn advance_slot(&mut self, unix_time: i64) {
        let parent = self.slot();
        self.context
            .warp_to_slot(parent + 1)
            .expect("the next slot is ahead");
        self.set_time(unix_time);
        let _ = self.events.send(Event::Slot {
            slot: parent + 1,
            parent,
        });
    }

    /// An account, if it exists.
    pub fn account(&self, key: &Pubkey) -> Option<Account> {
        self.block(self.banks().get_account(*key)).expect("banks")
    }

    /// Every known account owned by `owner`.
    pub fn accounts_owned_by(&self, owner: &Pubkey) -> Vec<(Pubkey, Account)> {
        self.known
            .iter()
            .filter_map(|key| Some((*key, self.account(key)?)))
            .filter(|(_, account)| account.owner == *owner)
            .collect()
    }

    /// The latest blockhash and the last block height at which it is valid.
    pub fn latest_blockhash(&self) -> (Hash, u64) {
        let commitment = solana_commitment_config::CommitmentLevel::Processed;
        self.block(
            self.banks()
                .get_latest_blockhash_with_commitment(commitment),
        )
        .expect("banks")
        .expect("working bank has a blockhash")
    }

    /// Whether a transaction with this blockhash would still be accepted.
    pub fn is_blockhash_valid(&self, blockhash: &Hash) -> bool {
        let message = Message::new_with_blockhash(&[], Some(&Pubkey::new_unique()), blockhash);
        self.block(self.banks().get_fee_for_message(message))
            .expect("banks")
            .is_some()
    }

    /// Rent parameters.
    pub fn rent(&self) -> Rent {
        self.block(self.banks().get_rent()).expect("rent")
    }

    /// Runs `transaction` without committing it.
    pub fn simulate(&self, transaction: VersionedTransaction) -> Simulated {
        let result = self
            .block(self.banks().simulate_transaction(transaction))
            .expect("banks");
        let (logs, units) = result
            .simulation_details
            .map_or((Vec::new(), 0), |d| (d.logs, d.units_consumed));
        Simulated {
            err: result.result.and_then(|r| r.err()),
            logs,
            units,
        }
    }

    /// Executes `transaction`. `Ok` when it executed (its `Landed` tells whether it
    /// succeeded); `Err` when it was refused before execution (bad blockhash, duplicate,
    /// unfunded payer, bad signature), as a validator drops such transactions.
    pub fn execute(
        &mut self,
        transaction: VersionedTransaction,
    ) -> Result<Landed, TransactionError> {
        let keys: Vec<Pubkey> = transaction.message.static_account_keys().to_vec();
        let pre_balances = self.balances(&keys);
        let fee = self.fee(&transaction);
        let result = self
            .block(
                self.banks()
                    .process_transaction_with_metadata(transaction.clone()),
            )
            .expect("banks");
        let Some(metadata) = result.metadata else {
            return Err(result.result.expect_err("no metadata only on refusal"));
        };
        let signature = transaction.signatures[0];
        let post_balances = self.balances(&keys);
        let clock = self.clock();
        let landed = Landed {
            slot: clock.slot,
            block_time: clock.unix_timestamp,
            err: result.result.err(),
            logs: metadata.log_messages,
            units: metadata.compute_units_consumed,
            fee,
            pre_balances,
            post_balances,
            transaction,
        };
        self.known.extend(keys.iter().copied());
        self.landed.insert(signature, landed.clone());
        self.transaction_count += 1;
        let _ = self.events.send(Event::Landed {
            signature,
            slot: landed.slot,
            err: landed.err.clone(),
            keys,
        });
        Ok(landed)
    }

    /// The fee the bank charges for `transaction` (its payer may also move lamports, so the
    /// payer's balance change is not the fee).
    fn fee(&self, transaction: &VersionedTransaction) -> u64 {
        let signatures = u64::from(transaction.message.header().num_required_signatures);
        match &transaction.message {
            solana_sdk::message::VersionedMessage::Legacy(message) => self
                .block(self.banks().get_fee_for_message(message.clone()))
                .ok()
                .flatten()
                .unwrap_or(5_000 * signatures),
            solana_sdk::message::VersionedMessage::V0(_) => 5_000 * signatures,
        }
    }

    fn balances(&self, keys: &[Pubkey]) -> Vec<u64> {
        keys.iter()
            .map(|key| self.account(key).map_or(0, |a| a.lamports))
            .collect()
    }

    /// A transaction that executed, by its first signature.
    pub fn landed(&self, signature: &Signature) -> Option<Landed> {
        self.landed.get(signature).cloned()
    }

    /// Transfers `lamports` from the genesis faucet to `to`.
    pub fn airdrop(&mut self, to: &Pubkey, lamports: u64) -> Result<Signature, TransactionError> {
        let faucet = self.context.payer.insecure_clone();
        let ix = solana_system_interface::instruction::transfer(&faucet.pubkey(), to, lamports);
        let (blockhash, _) = self.latest_blockhash();
        let transaction = Transaction::new_signed_with_payer(
            &[ix],
            Some(&faucet.pubkey()),
            &[&faucet],
            blockhash,
        );
        let signature = transaction.signatures[0];
        match self.execute(transaction.into())?.err {
            Some(err) => Err(err),
            None => Ok(signature),
        }
    }
}
