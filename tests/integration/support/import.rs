//! The importer's entry points as the tests call them.

/// `send-import`'s arguments `args` (after the program name), parsed as the binary parses them.
pub fn cli_args(args: &[&str]) -> send_importer::cli::ImportArgs {
    use clap::Parser;
    send_importer::cli::ImportArgs::try_parse_from(std::iter::once("send-import").chain(args.iter().copied()))
        .expect("arguments")
}
