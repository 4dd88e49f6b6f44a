//! The man pages, from the same definitions as the help: `authtoken.1` and one page per
//! command (`authtoken-token.1`…). They are checked in under cli/man/ (tests/man.rs keeps them
//! fresh: `UPDATE_MAN=1 cargo test -p authtoken-cli --test man` rewrites them).

/// Every page: (file name, roff text).
pub fn pages() -> Vec<(String, Vec<u8>)> {
    let mut command = crate::args::command();
    // Hands the global options (--config, --profile, -v) down to every command's page.
    command.build();
    let mut pages = vec![render("authtoken", command.clone())];
    for sub in command.get_subcommands() {
        let name = format!("authtoken-{}", sub.get_name());
        // The page's title and usage name the command as it is typed.
        let sub = sub
            .clone()
            .name(name.clone())
            .bin_name(format!("authtoken {}", sub.get_name()))
            .version(command.get_version().unwrap_or_default().to_owned());
        pages.push(render(&name, sub));
    }
    pages
}

fn render(name: &str, command: clap::Command) -> (String, Vec<u8>) {
    let mut roff = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut roff)
        .expect("rendering into memory cannot fail");
    (format!("{name}.1"), roff)
}
