# Sourced by scripts/bootstrap.sh: `apt_get <apt-get arguments>`, which waits while another
# package manager (unattended-upgrades, a second terminal, a desktop updater) holds apt's locks,
# and says so, instead of failing at once with apt-get's error 100.
#
# apt-get waits for the dpkg lock of `install` by itself (DPkg::Lock::Timeout), silently, but
# not for the package lists' lock of `update` (apt 2.6 on Debian 12). So apt_get lets apt wait a
# few seconds, and whenever apt-get still stops on a lock, prints apt's own sentence naming the
# lock and the process holding it, and tries again, for up to APT_LOCK_WAIT seconds in all. Any
# other failure is shown and returned at once.

APT_LOCK_WAIT=${APT_LOCK_WAIT:-600}  # seconds, in all
APT_LOCK_RETRY=${APT_LOCK_RETRY:-5}  # seconds apt waits by itself, and between two tries
# What apt-get says when it stops on a lock (with -qq only the last of these for dpkg's lock).
APT_LOCKED='Could not get lock.*|Unable to lock .*|Unable to acquire the dpkg .*lock.*'

apt_get() {
  local log deadline=$((SECONDS + APT_LOCK_WAIT)) said=""
  log="$(mktemp)"
  until DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="$APT_LOCK_RETRY" \
      "$@" >"$log" 2>&1; do
    if ! grep -Eq "$APT_LOCKED" "$log"; then
      cat "$log" >&2
      rm -f "$log"
      return 100
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "Gave up after ${APT_LOCK_WAIT} s: another package manager still holds apt's lock." >&2
      cat "$log" >&2
      rm -f "$log"
      return 100
    fi
    if [ -z "$said" ]; then
      echo "Waiting for another package manager to finish (up to ${APT_LOCK_WAIT} s):" \
        "$(grep -m1 -Eo "$APT_LOCKED" "$log")"
      said=1
    fi
    sleep "$APT_LOCK_RETRY"
  done
  [ -z "$said" ] || echo "The package manager is free: apt-get $1 went ahead."
  rm -f "$log"
}
