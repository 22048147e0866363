//! `send-api`: serves the GraphQL API. On start it migrates the database and, when it is empty, imports the
//! bundled dataset.

use std::net::SocketAddr;

use anyhow::Context;
use clap::Parser;
use send_api::cli::log_subscriber;
use send_importer::cli::DatabaseArgs;

/// Serve the area SEND inspection outcomes GraphQL API.
///
/// With no configuration it uses the SQLite file var/send.db (created, migrated and filled with the bundled real
/// dataset on first start) and listens on 127.0.0.1:8080: open http://127.0.0.1:8080/graphql in a browser.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "SEND_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,

    /// Do not import the bundled dataset into an empty database.
    #[arg(long, env = "SEND_NO_BUNDLED_IMPORT")]
    no_bundled_import: bool,

    /// Serve reads from this database (a PostgreSQL read replica) instead of --database-url, which is then used only
    /// to migrate and, when empty, to import the bundled data. Pool options apply to both.
    #[arg(long, env = "READ_DATABASE_URL")]
    read_database_url: Option<String>,

    /// Where the database is.
    #[command(flatten)]
    database: DatabaseArgs,

    /// The HTTP face.
    #[command(flatten)]
    http: send_api::cli::HttpArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let directives = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_owned());
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    tracing::subscriber::set_global_default(log_subscriber(args.http.log_format, &directives, std::io::stdout, ansi))
        .context("cannot install the logger")?;
    let http = args.http.config()?;
    let config = args.database.config_with(30).context("cannot create the data folder")?;
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
