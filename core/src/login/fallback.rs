//! Signing in where no browser can be opened (a server, a container, an SSH session without a
//! forwarded display): the device flow when the provider has one, else the authorization URL
//! shown to the user while the loopback listener waits (so that they can open it elsewhere
//! and forward the port). Asked for with [`Params::set_browser_fallback`]; the C library
//! keeps its contract (no browser: `Browser`), the command line turns it on.

use super::device;
use super::identify::{UrlShown, login_in_browser};
use crate::cancel::CancelWatch;
use crate::config::{ClientContext, Params, UserAgent};
use crate::error::Result;
use crate::provider::discovery;
use crate::token::Token;

/// Whether the system browser can show the user a page here, as the environment tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrowserAvailability {
    Available,
    /// None can be opened, and why (for the user: "an SSH session without a forwarded display").
    Unavailable(&'static str),
}

/// The platforms whose rules differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Platform {
    MacOs,
    Windows,
    /// Linux and the BSDs: a browser needs an X11 or Wayland display.
    Unix,
}

impl Platform {
    fn current() -> Platform {
        if cfg!(target_os = "macos") {
            Platform::MacOs
        } else if cfg!(windows) {
            Platform::Windows
        } else {
            Platform::Unix
        }
    }
}

/// Whether the system browser can be opened in this process's environment: `$BROWSER` set,
/// or (Linux, BSD) a display (`DISPLAY`, `WAYLAND_DISPLAY`), or (macOS) not over SSH.
pub fn browser_availability() -> BrowserAvailability {
    availability_in(
        |name| std::env::var_os(name).is_some_and(|v| !v.is_empty()),
        Platform::current(),
    )
}

fn availability_in(is_set: impl Fn(&str) -> bool, platform: Platform) -> BrowserAvailability {
    if is_set("BROWSER") {
        return BrowserAvailability::Available;
    }
    let over_ssh = is_set("SSH_CONNECTION") || is_set("SSH_CLIENT") || is_set("SSH_TTY");
    match platform {
        Platform::Windows => BrowserAvailability::Available,
        // `open` over SSH opens the page on the Mac's own screen, not the user's.
        Platform::MacOs if over_ssh => BrowserAvailability::Unavailable("an SSH session"),
        Platform::MacOs => BrowserAvailability::Available,
        Platform::Unix if is_set("DISPLAY") || is_set("WAYLAND_DISPLAY") => {
            BrowserAvailability::Available
        }
        Platform::Unix if over_ssh => {
            BrowserAvailability::Unavailable("an SSH session without a forwarded display")
        }
        Platform::Unix => BrowserAvailability::Unavailable("no $BROWSER and no display"),
    }
}

