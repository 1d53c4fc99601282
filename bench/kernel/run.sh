#!/usr/bin/env bash
# Builds the kernel in Release, installs its kernelspec into a temporary prefix, and measures it with
# jupyter_client (Debian's python3-jupyter-client for the system interpreter).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT
dotnet build "$repo/src/InterpKernel.Kernel/InterpKernel.Kernel.csproj" -c Release -nologo -v q
"$repo/src/InterpKernel.Kernel/bin/Release/net10.0/interp-kernel" install --prefix "$prefix" >/dev/null
# IPython's kernel (Debian's python3-ipykernel) is measured in the same run for comparison.
JUPYTER_PATH="$prefix/share/jupyter" /usr/bin/python3 "$here/kernel_bench.py" "${1:-50}" interp-kernel-csharp python3
