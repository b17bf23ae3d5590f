#!/usr/bin/env bash
# interleave.sh runs Go test binaries' benchmarks in alternation, so that a
# shared machine's drift falls on every binary alike, and writes one file
# per binary for benchstat. Three measures (BENCHMARKS.md, "Hot path guard"):
#
#   wall   ns/op as testing reports it: -test.count 1 per binary per round
#   cpu    CPU time per op: perf stat -e task-clock over N iterations, minus
#          a 1-iteration run, divided by N-1 (time spent waiting for a core
#          on a loaded machine is not counted)
#   instr  instructions per op under valgrind --tool=callgrind (GOGC=off):
#          (Ir(N) - Ir(N/10)) / (N - N/10); deterministic, so one round does
#
# usage: interleave.sh MODE OUTDIR ROUNDS label=binary... -- name@regex@N...
#   (wall ignores N and uses -test.benchtime ${BENCHTIME:-0.5s})
# example, from bench/stacks:
#   ../interleave.sh cpu /tmp/cpu 10 old=/tmp/old.test new=/tmp/new.test -- \
#     'JSON/stack=roux@^BenchmarkJSON$/stack=roux$@1000000'
set -euo pipefail
mode=$1 out=$2 rounds=$3
shift 3
bins=() benches=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do bins+=("$1"); shift; done
shift
benches=("$@")
mkdir -p "$out"

taskclock() { # binary regex n -> nanoseconds of CPU
	perf stat -x, -e task-clock "$1" -test.run '^$' -test.bench "$2" -test.benchtime "${3}x" -test.cpu 1 2>&1 >/dev/null |
		awk -F, '/task-clock/ {printf "%.0f\n", $1 * 1e6}'
}
irefs() { # binary regex n -> instructions
	GOGC=off GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		"$1" -test.run '^$' -test.bench "$2" -test.benchtime "${3}x" -test.cpu 1 2>&1 |
		awk '/Collected :/ {print $4}'
}

for ((i = 1; i <= rounds; i++)); do
	echo "round $i $(cat /proc/loadavg)" >>"$out/load.txt"
	order=("${bins[@]}")
	if ((i % 2 == 0)); then # alternate the order, so neither binary always runs first
		order=()
		for ((j = ${#bins[@]} - 1; j >= 0; j--)); do order+=("${bins[j]}"); done
	fi
	for b in "${order[@]}"; do
		label=${b%%=*} bin=${b#*=}
		if [ "$mode" = wall ]; then
			regex=$(for bm in "${benches[@]}"; do r=${bm#*@}; echo "${r%@*}"; done | paste -sd'|')
			"$bin" -test.run '^$' -test.bench "$regex" -test.benchmem -test.count 1 -test.cpu 1 \
				-test.benchtime "${BENCHTIME:-0.5s}" >>"$out/$label.txt"
			continue
		fi
		for bm in "${benches[@]}"; do
			name=${bm%%@*} rest=${bm#*@}
			regex=${rest%@*} n=${rest##*@}
			case $mode in
			cpu) t1=$(taskclock "$bin" "$regex" 1) tn=$(taskclock "$bin" "$regex" "$n")
				echo "Benchmark$name $n $(awk -v a="$t1" -v b="$tn" -v n="$n" 'BEGIN {printf "%.2f", (b - a) / (n - 1)}') cpu-ns/op" ;;
			instr) m=$((n / 10)) a=$(irefs "$bin" "$regex" "$m") c=$(irefs "$bin" "$regex" "$n")
				echo "Benchmark$name $n $(((c - a) / (n - m))) instr/op" ;;
			*) echo "unknown mode $mode" >&2; exit 2 ;;
			esac
		done >>"$out/$label.txt"
	done
done
echo "end $(cat /proc/loadavg)" >>"$out/load.txt"
