#!/usr/bin/env bash
# Builds (Release) and runs every benchmark project under bench/*/ and the PyTorch baseline, then writes
# bench/RESULTS.md: a header describing the machine and versions, then each project's markdown section.
# A failing build or bench is reported in its section and the script goes on with the next one.
#
#   bench/run.sh                      full run on the CPU (a few minutes per section on 2 cores)
#   bench/run.sh --quick              one timed run per case, to check that everything works
#   bench/run.sh --device cuda [--dtype bfloat16] [--quick]
#                                     the GPU section instead (see bench/gpu/README.md): every bench on the GPU, and
#                                     the GPU bench against Hugging Face transformers on the same GPU when python3 has
#                                     torch and transformers. It replaces the GPU section of bench/RESULTS.md and keeps
#                                     the CPU sections; a CPU run keeps the GPU section.
#
# BENCH_THREADS overrides the thread count (default: the number of cores); both TorchSharp and PyTorch use it.
set -u -o pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
python="${BENCH_PYTHON:-/usr/bin/python3}" # Debian's python3-torch, not a python on PATH without torch
quick=()
device=cpu
dtype=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=(--quick) ;;
    --device) device="${2:?--device needs a value}"; shift ;;
    --dtype) dtype="${2:?--dtype needs a value}"; shift ;;
    *) echo "bench/run.sh: unknown argument '$1' (use --quick, --device cpu|cuda, --dtype float32|float16|bfloat16)" >&2; exit 2 ;;
  esac
  shift
done
export BENCH_THREADS="${BENCH_THREADS:-$(nproc)}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
gpu_marker="<!-- GPU section: written by bench/run.sh --device cuda -->"

if [[ "$device" != cpu ]]; then
  exec bash "$here/gpu/run-section.sh" "$device" "${dtype:-bfloat16}" "${quick[@]}"
fi

load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
body="$work/body.md"
: >"$body"

log() { echo "bench/run.sh: $*" >&2; }

# Appends a section saying that a step failed, with the tail of its log.
failed_section() { # title, exit code, log file
  {
    echo "## $1"
    echo
    echo "**Failed** (exit code $2). Last lines of its output:"
    echo
    echo '```text'
    tail -n 30 "$3"
    echo '```'
    echo
  } >>"$body"
}

# The PyTorch baseline runs first: the core bench reads its timings through BENCH_PYTORCH_JSON.
export BENCH_PYTORCH_JSON="$work/pytorch.json"
log "PyTorch baseline"
if "$python" "$here/pytorch/gpt2_small.py" "${quick[@]}" >"$BENCH_PYTORCH_JSON" 2>"$work/pytorch.log"; then
  pytorch_ok=1
else
  code=$?
  pytorch_ok=0
  printf '{"error": "bench/pytorch/gpt2_small.py failed with exit code %s"}\n' "$code" >"$BENCH_PYTORCH_JSON"
  failed_section "PyTorch baseline (bench/pytorch/gpt2_small.py)" "$code" "$work/pytorch.log"
fi

