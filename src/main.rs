use clap::Parser;
use volunteer_hours::cli::{self, Cli};
use volunteer_hours::config::Config;

fn main() -> std::process::ExitCode {
    // before the runtime starts any thread
    volunteer_hours::memory::tune_allocator();
    actix_web::rt::System::new().block_on(run())
}

async fn run() -> std::process::ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("volunteer-hours: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    volunteer_hours::telemetry::init(config.log_format);
    match cli::run(cli, config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("volunteer-hours: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
