//! `ringfence-idl OUT`: builds the program's IDL with `anchor-lang-idl`'s builder, the code
//! behind `anchor idl build` (account, event and type names without module paths; PDA seeds
//! and fixed program addresses resolved), and writes it to `OUT`.
//!
//! The builder compiles the program's `__anchor_private_print_idl` test in its own target
//! directory (`target/idl-build`): it sets `RUSTFLAGS`, which would otherwise invalidate the
//! workspace's normal build.

use anchor_lang_idl::build::IdlBuilder;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // With RUSTUP_TOOLCHAIN set (cargo and rustup set it for child processes), the builder
    // runs `rustup toolchain install`, which must never happen on these machines.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let out = std::env::args().nth(1).ok_or("usage: ringfence-idl OUT")?;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target = root.join("target/idl-build");
    let idl = IdlBuilder::new()
        .program_path(root.join("programs/ringfence"))
        .resolution(true)
        .cargo_args(vec!["--target-dir".into(), target.display().to_string()])
        .build()?;
    std::fs::write(&out, serde_json::to_string_pretty(&idl)? + "\n")?;
    println!(
        "{out}: {} instructions, {} accounts, {} events, {} errors, {} types",
        idl.instructions.len(),
        idl.accounts.len(),
        idl.events.len(),
        idl.errors.len(),
        idl.types.len()
    );
    Ok(())
}
