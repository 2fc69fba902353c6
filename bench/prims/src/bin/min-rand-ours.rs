//! Size probe: bench/ours plus `jobs::random_ours` on a third argument.

#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    prims::minimal::main(prims::jobs::random_ours)
}
