//! Account sizes and rent, and the size of the transactions clients and keepers send.

use ringfence::instructions::{OpenPositionArgs, Side};
use ringfence::state::{Exchange, LpAccount, Market, Pool, SubAccountMode, UserAccount};
use ringfence_sdk::builders;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_sdk::instruction::Instruction;
use solana_sdk::message::Message;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::rent::Rent;
use solana_sdk::transaction::Transaction;

/// The legacy transaction size limit, bytes.
pub const PACKET_BYTES: usize = 1_232;
/// The most accounts a transaction may lock.
pub const ACCOUNT_LOCKS: usize = 64;

/// One account kind's footprint.
pub struct AccountRow {
    /// What it is.
    pub name: &'static str,
    /// Bytes of data.
    pub bytes: usize,
    /// Rent-exempt minimum, SOL.
    pub rent_sol: f64,
}

/// Sizes of every account kind.
pub fn accounts() -> Vec<AccountRow> {
    let rent = Rent::default();
    let row = |name, bytes| AccountRow {
        name,
        bytes,
        rent_sol: rent.minimum_balance(bytes) as f64 / 1e9,
    };
    vec![
        row("cross sub-account", SubAccountMode::Cross.space()),
        row(
            "isolated sub-account",
            SubAccountMode::Isolated { market_index: 0 }.space(),
        ),
        row("market", Market::SPACE),
        row("exchange", Exchange::SPACE),
        row("pool", Pool::SPACE),
        row("user account", UserAccount::SPACE),
        row("LP account", LpAccount::SPACE),
    ]
}

/// One transaction's footprint.
pub struct TransactionRow {
    /// What it does.
    pub name: String,
    /// Serialized bytes (signatures included).
    pub bytes: usize,
    /// Accounts locked.
    pub accounts: usize,
}

/// Measures `instruction` sent with a compute-unit limit and price, as keepers send it.
fn measure(name: String, instruction: Instruction, payer: &Pubkey) -> TransactionRow {
    let instructions = [
        ComputeBudgetInstruction::set_compute_unit_limit(400_000),
        ComputeBudgetInstruction::set_compute_unit_price(1_000),
        instruction,
    ];
    let message = Message::new(&instructions, Some(payer));
    let accounts = message.account_keys.len();
    let transaction = Transaction::new_unsigned(message);
    let bytes = bincode::serialized_size(&transaction).expect("serializes") as usize;
    TransactionRow {
        name,
        bytes,
        accounts,
    }
}

/// "s" unless `n` is 1.
fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `[market, oracle]` pairs for markets `from..to`.
fn pairs(from: u16, to: u16) -> Vec<Pubkey> {
    (from..to)
        .flat_map(|i| [builders::market_pda(i), builders::stub_oracle_pda(i)])
        .collect()
}

/// The transactions that matter, with the largest `settle_funding` batch that fits.
pub fn transactions() -> (Vec<TransactionRow>, usize) {
    let owner = Pubkey::new_unique();
    let token = Pubkey::new_unique();
    let sub = builders::sub_account_pda(&owner, 0);
    let oracle = builders::stub_oracle_pda(0);
    let order = OpenPositionArgs {
        side: Side::Long,
        base: 1,
        leverage: 10,
        limit_price: u64::MAX,
    };
    let mut rows = vec![
        measure(
            "open_position (first position)".into(),
            builders::open_position(&owner, &sub, 0, &oracle, order, &[]),
            &owner,
        ),
        measure(
            "open_position (8th position)".into(),
            builders::open_position(
                &owner,
                &sub,
                7,
                &builders::stub_oracle_pda(7),
                order,
                &pairs(0, 7),
            ),
            &owner,
        ),
        measure(
            "withdraw (8 positions)".into(),
            builders::withdraw(&owner, &sub, &token, 1, &pairs(0, 8)),
            &owner,
        ),
    ];
    let keeper = Pubkey::new_unique();
    for positions in [1u16, 8] {
        let ix = builders::liquidate(
            &keeper,
            &token,
            &sub,
            0,
            &oracle,
            u64::MAX,
            &pairs(1, positions),
        );
        rows.push(measure(
            format!(
                "liquidate (cross, {positions} position{})",
                plural(usize::from(positions))
            ),
            ix,
            &keeper,
        ));
    }
    let resting = ringfence::instructions::PlaceOrderArgs {
        side: Side::Long,
        base: 1,
        leverage: 10,
        limit_price: 1,
        expiry: 1,
        reduce_only: false,
    };
    rows.push(measure(
        "place_order".into(),
        builders::place_order(&owner, &sub, 0, &oracle, resting),
        &owner,
    ));
    rows.push(measure(
        "execute_order (8th position)".into(),
        builders::execute_order(
            &keeper,
            &token,
            &sub,
            7,
            &builders::stub_oracle_pda(7),
            0,
            &pairs(0, 7),
        ),
        &keeper,
    ));
    let subs: Vec<Pubkey> = (0..64).map(|_| Pubkey::new_unique()).collect();
    let settle = |n: usize| {
        measure(
            format!("settle_funding ({n} sub-account{})", plural(n)),
            builders::settle_funding(0, &oracle, &subs[..n]),
            &keeper,
        )
    };
    let max_batch = (0..=subs.len())
        .take_while(|&n| {
            let row = settle(n);
            row.bytes <= PACKET_BYTES && row.accounts <= ACCOUNT_LOCKS
        })
        .last()
        .unwrap_or(0);
    rows.push(settle(1));
    rows.push(settle(max_batch));
    rows.push(measure(
        "pool_deposit (any number of markets)".into(),
        builders::pool_deposit(&owner, &token, 1),
        &owner,
    ));
    rows.push(measure(
        "pool_withdraw (any number of markets)".into(),
        builders::pool_withdraw(&owner, &token, 1),
        &owner,
    ));
    let refresh = refresh_market_limit() as u16;
    rows.push(measure(
        format!("refresh_pool_valuation ({refresh} markets)"),
        builders::refresh_pool_valuation(&pairs(0, refresh)),
        &keeper,
    ));
    (rows, max_batch)
}

/// The most markets one `refresh_pool_valuation` transaction carries.
pub fn refresh_market_limit() -> usize {
    let payer = Pubkey::new_unique();
    (1..=64u16)
        .take_while(|&n| {
            let row = measure(
                String::new(),
                builders::refresh_pool_valuation(&pairs(0, n)),
                &payer,
            );
            row.bytes <= PACKET_BYTES && row.accounts <= ACCOUNT_LOCKS
        })
        .last()
        .map_or(0, usize::from)
}
