//! `bench-server [PORT]`: serves the canned bodies on 127.0.0.1 until killed, printing its URL.

#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    let port = match std::env::args().nth(1).map(|p| p.parse::<u16>()) {
        None => 0,
        Some(Ok(port)) => port,
        Some(Err(e)) => {
            eprintln!("bench-server: the port must be a number: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bodies = bench_server::Bodies::generate();
    match bench_server::Server::start(port, bodies) {
        Ok(server) => {
            println!("{}", server.url());
            server.wait();
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench-server: cannot start: {e}");
            ExitCode::FAILURE
        }
    }
}
