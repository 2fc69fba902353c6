//! The logic of the libFuzzer targets in `fuzz_targets/`; those files only hand libFuzzer's
//! input to a function here.
//!
//! - [`responses::run`] (target `responses`): every operation's response handling through the
//!   real generated [`lambda_sdk::Client`] — the success deserializers, the error parser and
//!   every modeled and unknown error — fed a raw status, headers and body that a canned
//!   [`HttpConnector`](lambda_sdk::config::HttpConnector) returns. The input layout is
//!   [`response_input`].
//! - [`event_stream::run`] (target `event_stream`): the runtime's
//!   `application/vnd.amazon.eventstream` decoder
//!   ([`MessageDecoder`](lambda_sdk_runtime::event_stream::MessageDecoder)), fed in chunks.
//! - [`durable::run`] (target `durable`): one invocation of a durable handler
//!   (lambda-sdk-durable) on an envelope, state pages and checkpoint answers made from real
//!   recorded states, mutated.
//! - [`seeds`]: the seed corpus, written by `cargo run --example make-seeds` into `seeds/`.
//!
//! Every function here returns normally for every input: a panic (or an abort, a hang or an
//! out-of-memory) is a finding. Assertions state the contract the SDK must keep; nothing here
//! catches a panic of the SDK.
#![forbid(unsafe_code)]

pub mod durable;
pub mod event_stream;
pub mod response_input;
pub mod responses;
pub mod seeds;

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::seeds::{self, Seed};

    fn assert_on_disk(dir: &str, seeds: &[Seed]) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("seeds")
            .join(dir);
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .expect("the seed directory")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        on_disk.sort();
        let mut names: Vec<String> = seeds.iter().map(|s| s.name.clone()).collect();
        names.sort();
        assert_eq!(on_disk, names, "run `cargo run --example make-seeds`");
        for seed in seeds {
            let data = std::fs::read(dir.join(&seed.name)).expect("a seed file");
            assert_eq!(
                data, seed.data,
                "{} is stale: run `cargo run --example make-seeds`",
                seed.name
            );
        }
    }

    #[test]
    fn the_seed_files_are_current() {
        assert_on_disk("responses", &seeds::responses());
        assert_on_disk("event_stream", &seeds::event_streams());
        assert_on_disk("durable", &seeds::durables());
    }

    #[test]
    fn every_seed_passes_its_harness() {
        use crate::responses::Outcome;
        for seed in seeds::responses() {
            let outcome = crate::responses::run(&seed.data);
            let expected = match seed.name.split('-').next() {
                Some("ok") => matches!(outcome, Outcome::Ok { .. }),
                Some("bad") => {
                    matches!(outcome, Outcome::Response { .. })
                        || seed.name.contains("duplicate")
                        || seed.name.contains("null")
                }
                _ => matches!(outcome, Outcome::Service { .. }),
            };
            assert!(expected, "{}: {outcome:?}", seed.name);
        }
        for seed in seeds::event_streams() {
            crate::event_stream::run(&seed.data);
        }
        for seed in seeds::durables() {
            let outcome = crate::durable::run(&seed.data);
            // The whole recorded states replay to the end.
            if seed.name.ends_with("-whole") {
                assert!(
                    matches!(&outcome, crate::durable::Outcome::Answer(a) if a["Status"] == "SUCCEEDED"),
                    "{}: {outcome:?}",
                    seed.name
                );
            }
        }
    }
}
