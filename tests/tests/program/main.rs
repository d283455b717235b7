//! Ringfence program suites, one module per area, all in one binary (one link of the runtime).
#![allow(deprecated)]

mod admin_bounds;
mod adversarial;
mod collateral;
mod delegates;
mod exchange;
mod fill_attacks;
mod funding;
mod invariant;
mod liquidation;
mod margin_moves;
mod markets;
mod no_free_lunch;
mod oracle;
mod orders;
mod pool_solvency;
mod stress;
mod sub_accounts;
mod trading;
