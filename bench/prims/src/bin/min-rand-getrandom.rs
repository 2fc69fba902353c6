//! Size probe: bench/ours plus `jobs::random_getrandom` on a third argument.

#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    prims::minimal::main(prims::jobs::random_getrandom)
}
