#!/usr/bin/env bash
# Prepares the real .NET Interactive host that tests/InterpKernel.Interactive.Tests runs notebooks in, inside one folder
# (default artifacts/interactive-host; the first argument overrides it):
#   tool/     the dotnet-interactive tool 1.0.712001, installed with --tool-path (nothing global);
#   jupyter/  a Jupyter data folder whose kernels/.net-csharp kernelspec starts that tool (point JUPYTER_PATH here);
# and packs InterpKernel.Interactive from this checkout into artifacts/nuget (the local NuGet folder that
# notebooks/quickstart.dib and the README reference with #i "nuget: <folder>").
# The tool and kernelspec are kept between runs; the package is packed anew each time, and the NuGet cache's copy of its
# version is removed so that #r picks up the new one. Prints the folder.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
host=${1:-$root/artifacts/interactive-host}
tool_version=1.0.712001
mkdir -p "$host"
host=$(cd "$host" && pwd)

if [ ! -x "$host/tool/dotnet-interactive" ]; then
  dotnet tool install Microsoft.dotnet-interactive --version "$tool_version" --tool-path "$host/tool" >&2
fi

spec="$host/jupyter/kernels/.net-csharp"
if [ ! -f "$spec/kernel.json" ]; then
  scratch=$(mktemp -d)
  "$host/tool/dotnet-interactive" jupyter install --path "$scratch" >&2
  mkdir -p "$host/jupyter/kernels"
  rm -rf "$spec"
  cp -r "$scratch/.net-csharp" "$spec"
  rm -rf "$scratch"
  # The kernelspec starts "dotnet interactive", which only finds a global tool: start this folder's tool instead.
  python3 - "$spec/kernel.json" "$host/tool/dotnet-interactive" <<'PY'
import json, sys
path, tool = sys.argv[1], sys.argv[2]
spec = json.load(open(path))
assert spec["argv"][:2] == ["dotnet", "interactive"], spec["argv"]
spec["argv"] = [tool] + spec["argv"][2:]
json.dump(spec, open(path, "w"), indent=2)
PY
fi

version=$(dotnet msbuild src/InterpKernel.Interactive -getProperty:Version)
feed="$root/artifacts/nuget"
rm -f "$feed"/InterpKernel.Interactive.*.nupkg
rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/interpkernel.interactive/$version"
dotnet pack src/InterpKernel.Interactive -c Release -o "$feed" >&2
echo "$version" > "$host/version.txt"
echo "$host"
