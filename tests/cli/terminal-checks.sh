#!/usr/bin/env bash
# CLI-level checks of the terminal ladder and of --lang, run by ctest (tests/cli.cmake) from the
# source dir.
#   terminal-checks.sh TCPSIM width   100 columns when stdout is not a terminal (COLUMNS
#                                     ignored then), --width N, bad --width refused
#   terminal-checks.sh TCPSIM tty     on a terminal (script(1) gives one): COLUMNS, colour by
#                                     default, NO_COLOR and TERM=dumb respected, --color
#   terminal-checks.sh TCPSIM lang    --lang zh in the ladder, the summary, the expectations
#                                     line, SVG and Mermaid; --no-window; what each side believes
#   terminal-checks.sh TCPSIM classroom  every command of docs/classroom.md runs and meets its
#                                     expectations; both languages use the same scenarios
set -uo pipefail

tcpsim=$1
what=$2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# The widest line of a file, in terminal columns (a Chinese character takes two).
widest() {
  python3 -c '
import sys, unicodedata
text = open(sys.argv[1], encoding="utf-8").read()
print(max((sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
           for line in text.split("\n")), default=0))' "$1"
}

scenario=scenarios/data-fast-retransmit.json

case "$what" in
  width)
    "$tcpsim" run "$scenario" >"$work/default" || fail "run failed"
    [ "$(widest "$work/default")" -le 100 ] || fail "default ladder wider than 100 columns"
    [ "$(widest "$work/default")" -gt 90 ] || fail "default ladder does not use its 100 columns"
    # Not a terminal: COLUMNS does not change the ladder.
    COLUMNS=60 "$tcpsim" run "$scenario" >"$work/columns" || fail "run with COLUMNS failed"
    cmp -s "$work/default" "$work/columns" || fail "COLUMNS changed a ladder written to a file"
    for width in 80 60 137; do
      "$tcpsim" run "$scenario" --width "$width" --explain >"$work/w$width" ||
        fail "--width $width failed"
      [ "$(widest "$work/w$width")" -le "$width" ] || fail "--width $width: a line is wider"
    done
    for bad in 59 1001 abc 080 -5; do
      "$tcpsim" run "$scenario" --width "$bad" >/dev/null 2>"$work/err"
      [ $? -eq 2 ] || fail "--width $bad: not refused with exit 2"
      grep -q -- "--width" "$work/err" || fail "--width $bad: the message does not name --width"
    done
    echo "the ladder fits 100 columns off a terminal, --width N on request"
    ;;
  tty)
    if ! command -v script >/dev/null 2>&1; then
      echo "script(1) is not installed: no terminal to test with"
      exit 77
    fi
    # script -q -e -c CMD /dev/null runs CMD on a new pseudo-terminal, its output copied here.
    on_tty() { script -q -e -c "$1" /dev/null | tr -d '\r'; }
    command="'$tcpsim' run $scenario"
    env -u NO_COLOR TERM=xterm COLUMNS=90 bash -c "$(declare -f on_tty); on_tty \"$command\"" \
      >"$work/tty" || fail "run on a terminal failed"
    grep -q $'\x1b\[' "$work/tty" || fail "no colour on a terminal"
    python3 -c '
