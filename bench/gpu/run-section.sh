#!/usr/bin/env bash
# The GPU half of bench/run.sh (called as `bench/run.sh --device cuda [--dtype D] [--quick]`): publishes each bench
# without the CPU libtorch (the CUDA libtorch of the PyTorch that python3 imports is used instead), runs the GPU bench
# against Hugging Face transformers (bench/gpu/device-run.sh) and every other bench on the device, and writes the GPU
# section at the end of bench/RESULTS.md, replacing the previous one.
#
#   bash bench/gpu/run-section.sh DEVICE DTYPE [--quick]
set -u -o pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bench="$(dirname "$here")"
root="$(dirname "$bench")"
device="${1:?device}"
dtype="${2:?dtype}"
quick=()
[[ "${3:-}" == "--quick" ]] && quick=(--quick)
python="${BENCH_PYTHON:-python3}"
gpu_marker="<!-- GPU section: written by bench/run.sh --device cuda -->"
log() { echo "bench/run.sh --device $device: $*" >&2; }

if [[ -z "${INTERPKERNEL_LIBTORCH:-}" ]]; then
  INTERPKERNEL_LIBTORCH="$("$python" -c 'import torch,os;print(os.path.join(os.path.dirname(torch.__file__),"lib"))' 2>/dev/null)" || {
    log "$python has no torch: point INTERPKERNEL_LIBTORCH at a CUDA PyTorch's torch/lib (or set BENCH_PYTHON)"; exit 2; }
fi
export INTERPKERNEL_LIBTORCH
DOTNET_ROOT="${DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}"
export DOTNET_ROOT
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
body="$work/body.md"
: >"$body"

publish() { # project name -> publish folder inside the repository (benches find the repository from their binaries)
  local out="$bench/$1/bin/publish-external"
  dotnet publish "$bench/$1" -c Release -r linux-x64 --self-contained false -p:ExternalLibTorch=true -o "$out" \
    -v quiet -nologo >"$work/$1.build.log" 2>&1 && echo "$out"
}

log "GPU bench and the transformers baseline"
if gpu_bin="$(publish InterpKernel.Bench.Gpu)"; then
  if "$python" -c 'import torch, transformers' 2>/dev/null; then
    BENCH_RUNS="${BENCH_RUNS:-$([[ ${#quick[@]} -gt 0 ]] && echo 2 || echo 10)}" bash "$here/device-run.sh" "$gpu_bin" "$work/gpu" >/dev/null
  else
    log "$python lacks torch or transformers: the GPU bench runs without a baseline"
    mkdir -p "$work/gpu"
    "$DOTNET_ROOT/dotnet" "$gpu_bin/InterpKernel.Bench.Gpu.dll" --device "$device" --dtype "$dtype" --json "$work/gpu/interpkernel.json" \
      >/dev/null 2>"$work/gpu.log"
    { echo "## GPU: InterpKernel (no transformers baseline: $python lacks it)"; echo
      "$python" "$here/report.py" "$work/gpu/interpkernel.json" - ; } >"$work/gpu/gpu-results.md" 2>>"$work/gpu.log"
  fi
  cat "$work/gpu/gpu-results.md" >>"$body" 2>/dev/null
else
  { echo "## GPU bench (build failed)"; echo; echo '```text'; tail -n 20 "$work/InterpKernel.Bench.Gpu.build.log"; echo '```'; } >>"$body"
fi
echo >>"$body"

for name in InterpKernel.Bench.Core InterpKernel.Bench.Patching InterpKernel.Bench.Neurons InterpKernel.Bench.Sae; do
  log "$name"
  case "$name" in
    InterpKernel.Bench.Core | InterpKernel.Bench.Patching) args=("${quick[@]}") ;;
    InterpKernel.Bench.Neurons) args=(--mb "$([[ ${#quick[@]} -gt 0 ]] && echo 1 || echo 5)") ;;
    InterpKernel.Bench.Sae) args=("$root" "$([[ ${#quick[@]} -gt 0 ]] && echo 300 || echo 1000)") ;;
  esac
  # The core bench's loading case reads a checkpoint on the CPU; its transformer cases run on the device.
  if dir="$(publish "$name")" && "$DOTNET_ROOT/dotnet" "$dir/$name.dll" "${args[@]}" --device "$device" --dtype "$dtype" \
      >"$work/$name.md" 2>"$work/$name.log"; then
    cat "$work/$name.md" >>"$body"
  else
    { cat "$work/$name.md" 2>/dev/null; echo "## $name on $device (failed)"; echo; echo '```text'
      tail -n 20 "$work/$name.log" "$work/$name.build.log" 2>/dev/null; echo '```'; } >>"$body"
  fi
  echo >>"$body"
done

{
  [[ -f "$bench/RESULTS.md" ]] && awk -v m="$gpu_marker" '$0 == m { exit } { print }' "$bench/RESULTS.md"
  echo "$gpu_marker"
  echo
  echo "# GPU benchmarks ($device, $dtype)"
  echo
  echo "Written by \`bench/run.sh --device $device${quick:+ --quick}\` on $(date -u '+%Y-%m-%d %H:%M UTC'): $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -n 1)," \
       "libtorch of PyTorch $("$python" -c 'import torch; print(torch.__version__)' 2>/dev/null || echo '?') ($INTERPKERNEL_LIBTORCH)."
  echo
  cat "$body"
} >"$work/RESULTS.md"
mv "$work/RESULTS.md" "$bench/RESULTS.md"
log "wrote $bench/RESULTS.md"
