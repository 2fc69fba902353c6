//! Size probe: bench/ours plus `jobs::base64_ours` on a third argument.

#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    prims::minimal::main(prims::jobs::base64_ours)
}
