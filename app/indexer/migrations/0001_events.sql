-- Ringfence indexer schema: one file for SQLite and PostgreSQL (portable types only: BIGINT,
-- TEXT). Amounts are integers in native units (collateral: 6 decimals); prices are decimal
-- text of the program's I80F48 values (quote per whole base unit), exact to the last digit
-- printed. Every event row carries `id` (the indexer's order: chain order), the transaction's
-- signature, the event's index among the program's events in that transaction, slot and block
-- time (unix seconds), and is unique per (signature, event_index).

-- Every program transaction seen, failed ones included (they store no events).
CREATE TABLE transactions (
    signature TEXT PRIMARY KEY,
    slot BIGINT NOT NULL,
    block_time BIGINT,
    failed BIGINT NOT NULL,
    events BIGINT NOT NULL
);

-- Where following stopped: the newest processed signature, and the next row id.
CREATE TABLE cursor (
    name TEXT PRIMARY KEY,
    signature TEXT,
    slot BIGINT NOT NULL,
    next_id BIGINT NOT NULL
);

-- Sub-accounts and their wallets (from SubAccountCreated).
CREATE TABLE sub_accounts (
    sub_account TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    sub_id BIGINT NOT NULL,
    mode TEXT NOT NULL,
    market_index BIGINT,
    created_slot BIGINT NOT NULL
);
CREATE INDEX sub_accounts_owner ON sub_accounts (owner);

-- Every fill: open, close, trigger, liquidation (and later order kinds). base_delta is signed
-- (positive buys); fee is the taker fee (0 for liquidations, which pay `penalty`), of which
-- protocol_fee went to the protocol and the rest to the pool; realized_pnl is the trader's.
CREATE TABLE fills (
    id BIGINT PRIMARY KEY,
    signature TEXT NOT NULL,
    event_index BIGINT NOT NULL,
    slot BIGINT NOT NULL,
    block_time BIGINT,
    sub_account TEXT NOT NULL,
    owner TEXT,
    market_index BIGINT NOT NULL,
    kind TEXT NOT NULL,
    base_delta BIGINT NOT NULL,
    base_after BIGINT,
    price TEXT NOT NULL,
    mark TEXT NOT NULL,
    premium TEXT NOT NULL,
    fee BIGINT NOT NULL,
    protocol_fee BIGINT NOT NULL,
    keeper_fee BIGINT NOT NULL,
    penalty BIGINT NOT NULL,
    realized_pnl BIGINT NOT NULL,
    collateral_after BIGINT,
    UNIQUE (signature, event_index)
);
CREATE INDEX fills_sub_account ON fills (sub_account, id);
CREATE INDEX fills_owner ON fills (owner, id);

-- Funding settled into a sub-account: paid > 0, received < 0.
CREATE TABLE funding_payments (
    id BIGINT PRIMARY KEY,
    signature TEXT NOT NULL,
    event_index BIGINT NOT NULL,
    slot BIGINT NOT NULL,
    block_time BIGINT,
    sub_account TEXT NOT NULL,
    owner TEXT,
    market_index BIGINT NOT NULL,
    paid BIGINT NOT NULL,
    collateral_after BIGINT NOT NULL,
    UNIQUE (signature, event_index)
);
CREATE INDEX funding_payments_sub_account ON funding_payments (sub_account, id);
CREATE INDEX funding_payments_owner ON funding_payments (owner, id);

-- Funding accrued into a market's index, with the pool's side of it (received > 0).
CREATE TABLE funding_accruals (
    id BIGINT PRIMARY KEY,
    signature TEXT NOT NULL,
    event_index BIGINT NOT NULL,
    slot BIGINT NOT NULL,
    block_time BIGINT,
    market_index BIGINT NOT NULL,
    hourly_rate TEXT NOT NULL,
    cumulative_index TEXT NOT NULL,
    seconds BIGINT NOT NULL,
    pool_funding BIGINT NOT NULL,
    UNIQUE (signature, event_index)
);

-- Liquidations (each is also a fill of kind 'liquidation').
CREATE TABLE liquidations (
    id BIGINT PRIMARY KEY,
    signature TEXT NOT NULL,
    event_index BIGINT NOT NULL,
    slot BIGINT NOT NULL,
    block_time BIGINT,
    sub_account TEXT NOT NULL,
    owner TEXT,
    market_index BIGINT NOT NULL,
    liquidator TEXT NOT NULL,
    closed BIGINT NOT NULL,
    mark TEXT NOT NULL,
    price TEXT NOT NULL,
    realized_pnl BIGINT NOT NULL,
    penalty BIGINT NOT NULL,
    liquidator_reward BIGINT NOT NULL,
    insurance_fee BIGINT NOT NULL,
    bankruptcy_bounty BIGINT NOT NULL,
    collateral_after BIGINT NOT NULL,
    still_liquidating BIGINT NOT NULL,
    UNIQUE (signature, event_index)
);
CREATE INDEX liquidations_sub_account ON liquidations (sub_account, id);
CREATE INDEX liquidations_owner ON liquidations (owner, id);

-- Deficits of bankrupt sub-accounts and who covered them.
CREATE TABLE bankruptcies (
    id BIGINT PRIMARY KEY,
    signature TEXT NOT NULL,
    event_index BIGINT NOT NULL,
    slot BIGINT NOT NULL,
    block_time BIGINT,
    sub_account TEXT NOT NULL,
    owner TEXT,
    deficit BIGINT NOT NULL,
    insurance_paid BIGINT NOT NULL,
    pool_absorbed BIGINT NOT NULL,
    UNIQUE (signature, event_index)
);

-- Collateral in and out of sub-accounts: deposit, withdraw, margin_out / margin_in (the two
-- sides of a margin move), claim (a funded claim paid in). amount > 0 always.
CREATE TABLE transfers (
    id BIGINT PRIMARY KEY,
    signature TEXT NOT NULL,
    event_index BIGINT NOT NULL,
    slot BIGINT NOT NULL,
    block_time BIGINT,
    sub_account TEXT NOT NULL,
    owner TEXT,
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL,
    counterparty TEXT,
    collateral_after BIGINT,
    side BIGINT NOT NULL,
    UNIQUE (signature, event_index, side)
);
CREATE INDEX transfers_sub_account ON transfers (sub_account, id);
CREATE INDEX transfers_owner ON transfers (owner, id);

-- Liquidity providers' deposits and withdrawals.
CREATE TABLE lp_flows (
    id BIGINT PRIMARY KEY,
    signature TEXT NOT NULL,
    event_index BIGINT NOT NULL,
    slot BIGINT NOT NULL,
    block_time BIGINT,
    owner TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL,
    shares BIGINT NOT NULL,
    pool_balance BIGINT NOT NULL,
    total_shares BIGINT NOT NULL,
    UNIQUE (signature, event_index)
);
CREATE INDEX lp_flows_owner ON lp_flows (owner, id);

-- Everything else the program reports (markets, parameter changes, admin, oracle stubs,
-- insurance, claims, triggers set, delegates, pool refreshes), as the event's JSON.
CREATE TABLE other_events (
    id BIGINT PRIMARY KEY,
    signature TEXT NOT NULL,
    event_index BIGINT NOT NULL,
    slot BIGINT NOT NULL,
    block_time BIGINT,
    kind TEXT NOT NULL,
    sub_account TEXT,
    market_index BIGINT,
    detail TEXT NOT NULL,
    UNIQUE (signature, event_index)
);
CREATE INDEX other_events_kind ON other_events (kind, id);
