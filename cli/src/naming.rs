//! The core's messages name options as this program's users know them: by their flags.

use authtoken_core::ParamOption;

/// The flag of an option; options without one keep their key (`userinfo_url`).
pub fn flag_of(option: ParamOption) -> &'static str {
    match option {
        ParamOption::ConfigurationUrl => "--issuer",
        ParamOption::AuthUrl => "--auth-url",
        ParamOption::TokenUrl => "--token-url",
        ParamOption::ClientId => "--client-id",
        ParamOption::ClientSecret => "--client-secret",
        ParamOption::Scope => "--scope",
        ParamOption::ClientAuth => "--client-auth",
        ParamOption::RedirectUrl => "--redirect-url",
        ParamOption::Flow => "--flow",
        ParamOption::HttpTimeout => "--timeout",
        other if other.key() == "dpop" => "--dpop",
        other => other.key(),
    }
}

/// Installs the naming for the core's messages.
pub fn install() {
    authtoken_core::config::set_option_naming(flag_of);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_names_a_long_option_of_the_grammar() {
        let command = crate::args::command();
        let token = command.find_subcommand("token").expect("token");
        for option in ParamOption::ALL {
            let name = flag_of(*option);
            if let Some(long) = name.strip_prefix("--") {
                assert!(
                    token.get_arguments().any(|a| a.get_long() == Some(long)),
                    "{name} is not an option of `authtoken token`"
                );
            }
        }
    }
}
