#!/usr/bin/env bash
# Rebuilds sample-sentence.pcm: the sentence the live viewer page sends as an agent would
# (16 kHz mono PCM16 little-endian, made by Debian's espeak-ng and sox).
set -euo pipefail
cd "$(dirname "$0")"
tmp="$(mktemp --suffix=.wav)"
trap 'rm -f "$tmp"' EXIT
espeak-ng -v en-us -s 160 -w "$tmp" "Hello! I am your avatar. I can speak whatever your agent says, in real time."
sox "$tmp" -r 16000 -c 1 -b 16 -e signed-integer -t raw sample-sentence.pcm
