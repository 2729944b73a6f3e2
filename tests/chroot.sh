# shellcheck shell=bash
# Cached Debian trixie chroots for test suites that need a userland this
# machine does not have (a Swift toolchain, a "fresh machine" with only
# rustc and cargo). Source it, then:
#
#   dir=$(fkn_chroot_ensure NAME PKG...)   # build once, reuse afterwards
#   fkn_chroot_run "$dir" "$repo" /repo CMD...
#
# A chroot lives in $FKN_CHROOT_CACHE/NAME (default
# /var/cache/fkn-sdk/chroots). It counts as built only when debootstrap and
# the package install both finished (two stamp files), so one interrupted
# half-way is thrown away and rebuilt. Needs root. Progress goes to stderr;
# fkn_chroot_ensure prints only the path on stdout.

FKN_CHROOT_CACHE=${FKN_CHROOT_CACHE:-/var/cache/fkn-sdk/chroots}
FKN_CHROOT_SUITE=${FKN_CHROOT_SUITE:-trixie}
FKN_CHROOT_MIRROR=${FKN_CHROOT_MIRROR:-http://deb.debian.org/debian}

_fkn_chroot_log() { echo "chroot: $*" >&2; }

# Mount points at or below DIR, deepest first.
_fkn_chroot_mounts_under() {
    local dir=$1
    awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r
}

_fkn_chroot_umount_all() {
    local dir=$1 m
    while read -r m; do
        [ -n "$m" ] || continue
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done < <(_fkn_chroot_mounts_under "$dir")
}

# fkn_chroot_ensure NAME PKG... : print the path of chroot NAME holding PKG...
fkn_chroot_ensure() {
    local name=$1
    shift
    local dir="$FKN_CHROOT_CACHE/$name"
    local base_stamp="$dir/.fkn-chroot-base" pkg_stamp="$dir/.fkn-chroot-packages"
    local wanted
    wanted=$(printf '%s\n' "$@" | sort -u | tr '\n' ' ')

    if [ "$(id -u)" != 0 ]; then
        _fkn_chroot_log "must run as root (debootstrap, mount, chroot)"
        return 1
    fi
    mkdir -p "$FKN_CHROOT_CACHE" || return 1

    # One builder per chroot at a time; concurrent callers wait for it.
    (
        flock 9 || exit 1
        if [ -f "$pkg_stamp" ] && [ "$(cat "$pkg_stamp")" = "$wanted" ]; then
            exit 0
        fi
        if ! command -v debootstrap >/dev/null; then
            _fkn_chroot_log "installing debootstrap on the host"
            { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; } >&2 || exit 1
        fi
        if [ ! -f "$base_stamp" ]; then
            if [ -e "$dir" ]; then
                _fkn_chroot_log "$dir is half-built: removing it"
                _fkn_chroot_umount_all "$dir"
                if [ -n "$(_fkn_chroot_mounts_under "$dir")" ]; then
                    _fkn_chroot_log "something is still mounted under $dir; refusing to delete it"
                    exit 1
                fi
                rm -rf --one-file-system "$dir" || exit 1
            fi
            _fkn_chroot_log "debootstrap --variant=minbase $FKN_CHROOT_SUITE $dir (a few minutes)"
            debootstrap --variant=minbase "$FKN_CHROOT_SUITE" "$dir" "$FKN_CHROOT_MIRROR" >&2 || exit 1
            touch "$base_stamp"
        fi
        rm -f "$pkg_stamp"
        cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
        if [ $# -gt 0 ]; then
            _fkn_chroot_log "apt-get install $wanted"
            fkn_chroot_run "$dir" "" "" sh -c \
                'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" && apt-get clean' \
                sh "$@" >&2 || exit 1
        fi
        printf '%s' "$wanted" >"$pkg_stamp"
    ) 9>"$FKN_CHROOT_CACHE/$name.lock" || return 1
    echo "$dir"
}

# fkn_chroot_run DIR BIND_SRC BIND_DST CMD... : run CMD inside DIR with /proc,
# /dev and BIND_SRC (at BIND_DST; skipped when empty) mounted. Everything
# mounted here is unmounted on the way out, whatever happens. Exit status
# is CMD's.
fkn_chroot_run() {
    local dir=$1 src=$2 dst=$3
    shift 3
    (
        mounted=()
        # shellcheck disable=SC2317 # called by the EXIT trap
        cleanup() {
            local i
            for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
                umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
            done
        }
        trap cleanup EXIT
        trap 'exit 130' INT TERM
        mount -t proc proc "$dir/proc" && mounted+=("$dir/proc") || exit 1
        mount --bind /dev "$dir/dev" && mounted+=("$dir/dev") || exit 1
        if [ -n "$src" ]; then
            mkdir -p "$dir$dst" || exit 1
            mount --bind "$src" "$dir$dst" && mounted+=("$dir$dst") || exit 1
        fi
        # A clean environment (the host's PATH, cargo or Java settings mean
        # nothing inside), keeping only a proxy the host may need for apt.
        local env=(HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}"
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
        local v
        for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
            [ -z "${!v:-}" ] || env+=("$v=${!v}")
        done
        chroot "$dir" /usr/bin/env -i "${env[@]}" "$@"
    )
}
