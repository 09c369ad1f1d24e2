# Shared by tools/run and tools/test: install what is missing, build.
# shellcheck shell=bash

ZH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

zh_say() { printf 'zhurnal: %s\n' "$*" >&2; }

# Install the Debian packages of tools/packages.txt that are not installed yet. A second run asks
# dpkg only, and takes well under a second.
zh_install_packages() {
  local wanted missing=() p status
  wanted=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$ZH_ROOT/tools/packages.txt")
  for p in $wanted; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  zh_say "installing ${#missing[@]} missing Debian packages: ${missing[*]}"
  local sudo=()
  ((EUID == 0)) || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Make the Russian locale the UI tests and a Russian desktop use; `locales` alone does not.
zh_ensure_ru_locale() {
  if ! locale -a 2>/dev/null | grep -qi '^ru_RU\.utf-\?8$'; then
    local sudo=()
    ((EUID == 0)) || sudo=(sudo)
    "${sudo[@]}" localedef -i ru_RU -f UTF-8 ru_RU.UTF-8 || zh_say "could not create ru_RU.UTF-8"
  fi
}

# zh_build BUILDDIR [meson options…]: configure once, then build.
zh_build() {
  local dir=$1
  shift
  if [[ ! -f $dir/build.ninja ]]; then
    meson setup "$dir" "$ZH_ROOT" "$@"
  else
    meson configure "$dir" "$@" >/dev/null
  fi
  meson compile -C "$dir"
}
