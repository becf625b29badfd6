//! The `atelier` command: serve workshops (default), or work with badges from the shell.

use clap::{Parser, Subcommand};

use atelier::config::ServeConfig;
use atelier::room::RoomSettings;
use atelier::server;

#[derive(Parser)]
#[command(
    name = "atelier",
    version,
    about = "Live Open Badges workshops: bingo, fresque, signed badges"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeConfig,
}

#[derive(Subcommand)]
enum Command {
    /// Serve workshops (the default).
    Serve,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "atelier=info,warn".into()),
        )
        .init();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cli.serve).await,
    }
}

async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    let data_dir = config.data_dir.path.clone();
    let running = server::start(config, RoomSettings::default()).await?;
    let addr = running.addr;
    println!(
        "Atelier is listening on http://{addr} (data in {})",
        data_dir.display()
    );
    if addr.ip().is_unspecified() {
        for lan in server::lan_addresses(addr) {
            println!("  phones on this network open: http://{lan}");
        }
    }
    if let Some(link) = &running.signin_url {
        println!(
            "No organiser yet. Open this one-time link to create the organiser account:\n  {link}"
        );
    }
    let stop = running.stopper();
    tokio::spawn(async move {
        wait_for_signal().await;
        println!("Stopping: saving sessions and telling phones…");
        let _ = stop.send(true);
    });
    running.wait().await;
    Ok(())
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
