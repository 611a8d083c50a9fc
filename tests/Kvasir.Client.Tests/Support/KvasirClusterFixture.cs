using Kvasir.Testing;

namespace Kvasir.Client.Tests.Support;

/// <summary>Three real kvasir members.</summary>
public sealed class KvasirClusterFixture : ClusterFixture
{
    public KvasirClusterFixture()
        : base(ServerKind.Kvasir)
    {
    }

    protected override (string File, string[] Prefix) Command() => ("dotnet", [KvasirProcess.Dll]);
}
