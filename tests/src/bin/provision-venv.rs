//! Provisions the Python venv of the end-to-end tests and the conformance run
//! (`<repo>/target/e2e-venv`, from `tests/python-requirements.txt`) and prints its path.
//! `cargo xtask conformance` runs it, so that one provisioner serves both.
#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    match lambda_sdk_tests::emulator::provision_venv() {
        Ok(venv) => {
            println!("{}", venv.display());
            ExitCode::SUCCESS
        }
        Err(reason) => {
            eprintln!("error: cannot provision the Python venv: {reason}");
            ExitCode::FAILURE
        }
    }
}