for project in "$here"/*/*.csproj; do
  [[ -e "$project" ]] || continue
  name="$(basename "$project" .csproj)"
  [[ "$name" == InterpKernel.Bench.Gpu ]] && continue # CUDA only: bench/run.sh --device cuda
  log "building $name"
  dotnet build "$project" -c Release -v quiet -nologo >"$work/$name.build.log" 2>&1
  code=$?
  if [[ "$code" != 0 ]]; then
    failed_section "$name (build)" "$code" "$work/$name.build.log"
    continue
  fi
  # Each benchmark takes its own arguments; --quick shortens the long ones.
  case "$name" in
    InterpKernel.Bench.Core | InterpKernel.Bench.Patching) bench_args=("${quick[@]}") ;;
    InterpKernel.Bench.Neurons) bench_args=(--mb "$([[ ${#quick[@]} -gt 0 ]] && echo 1 || echo 5)") ;;
    InterpKernel.Bench.Sae) bench_args=("$root" "$([[ ${#quick[@]} -gt 0 ]] && echo 300 || echo 1000)") ;;
    *) bench_args=() ;;
  esac
  log "running $name ${bench_args[*]}"
  if dotnet run --project "$project" -c Release --no-build -- "${bench_args[@]}" >"$work/$name.md" 2>"$work/$name.log"; then
    cat "$work/$name.md" >>"$body"
    echo >>"$body"
  else
    code=$?
    cat "$work/$name.md" >>"$body"
    failed_section "$name" "$code" "$work/$name.log"
  fi
done

log "running the kernel benchmark"
if bash "$here/kernel/run.sh" 50 >"$work/kernel.json" 2>"$work/kernel.log"; then
  python3 - "$work/kernel.json" >>"$body" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
ok = lambda v, t: "pass" if v <= t else "**FAIL**"
print("## Jupyter kernel (bench/kernel/run.sh, through jupyter_client)\n")
print("| measure | result | target |")
print("| --- | ---: | --- |")
print(f"| process start to first kernel_info_reply | {r['ready_seconds']:.2f} s | <= 3 s: {ok(r['ready_seconds'], 3)} |")
print(f"| first cell (waits for the Roslyn warm-up) | {r['first_cell_ms']:.0f} ms | |")
print(f"| `1+1` round trip, median of {r['runs']} after warm-up | {r['trivial_cell_median_ms']:.1f} ms | <= 30 ms: {ok(r['trivial_cell_median_ms'], 30)} |")
print(f"| `1+1` round trip, 90th percentile | {r['trivial_cell_p90_ms']:.1f} ms | |")
print()
PY
else
  failed_section "Jupyter kernel (bench/kernel/run.sh)" "$?" "$work/kernel.log"
fi

if [[ "$pytorch_ok" == 1 ]]; then
  {
    echo "## PyTorch baseline, raw timings"
    echo
    echo "What \`bench/pytorch/gpt2_small.py\` printed (milliseconds; peak RSS in MiB per case, each in its own process)."
    echo
    echo '```json'
    cat "$BENCH_PYTORCH_JSON"
    echo '```'
    echo
  } >>"$body"
fi

# The header is written last so that it can report the load the machine was under while the benches ran.
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
ram="$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
os="$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}")"
dotnet_version="$(dotnet --version 2>/dev/null || echo unknown)"
torchsharp="$(sed -n 's/.*Include="TorchSharp" Version="\([^"]*\)".*/\1/p' "$root/Directory.Packages.props")"
libtorch="$(ls "${NUGET_PACKAGES:-$HOME/.nuget/packages}/libtorch-cpu-linux-x64" 2>/dev/null | sort -V | tail -n 1)"
pytorch="$("$python" -c 'import torch; print(torch.__version__)' 2>/dev/null || echo "not available")"
{
  echo "# Benchmarks"
  echo
  echo "Written by \`bench/run.sh${quick:+ --quick}\` on $(date -u '+%Y-%m-%d %H:%M UTC'). Re-run it to refresh this file."
  echo
  echo "| machine | |"
  echo "| --- | --- |"
  echo "| CPU | ${cpu:-unknown} |"
  echo "| cores | $(nproc) (benches use $BENCH_THREADS threads) |"
  echo "| RAM | $ram |"
  echo "| OS | $os, Linux $(uname -r) |"
  echo "| load average (1, 5, 15 min) at the start / end | $load_at_start / $(cut -d' ' -f1-3 /proc/loadavg) |"
  echo "| .NET SDK | $dotnet_version |"
  echo "| TorchSharp | $torchsharp (libtorch ${libtorch:-unknown}, TorchSharp-cpu) |"
  echo "| PyTorch (baseline) | $pytorch ($python) |"
  echo
  echo "The machine is shared: other processes' load makes single timings noisy, which is why every case reports a"
  echo "median and ratios that are targets are measured in one process with both sides alternating."
  echo
  if awk -v cores="$(nproc)" '{ exit !($2 > cores) }' /proc/loadavg; then
    echo "**Warning:** the 5-minute load average ($(cut -d' ' -f2 /proc/loadavg)) exceeded the $(nproc) cores while the benches ran, so"
    echo "other processes competed for the CPU: threads of an OpenMP parallel region wait for each other at every operator,"
    echo "which inflates times by several × and unevenly. Re-run on a quiet machine before drawing conclusions."
    echo
  fi
  cat "$body"
  # A GPU section written by `bench/run.sh --device cuda` stays.
  [[ -f "$here/RESULTS.md" ]] && awk -v m="$gpu_marker" '$0 == m { keep = 1 } keep' "$here/RESULTS.md"
} >"$work/RESULTS.md"
mv "$work/RESULTS.md" "$here/RESULTS.md"
log "wrote $here/RESULTS.md"
