//! Writes the seed corpus: `seeds/responses/`, `seeds/event_stream/` and `seeds/durable/` under the fuzz crate,
//! one file per seed of [`lambda_sdk_fuzz::seeds`], removing files that are no longer seeds.
//!
//! Run it from anywhere with `cargo run --example make-seeds` inside `fuzz/`; it is deterministic.
#![forbid(unsafe_code)]

use std::path::Path;

fn write(dir: &Path, seeds: &[lambda_sdk_fuzz::seeds::Seed]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !seeds.iter().any(|s| s.name == name) {
            std::fs::remove_file(&path)?;
        }
    }
    for seed in seeds {
        let path = dir.join(&seed.name);
        if std::fs::read(&path).ok().as_deref() != Some(&seed.data[..]) {
            std::fs::write(&path, &seed.data)?;
        }
    }
    println!("{}: {} seeds", dir.display(), seeds.len());
    Ok(())
}

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    write(
        &root.join("responses"),
        &lambda_sdk_fuzz::seeds::responses(),
    )?;
    write(
        &root.join("event_stream"),
        &lambda_sdk_fuzz::seeds::event_streams(),
    )?;
    write(&root.join("durable"), &lambda_sdk_fuzz::seeds::durables())
}