import re, sys
text = re.sub(r"\x1b\[[0-9;]*m", "", open(sys.argv[1], encoding="utf-8").read())
open(sys.argv[2], "w", encoding="utf-8").write(text)' "$work/tty" "$work/tty-plain"
    [ "$(widest "$work/tty-plain")" -le 90 ] || fail "COLUMNS=90 on a terminal: a line is wider"
    [ "$(widest "$work/tty-plain")" -gt 80 ] || fail "COLUMNS=90 on a terminal was not used"
    NO_COLOR=1 TERM=xterm COLUMNS=90 bash -c "$(declare -f on_tty); on_tty \"$command\"" \
      >"$work/no-color" || fail "run with NO_COLOR failed"
    grep -q $'\x1b\[' "$work/no-color" && fail "NO_COLOR set, colour anyway"
    env -u NO_COLOR TERM=dumb bash -c "$(declare -f on_tty); on_tty \"$command\"" \
      >"$work/dumb" || fail "run with TERM=dumb failed"
    grep -q $'\x1b\[' "$work/dumb" && fail "TERM=dumb, colour anyway"
    env -u NO_COLOR TERM=xterm bash -c "$(declare -f on_tty); on_tty \"$command --color never\"" \
      >"$work/never" || fail "--color never failed"
    grep -q $'\x1b\[' "$work/never" && fail "--color never, colour anyway"
    # Off a terminal: no colour unless always, and always wins over NO_COLOR.
    "$tcpsim" run "$scenario" >"$work/file" || fail "run failed"
    grep -q $'\x1b\[' "$work/file" && fail "colour in a file"
    NO_COLOR=1 "$tcpsim" run "$scenario" --color always >"$work/always" || fail "--color always"
    grep -q $'\x1b\[31m' "$work/always" || fail "--color always: no colour"
    "$tcpsim" run "$scenario" --color sometimes >/dev/null 2>"$work/err"
    [ $? -eq 2 ] || fail "--color sometimes: not refused"
    echo "colour on a terminal, NO_COLOR and TERM=dumb respected, COLUMNS followed"
    ;;
  lang)
    stale=scenarios/two-way-handshake-stale-syn.json
    "$tcpsim" run "$stale" >"$work/en" || fail "run failed"
    grep -q '^what each side believes: client: 1 connection; server: 2 connections$' "$work/en" ||
      fail "the summary does not say what each side believes"
    "$tcpsim" run "$stale" --lang zh >"$work/zh" || fail "--lang zh failed"
    for part in '时间（秒）' '运行结束' '双方各自认为的连接：client 有 1 个连接；server 有 2 个连接' \
                '预期：17 项中满足 17 项' '为什么不能只握手两次' '应用：接受了新连接'; do
      grep -q -- "$part" "$work/zh" || fail "--lang zh: the ladder lacks '$part'"
    done
    for part in 'time (s)' 'end of run' 'expectations:' 'app: accepted'; do
      grep -q -- "$part" "$work/zh" && fail "--lang zh: the ladder still says '$part'"
    done
    "$tcpsim" run "$stale" --lang zh --svg - >"$work/zh.svg" || fail "--svg - --lang zh failed"
    grep -q '时间（秒）' "$work/zh.svg" || fail "--lang zh: the SVG is not in Chinese"
    grep -q 'WenQuanYi' "$work/zh.svg" || fail "--lang zh: the SVG names no Chinese font"
    "$tcpsim" run "$stale" --lang zh --mermaid - >"$work/zh.mmd" || fail "--mermaid - --lang zh"
    grep -q '运行结束' "$work/zh.mmd" || fail "--lang zh: Mermaid is not in Chinese"
    # The trace is the same whatever the language.
    "$tcpsim" run "$stale" --lang zh --trace "$work/zh.jsonl" >/dev/null || fail "--trace"
    "$tcpsim" run "$stale" --trace "$work/en.jsonl" >/dev/null || fail "--trace"
    cmp -s "$work/zh.jsonl" "$work/en.jsonl" || fail "--lang changed the trace"
    cmp -s "$work/en.jsonl" "${stale%.json}.trace.jsonl" || fail "the trace is not the golden one"
    # --no-window: no win= but a zero window, in every view that labels segments.
    window=scenarios/data-slow-reader-zero-window.json
    "$tcpsim" run "$window" --no-window --svg "$work/w.svg" --mermaid "$work/w.mmd" \
      >"$work/w.txt" || fail "--no-window failed"
    for file in "$work/w.txt" "$work/w.svg" "$work/w.mmd"; do
      grep -q 'win=65535' "$file" && fail "--no-window: $(basename "$file") has win=65535"
      grep -q 'win=0 ' "$file" || fail "--no-window: $(basename "$file") lost the zero window"
    done
    "$tcpsim" run "$window" >"$work/with-window.txt" || fail "run failed"
    grep -q 'win=65535 len=' "$work/with-window.txt" || fail "the ladder has no win="
    echo "--lang zh in every view, --no-window, and what each side believes"
    ;;
  classroom)
    doc=docs/classroom.md
    count=0
    while IFS= read -r command; do
      arguments=${command#tcpsim run }
      # shellcheck disable=SC2086 # the documented arguments, split as a shell would
      "$tcpsim" run $arguments >"$work/out" 2>"$work/err" ||
        fail "docs/classroom.md: '$command' failed: $(cat "$work/err")"
      count=$((count + 1))
    done < <(grep '^tcpsim run ' "$doc")
    [ "$count" -ge 30 ] || fail "docs/classroom.md: only $count commands found"
    english=$(sed -n '/^## English/,/^## 中文/p' "$doc" | grep -o '^tcpsim run [^ ]*')
    chinese=$(sed -n '/^## 中文/,$p' "$doc" | grep -o '^tcpsim run [^ ]*')
    [ -n "$english" ] && [ "$english" = "$chinese" ] ||
      fail "docs/classroom.md: the English and Chinese lessons use different scenarios"
    grep -q -- '--lang zh' <(sed -n '/^## 中文/,$p' "$doc") ||
      fail "the Chinese lesson does not run in Chinese"
    echo "docs/classroom.md: $count commands run, both lessons alike"
    ;;
  *)
    fail "unknown check '$what'"
    ;;
esac
