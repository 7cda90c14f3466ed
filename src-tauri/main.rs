// Prevents an extra console window on Windows in release.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod cli;

fn main() {
    // Every file ResetDesk writes names users or operators (logs, crash reports, the offline
    // cache, the job journal, the audit log): none of them is for other accounts to read.
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    // The command line is handled before any window or Tauri state exists.
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    match cli::parse(&args) {
        Ok(None) => resetdesk_app::run(),
        Ok(Some(command)) => {
            let code = cli::run(&command, &mut std::io::stdout(), &mut std::io::stderr());
            std::process::exit(code);
        }
        Err(reason) => {
            eprint!("{reason}\n{}", cli::USAGE);
            std::process::exit(cli::EXIT_USAGE);
        }
    }
}
