//! Test harness for the Ringfence program under `solana-program-test`: the real runtime, the
//! real SPL Token program, Pyth accounts written byte for byte, and a conservation check after
//! every transaction.
//!
//! solana-program-test 3.1 marks its API deprecated only to announce the `agave-unstable-api`
//! feature of 4.x; 3.1 is the stable line this project pins (see TOOLCHAIN).
#![allow(deprecated)]

pub mod harness;
pub mod pool;
pub mod pyth;
pub mod setup;
pub mod trading;

pub use harness::*;
pub use ringfence_sdk::builders;
pub use ringfence_sdk::presets as params;
