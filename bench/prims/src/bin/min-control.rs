//! Size probe: bench/ours plus `jobs::identity` on a third argument.

#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    prims::minimal::main(prims::jobs::identity)
}