/// How a browser sign-in goes when the fallback is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// Open the browser; should that fail, show the URL and wait.
    Browser,
    /// No browser (and why): the device flow instead (never for a step-up: the device flow
    /// cannot send the `acr_values` and `max_age` it must).
    Device(&'static str),
    /// No browser (and why) and no device flow: show the URL and wait on the listener.
    ShowUrl(&'static str),
}

fn route(availability: BrowserAvailability, has_device_flow: bool, step_up: bool) -> Route {
    match availability {
        BrowserAvailability::Available => Route::Browser,
        BrowserAvailability::Unavailable(why) if has_device_flow && !step_up => Route::Device(why),
        BrowserAvailability::Unavailable(why) => Route::ShowUrl(why),
    }
}

/// The browser sign-in of `identify` with the fallback: the route is chosen from the
/// environment and, when no browser can be opened, from the provider's device endpoint (set,
/// or from discovery); the user is told which through the agent's `notice`. A `step_up` never
/// takes the device flow, which cannot send the `acr_values` and `max_age` it must; with
/// `require_acr` the ID token's `acr` must be one of the `acr_values` of `params`.
pub(crate) async fn login(
    params: &Params,
    agent: &dyn UserAgent,
    cancel: &CancelWatch,
    step_up: bool,
    require_acr: bool,
) -> Result<Token> {
    let availability = browser_availability();
    // Discovery only when it decides something (it is cached for the sign-in that follows).
    let has_device_flow = !step_up && availability != BrowserAvailability::Available && {
        let (ctx, _) = discovery::resolve(&ClientContext::from_params(params)).await?;
        ctx.endpoints.device_authorization.is_some()
    };
    match route(availability, has_device_flow, step_up) {
        Route::Browser => {
            login_in_browser(
                params,
                agent,
                cancel,
                false,
                UrlShown::OpenedElsePrinted,
                require_acr,
            )
            .await
        }
        Route::Device(why) => {
            agent.notice(&format!(
                "No browser can be opened here ({why}): signing in with the device flow."
            ));
            device::login(params, agent, cancel).await
        }
        Route::ShowUrl(why) => {
            login_in_browser(
                params,
                agent,
                cancel,
                false,
                UrlShown::Printed(why),
                require_acr,
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(set: &'static [&'static str]) -> impl Fn(&str) -> bool {
        move |name| set.contains(&name)
    }

    #[test]
    fn browser_variable_means_a_browser_everywhere() {
        for platform in [Platform::Unix, Platform::MacOs, Platform::Windows] {
            assert_eq!(
                availability_in(env(&["BROWSER", "SSH_CONNECTION"]), platform),
                BrowserAvailability::Available
            );
        }
    }

    #[test]
    fn unix_needs_a_display() {
        use BrowserAvailability::*;
        assert_eq!(
            availability_in(env(&[]), Platform::Unix),
            Unavailable("no $BROWSER and no display")
        );
        assert_eq!(
            availability_in(env(&["DISPLAY"]), Platform::Unix),
            Available
        );
        assert_eq!(
            availability_in(env(&["WAYLAND_DISPLAY"]), Platform::Unix),
            Available
        );
        // ssh -X: the display is forwarded.
        assert_eq!(
            availability_in(env(&["SSH_CONNECTION", "DISPLAY"]), Platform::Unix),
            Available
        );
        for ssh in ["SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"] {
            let set: &'static [&'static str] = match ssh {
                "SSH_CONNECTION" => &["SSH_CONNECTION"],
                "SSH_CLIENT" => &["SSH_CLIENT"],
                _ => &["SSH_TTY"],
            };
            assert_eq!(
                availability_in(env(set), Platform::Unix),
                Unavailable("an SSH session without a forwarded display"),
                "{ssh}"
            );
        }
    }

    #[test]
    fn macos_has_a_browser_except_over_ssh_and_windows_always() {
        use BrowserAvailability::*;
        assert_eq!(availability_in(env(&[]), Platform::MacOs), Available);
        assert_eq!(
            availability_in(env(&["SSH_TTY"]), Platform::MacOs),
            Unavailable("an SSH session")
        );
        assert_eq!(
            availability_in(env(&["SSH_TTY"]), Platform::Windows),
            Available
        );
    }

    #[test]
    fn no_browser_takes_the_device_flow_when_there_is_one_else_shows_the_url() {
        let none = BrowserAvailability::Unavailable("x");
        assert_eq!(route(none, true, false), Route::Device("x"));
        assert_eq!(route(none, false, false), Route::ShowUrl("x"));
        assert_eq!(
            route(BrowserAvailability::Available, true, false),
            Route::Browser
        );
        assert_eq!(
            route(BrowserAvailability::Available, false, false),
            Route::Browser
        );
    }

    #[test]
    fn a_step_up_shows_the_url_rather_than_take_the_device_flow() {
        let none = BrowserAvailability::Unavailable("x");
        assert_eq!(route(none, true, true), Route::ShowUrl("x"));
        assert_eq!(
            route(BrowserAvailability::Available, true, true),
            Route::Browser
        );
    }
}
