# The set-up every script shares (sourced: `. scripts/lib/setup.sh`): Debian packages, npm
# installs, Python venvs, long steps with progress. Each function says what it will install,
# and why, before installing it, and installs nothing that is already there.
#
#   need_apt "why" probe:package ...   installs, in one apt-get call, each package whose probe
#                                      fails (a probe is a command name, or a path when it
#                                      holds a /)
#   need_npm folder "why"              npm ci in folder when its package-lock.json changed
#   need_venv folder "why" package...  a venv in folder with these PyPI packages
#   long_step "what" command...        runs a long command quietly, with a progress line every
#                                      20 s (its last output line) and its output on failure
#   say "text"                         a progress line, prefixed with the script's name
#
# Set AUTHTOKEN_SETUP_DRY_RUN=1 to be told what would be installed, and install nothing.

# Included once per shell.
if [ -z "${AUTHTOKEN_SETUP_SH:-}" ]; then
AUTHTOKEN_SETUP_SH=1
authtoken_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
authtoken_script=${AUTHTOKEN_SCRIPT_NAME:-$(basename "$0")}

say() { echo "$authtoken_script: $*" >&2; }

# As root apt-get runs as is; otherwise through sudo (it asks for the password itself).
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

need_apt() { # why probe:package...
  local why=$1 probe package missing=()
  shift
  for pair in "$@"; do
    probe=${pair%%:*}
    package=${pair#*:}
    if [[ $probe == */* ]]; then [ -e "$probe" ] && continue
    else command -v "$probe" >/dev/null 2>&1 && continue; fi
    [[ " ${missing[*]} " == *" $package "* ]] || missing+=("$package")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  local who="as root"
  [ "$(id -u)" = 0 ] || who="with sudo"
  say "installing Debian packages ($why): ${missing[*]} (apt-get install, $who)"
  [ -z "${AUTHTOKEN_SETUP_DRY_RUN:-}" ] || return 0
  # The package lists once per run of a script (and its children).
  if [ -z "${AUTHTOKEN_APT_UPDATED:-}" ]; then
    long_step "apt-get update" as_root apt-get update -q
    export AUTHTOKEN_APT_UPDATED=1
  fi
  # No recommended packages: chromium alone recommends a hundred (printing, Samba, Perl) that
  # a headless run never uses.
  long_step "apt-get install ${missing[*]}" as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}

need_npm() { # folder why
  local folder=$1 why=$2 sum
  [ -f "$folder/package-lock.json" ] || return 0
  sum=$(sha256sum "$folder/package-lock.json" | cut -d' ' -f1)
  [ "$(cat "$folder/node_modules/.lock-sum" 2>/dev/null)" = "$sum" ] && return 0
  need_apt "Node.js for $why" node:nodejs npm:npm
  say "installing npm packages for $why: npm ci in ${folder#"$authtoken_root"/} ($(node -e '
    const l = require(process.argv[1]); const p = l.packages[""]; console.log(Object.keys({ ...p.dependencies, ...p.devDependencies }).join(", "))' \
    "$folder/package-lock.json" 2>/dev/null))"
  [ -z "${AUTHTOKEN_SETUP_DRY_RUN:-}" ] || return 0
  long_step "npm ci in ${folder#"$authtoken_root"/}" npm ci --prefix "$folder" --no-audit --no-fund --loglevel=error
  echo "$sum" >"$folder/node_modules/.lock-sum"
}

need_venv() { # folder why package...
  local folder=$1 why=$2
  shift 2
  if [ ! -x "$folder/bin/python" ]; then
    # Debian's python3 makes venvs with pip only with python3-venv.
    if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
      need_apt "Python venvs for $why" /usr/share/doc/python3-venv:python3-venv
    fi
    say "making a Python venv for $why in ${folder#"$authtoken_root"/}"
    [ -z "${AUTHTOKEN_SETUP_DRY_RUN:-}" ] || return 0
    python3 -m venv "$folder"
  fi
  # pip show names the packages it does not find on stderr: "Package(s) not found: a, b".
  local not_found missing=() p
  not_found=$("$folder/bin/python" -m pip show "${@%%[<>=]*}" 2>&1 >/dev/null | sed -n 's/.*Package(s) not found: //p' || true)
  for p in "$@"; do
    [[ ", $not_found, " == *", ${p%%[<>=]*}, "* ]] && missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  say "installing PyPI packages for $why into ${folder#"$authtoken_root"/}: ${missing[*]} (pip install)"
  [ -z "${AUTHTOKEN_SETUP_DRY_RUN:-}" ] || return 0
  long_step "pip install ${missing[*]}" "$folder/bin/pip" install -q "${missing[@]}"
}

long_step() { # what command...
  local what=$1 log started rc=0 pid
  shift
  log=$(mktemp)
  started=$SECONDS
  "$@" >"$log" 2>&1 &
  pid=$!
  # A line every 20 s while it runs: the elapsed time and the command's last line.
  while ! wait_for "$pid" 20; do
    say "  $what: $((SECONDS - started)) s: $(tail -c 2000 "$log" | tr '\r' '\n' | grep -v '^\s*$' | tail -n1 | cut -c1-100)"
  done
  wait "$pid" || rc=$?
  if [ "$rc" != 0 ]; then
    tail -n 60 "$log" >&2
    say "$what failed (exit status $rc)"
  elif [ $((SECONDS - started)) -ge 20 ]; then
    say "  $what: done in $((SECONDS - started)) s"
  fi
  rm -f "$log"
  return "$rc"
}

# True when the process ended within the given seconds.
wait_for() { # pid seconds
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.2
  done
  ! kill -0 "$1" 2>/dev/null
}

# What the scripts need, by purpose: one list each, so that every script asks the same way.
need_build_tools() { # the C compiler, pkg-config
  need_apt "building the C library and programs against it" cc:gcc c++:g++ pkg-config:pkg-config
}
need_browser() { # headless chromium for the user's side of a browser login
  # A font of its own: its other recommended packages (printing, Samba...) are left out.
  need_apt "a headless browser that plays the user of the logins" /usr/bin/chromium:chromium \
    /usr/share/fonts/truetype/liberation:fonts-liberation
}
need_test_provider() { # oidc-provider and playwright-core
  need_npm "$authtoken_root/tests/provider" "the local OpenID provider (oidc-provider) and its browser driver (playwright-core)"
}
need_django_provider() { # django-oauth-toolkit, the second authorization server, in a venv of its own
  local dir=$authtoken_root/tests/django_provider packages
  mapfile -t packages < <(grep -Ev '^[[:space:]]*(#|$)' "$dir/requirements.txt")
  need_venv "$dir/.venv" "the second authorization server of the tests (django-oauth-toolkit)" "${packages[@]}"
}
fi
