#!/bin/sh
# The forced command of one key on the test sshd: ssh-guard.sh REPOS_DIR REPO... lets that key run
# git-upload-pack / git-receive-pack on the listed repos only, as a git host's deploy key does.
set -eu
repos=$1
shift
request=${SSH_ORIGINAL_COMMAND:-}
cmd=${request%% *}
repo=${request#* }
repo=${repo#\'}
repo=${repo%\'}
repo=${repo#/}
case $cmd in
  git-upload-pack | git-receive-pack) ;;
  *) echo "ERROR: this key may only fetch and push" >&2; exit 1 ;;
esac
for allowed in "$@"; do
  if [ "$repo" = "$allowed" ]; then exec "$cmd" "$repos/$repo"; fi
done
echo "ERROR: Permission to $repo denied to this key." >&2
exit 1
