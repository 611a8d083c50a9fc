#!/usr/bin/env bash
# Builds Kvasir (Release) and starts one member serving clients on 127.0.0.1:2379, its data in
# ./default.kvasir (etcd's defaults: --name default, --data-dir <name>.kvasir). Arguments are passed
# to `kvasir` as they are: etcd's flags, e.g. --name, --data-dir, --listen-client-urls.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build "$here/src/Kvasir.Server" -c Release -nologo -clp:ErrorsOnly >&2
exec dotnet "$here/src/Kvasir.Server/bin/Release/net10.0/kvasir.dll" "$@"
