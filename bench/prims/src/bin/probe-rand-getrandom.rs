//! Size probe: `jobs::random_getrandom` on its argument (or each line of standard input), nothing else.

#![forbid(unsafe_code)]

fn main() {
    prims::jobs::probe_main(prims::jobs::random_getrandom);
}
