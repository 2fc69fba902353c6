//! Size probe: bench/ours plus `jobs::date_time_smithy` on a third argument.

#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    prims::minimal::main(prims::jobs::date_time_smithy)
}
