//! `send-api`: serves the GraphQL API. On start it migrates the database and, when it is empty, imports the
//! bundled dataset.

use std::net::SocketAddr;

use anyhow::Context;
use clap::Parser;
use send_api::cli::{ServeArgs, log_subscriber};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = ServeArgs::parse();
    let directives = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_owned());
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    tracing::subscriber::set_global_default(log_subscriber(args.http.log_format, &directives, std::io::stdout, ansi))
        .context("cannot install the logger")?;
    let http = args.http.config()?;
    let config =
        args.database.config_with(ServeArgs::STATEMENT_TIMEOUT_SECS).context("cannot create the data folder")?;
    let db = send_api::open_for_serving(&config, args.read_database_url.as_deref(), !args.no_bundled_import).await?;
    // The maps are projected and simplified once, before the first page asks for them.
    send_api::pages::map::prepare();
    let listener = listen(args.bind).with_context(|| format!("cannot listen on {}", args.bind))?;
    tracing::info!(backend = send_model::backend_name(&db), "listening on http://{}/graphql", listener.local_addr()?);
    send_api::serve(listener, send_api::AppState::with_config(db.clone(), http), shutdown_signal())
        .await
        .context("server failed")?;
    // Every in-flight request has finished: close the pool's connections cleanly.
    db.close().await.ok();
    tracing::info!("stopped");
    Ok(())
}

/// A listening socket with a queue of pending connections as long as the system allows (tokio's default is 1 024):
/// a burst of connections then waits in the queue rather than having its handshakes dropped and retried seconds
/// later, which a real client caught in the burst would feel.
fn listen(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(4096)
}

/// Resolves on Ctrl-C or SIGTERM, so that in-flight requests finish before the process exits.
async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: refusing new connections, finishing in-flight requests");
}

/// mimalloc instead of the system allocator: the importer and the server allocate many small short-lived values
/// (a row's fields, a response's values), where glibc's malloc and free showed as a fifth of the profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
