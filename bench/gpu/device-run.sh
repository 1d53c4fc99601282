#!/usr/bin/env bash
# Runs the GPU bench on a machine with an NVIDIA GPU, python3 with torch (CUDA) and transformers, and no .NET SDK:
# only the .NET runtime (DOTNET_ROOT: a folder with the `dotnet` host and shared/Microsoft.NETCore.App) and the
# framework-dependent publish of bench/InterpKernel.Bench.Gpu (see bench/gpu/README.md). Takes at most ~6 minutes.
#
#   DOTNET_ROOT=/path/to/dotnet bash bench/gpu/device-run.sh PUBLISH_DIR [OUT_DIR]
#
# Run it from the repository root (it reads models/kjv-gpt2-2l). Writes to OUT_DIR (default $OUT, else ./gpu-out):
# gpu-results.md (the section for bench/RESULTS.md), interpkernel.json, interpkernel-memory.json, hf.json and logs.
set -u -o pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$(dirname "$here")")"
bin="$(cd "${1:?usage: DOTNET_ROOT=... device-run.sh PUBLISH_DIR [OUT_DIR]}" && pwd)"
out="${2:-${OUT:-$PWD/gpu-out}}"
mkdir -p "$out"
: "${DOTNET_ROOT:?set DOTNET_ROOT to the folder holding the dotnet host and shared/Microsoft.NETCore.App}"
export DOTNET_ROOT DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
python="${BENCH_PYTHON:-python3}"
INTERPKERNEL_LIBTORCH="$("$python" -c 'import torch,os;print(os.path.join(os.path.dirname(torch.__file__),"lib"))')" || {
  echo "device-run.sh: $python has no torch" >&2; exit 2; }
export INTERPKERNEL_LIBTORCH
runs="${BENCH_RUNS:-5}"
model="$root/models/kjv-gpt2-2l"
bench=("$DOTNET_ROOT/dotnet" "$bin/InterpKernel.Bench.Gpu.dll" --device cuda --model "$model" --runs "$runs")
{
  echo "INTERPKERNEL_LIBTORCH=$INTERPKERNEL_LIBTORCH"
  "$python" -c 'import torch, transformers; print("torch", torch.__version__, "cuda", torch.version.cuda, "transformers", transformers.__version__)'
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null
  "$DOTNET_ROOT/dotnet" --list-runtimes
} >"$out/environment.txt" 2>&1
cat "$out/environment.txt" >&2

status=0
echo "device-run.sh: InterpKernel parity and timings (bfloat16)" >&2
timeout 200 "${bench[@]}" --dtype bfloat16 --json "$out/interpkernel.json" >"$out/interpkernel.md" 2>"$out/interpkernel.log" || status=$?
tail -n 5 "$out/interpkernel.log" >&2

echo "device-run.sh: InterpKernel peak memory (caching allocator off)" >&2
PYTORCH_NO_CUDA_MEMORY_CACHING=1 timeout 60 "${bench[@]}" --dtype bfloat16 --memory --json "$out/interpkernel-memory.json" \
  >"$out/interpkernel-memory.md" 2>"$out/interpkernel-memory.log" || status=$?
tail -n 5 "$out/interpkernel-memory.log" >&2

echo "device-run.sh: Hugging Face transformers baseline" >&2
timeout 150 "$python" "$here/hf_baseline.py" --device cuda --dtype bfloat16 --runs "$runs" --model "$model" --json "$out/hf.json" \
  >/dev/null 2>"$out/hf.log" || status=$?
tail -n 5 "$out/hf.log" >&2

[[ -s "$out/interpkernel.json" ]] || echo '{"values": {}, "parity": [], "notes": ["the InterpKernel bench wrote no results: see interpkernel.log"]}' >"$out/interpkernel.json"
[[ -s "$out/interpkernel-memory.json" ]] || echo '{"values": {}, "notes": ["the memory run wrote no results: see interpkernel-memory.log"]}' >"$out/interpkernel-memory.json"
[[ -s "$out/hf.json" ]] || echo '{"values": {}}' >"$out/hf.json"
{
  echo "## GPU: InterpKernel against Hugging Face transformers ($(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n 1))"
  echo
  echo "Written by \`bench/gpu/device-run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); medians of $runs runs; $(sed -n 2p "$out/environment.txt")."
  echo "The Llama-3-8B-shaped models have random weights in bfloat16; the embedded model runs in float32."
  echo
  "$python" "$here/report.py" "$out/interpkernel.json" "$out/hf.json" "$out/interpkernel-memory.json"
} >"$out/gpu-results.md"
cat "$out/gpu-results.md"
exit "$status"
